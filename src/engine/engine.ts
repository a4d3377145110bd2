/**
 * The CI-agnostic entry points: set up a daemon for a job, tear it down.
 * Front ends (the GitHub Action, the CLI) read options, call these, and
 * publish the result in their own way.
 */
import type { EngineContext } from './context.js';
import { apiVersionError, compareVersions, pinnedRefusal } from '../docker/api-version.js';
import { DockerCli } from '../docker/docker-cli.js';
import { attach } from '../modes/attach.js';
import { startDind } from '../modes/dind/dind.js';
import { startDood } from '../modes/dood.js';
import { identify, type Identity } from './identity.js';
import type { Mode, Options } from '../inputs/inputs.js';
import { dockerEnvOf, type TeardownPlan } from '../teardown/plan.js';
import { checkContextFree, withContext } from '../docker/docker-context.js';
import { daemonVersion, type Endpoint } from '../docker/probe.js';

export { tearDown } from '../teardown/teardown.js';

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
  // The job's own docker CLI against the daemon, as later steps will use it.
  const clientWarning = await jobClientWarning(daemon.endpoint, { ...context.env, ...daemon.env }, context.signal);
  if (clientWarning !== undefined) {
    context.logger.warn(clientWarning);
    daemon.warnings.push(clientWarning);
  }
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

/** Every docker CLI since 20.10 speaks 1.41 or newer; only a daemon that refuses older ones needs a closer look. */
const OLDEST_CLIENT_API = '1.41';

/**
 * Whether the job's docker CLI can use the new daemon: a DOCKER_API_VERSION
 * outside the daemon's range, or (a daemon whose minimum is above 1.41, as
 * Docker 29.0's is) a CLI it refuses. Any other daemon runs no extra command.
 * Resolves with a warning, or undefined; it never fails the set-up.
 */
async function jobClientWarning(endpoint: Endpoint, daemonEnv: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<string | undefined> {
  const daemon = await daemonVersion(endpoint).catch(() => undefined);
  if (daemon?.minApiVersion === undefined) return undefined;
  const pinned = daemonEnv.DOCKER_API_VERSION?.trim();
  const refusal = pinned
    ? pinnedRefusal(pinned, daemon.minApiVersion, daemon.apiVersion)
    : compareVersions(daemon.minApiVersion, OLDEST_CLIENT_API) > 0
      ? await new DockerCli(daemonEnv).exec(['version', '--format', '{{.Server.APIVersion}}'], { timeoutMs: 15_000, signal }).then(
          (result) => result.stderr,
          () => '',
        )
      : '';
  // A cancelled job is the front end's to end: the daemon is up and in the plan, so post removes it.
  if (signal?.aborted) return undefined;
  const refused = apiVersionError(refusal, 'this daemon', daemonEnv);
  if (!refused) return undefined;
  return `${refused.message} docker commands in later steps will fail until it is changed. ${refused.hint ?? ''}`.trim();
}
