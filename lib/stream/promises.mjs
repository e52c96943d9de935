// node:stream/promises as an ES module, for forkpipe/register.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const promises = require('./promises.js');

export default promises;
export const { finished, pipeline } = promises;
