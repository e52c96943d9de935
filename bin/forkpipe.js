#!/usr/bin/env node
'use strict';

// `forkpipe [options] <script> [arguments]` (also `npx forkpipe ...`): runs
// an unmodified server in workers of forkpipe's cluster, replaces workers
// that die, reloads on SIGHUP and stops gracefully on SIGINT/SIGTERM. The
// workers load forkpipe/register, as under `node -r forkpipe/register`.

const path = require('path');
const { parse, UsageError, USAGE } = require('../lib/cli/options');
const { Supervisor } = require('../lib/cli/supervisor');

const log = (text) => process.stderr.write(`forkpipe: ${text}\n`);

function fail(message, code) {
  log(message);
  process.exit(code);
}

let options;
try {
  options = parse(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`forkpipe: ${err.message}\n\n${USAGE}`);
  // Node's own exit code for a bad command line.
  process.exit(9);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (options.version) {
  process.stdout.write(`${require('../package.json').version}\n`);
  process.exit(0);
}

const script = path.resolve(options.script);
try {
  require.resolve(script);
} catch {
  fail(`cannot find the script '${options.script}' (${script})`, 1);
}

const { cluster } = require('..');
try {
  cluster.setupPrimary({
    exec: script,
    args: options.args,
    execArgv: [...process.execArgv, '--require', path.join(__dirname, '..', 'register.js')],
    ...(options.policy === undefined ? {} : { schedulingPolicy: options.policy }),
  });
} catch (err) {
  fail(err.message, 9);
}

const supervisor = new Supervisor(cluster, {
  workers: options.workers,
  killTimeout: options.killTimeout,
  log,
});
supervisor.on('done', (code) => process.exit(code));
process.on('SIGHUP', () => { supervisor.reload(); });
process.on('SIGINT', () => supervisor.stop('SIGINT'));
process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
log(`running ${options.workers} workers of ${options.script} (pid ${process.pid}; ` +
  'SIGHUP reloads, SIGINT stops)');
supervisor.start();
