/**
 * Removes what a teardown plan names, through the daemon that created it.
 * Never throws: a teardown that fails must not fail a job that passed, so
 * every problem becomes a warning, and what is already gone is no problem.
 */
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LABELS } from '../engine/identity.js';
import { errorMessage } from '../engine/errors.js';
import type { EngineContext, Logger } from '../engine/context.js';
import { firstErrorLine, isNoSuchObject } from '../docker/docker-cli.js';
import type { DockerClient } from '../docker/docker.js';
import { envWithDocker, isEmptyPlan, type TeardownPlan } from './plan.js';
import { removeContext } from '../docker/docker-context.js';

export interface TeardownResult {
  /** Everything named in the plan is gone (removed now or before). */
  complete: boolean;
  removed: string[];
  alreadyGone: string[];
  failed: string[];
  /** The plan of what is still there, for a later attempt. */
  remaining: TeardownPlan;
  /** DooD: the host ports the job's containers had published (`name: ports`). */
  publishedPorts: string[];
}

const DAEMON_LOG_LINES = 50;
const REMOVE_TIMEOUT_MS = 60_000;

/**
 * A set-up that failed removes what it started before it reports the
 * failure, so nothing is left where no teardown step runs (the CLI's `up`);
 * what it could not remove stays in the plan for one that does.
 */
export async function abandon(plan: TeardownPlan, context: Pick<EngineContext, 'logger' | 'env' | 'plans' | 'docker'>): Promise<void> {
  const { remaining } = await tearDown(plan, context, { quiet: true });
  context.plans.save(isEmptyPlan(remaining) ? { ...remaining, stage: 'done' } : remaining);
}

export async function tearDown(
  plan: TeardownPlan,
  context: Pick<EngineContext, 'logger' | 'env' | 'docker'>,
  options: { quiet?: boolean } = {},
): Promise<TeardownResult> {
  const remaining: TeardownPlan = { ...plan, containers: [], volumes: [], paths: [], labelled: undefined, processes: [], contexts: [] };
  const result: TeardownResult = { complete: true, removed: [], alreadyGone: [], failed: [], remaining, publishedPorts: [] };
  if (isEmptyPlan(plan)) return result;
  const run: Teardown = {
    plan,
    docker: context.docker.cli(envWithDocker(context.env, plan.dockerEnv)),
    logger: context.logger,
    quiet: options.quiet === true,
    result,
    fail(what, why) {
      result.complete = false;
      result.failed.push(what);
      context.logger.warn(`Could not remove ${what}: ${why}`);
    },
  };
  // In this order: the job's objects and contexts before the daemon container that may hold them, files last.
  await removeJobObjects(run);
  await removeContexts(run);
  for (const container of plan.containers) await removeContainer(run, container);
  await removeVolumes(run);
  await stopProcesses(run);
  await removePaths(run);
  return result;
}

/** One teardown under way: what it works through, and where it reports. */
interface Teardown {
  plan: TeardownPlan;
  docker: DockerClient;
  logger: Logger;
  quiet: boolean;
  result: TeardownResult;
  fail(what: string, why: string): void;
}

async function removeJobObjects({ plan, docker, result, fail }: Teardown): Promise<void> {
  if (plan.labelled === undefined) return;
  // A failure here (no docker CLI, no daemon) must not stop the rest: the proxy and files still go.
  const swept = await removeLabelled(docker, plan.labelled, result).catch((error: unknown) => {
    fail(`the job's objects (label ${LABELS.instance}=${plan.labelled})`, errorMessage(error));
    return false;
  });
  if (!swept) result.remaining.labelled = plan.labelled;
}

async function removeContexts({ plan, docker, result, fail }: Teardown): Promise<void> {
  for (const name of plan.contexts ?? []) {
    const outcome = await removeContext(docker, name, plan.instance).catch(errorMessage);
    if (outcome === 'removed') result.removed.push(`docker context ${name}`);
    else if (outcome === 'gone') result.alreadyGone.push(`docker context ${name}`);
    else if (outcome === 'not ours') result.alreadyGone.push(`docker context ${name} (the name now belongs to another set-up, left alone)`);
    else {
      fail(`docker context ${name}`, outcome);
      result.remaining.contexts!.push(name);
    }
  }
}

async function removeContainer(run: Teardown, container: string): Promise<void> {
  const { plan, docker, result, fail } = run;
  try {
    // By name only until we know it is ours: a cache volume's holder name passes from job to job.
    const found = await inspectContainer(docker, container);
    if (found === 'gone') {
      result.alreadyGone.push(`container ${container}`);
      return;
    }
    if (found !== undefined && found.instance !== plan.instance) {
      // Also one without the label: a container setup-dind did not make squats the name.
      const whose = found.instance === '' ? 'a container setup-dind did not make' : 'another set-up';
      result.alreadyGone.push(`container ${container} (the name now belongs to ${whose}, left alone)`);
      return;
    }
    const target = found?.id ?? container;
    if (found !== undefined && found.status !== 'running' && plan.stage === 'ready' && !run.quiet) {
      await reportDeadDaemon(docker, container, found, run.logger);
    }
    if (plan.stopSeconds !== undefined && plan.stage === 'ready' && found?.status === 'running') {
      // A clean shutdown: the data root outlives this container. A failure here still ends in `rm --force`.
      await docker.exec(['stop', '--time', String(plan.stopSeconds), target], { timeoutMs: (plan.stopSeconds + 30) * 1000 });
    }
    const removal = await docker.exec(['rm', '--force', '--volumes', target], { timeoutMs: REMOVE_TIMEOUT_MS });
    // `rm --force` exits 0 for a missing container too; only a removal prints its name.
    if (isNoSuchObject(removal)) result.alreadyGone.push(`container ${container}`);
    else if (removal.code === 0) result.removed.push(`container ${container}`);
    else {
      const logs = await docker.logTail(target, DAEMON_LOG_LINES);
      if (logs.length > 0) run.logger.block(`Daemon log of ${container} (last ${DAEMON_LOG_LINES} lines)`, logs);
      fail(`container ${container}`, firstErrorLine(removal.stderr));
      result.remaining.containers.push(container);
    }
  } catch (error) {
    fail(`container ${container}`, errorMessage(error));
    result.remaining.containers.push(container);
  }
}

