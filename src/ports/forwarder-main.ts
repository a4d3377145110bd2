/**
 * The DinD port forwarder's background process (bundled as
 * dist/port-forwarder.js). The DinD mode starts it detached with its options
 * as JSON in SETUP_DIND_FORWARDER_OPTIONS once the daemon's container runs,
 * waits for "ready" on stdout, and lets it serve the job's later steps; post
 * ends it with SIGTERM. It also ends on its own after maxLifetimeSeconds.
 */
import { appendFileSync } from 'node:fs';
import { startForwarder } from './forwarder.js';

const ENV = 'SETUP_DIND_FORWARDER_OPTIONS';

function fail(message: string): never {
  process.stderr.write(`setup-dind port forwarder: ${message}\n`);
  process.exit(1);
}

const raw = ((): Record<string, unknown> => {
  try {
    return JSON.parse(process.env[ENV] ?? '') as Record<string, unknown>;
  } catch {
    return fail(`${ENV} is not set to JSON`);
  }
})();
delete process.env[ENV];
for (const name of ['dir', 'target', 'logPath'] as const) {
  if (typeof raw[name] !== 'string' || raw[name] === '') fail(`${ENV}: ${name} is missing`);
}
const logPath = raw.logPath as string;
const lifetime = typeof raw.maxLifetimeSeconds === 'number' && raw.maxLifetimeSeconds > 0 ? raw.maxLifetimeSeconds : 86_400;

const log = (line: string): void => {
  try {
    appendFileSync(logPath, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
  } catch {
    // the log is a convenience: never let it stop the forwarder
  }
};

const forwarder = startForwarder({ dir: raw.dir as string, target: raw.target as string, log });
let stopping = false;
const stop = (why: string): void => {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${why}`);
  void forwarder.close().finally(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => log('SIGHUP ignored'));
process.stdout.on('error', () => {});
setTimeout(() => stop(`reached maxLifetimeSeconds (${lifetime} s)`), Math.min(lifetime * 1000, 2 ** 31 - 1)).unref();
log(`ready: forwarding the DinD daemon's published ports to ${raw.target as string}`);
process.stdout.write('ready\n');
