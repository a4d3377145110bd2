/**
 * The DooD proxy's background process (bundled as dist/dood-proxy.js). The
 * action starts it detached with its options as JSON in
 * SETUP_DIND_PROXY_OPTIONS, waits for "ready" on stdout, and lets it serve the
 * job's later steps; post ends it with SIGTERM. It also ends on its own after
 * maxLifetimeSeconds, should post never run.
 */
import { appendFileSync } from 'node:fs';
import type { PathMapping } from './paths.js';
import { DOOD_POLICIES, type DoodPolicy } from './policy.js';
import { startProxy, type ProxyOptions, type RunningProxy } from './proxy.js';

const ENV = 'SETUP_DIND_PROXY_OPTIONS';

interface MainOptions extends Omit<ProxyOptions, 'log'> {
  logPath: string;
  maxLifetimeSeconds: number;
}

function fail(message: string): never {
  process.stderr.write(`setup-dind dood proxy: ${message}\n`);
  process.exit(1);
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(`${ENV}: ${name} must be a list of strings`);
  return value as string[];
}

function readOptions(text: string | undefined): MainOptions {
  if (!text) fail(`${ENV} is not set`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    fail(`${ENV} is not JSON: ${(error as Error).message}`);
  }
  for (const name of ['listenPath', 'upstreamPath', 'logPath'] as const) {
    if (typeof raw[name] !== 'string' || raw[name] === '') fail(`${ENV}: ${name} is missing`);
  }
  const policy = raw.policy ?? 'none';
  if (!(DOOD_POLICIES as readonly unknown[]).includes(policy)) fail(`${ENV}: policy must be one of ${DOOD_POLICIES.join(', ')}`);
  const labels = raw.labels ?? {};
  if (typeof labels !== 'object' || labels === null || Object.values(labels).some((value) => typeof value !== 'string')) {
    fail(`${ENV}: labels must map names to strings`);
  }
  let pathMap: PathMapping[] | undefined;
  if (raw.pathMap !== undefined) {
    if (!Array.isArray(raw.pathMap) || !raw.pathMap.every((entry: { containerPath?: unknown; hostPath?: unknown }) => typeof entry?.containerPath === 'string' && typeof entry.hostPath === 'string')) {
      fail(`${ENV}: pathMap must be a list of {containerPath, hostPath}`);
    }
    pathMap = raw.pathMap as PathMapping[];
  }
  const lifetime = raw.maxLifetimeSeconds ?? 86_400;
  if (typeof lifetime !== 'number' || !(lifetime > 0)) fail(`${ENV}: maxLifetimeSeconds must be a positive number`);
  return {
    listenPath: raw.listenPath as string,
    upstreamPath: raw.upstreamPath as string,
    logPath: raw.logPath as string,
    labels: labels as Record<string, string>,
    policy: policy as DoodPolicy,
    allowedBindRoots: stringList(raw.allowedBindRoots, 'allowedBindRoots'),
    socketPaths: stringList(raw.socketPaths, 'socketPaths'),
    ...(pathMap ? { pathMap } : {}),
    maxLifetimeSeconds: lifetime,
  };
}

const options = readOptions(process.env[ENV]);
delete process.env[ENV];

const log = (line: string): void => {
  try {
    appendFileSync(options.logPath, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
  } catch {
    // the log is a convenience: never let it stop the proxy
  }
};

let proxy: RunningProxy;
try {
  proxy = await startProxy({ ...options, log });
} catch (error) {
  log(`could not start: ${(error as Error).message}`);
  fail((error as Error).message);
}

let stopping = false;
const stop = (why: string): void => {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${why}`);
  const force = setTimeout(() => process.exit(0), 5000);
  force.unref();
  void proxy.close().finally(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// The parent detaches and may leave a terminal session: not a reason to stop.
process.on('SIGHUP', () => log('SIGHUP ignored'));
// The parent closes its end of stdout after "ready"; a late write must not kill the proxy.
process.stdout.on('error', () => {});
setTimeout(() => stop(`reached maxLifetimeSeconds (${options.maxLifetimeSeconds} s)`), Math.min(options.maxLifetimeSeconds * 1000, 2 ** 31 - 1)).unref();

process.stdout.write('ready\n');
