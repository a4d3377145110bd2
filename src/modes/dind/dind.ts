/**
 * Docker-in-Docker: a daemon in a privileged container, its API published on
 * the host's loopback only (or on a unix socket in a per-job directory).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mountField, type CommandResult, type ExitWatch } from '../../docker/docker-cli.js';
import type { Clock, DockerClient } from '../../docker/docker.js';
import { ownContainerByCli } from '../../docker/own-container.js';
import type { EngineContext } from '../../engine/context.js';
import { CancelledError, SetupDindError } from '../../engine/errors.js';
import { resourceName, type Identity } from '../../engine/identity.js';
import type { ModeRun, Started } from '../../engine/mode.js';
import { isLoopback, type Options } from '../../inputs/inputs.js';
import { dockerEnvOf, startingPlan } from '../../teardown/plan.js';
import { CACHE_STOP_SECONDS, checkCacheVolume, runWhenCacheFree } from './cache-volume.js';
import { CONTAINER_DAEMON_JSON } from './daemon-config.js';
import { daemonExited, explainRunFailure, withoutUsage } from './failures.js';
import { copyImages } from './image-copy.js';
import { daemonImage } from './image.js';
import { chooseMtu, type MtuChoice } from './mtu.js';
import { forwardsPorts, preparePorts, startPortForwarder, type PortsPlan } from './ports.js';
import { dindNames, dindRunArgs, type DindNames } from './run-args.js';
import { workspaceDirs, workspaceMounts } from './workspace.js';
import { intoJobContainer, refuseSecondInNetwork } from './job-container.js';
import { INNER_SOCKET_PATH, prepareTransport, socketDirOf, type TransportPlan } from './transport.js';

const LOG_TAIL_LINES = 40;
/** Read from a daemon that died: enough to hold its usage text, which is dropped before the tail is shown. */
const EXIT_LOG_LINES = 400;

