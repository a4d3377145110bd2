/**
 * The CI-agnostic entry points: set up a daemon for a job, tear it down.
 * Front ends (the GitHub Action, the CLI) read options, call these, and
 * publish the result in their own way.
 */
import type { EngineContext } from './context.js';
import { attach } from './attach.js';
import { startDind } from './dind.js';
import { startDood } from './dood.js';
import { identify, type Identity } from './identity.js';
import type { Mode, Options } from './inputs.js';
import { dockerEnvOf, type TeardownPlan } from './plan.js';
import { checkContextFree, withContext } from './docker-context.js';
import type { Endpoint } from './probe.js';

export { tearDown } from './teardown.js';

/** A daemon that answers, and how to reach it. */
export interface Daemon {
  mode: Mode;
  endpoint: Endpoint;
  /** Variables that point a docker client at the daemon (DOCKER_HOST, TLS variables). */
  env: Record<string, string>;
  /** The client certificate directory (DOCKER_CERT_PATH), for TLS endpoints. */
  certPath: string | undefined;
  /** '' in mode attach: the action started no container. */
  containerId: string;
  containerName: string;
  serverVersion: string;
  /** From the start of the set-up to the first good /_ping. */
  readySeconds: number;
  /** The image of the daemon container ('' in mode attach). */
  image: string;
  /** In words, for people: plain TCP, TCP with mutual TLS, unix socket. */
  transport: string;
  /** Things the user should know, also shown in the job summary. */
  warnings: string[];
  /** DinD: images copied from the runner's daemon, and how long it took. */
  preloaded?: { images: string[]; seconds: number };
  /** DinD: the MTU given to the inner daemon's networks, when one was. */
  mtu?: number;
  /** The docker context created for the daemon (input `context`), selected by `env`. */
  context?: string;
}

export async function setUp(options: Options, context: EngineContext): Promise<Daemon> {
  const identity = identify(context.env);
  if (options.context !== undefined) await checkContextFree(options.context, context);
  // The last plan the mode saved: a context is added to it, so one teardown removes both.
  let lastPlan: TeardownPlan | undefined;
  const tracked: EngineContext = {
    ...context,
    plans: {
      save(plan) {
        lastPlan = plan;
        context.plans.save(plan);
      },
    },
  };
  const daemon = await start(options, identity, tracked);
  if (options.context === undefined) return daemon;
  const plan: TeardownPlan = lastPlan ?? {
    version: 1,
    mode: options.mode,
    instance: identity.instance,
    stage: 'ready',
    dockerEnv: dockerEnvOf(context.env),
    containers: [],
    volumes: [],
    paths: [],
  };
  return withContext(daemon, options.context, plan, tracked);
}

function start(options: Options, identity: Identity, context: EngineContext): Promise<Daemon> {
  switch (options.mode) {
    case 'dind':
      return startDind(options, identity, context);
    case 'attach':
      return attach(options, identity, context);
    case 'dood':
      return startDood(options, identity, context);
  }
}
