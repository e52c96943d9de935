'use strict';

// Node's fs errors for a failed system call: the message libuv's text
// gives ("ENOENT: no such file or directory, open '/x'"), with `errno`
// (negative), `code`, `syscall` and, when there is one, `path` and `dest`.

const util = require('util');

let systemErrors = null;

function describe(errno) {
  if (systemErrors === null) systemErrors = util.getSystemErrorMap();
  const entry = systemErrors.get(-errno);
  return entry !== undefined ? entry : [`Unknown system error ${-errno}`, 'unknown error'];
}

// errno: positive, as the addon reports it.
function uvError(errno, syscall, path, dest) {
  const [code, text] = describe(errno);
  let message = `${code}: ${text}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  if (dest !== undefined) message += ` -> '${dest}'`;
  // Like Node's errors from completed fs requests: no JS frames to show.
  const limit = Error.stackTraceLimit;
  let err;
  try {
    Error.stackTraceLimit = 0;
    err = new Error(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
  err.errno = -errno;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  if (dest !== undefined) err.dest = dest;
  return err;
}

module.exports = { uvError };