export function dindMode(options: Options, identity: Identity, context: EngineContext): ModeRun {
  const { logger, env, signal } = context;
  const docker = context.docker.cli(env);
  const names = dindNames(identity, options.cacheVolume);
  const cached = options.cacheVolume !== undefined;
  const forwarding = forwardsPorts(options);
  const needsWorkDir = forwarding || options.tls || options.transport === 'unix' || options.daemonConfig !== undefined;
  // Per set-up, also with a cache volume (whose holder name is the same for every job).
  const workDir = join(context.tempDir, resourceName(identity));
  let watch: ReturnType<DockerClient['watchExit']> | undefined;
  let clientEnv: Record<string, string> = {};

  return {
    sweepEnv: env,

    async check() {
      // Images to preload are on the runner's daemon; a cache volume is ours.
      if (options.loadImages.length > 0) await checkImagesPresent(docker, options.loadImages, signal);
      if (options.cacheVolume !== undefined) await checkCacheVolume(docker, options.cacheVolume, signal);
    },

    plan: () =>
      startingPlan('dind', identity.instance, dockerEnvOf(env), {
        // Named before it exists, also a cache volume's holder: teardown only removes it once it carries this set-up's label.
        containers: [names.container],
        // A cache volume is kept.
        volumes: cached ? [] : [names.volume],
        paths: needsWorkDir ? [workDir] : [],
        ...(cached ? { stopSeconds: CACHE_STOP_SECONDS } : {}),
      }),

    async start(record): Promise<Started> {
      const warnings = exposureWarnings(options);
      for (const warning of warnings) logger.warn(warning);
      const own = await ownContainerByCli(docker, signal);
      // On the host's network the job's loopback is the runner's: the DinD container keeps its own namespace.
      const joins = own !== undefined && own.networkMode !== 'host';
      if (joins) await refuseSecondInNetwork(docker, own.id, signal);
      const prepared = await prepare(options, env, workDir, needsWorkDir, forwarding && !joins, docker, signal);
      let { transport, shared } = prepared;
      const { mtu } = prepared;
      if (own) {
        logger.info(
          `The job runs in container ${own.id.slice(0, 12)}: ${joins ? "the DinD container joins its network namespace (API and published ports on the job's loopback), with" : 'it uses the host network;'} bind sources translated to host paths.`,
        );
        ({ transport, shared } = await intoJobContainer(own, joins, transport, shared, options, (warning) => {
          logger.warn(warning);
          warnings.push(warning);
        }));
      }
      if (mtu.mtu !== undefined) logger.info(`Inner networks get MTU ${mtu.mtu} (${mtu.reason})`);
      else logger.debug(`MTU left at dockerd's default (${mtu.reason})`);
      for (const warning of mtu.warnings) {
        logger.warn(warning);
        warnings.push(warning);
      }

      const where = options.transport === 'unix' ? 'API on a unix socket' : `API on ${options.bindAddress}${options.tls ? ', TLS' : ''}`;
      logger.info(`Starting ${options.image} as ${names.container} (privileged, ${where})`);
      const launch = { options, context, docker, names, identity, transport, daemonArgs: mtu.daemonArgs };
      let { run, since } = await runContainer(launch, shared);
      if (run.code !== 0 && shared !== undefined && sharedPathUnseen(run, shared)) {
        // The runner's daemon runs elsewhere (another container, a pod's sidecar): it cannot mount this machine's directories.
        const warning =
          "The runner's Docker daemon does not see this machine's files (it runs in another container or host): ports the job's containers publish are not forwarded to this machine, and the workspace is not mounted into the DinD daemon.";
        logger.warn(warning);
        warnings.push(warning);
        shared = undefined;
        ({ run, since } = await runContainer(launch, undefined));
      }
      // A refused API version first: its stderr would otherwise read as a pull or privilege failure.
      if (run.code !== 0) throw docker.apiRefusal(run) ?? explainRunFailure(run, options);
      const containerId = run.stdout.trim().split('\n').pop() ?? names.container;

      watch = docker.watchExit(containerId);
      const giveUp = diedOrLost(watch.exited, docker, containerId, options);
      giveUp.catch(() => {}); // observed by the wait; this keeps an early exit from being "unhandled"
      if (shared?.ports) {
        // In the plan once started, also when the daemon dies meanwhile: the teardown must stop it.
        const recorded = startPortForwarder(docker, context.background, containerId, shared.ports, workDir).then((forwarder) => record({ processes: [forwarder] }));
        await unlessGone(recorded, giveUp, context.clock).catch(async (error: unknown) => {
          await recorded.catch(() => {});
          throw error;
        });
      }
      const endpoint = transport.endpoint(await unlessGone(hostPort(docker, containerId, transport, options), giveUp, context.clock));
      clientEnv = transport.clientEnv(endpoint);
      return {
        endpoint,
        env: { ...clientEnv, ...testcontainersEnv(shared?.ports !== undefined || joins, env) },
        ...(transport.certPath === undefined ? {} : { certPath: transport.certPath }),
        since,
        giveUp,
        notReady: async (error) =>
          new SetupDindError(error.message.replace('within', `within input "timeout" (${options.timeoutSeconds} s), i.e.`), {
            hint: 'A slow runner may need a larger timeout; the daemon log below shows where it stopped.',
            details: await docker.logTail(containerId, LOG_TAIL_LINES),
          }),
        describe: {
          containerId,
          containerName: names.container,
          image: options.image,
          transport: options.transport === 'unix' ? 'unix socket' : options.tls ? 'TCP with mutual TLS' : 'plain TCP',
          warnings,
          ...(mtu.mtu === undefined ? {} : { mtu: mtu.mtu }),
          ...(options.cacheVolume === undefined ? {} : { cacheVolume: options.cacheVolume }),
        },
      };
    },

    async ready() {
      if (options.loadImages.length === 0) return {};
      const copyStarted = context.clock.now();
      logger.info(`Copying ${options.loadImages.join(', ')} from the runner's daemon into the new one`);
      await copyImages(options.loadImages, { from: env, to: { ...env, ...clientEnv }, logger, signal, docker: context.docker });
      const preloaded = { images: options.loadImages, seconds: (context.clock.now() - copyStarted) / 1000 };
      logger.info(`Loaded ${options.loadImages.length} image(s) in ${preloaded.seconds.toFixed(2)} s`);
      return { preloaded };
    },

    dispose() {
      watch?.cancel();
    },
  };
}

