'use strict';

// Node's internal errors, rebuilt: same `code`, class and message text, so
// code (and tests) that check `err.code` or `err.message` see no difference.

const { inspect } = require('util');

const PRIMITIVE_NAMES = ['string', 'function', 'number', 'object', 'Function',
  'Object', 'boolean', 'bigint', 'symbol'];

function joinWith(items, word) {
  if (items.length < 3) return items.join(` ${word} `);
  return `${items.slice(0, -1).join(', ')}, ${word} ${items[items.length - 1]}`;
}

// How Node names the value it did not expect ("type number (1)", "an
// instance of Foo", "null", ...).
function describeReceived(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint': return `type bigint (${value}n)`;
    case 'number':
      if (Object.is(value, -0)) return 'type number (-0)';
      return `type number (${value})`;
    case 'boolean': return `type boolean (${value})`;
    case 'symbol': return `type symbol (${String(value)})`;
    case 'function': return `function ${value.name}`;
    case 'object':
      if (value.constructor && 'name' in value.constructor) {
        return `an instance of ${value.constructor.name}`;
      }
      return inspect(value, { depth: -1 });
    default: {
      let shown = value;
      if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
      return shown.includes("'") ? `type string (${JSON.stringify(shown)})` :
        `type string ('${shown}')`;
    }
  }
}

function argKind(name) {
  return name.includes('.') ? 'property' : 'argument';
}

function invalidArgType(name, expected, actual) {
  const wanted = Array.isArray(expected) ? expected : [expected];
  const types = [];
  const classes = [];
  const others = [];
  for (const w of wanted) {
    if (PRIMITIVE_NAMES.includes(w)) types.push(w.toLowerCase());
    else if (/^[A-Z][a-zA-Z0-9]*$/.test(w)) classes.push(w);
    else others.push(w);
  }
  if (classes.length > 0 && types.includes('object')) {
    types.splice(types.indexOf('object'), 1);
    classes.push('Object');
  }
  const parts = [];
  if (types.length > 0) {
    parts.push(`${types.length > 1 ? 'one of type' : 'of type'} ${joinWith(types, 'or')}`);
  }
  if (classes.length > 0) parts.push(`an instance of ${joinWith(classes, 'or')}`);
  if (others.length > 1) parts.push(`one of ${joinWith(others, 'or')}`);
  else if (others.length === 1) {
    parts.push(others[0].toLowerCase() !== others[0] ? `an ${others[0]}` : others[0]);
  }
  const subject = name.endsWith(' argument') ? name : `"${name}" ${argKind(name)}`;
  return `The ${subject} must be ${parts.join(' or ')}. Received ${describeReceived(actual)}`;
}

function invalidArgValue(name, value, reason = 'is invalid') {
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return `The ${argKind(name)} '${name}' ${reason}. Received ${shown}`;
}

function outOfRange(name, range, received, wrapName = true) {
  const subject = wrapName ? `"${name}"` : name;
  let shown;
  if (Number.isInteger(received) && Math.abs(received) > 2 ** 32) {
    shown = addUnderscores(String(received));
  } else if (typeof received === 'bigint') {
    shown = String(received);
    if (received > 2n ** 32n || received < -(2n ** 32n)) shown = addUnderscores(shown);
    shown += 'n';
  } else {
    shown = inspect(received);
  }
  return `The value of ${subject} is out of range. It must be ${range}. Received ${shown}`;
}

function addUnderscores(digits) {
  let out = '';
  let i = digits.length;
  const stop = digits[0] === '-' ? 1 : 0;
  for (; i >= stop + 4; i -= 3) out = `_${digits.slice(i - 3, i)}${out}`;
  return `${digits.slice(0, i)}${out}`;
}

const MESSAGES = {
  ERR_INVALID_ARG_TYPE: [TypeError, invalidArgType],
  ERR_INVALID_ARG_VALUE: [TypeError, invalidArgValue],
  ERR_OUT_OF_RANGE: [RangeError, outOfRange],
  ERR_MISSING_ARGS: [TypeError, (...names) => {
    const quoted = names.map((n) => (Array.isArray(n) ?
      n.map((x) => `"${x}"`).join(' or ') : `"${n}"`));
    const verb = names.length > 1 ? 'arguments' : 'argument';
    return `The ${joinWith(quoted, 'and')} ${verb} must be specified`;
  }],
  ERR_UNKNOWN_SIGNAL: [TypeError, (s) => `Unknown signal: ${s}`],
  ERR_IPC_CHANNEL_CLOSED: [Error, () => 'Channel closed'],
  ERR_IPC_DISCONNECTED: [Error, () => 'IPC channel is already disconnected'],
  ERR_INVALID_HANDLE_TYPE: [TypeError, () => 'This handle type cannot be sent'],
  ERR_CHILD_PROCESS_IPC_REQUIRED: [Error, (name) =>
    `Forked processes must have an IPC channel, missing value 'ipc' in ${name}`],
  ERR_SOCKET_BAD_PORT: [RangeError, (name, port, allowZero = true) => {
    const range = allowZero ? '>= 0' : '> 0';
    return `${name} should be ${range} and < 65536. Received ${describeReceived(port)}.`;
  }],
  ERR_INVALID_STATE: [Error, (what) => `Invalid state: ${what}`],
};

// Gives `err` the shape of Node's coded errors: `code`, and a toString and
// first stack line that carry it ("TypeError [ERR_X]: ..."), the stack
// starting at whoever called `callee`.
function withCode(err, code, callee) {
  Object.defineProperty(err, 'code', {
    value: code, enumerable: true, writable: true, configurable: true,
  });
  Object.defineProperty(err, 'toString', {
    value() { return `${this.name} [${this.code}]: ${this.message}`; },
    enumerable: false, writable: true, configurable: true,
  });
  Error.captureStackTrace(err, callee);
  if (typeof err.stack === 'string') {
    err.stack = err.stack.replace(/^[A-Za-z]*Error/, `${err.name} [${code}]`);
  }
  return err;
}

// Builds Node's error for `code`.
function nodeError(code, ...args) {
  const entry = MESSAGES[code];
  if (entry === undefined) throw new Error(`forkpipe: no message for ${code}`);
  const [Base, message] = entry;
  return withCode(new Base(message(...args)), code, nodeError);
}

// libuv's negative errno turned into Node's ErrnoException shape:
// `write EPIPE`, with code, errno and syscall.
function errnoError(errno, syscall, extra) {
  const { getSystemErrorName } = require('util');
  let name;
  try { name = getSystemErrorName(errno); } catch { name = `Unknown system error ${errno}`; }
  const err = new Error(extra ? `${syscall} ${name} ${extra}` : `${syscall} ${name}`);
  err.errno = errno;
  err.code = name;
  err.syscall = syscall;
  return err;
}

module.exports = { nodeError, withCode, errnoError, describeReceived };
