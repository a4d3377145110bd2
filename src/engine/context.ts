import type { Clock, Docker } from '../docker/docker.js';
import type { Background } from './background.js';
import type { TeardownPlan } from '../teardown/plan.js';

/** Where progress goes. The GitHub adapter maps it to @actions/core, the CLI to stderr. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** A collapsible block of lines (a log group / section). */
  block(title: string, lines: readonly string[]): void;
}

/**
 * Keeps the teardown plan where the teardown step will find it: GitHub
 * Actions state for post, a state file for the CLI. Saved more than once;
 * the last save wins.
 */
export interface PlanStore {
  save(plan: TeardownPlan): void;
}

/** What the engine needs from its front end. */
export interface EngineContext {
  logger: Logger;
  plans: PlanStore;
  /** The environment the job runs in (never mutated). */
  env: NodeJS.ProcessEnv;
  /** Where per-job files (certificates, sockets) go: RUNNER_TEMP, or the system temp dir. */
  tempDir: string;
  /** Aborted when the job is cancelled. */
  signal?: AbortSignal;
  /** Every docker command and API call goes through it (realDocker, or a fake in tests). */
  docker: Docker;
  clock: Clock;
  /** Starts one of our background processes (background.ts: startBackground); resolves with its pid. */
  background: (process: Background) => Promise<number>;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  debug() {},
  block() {},
};