interface Launch {
  options: Options;
  context: EngineContext;
  docker: DockerClient;
  names: DindNames;
  identity: Identity;
  transport: TransportPlan;
  /** dockerd flags beyond the transport's (the MTU's). */
  daemonArgs: string[];
}

/**
 * `docker run` of the daemon's container, with the shared directories when
 * given, once a cache volume is free. `since` is when the run began: the
 * deadline counts from it, not from the wait for the volume.
 */
async function runContainer(launch: Launch, shared: Shared | undefined): Promise<{ run: CommandResult; since: number }> {
  const { options, context, docker, transport } = launch;
  const { logger, signal, clock } = context;
  let since = clock.now();
  const daemonSide = { ...transport.daemon, mounts: [...transport.daemon.mounts, ...(shared?.mounts ?? [])] };
  const args = () => dindRunArgs(options, launch.names, launch.identity, daemonSide, Date.now(), [...launch.daemonArgs, ...(shared?.daemonArgs ?? [])]);
  const runDaemon = () => {
    since = clock.now();
    return docker.exec(args(), { signal, onStderrLine: (line) => logger.info(`  ${line}`) });
  };
  const run = await (
    options.cacheVolume !== undefined
      ? runWhenCacheFree(docker, options.cacheVolume, runDaemon, { timeoutSeconds: options.timeoutSeconds, logger, signal, clock })
      : runDaemon()
  ).catch((error: unknown) => {
    throw signal?.aborted && !(error instanceof CancelledError) ? new CancelledError('starting the DinD container') : error;
  });
  return { run, since };
}

/**
 * What Testcontainers (and its Java, Go, Python siblings) need to work as with
 * a local engine, unless the job set them itself: the inner daemon's socket
 * as its containers see it, for the Ryuk reaper's mount (the DOCKER_HOST path
 * of the unix transport does not exist inside the DinD daemon); and, with
 * the published ports forwarded, the runner's loopback as the host of mapped
 * ports (Testcontainers would otherwise ask a unix-socket daemon for its
 * bridge gateway when it runs in a container).
 */
function testcontainersEnv(forwarded: boolean, jobEnv: NodeJS.ProcessEnv): Record<string, string> {
  const wanted: Record<string, string> = { TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE: INNER_SOCKET_PATH };
  if (forwarded) wanted.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => !jobEnv[name]));
}

/** A TCP API published beyond loopback is worth a warning in the log and the summary. */
function exposureWarnings(options: Options): string[] {
  if (options.transport !== 'tcp' || isLoopback(options.bindAddress)) return [];
  return [
    `The daemon API is published on ${options.bindAddress}, not on loopback: anyone who can reach this host on that port ` +
      (options.tls ? 'and holds a certificate of this job' : 'controls the daemon, and through its privileged container, the host') +
      '.',
  ];
}

/**
 * The per-job directory, the transport's files and keys, daemon.json, and
 * (beside them, as it may have to pull and read the image) the MTU choice.
 */
async function prepare(
  options: Options,
  env: NodeJS.ProcessEnv,
  workDir: string,
  needsWorkDir: boolean,
  forwarding: boolean,
  docker: DockerClient,
  signal?: AbortSignal,
): Promise<{ transport: TransportPlan; mtu: MtuChoice; shared: Shared | undefined }> {
  const mtuChoice = chooseMtu(options, daemonImage(options, docker, signal));
  mtuChoice.catch(() => {}); // observed below
  try {
    if (needsWorkDir) {
      await mkdir(workDir, { recursive: false, mode: 0o700 });
      if (options.transport === 'unix') await mkdir(socketDirOf(workDir), { mode: 0o700 });
    }
    const transport = await prepareTransport(options, workDir);
    if (options.daemonConfig !== undefined) {
      const file = join(workDir, 'daemon.json');
      await writeFile(file, `${JSON.stringify(options.daemonConfig, null, 2)}\n`, { mode: 0o644 });
      transport.daemon.mounts.push(`type=bind,${mountField('src', file)},dst=${CONTAINER_DAEMON_JSON},readonly`);
    }
    const ports = forwarding ? await preparePorts(workDir) : undefined;
    const dirs = options.mountWorkspace ? workspaceDirs(env, process.cwd()) : [];
    const shared: Shared | undefined =
      ports || dirs.length > 0
        ? {
            ports,
            paths: [...(ports ? [ports.dir] : []), ...dirs],
            mounts: [...(ports ? [ports.mount] : []), ...workspaceMounts(dirs)],
            daemonArgs: ports?.daemonArgs ?? [],
          }
        : undefined;
    return { transport, mtu: await mtuChoice, shared };
  } catch (error) {
    await mtuChoice.catch(() => {});
    throw error;
  }
}

