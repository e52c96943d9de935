'use strict';

// Turns cluster.settings and fork(env) into what the Rust spawner takes,
// checking them the way child_process.fork() checks its options.

const { fileURLToPath } = require('url');
const { nodeError } = require('../errors');

// Stdio codes understood by src/cluster/binding.rs.
const IGNORE = -1;
const PIPE = -2;
const IPC = -3;
const INHERIT = -4;

function checkNoNul(value, name) {
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw nodeError('ERR_INVALID_ARG_VALUE', name, value,
      'must be a string without null bytes');
  }
}

// Like spawn(): an array, whose entries become strings.
function argList(list, name) {
  if (!Array.isArray(list)) throw nodeError('ERR_INVALID_ARG_TYPE', name, 'Array', list);
  return list.map((item, i) => {
    checkNoNul(item, `${name}[${i}]`);
    return String(item);
  });
}

function modulePath(exec) {
  if (exec instanceof URL) return fileURLToPath(exec);
  if (typeof exec !== 'string') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'modulePath', ['string', 'Buffer', 'URL'], exec);
  }
  checkNoNul(exec, 'modulePath');
  return exec;
}

function stdioArray(stdio, silent) {
  if (stdio === undefined || stdio === null) {
    return silent ? ['pipe', 'pipe', 'pipe', 'ipc'] : [0, 1, 2, 'ipc'];
  }
  if (typeof stdio === 'string') {
    switch (stdio) {
      case 'ignore':
      case 'overlapped':
      case 'pipe': return [stdio, stdio, stdio, 'ipc'];
      case 'inherit': return [0, 1, 2, 'ipc'];
      default: throw nodeError('ERR_INVALID_ARG_VALUE', 'stdio', stdio);
    }
  }
  if (!Array.isArray(stdio)) throw nodeError('ERR_INVALID_ARG_VALUE', 'stdio', stdio);
  if (!stdio.includes('ipc')) {
    throw nodeError('ERR_CHILD_PROCESS_IPC_REQUIRED', 'options.stdio');
  }
  return stdio;
}

function stdioCodes(list, whole) {
  const codes = [];
  let ipcIndex = -1;
  const entries = list.slice();
  while (entries.length < 3) entries.push(undefined);
  entries.forEach((entry, i) => {
    if (entry === undefined || entry === null) {
      codes.push(i < 3 ? PIPE : IGNORE);
    } else if (entry === 'pipe' || entry === 'overlapped') {
      codes.push(PIPE);
    } else if (entry === 'ignore') {
      codes.push(IGNORE);
    } else if (entry === 'inherit') {
      codes.push(INHERIT);
    } else if (entry === 'ipc') {
      if (ipcIndex !== -1) {
        const err = new Error('Child process can have only one IPC pipe');
        err.code = 'ERR_IPC_ONE_PIPE';
        throw err;
      }
      ipcIndex = i;
      codes.push(IPC);
    } else if (typeof entry === 'number' && Number.isInteger(entry) && entry >= 0) {
      codes.push(entry);
    } else if (entry && typeof entry.fd === 'number') {
      codes.push(entry.fd);
    } else if (entry && entry._handle && typeof entry._handle.fd === 'number') {
      codes.push(entry._handle.fd);
    } else {
      throw nodeError('ERR_INVALID_ARG_VALUE', 'stdio', whole);
    }
  });
  return { codes, ipcIndex };
}

function checkId(value, name) {
  if (value != null && !(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31)) {
    throw nodeError('ERR_INVALID_ARG_TYPE', name, 'int32', value);
  }
  return value == null ? undefined : value;
}

// Everything clusterSpawn needs for worker `id`, plus the ChildProcess
// fields (spawnfile, spawnargs) that describe it.
function spawnRequest(id, settings, execArgvIn, env) {
  const exec = modulePath(settings.exec);
  const args = argList(settings.args == null ? [] : settings.args, 'args');
  const execArgv = argList(execArgvIn, 'options.execArgv');
  const serialization = settings.serialization === undefined ? 'json' : settings.serialization;
  if (serialization !== 'json' && serialization !== 'advanced') {
    throw nodeError('ERR_INVALID_ARG_VALUE', 'options.serialization', serialization,
      "must be one of: undefined, 'json', 'advanced'");
  }
  const { codes, ipcIndex } = stdioCodes(stdioArray(settings.stdio, settings.silent),
    settings.stdio);
  let cwd = settings.cwd;
  if (cwd instanceof URL) cwd = fileURLToPath(cwd);
  if (cwd != null && typeof cwd !== 'string') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options.cwd', ['string', 'Buffer', 'URL'], cwd);
  }
  const uid = checkId(settings.uid, 'options.uid');
  const gid = checkId(settings.gid, 'options.gid');

  const pairs = [];
  for (const key in env) {
    const value = env[key];
    if (value === undefined) continue;
    checkNoNul(key, 'options.env');
    checkNoNul(String(value), 'options.env');
    pairs.push(`${key}=${value}`);
  }
  pairs.push(`NODE_CHANNEL_FD=${ipcIndex}`, `NODE_CHANNEL_SERIALIZATION_MODE=${serialization}`);

  const file = process.execPath;
  const argv = [...execArgv, exec, ...args];
  return {
    serialization,
    spawnfile: file,
    spawnargs: [file, ...argv],
    native: {
      id,
      file,
      args: argv,
      env: pairs,
      cwd: cwd == null ? undefined : cwd,
      uid,
      gid,
      stdio: codes,
      serialization,
    },
  };
}

module.exports = { spawnRequest };
