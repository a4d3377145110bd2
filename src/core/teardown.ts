/**
 * Removes what a teardown plan names, through the daemon that created it.
 * Never throws: a teardown that fails must not fail a job that passed, so
 * every problem becomes a warning, and what is already gone is no problem.
 */
import { rm } from 'node:fs/promises';
import type { EngineContext } from './context.js';
import { DockerCli, firstErrorLine, isNoSuchObject } from './docker-cli.js';
import { envWithDocker, isEmptyPlan, type TeardownPlan } from './plan.js';

export interface TeardownResult {
  /** Everything named in the plan is gone (removed now or before). */
  complete: boolean;
  removed: string[];
  alreadyGone: string[];
  failed: string[];
  /** The plan of what is still there, for a later attempt. */
  remaining: TeardownPlan;
}

const DAEMON_LOG_LINES = 50;
const REMOVE_TIMEOUT_MS = 60_000;

export async function tearDown(
  plan: TeardownPlan,
  context: Pick<EngineContext, 'logger' | 'env'>,
  options: { quiet?: boolean } = {},
): Promise<TeardownResult> {
  const { logger } = context;
  const remaining: TeardownPlan = { ...plan, containers: [], volumes: [], paths: [] };
  const result: TeardownResult = { complete: true, removed: [], alreadyGone: [], failed: [], remaining };
  if (isEmptyPlan(plan)) return result;
  const docker = new DockerCli(envWithDocker(context.env, plan.dockerEnv));
  const fail = (what: string, why: string) => {
    result.complete = false;
    result.failed.push(what);
    logger.warn(`Could not remove ${what}: ${why}`);
  };

  for (const container of plan.containers) {
    try {
      if (plan.stage === 'ready' && !options.quiet) await reportDeadDaemon(docker, container, context);
      const removal = await docker.exec(['rm', '--force', '--volumes', container], { timeoutMs: REMOVE_TIMEOUT_MS });
      // `rm --force` exits 0 for a missing container too; only a removal prints its name.
      if (isNoSuchObject(removal)) result.alreadyGone.push(`container ${container}`);
      else if (removal.code === 0) result.removed.push(`container ${container}`);
      else {
        const logs = await docker.logTail(container, DAEMON_LOG_LINES);
        if (logs.length > 0) logger.block(`Daemon log of ${container} (last ${DAEMON_LOG_LINES} lines)`, logs);
        fail(`container ${container}`, firstErrorLine(removal.stderr));
        remaining.containers.push(container);
      }
    } catch (error) {
      fail(`container ${container}`, error instanceof Error ? error.message : String(error));
      remaining.containers.push(container);
    }
  }

  for (const volume of plan.volumes) {
    try {
      // Without --force, which would report a missing volume as removed.
      const removal = await docker.exec(['volume', 'rm', volume], { timeoutMs: REMOVE_TIMEOUT_MS });
      if (removal.code === 0) result.removed.push(`volume ${volume}`);
      else if (isNoSuchObject(removal)) result.alreadyGone.push(`volume ${volume}`);
      else {
        fail(`volume ${volume}`, firstErrorLine(removal.stderr));
        remaining.volumes.push(volume);
      }
    } catch (error) {
      fail(`volume ${volume}`, error instanceof Error ? error.message : String(error));
      remaining.volumes.push(volume);
    }
  }

  for (const path of plan.paths) {
    try {
      await rm(path, { recursive: true, force: true });
      result.removed.push(path);
    } catch (error) {
      fail(path, error instanceof Error ? error.message : String(error));
      remaining.paths.push(path);
    }
  }
  return result;
}

/** A daemon that died during the job is worth a warning and its log. */
async function reportDeadDaemon(docker: DockerCli, container: string, context: Pick<EngineContext, 'logger'>): Promise<void> {
  const inspect = await docker.exec(['container', 'inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container], {
    timeoutMs: 15_000,
  });
  if (inspect.code !== 0) return;
  const [status, exitCode] = inspect.stdout.trim().split(' ');
  if (status === 'running') return;
  context.logger.warn(`The DinD daemon ${container} was not running at teardown (status ${status}, exit code ${exitCode}).`);
  const logs = await docker.logTail(container, DAEMON_LOG_LINES);
  if (logs.length > 0) context.logger.block(`Daemon log of ${container} (last ${DAEMON_LOG_LINES} lines)`, logs);
}