/** Rejects when the daemon's container exits (with its log) or its engine stops answering. */
async function diedOrLost(exited: Promise<ExitWatch>, docker: DockerClient, containerId: string, options: Options): Promise<never> {
  const watched = await exited;
  if (watched.kind === 'lost') {
    throw new SetupDindError(`Lost contact with the Docker daemon that runs the DinD container: ${watched.message}`, {
      hint: 'The runner\'s Docker engine stopped or became unreachable while the DinD daemon started.',
    });
  }
  const logs = withoutUsage(await docker.logTail(containerId, EXIT_LOG_LINES)).slice(-LOG_TAIL_LINES);
  throw daemonExited(watched.code, logs, options);
}

/** The host port of a TCP API (0 for a unix socket). */
async function hostPort(docker: DockerClient, containerId: string, transport: TransportPlan, options: Options): Promise<number> {
  const { containerPort } = transport.daemon;
  if (containerPort === undefined) return 0;
  if (options.port !== 0) return options.port;
  return publishedPort(docker, containerId, containerPort);
}

/**
 * `work`, unless the daemon's container dies (or its engine goes) first: a
 * daemon that dies at once takes its port mapping with it, and then its
 * death is what to report, not the failed look-up.
 */
function unlessGone<T>(work: Promise<T>, giveUp: Promise<never>, clock: Clock): Promise<T> {
  return Promise.race([
    work.catch(async (error: unknown) => {
      await Promise.race([giveUp, clock.sleep(2000)]);
      throw error;
    }),
    giveUp,
  ]);
}

/** What a set-up shares with the DinD container from this machine: the port forwarder's directory, the workspace. */
interface Shared {
  ports: PortsPlan | undefined;
  paths: string[];
  mounts: string[];
  daemonArgs: string[];
}

/** The runner's daemon refused a bind mount of ours because it does not see the path. */
function sharedPathUnseen(run: CommandResult, shared: Shared): boolean {
  return /bind source path does not exist/i.test(run.stderr) && shared.paths.some((path) => run.stderr.includes(path));
}

async function publishedPort(docker: DockerClient, container: string, containerPort: number): Promise<number> {
  const out = await docker.run(['port', container, `${containerPort}/tcp`], { timeoutMs: 15_000 });
  const match = /:(\d+)\s*$/m.exec(out.split('\n')[0] ?? '');
  if (!match) throw new SetupDindError(`Could not read the published port of ${container} (docker port said: ${out})`);
  return Number(match[1]);
}

/** Fails, before anything is started, when an image to preload is not on the runner's daemon. */
async function checkImagesPresent(docker: DockerClient, images: string[], signal?: AbortSignal): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    images.map(async (image) => {
      const result = await docker.exec(['image', 'inspect', '--format', '{{.Id}}', image], { signal, timeoutMs: 30_000 });
      if (result.code === 0) return;
      const refused = docker.apiRefusal(result);
      if (refused) throw refused; // not a missing image: this client cannot ask
      missing.push(image);
    }),
  );
  if (missing.length > 0) {
    throw new SetupDindError(`Input "load-images": ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on the runner's Docker daemon.`, {
      hint: 'Pull or build the image on the runner in an earlier step (docker pull/build without DOCKER_HOST set), or remove it from load-images.',
    });
  }
}
