'use strict';

// Scheduling policies: Node's two numbers, forkpipe's three after them,
// and the names the environment and settings use.

const { nodeError } = require('../errors');

const SCHED_NONE = 1;
const SCHED_RR = 2;
const SCHED_REUSEPORT = 3;
const SCHED_LEAST_CONNECTIONS = 4;
const SCHED_IP_HASH = 5;

const BY_NAME = new Map([
  ['none', SCHED_NONE],
  ['rr', SCHED_RR],
  ['reuseport', SCHED_REUSEPORT],
  ['least-connections', SCHED_LEAST_CONNECTIONS],
  ['ip-hash', SCHED_IP_HASH],
]);
const NAMES = [...BY_NAME.keys()];

function invalid(name, value) {
  return nodeError('ERR_INVALID_ARG_VALUE', name, value,
    `must be one of ${NAMES.map((n) => `'${n}'`).join(', ')} or its cluster.SCHED_* ` +
    'number (1 to 5)');
}

// A policy given by name or number, as a number.
function toPolicy(value, name) {
  if (typeof value === 'number' && [...BY_NAME.values()].includes(value)) return value;
  if (typeof value === 'string' && BY_NAME.has(value)) return BY_NAME.get(value);
  throw invalid(name, value);
}

function policyName(number) {
  for (const [name, n] of BY_NAME) if (n === number) return name;
  return undefined;
}

// FORKPIPE_SCHED_POLICY (any policy) wins over Node's
// NODE_CLUSTER_SCHED_POLICY (rr or none; anything else means rr, as in Node).
function policyFromEnv() {
  const ours = process.env.FORKPIPE_SCHED_POLICY;
  if (ours !== undefined && ours !== '') return toPolicy(ours, 'FORKPIPE_SCHED_POLICY');
  return process.env.NODE_CLUSTER_SCHED_POLICY === 'none' ? SCHED_NONE : SCHED_RR;
}

module.exports = {
  SCHED_NONE, SCHED_RR, SCHED_REUSEPORT, SCHED_LEAST_CONNECTIONS, SCHED_IP_HASH,
  POLICY_NAMES: NAMES, toPolicy, policyName, policyFromEnv,
};