async function removeVolumes({ plan, docker, result, fail }: Teardown): Promise<void> {
  for (const volume of plan.volumes) {
    try {
      // Without --force, which would report a missing volume as removed.
      const removal = await docker.exec(['volume', 'rm', volume], { timeoutMs: REMOVE_TIMEOUT_MS });
      if (removal.code === 0) result.removed.push(`volume ${volume}`);
      else if (isNoSuchObject(removal)) result.alreadyGone.push(`volume ${volume}`);
      else {
        fail(`volume ${volume}`, firstErrorLine(removal.stderr));
        result.remaining.volumes.push(volume);
      }
    } catch (error) {
      fail(`volume ${volume}`, errorMessage(error));
      result.remaining.volumes.push(volume);
    }
  }
}

async function stopProcesses({ plan, result, fail }: Teardown): Promise<void> {
  for (const { pid, marker } of plan.processes ?? []) {
    if (await stopProcess(pid, marker)) result.removed.push(`process ${pid}`);
    else {
      fail(`process ${pid}`, 'it did not stop');
      result.remaining.processes!.push({ pid, marker });
    }
  }
}

async function removePaths({ plan, result, fail }: Teardown): Promise<void> {
  for (const path of plan.paths) {
    try {
      await rm(path, { recursive: true, force: true });
      result.removed.push(path);
    } catch (error) {
      fail(path, errorMessage(error));
      result.remaining.paths.push(path);
    }
  }
}

interface FoundContainer {
  id: string;
  status: string;
  exitCode: string;
  /** Its `setup-dind.instance` label ('' when it has none). */
  instance: string;
}

/** The container's id, state and set-up; 'gone' when there is none; undefined when the daemon cannot say. */
async function inspectContainer(docker: DockerClient, container: string): Promise<FoundContainer | 'gone' | undefined> {
  const inspect = await docker.exec(
    ['container', 'inspect', '--format', `{{.Id}}\t{{.State.Status}}\t{{.State.ExitCode}}\t{{index .Config.Labels "${LABELS.instance}"}}`, container],
    { timeoutMs: 15_000 },
  );
  if (inspect.code !== 0) return isNoSuchObject(inspect) ? 'gone' : undefined;
  const [id = '', status = '', exitCode = '', instance = ''] = inspect.stdout.trim().split('\t');
  return id === '' ? undefined : { id, status, exitCode, instance: instance === '<no value>' ? '' : instance };
}

/** A daemon that died during the job is worth a warning and its log. */
async function reportDeadDaemon(docker: DockerClient, container: string, found: FoundContainer, logger: Logger): Promise<void> {
  logger.warn(`The DinD daemon ${container} was not running at teardown (status ${found.status}, exit code ${found.exitCode}).`);
  const logs = await docker.logTail(found.id, DAEMON_LOG_LINES);
  if (logs.length > 0) logger.block(`Daemon log of ${container} (last ${DAEMON_LOG_LINES} lines)`, logs);
}

/**
 * Removes the containers, networks and volumes labelled with an instance,
 * reporting the host ports the containers published. False when something
 * could not be removed.
 */
async function removeLabelled(docker: DockerClient, instance: string, result: TeardownResult): Promise<boolean> {
  const filter = `label=${LABELS.instance}=${instance}`;
  let complete = true;
  const list = async (args: string[]): Promise<string[]> => {
    const listing = await docker.exec(args, { timeoutMs: 30_000 });
    if (listing.code !== 0) {
      complete = false;
      result.complete = false;
      result.failed.push(`the objects labelled ${filter}`);
      return [];
    }
    return listing.stdout.split('\n').filter((line) => line.trim() !== '');
  };
  const containers = await list(['ps', '--all', '--filter', filter, '--format', '{{.ID}}\t{{.Names}}\t{{.Ports}}']);
  for (const line of containers) {
    const [, name, ports] = line.split('\t');
    if (ports) result.publishedPorts.push(`${name}: ${ports}`);
  }
  const steps: [string, string[], string[]][] = [
    ['container', ['rm', '--force', '--volumes'], containers.map((line) => line.split('\t')[0]!)],
    ['network', ['network', 'rm'], await list(['network', 'ls', '--quiet', '--filter', filter])],
    ['volume', ['volume', 'rm'], await list(['volume', 'ls', '--quiet', '--filter', filter])],
  ];
  for (const [kind, command, ids] of steps) {
    if (ids.length === 0) continue;
    const removal = await docker.exec([...command, ...ids], { timeoutMs: 120_000 });
    if (removal.code === 0) result.removed.push(`${ids.length} ${kind}${ids.length === 1 ? '' : 's'} of the job`);
    else {
      complete = false;
      result.complete = false;
      result.failed.push(`${kind}s of the job`);
    }
  }
  return complete;
}

/** SIGTERM, then SIGKILL after 5 s, to a process whose command line still contains `marker` (PIDs get reused). */
async function stopProcess(pid: number, marker: string): Promise<boolean> {
  const alive = async () => {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.includes(marker);
  };
  if (!(await alive())) return true;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return !(await alive());
  }
  for (let waited = 0; waited < 5000; waited += 50) {
    if (!(await alive())) return true;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await sleep(100);
  return !(await alive());
}
