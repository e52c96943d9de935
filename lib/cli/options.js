'use strict';

// Reads the command line of `forkpipe [options] <script> [arguments]`.
// Options stop at the script: whatever follows it is the script's own.

const os = require('os');
const { POLICY_NAMES } = require('../cluster/policies');

const USAGE = `Usage: forkpipe [options] <script> [arguments]

Runs <script>, an unmodified server, in workers of forkpipe's cluster: a worker
that dies is replaced, and the workers can be replaced one by one without
dropping a connection.

Options:
  -w, --workers <n>        how many workers (default: ${os.availableParallelism()}, the CPUs here)
  -p, --policy <name>      how connections reach the workers: rr (default), none,
                           reuseport, least-connections or ip-hash
      --kill-timeout <ms>  how long a worker that is asked to leave may take to
                           finish its connections before it is killed (default 5000)
  -h, --help               this text
  -v, --version            forkpipe's version

Signals to the forkpipe process:
  SIGHUP                   reload: start a new worker, wait until it listens,
                           then let an old one finish and leave; one at a time
  SIGINT, SIGTERM          stop: every worker finishes and leaves; a second
                           signal kills them at once
`;

// A mistake on the command line: the message is printed with the usage.
class UsageError extends Error {}

function positiveInteger(text, name, max) {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, not '${text}'`);
  }
  return n;
}

function parse(argv) {
  const options = {
    workers: os.availableParallelism(),
    policy: undefined,
    killTimeout: 5000,
    script: null,
    args: [],
    help: false,
    version: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = () => {
      if (eq !== -1) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      return argv[++i];
    };
    switch (name) {
      case '-w':
      case '--workers':
        options.workers = positiveInteger(value(), name, 1024);
        break;
      case '-p':
      case '--policy':
        options.policy = value();
        if (!POLICY_NAMES.includes(options.policy)) {
          throw new UsageError(`${name} must be one of ${POLICY_NAMES.join(', ')}, ` +
            `not '${options.policy}'`);
        }
        break;
      case '--kill-timeout':
        options.killTimeout = positiveInteger(value(), name, 2 ** 31 - 1);
        break;
      case '-h':
      case '--help':
        options.help = true;
        return options;
      case '-v':
      case '--version':
        options.version = true;
        return options;
      case '--':
        return withScript(options, argv, i + 1);
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        return withScript(options, argv, i);
    }
  }
  throw new UsageError('no script to run');
}

function withScript(options, argv, at) {
  if (at >= argv.length) throw new UsageError('no script to run');
  options.script = argv[at];
  options.args = argv.slice(at + 1);
  return options;
}

module.exports = { parse, UsageError, USAGE };
