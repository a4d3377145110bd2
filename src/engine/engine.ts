/**
 * The CI-agnostic entry points: set up a daemon for a job, tear it down.
 * Front ends (the GitHub Action, the CLI) read options, call these, and
 * publish the result in their own way. Every mode runs the same lifecycle
 * (mode.ts); this file is its one driver.
 */
import { checkContextFree, withContext } from '../docker/docker-context.js';
import { NotReadyError } from '../docker/probe.js';
import type { Mode, Options } from '../inputs/inputs.js';
import { attachMode } from '../modes/attach.js';
import { dindMode } from '../modes/dind/dind.js';
import { doodMode } from '../modes/dood.js';
import type { TeardownPlan } from '../teardown/plan.js';
import { sweepStale } from '../teardown/stale.js';
import { abandon } from '../teardown/teardown.js';
import type { EngineContext } from './context.js';
import type { Daemon } from './daemon.js';
import { identify, type Identity } from './identity.js';
import { jobClientWarning } from './job-client.js';
import type { ModeRun, RecordPlan, Started } from './mode.js';

export { tearDown } from '../teardown/teardown.js';
export type { Daemon } from './daemon.js';

const MODES: Record<Mode, (options: Options, identity: Identity, context: EngineContext) => ModeRun> = {
  dind: dindMode,
  dood: doodMode,
  attach: attachMode,
};

export async function setUp(options: Options, context: EngineContext): Promise<Daemon> {
  const identity = identify(context.env);
  if (options.context !== undefined) await checkContextFree(options.context, context);
  const began = context.clock.now();
  const run = MODES[options.mode](options, identity, context);
  await run.check();
  // Saved before anything exists, so a teardown finds a half-started daemon.
  let plan: TeardownPlan = run.plan();
  context.plans.save(plan);
  const record: RecordPlan = (update) => {
    plan = { ...plan, ...update };
    context.plans.save(plan);
  };
  // Beside the start, so it costs no time on the critical path; it never fails.
  const sweep = run.sweepEnv === undefined ? Promise.resolve() : sweepStale(context.docker.cli(run.sweepEnv), options.staleAfterSeconds, context.logger);
  try {
    const started = await run.start(record);
    const since = started.since ?? began;
    await waitUntilAnswers(started, since, options, context);
    const readySeconds = (context.clock.now() - since) / 1000;
    record({ stage: 'ready' });
    const [version] = await Promise.all([context.docker.version(started.endpoint).catch(() => undefined), sweep]);
    const later = (await run.ready?.(started.endpoint, version ?? { version: 'unknown', apiVersion: undefined, minApiVersion: undefined })) ?? {};
    let daemon: Daemon = {
      ...started.describe,
      ...later,
      mode: options.mode,
      endpoint: started.endpoint,
      env: started.env,
      ...(started.certPath === undefined ? {} : { certPath: started.certPath }),
      serverVersion: version?.version ?? 'unknown',
      readySeconds,
      warnings: [...started.describe.warnings, ...(later.warnings ?? [])],
    };
    // The job's own docker CLI against the daemon, as later steps will use it.
    const clientWarning = version && (await jobClientWarning(version, { ...context.env, ...daemon.env }, context));
    if (clientWarning) {
      context.logger.warn(clientWarning);
      daemon.warnings.push(clientWarning);
    }
    if (options.context !== undefined) daemon = await withContext(daemon, options.context, plan.instance, record, context);
    return daemon;
  } catch (error) {
    await sweep;
    // As a set-up that never got ready: no clean stop of a daemon that failed its set-up (a cache volume's would take 30 s).
    await abandon({ ...plan, stage: 'starting' }, context);
    throw error;
  } finally {
    run.dispose?.();
  }
}

/** Waits for GET /_ping within input `timeout`, counted from `since`; the mode explains a daemon that never answered. */
async function waitUntilAnswers(started: Started, since: number, options: Options, context: EngineContext): Promise<void> {
  const remainingMs = options.timeoutSeconds * 1000 - (context.clock.now() - since);
  try {
    await context.docker.waitUntilReady(started.endpoint, { timeoutMs: Math.max(1, remainingMs), signal: context.signal, giveUp: started.giveUp });
  } catch (error) {
    if (error instanceof NotReadyError) throw await started.notReady(error);
    throw error;
  }
}
