'use strict';

// Workers of a primary started under the inspector get inspector ports of
// their own, one above the other, as Node's cluster gives them.

const { nodeError } = require('../errors');

const INSPECT_FLAG = /--inspect(?:-brk|-port)?|--debug-port/;
const MIN_PORT = 1024;
const MAX_PORT = 65535;
let offset = 1;

function usingInspector(execArgv) {
  return execArgv.some((arg) => INSPECT_FLAG.test(arg)) ||
    INSPECT_FLAG.test(process.env.NODE_OPTIONS || '');
}

function nextInspectPort(setting) {
  let port = setting;
  if (typeof port === 'function') {
    port = port();
  } else if (port == null) {
    port = process.debugPort + offset;
    if (port > MAX_PORT) port = port - MAX_PORT + MIN_PORT - 1;
    offset++;
  }
  const valid = (typeof port === 'number' || (typeof port === 'string' && port.trim() !== '')) &&
    Number(port) === Number(port) >>> 0 && Number(port) <= MAX_PORT;
  if (!valid) throw nodeError('ERR_SOCKET_BAD_PORT', 'Port', port, true);
  return port;
}

module.exports = { usingInspector, nextInspectPort };
