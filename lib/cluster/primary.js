'use strict';

// The primary's `cluster`: Node's API and event order, with the processes,
// channels, sockets and connection dispatch in Rust.

const EventEmitter = require('events');
const native = require('../native');
const Worker = require('./worker');
const events = require('./events');
const { WorkerProcess, nativeErrno } = require('./worker-process');
const { spawnRequest } = require('./fork-options');
const { usingInspector, nextInspectPort } = require('./inspect-port');
const { nodeError } = require('../errors');

const {
  SCHED_NONE, SCHED_RR, SCHED_REUSEPORT, SCHED_LEAST_CONNECTIONS, SCHED_IP_HASH,
  policyFromEnv, toPolicy, policyName,
} = require('./policies');
const { PRELOAD: REPORTER_PRELOAD } = require('./worker-report');

// Largest message a worker may send; a longer line means a broken peer.
const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;
// Connections handed to one worker before its answers come back.
const DEFAULT_IN_FLIGHT_PER_WORKER = 16;
// Connections the primary holds per server (queued or handed out and not
// yet answered); past it, the kernel's backlog holds the rest.
const DEFAULT_MAX_IN_FLIGHT = 4096;

const cluster = new EventEmitter();
// Fires when the last worker is gone, for cluster.disconnect(cb).
const intercom = new EventEmitter();

cluster.isWorker = false;
cluster.isMaster = true;
cluster.isPrimary = true;
cluster.Worker = Worker;
cluster.workers = {};
cluster.settings = {};
cluster.SCHED_NONE = SCHED_NONE;
cluster.SCHED_RR = SCHED_RR;
cluster.SCHED_REUSEPORT = SCHED_REUSEPORT;
cluster.SCHED_LEAST_CONNECTIONS = SCHED_LEAST_CONNECTIONS;
cluster.SCHED_IP_HASH = SCHED_IP_HASH;

// A bad FORKPIPE_SCHED_POLICY is reported by the first setupPrimary().
let envPolicyError = null;
try {
  cluster.schedulingPolicy = policyFromEnv();
} catch (err) {
  envPolicyError = err;
  cluster.schedulingPolicy = SCHED_RR;
}

let ids = 0;
let initialized = false;
let policy = cluster.schedulingPolicy;

function emitSetup(settings) {
  cluster.emit('setup', settings);
}

cluster.setupPrimary = function setupPrimary(options) {
  const settings = {
    args: process.argv.slice(2),
    exec: process.argv[1],
    execArgv: process.execArgv,
    silent: false,
    ...cluster.settings,
    ...options,
  };
  // Profiles of several processes written to one file are unusable.
  if (Array.isArray(settings.execArgv) &&
      settings.execArgv.some((a) => String(a).startsWith('--prof')) &&
      !settings.execArgv.some((a) => String(a).startsWith('--logfile='))) {
    settings.execArgv = [...settings.execArgv, '--logfile=v8-%p.log'];
  }
  const limits = checkLimits(settings);
  if (!initialized) {
    if (envPolicyError) throw envPolicyError;
    // The policy is fixed from here on, as Node fixes it.
    policy = toPolicy(settings.schedulingPolicy !== undefined ?
      settings.schedulingPolicy : cluster.schedulingPolicy,
    settings.schedulingPolicy !== undefined ? 'settings.schedulingPolicy' :
      'cluster.schedulingPolicy');
    cluster.schedulingPolicy = policy;
    initialized = true;
    events.onRuntimeError((code, text) => {
      const err = new Error(text);
      err.code = code;
      if (cluster.listenerCount('error') > 0) cluster.emit('error', err);
      else process.emitWarning(text, { code, type: 'ForkpipeWarning' });
    });
  }
  cluster.settings = settings;
  native.clusterConfigure(policy, DEFAULT_MAX_MESSAGE, limits.perWorker, limits.total);
  process.nextTick(emitSetup, settings);
};

// forkpipe's own settings; 0 or Infinity lifts a limit.
function checkLimits(settings) {
  const read = (name, dflt) => {
    const v = settings[name];
    if (v === undefined) return dflt;
    if (typeof v !== 'number') throw nodeError('ERR_INVALID_ARG_TYPE', `settings.${name}`, 'number', v);
    if (!(v >= 0) || (v !== Infinity && !Number.isInteger(v))) {
      throw nodeError('ERR_OUT_OF_RANGE', `settings.${name}`, 'an integer >= 0 or Infinity', v);
    }
    return v === Infinity ? 0 : v;
  };
  if (settings.connectionStats !== undefined && typeof settings.connectionStats !== 'boolean') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'settings.connectionStats', 'boolean',
      settings.connectionStats);
  }
  return {
    perWorker: read('maxInFlightPerWorker', DEFAULT_IN_FLIGHT_PER_WORKER),
    total: read('maxInFlight', DEFAULT_MAX_IN_FLIGHT),
  };
}

// Whether workers run the load reporter (worker-report.js).
function reportsLoad() {
  return policy === SCHED_LEAST_CONNECTIONS || cluster.settings.connectionStats === true;
}

