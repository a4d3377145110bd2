/**
 * The engine's one door to Docker: the docker CLI against a daemon, and a
 * daemon's Engine API. The front ends hand the engine the real one; unit
 * tests hand it a scripted fake, so the orchestration is tested without a
 * daemon. No engine module makes its own client.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerCli } from './docker-cli.js';
import { apiGet, daemonVersion, ping, waitUntilReady, type ApiResponse, type DaemonVersion, type Endpoint, type WaitOptions, type WaitResult } from './probe.js';

/** A docker CLI bound to one environment: what the engine runs docker commands with. */
export type DockerClient = Pick<DockerCli, 'exec' | 'run' | 'apiRefusal' | 'watchExit' | 'logTail'>;

export interface Docker {
  /** The docker CLI program, for what must run it directly (a `docker save | docker load` pipe). */
  readonly binary: string;
  /** The docker CLI run with `env`, whose DOCKER_* variables choose the daemon. */
  cli(env: NodeJS.ProcessEnv): DockerClient;
  /** Pings until the daemon answers (probe.ts: waitUntilReady). */
  waitUntilReady(endpoint: Endpoint, options: WaitOptions): Promise<WaitResult>;
  /** One GET /_ping; rejects with a ProbeFailure. */
  ping(endpoint: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** GET /version: the release and the API range. */
  version(endpoint: Endpoint): Promise<DaemonVersion>;
  /** One GET of the Engine API (unversioned path). */
  get(endpoint: Endpoint, path: string, timeoutMs: number): Promise<ApiResponse>;
}

/** Docker for real: `binary` is the docker CLI the engine runs (a downloaded one, or `docker` from PATH). */
export function realDocker(binary = 'docker'): Docker {
  return {
    binary,
    cli: (env) => new DockerCli(env, binary),
    waitUntilReady,
    ping,
    version: (endpoint) => daemonVersion(endpoint),
    get: (endpoint, path, timeoutMs) => apiGet(endpoint, path, timeoutMs),
  };
}

/** Time, for the engine's deadlines and pauses; injected so tests need not wait. */
export interface Clock {
  /** Milliseconds on a monotonic clock (performance.now()). */
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
};
