'use strict';

const { constants: { signals } } = require('os');
const { nodeError } = require('../errors');

const names = new Map();
for (const [name, number] of Object.entries(signals)) {
  if (!names.has(number)) names.set(number, name);
}

// Node's rule for kill(): a known signal number, or a known name in any case.
function toSignalNumber(sig) {
  if (typeof sig === 'number' && names.has(sig)) return sig;
  if (typeof sig === 'string') {
    const n = signals[sig.toUpperCase()];
    if (n !== undefined) return n;
  }
  throw nodeError('ERR_UNKNOWN_SIGNAL', sig);
}

function signalName(number) {
  return names.get(number) || null;
}

module.exports = { toSignalNumber, signalName };