cluster.setupMaster = cluster.setupPrimary;

function createWorkerProcess(id, env) {
  const settings = cluster.settings;
  if (!Array.isArray(settings.execArgv)) {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options.execArgv', 'Array', settings.execArgv);
  }
  const execArgv = [...settings.execArgv];
  if (settings.inspectPort === null) {
    throw nodeError('ERR_SOCKET_BAD_PORT', 'Port', null, true);
  }
  if (usingInspector(settings.execArgv)) {
    execArgv.push(`--inspect-port=${nextInspectPort(settings.inspectPort)}`);
  }
  const workerEnv = { ...process.env, ...env, NODE_UNIQUE_ID: `${id}` };
  if (reportsLoad()) {
    // Through NODE_OPTIONS, so the worker's process.execArgv stays as set.
    workerEnv.NODE_OPTIONS = workerEnv.NODE_OPTIONS ?
      `${workerEnv.NODE_OPTIONS} ${REPORTER_PRELOAD}` : REPORTER_PRELOAD;
  }
  const req = spawnRequest(id, settings, execArgv, workerEnv);
  events.ensureStarted();
  let spawned;
  try {
    spawned = native.clusterSpawn(req.native);
  } catch (err) {
    const ex = nativeErrno(err, 'spawn');
    ex.path = req.spawnfile;
    ex.spawnargs = req.spawnargs.slice(1);
    throw ex;
  }
  return new WorkerProcess({
    id,
    pid: spawned.pid,
    serialization: req.serialization,
    spawnfile: req.spawnfile,
    spawnargs: req.spawnargs,
    pipes: spawned.pipes,
  });
}

function removeWorker(worker) {
  delete cluster.workers[worker.id];
  if (Object.keys(cluster.workers).length === 0) intercom.emit('disconnect');
}

function onInternalMessage(worker, message) {
  if (message.cmd !== 'NODE_CLUSTER') return;
  switch (message.act) {
    case 'online':
      worker.state = 'online';
      worker.emit('online');
      cluster.emit('online', worker);
      break;
    case 'listening': {
      const info = {
        addressType: message.addressType,
        address: message.address,
        port: message.port,
        fd: message.fd,
      };
      worker.state = 'listening';
      worker.emit('listening', info);
      cluster.emit('listening', worker, info);
      break;
    }
    case 'exitedAfterDisconnect':
      worker.exitedAfterDisconnect = true;
      break;
    default:
      break;
  }
}

cluster.fork = function fork(env) {
  cluster.setupPrimary();
  const id = ++ids;
  const proc = createWorkerProcess(id, env);
  const worker = new Worker({ id, process: proc });
  proc.errorHandled = () => worker.listenerCount('error') > 0;

  worker.on('message', function onMessage(message, handle) {
    cluster.emit('message', this, message, handle);
  });

  proc.once('exit', (exitCode, signalCode) => {
    // A worker still connected stays listed until it disconnects too.
    if (!worker.isConnected()) removeWorker(worker);
    worker.exitedAfterDisconnect = !!worker.exitedAfterDisconnect;
    worker.state = 'dead';
    worker.emit('exit', exitCode, signalCode);
    cluster.emit('exit', worker, exitCode, signalCode);
  });

  proc.once('disconnect', () => {
    if (worker.isDead()) removeWorker(worker);
    worker.exitedAfterDisconnect = !!worker.exitedAfterDisconnect;
    worker.state = 'disconnected';
    worker.emit('disconnect');
    cluster.emit('disconnect', worker);
  });

  proc.on('internalMessage', (message) => onInternalMessage(worker, message));
  process.nextTick(() => cluster.emit('fork', worker));
  cluster.workers[id] = worker;
  return worker;
};

// Connection counters per worker, and the connections the primary holds.
// `open` is null unless workers report closes (least-connections, or
// setupPrimary({ connectionStats: true })).
cluster.stats = function stats() {
  const raw = native.clusterStats();
  const workers = {};
  for (const w of raw.workers) {
    workers[w.id] = {
      dispatched: w.dispatched,
      accepted: w.accepted,
      refused: w.refused,
      nacked: w.nacked,
      open: w.open < 0 ? null : w.open,
    };
  }
  return {
    policy: policyName(policy),
    workers,
    inFlight: raw.inFlight,
    peakInFlight: raw.peakInFlight,
  };
};

cluster.disconnect = function disconnect(cb) {
  const workers = Object.values(cluster.workers);
  if (workers.length === 0) {
    process.nextTick(() => intercom.emit('disconnect'));
  } else {
    for (const worker of workers) {
      if (worker.isConnected()) worker.disconnect();
    }
  }
  if (typeof cb === 'function') intercom.once('disconnect', cb);
};

Worker.prototype.disconnect = function disconnect() {
  this.exitedAfterDisconnect = true;
  // Rust tells the worker and stops handing it connections at once.
  if (this.process.connected) native.clusterDisconnect(this.id);
  removeWorker(this);
  return this;
};

module.exports = cluster;
