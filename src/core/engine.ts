/**
 * The CI-agnostic entry points: set up a daemon for a job, tear it down.
 * Front ends (the GitHub Action, the CLI) read options, call these, and
 * publish the result in their own way.
 */
import type { EngineContext } from './context.js';
import { attach } from './attach.js';
import { startDind } from './dind.js';
import { startDood } from './dood.js';
import { identify } from './identity.js';
import type { Mode, Options } from './inputs.js';
import { join } from 'node:path';
import { DockerCli, firstErrorLine } from './docker-cli.js';
import { SetupDindError } from './errors.js';
import type { Identity } from './identity.js';
import { dockerEnvOf, envWithDocker, type TeardownPlan } from './plan.js';
import { abandon } from './teardown.js';
import { mountField } from './transport.js';
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

/** The docker CLI for contexts: the job's CLI configuration (DOCKER_CONFIG), no daemon selected. */
function contextCli(env: NodeJS.ProcessEnv): DockerCli {
  const { DOCKER_CONFIG } = dockerEnvOf(env);
  return new DockerCli(envWithDocker(env, DOCKER_CONFIG === undefined ? {} : { DOCKER_CONFIG }));
}

/** Input `context` must not name an existing context: it may be someone's, and post would remove it. */
async function checkContextFree(name: string, context: EngineContext): Promise<void> {
  const inspect = await contextCli(context.env).exec(['context', 'inspect', '--format', '{{.Name}}', name], { timeoutMs: 30_000, signal: context.signal });
  if (inspect.code === 0) {
    throw new SetupDindError(`Input "context": a docker context named ${name} already exists.`, {
      hint: `Choose another name, or remove it first (docker context rm ${name}); the action only removes contexts it created.`,
    });
  }
}

/**
 * Creates the context, records it in the plan and points the next steps at it
 * with DOCKER_CONTEXT. DOCKER_HOST and the TLS variables would override a
 * context, so they are not exported (and cleared when the job had them).
 */
async function withContext(daemon: Daemon, name: string, plan: TeardownPlan, context: EngineContext): Promise<Daemon> {
  const withPlan: TeardownPlan = { ...plan, contexts: [...(plan.contexts ?? []), name] };
  context.plans.save(withPlan);
  // The CLI reads --docker as CSV, like --mount.
  const endpoint = [mountField('host', daemon.endpoint.dockerHost)];
  if (daemon.certPath !== undefined && daemon.env.DOCKER_TLS_VERIFY) {
    for (const [key, file] of [['ca', 'ca.pem'], ['cert', 'cert.pem'], ['key', 'key.pem']] as const) endpoint.push(mountField(key, join(daemon.certPath, file)));
  }
  const create = await contextCli(context.env).exec(
    ['context', 'create', name, '--description', `setup-dind ${daemon.mode} daemon`, '--docker', endpoint.join(',')],
    { timeoutMs: 30_000, signal: context.signal },
  );
  if (create.code !== 0) {
    await abandon(withPlan, context);
    throw new SetupDindError(`Input "context": creating docker context ${name} failed: ${firstErrorLine(create.stderr)}`, {
      hint: 'Check that the docker CLI supports contexts (19.03+) and that its configuration directory (DOCKER_CONFIG, else ~/.docker) is writable.',
    });
  }
  context.logger.info(`Created docker context ${name} for ${daemon.endpoint.dockerHost}; DOCKER_CONTEXT=${name} selects it.`);
  const env: Record<string, string> = { DOCKER_CONTEXT: name };
  for (const key of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) {
    if (context.env[key]) env[key] = '';
  }
  return { ...daemon, env, context: name };
}
