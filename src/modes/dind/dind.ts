/**
 * Docker-in-Docker: a daemon in a privileged container, its API published on
 * the host's loopback only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledError, SetupDindError } from '../../engine/errors.js';
import type { EngineContext } from '../../engine/context.js';
import { DockerCli, firstErrorLine, mountField, type CommandResult } from '../../docker/docker-cli.js';
import { labelsFor, resourceName, type Identity } from '../../engine/identity.js';
import { CACHE_STOP_SECONDS, CACHE_VOLUME_LABELS, cacheHolderName, checkCacheVolume, runWhenCacheFree } from './cache-volume.js';
import { isLoopback, type Options } from '../../inputs/inputs.js';
import { dockerEnvOf, type TeardownPlan } from '../../teardown/plan.js';
import { copyImages } from './image-copy.js';
import { NotReadyError, serverVersion, waitUntilReady } from '../../docker/probe.js';
import { sweepStale } from '../../teardown/stale.js';
import { abandon } from '../../teardown/teardown.js';
import type { Daemon } from '../../engine/engine.js';
import { prepareTransport, publishSpec, socketDirOf, type DaemonSide } from './transport.js';
import { CONTAINER_DAEMON_JSON } from './daemon-config.js';
import { chooseMtu, type MtuChoice } from './mtu.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOG_TAIL_LINES = 40;
/** Read from a daemon that died: enough to hold its usage text, which is dropped before the tail is shown. */
const EXIT_LOG_LINES = 400;

export interface DindNames {
  container: string;
  volume: string;
}

/** A job's own container and data volume; with a cache volume, the holder name that locks it. */
export function dindNames(identity: Identity, cacheVolume?: string): DindNames {
  if (cacheVolume !== undefined) return { container: cacheHolderName(cacheVolume), volume: cacheVolume };
  const container = resourceName(identity);
  return { container, volume: `${container}-data` };
}

/**
 * The `docker run` arguments. Why each one:
 * - --privileged: dockerd needs it to mount, create namespaces and cgroups;
 * - the transport's `dockerd …` command: the daemon listens only where the
 *   action says (see transport.ts); plain TCP carries --tls=false, which
 *   skips the 15 s pause dockerd (20.10 to 29 at least) makes before serving
 *   an unauthenticated TCP listener, a pause the image's entrypoint incurs;
 * - --publish on bind-address (127.0.0.1 by default): only this host's
 *   loopback can reach a TCP endpoint;
 * - /var/lib/docker on a labelled volume: the inner daemon gets a real
 *   filesystem (overlay2, not vfs) and we can find and remove it by name.
 */
export function dindRunArgs(
  options: Options,
  names: DindNames,
  identity: Identity,
  daemon: DaemonSide,
  now = Date.now(),
  extraDaemonArgs: readonly string[] = [],
): string[] {
  const args = ['run', '--detach', '--privileged', '--name', names.container, '--pull', options.pull];
  for (const [key, value] of Object.entries(labelsFor(identity, 'daemon', now))) args.push('--label', `${key}=${value}`);
  // A cache volume must outlive stale sweeps, so it carries no `created` label.
  const volumeLabels = Object.entries(options.cacheVolume === undefined ? labelsFor(identity, 'data', now) : CACHE_VOLUME_LABELS).map(
    ([key, value]) => `volume-label=${key}=${value}`,
  );
  args.push('--mount', ['type=volume', `src=${names.volume}`, 'dst=/var/lib/docker', ...volumeLabels].join(','));
  for (const mount of daemon.mounts) args.push('--mount', mount);
  for (const [key, value] of Object.entries(daemon.env)) args.push('--env', `${key}=${value}`);
  if (daemon.containerPort !== undefined) {
    args.push('--publish', publishSpec(options.bindAddress, options.port, daemon.containerPort));
  }
  args.push(options.image, ...daemon.command, ...extraDaemonArgs, ...options.daemonArgs);
  return args;
}

/** Turns a failed `docker run` into an error that says what happened and what to do. */
export function explainRunFailure(result: CommandResult, options: Options): SetupDindError {
  const line = firstErrorLine(result.stderr);
  // Match the error lines only: pull progress (stderr too) may name a registry host.
  const errors = result.stderr
    .split('\n')
    .filter((text) => /error|denied|cannot|failed|refused|not permitted|no such/i.test(text))
    .join('\n');
  if (/Cannot connect to the Docker daemon|error during connect|Is the docker daemon running/i.test(errors)) {
    return new SetupDindError(`Cannot reach the Docker daemon that should start the DinD container: ${line}`, {
      hint: 'mode dind needs a running Docker engine on the runner (check DOCKER_HOST and that dockerd is running).',
    });
  }
  if (/port is already allocated|address already in use/i.test(errors)) {
    return new SetupDindError(`Input "port": host port ${options.port} on ${options.bindAddress} is already in use: ${line}`, {
      hint: 'Choose another port, or set port to 0 to let Docker pick a free one.',
    });
  }
  if (/unable to apply caps|operation not permitted|privileged mode is (disabled|not allowed)|authorization denied|privileged/i.test(errors)) {
    return privilegedRefused(line);
  }
  if (/No such image/i.test(errors) && options.pull === 'never') {
    return new SetupDindError(`Image ${options.image} is not present and input "pull" is "never": ${line}`, {
      hint: 'Load the image beforehand, or set pull to "missing".',
    });
  }
  if (/pull access denied|manifest unknown|not found: manifest|repository does not exist/i.test(errors)) {
    return new SetupDindError(`Image ${options.image} cannot be pulled: ${line}`, {
      hint: 'Check the image name and tag, and registry credentials (docker login) for a private image.',
    });
  }
  if (/registry|dial tcp|no such host|i\/o timeout|TLS handshake|connection refused|net\/http/i.test(errors)) {
    return new SetupDindError(`Image ${options.image} could not be pulled (pull: ${options.pull}): ${line}`, {
      hint:
        options.pull === 'always'
          ? 'The registry is unreachable; with pull "missing" a local copy of the image is used.'
          : 'The registry is unreachable; load the image on the runner beforehand (docker load).',
    });
  }
  return new SetupDindError(`Starting the DinD container failed: ${line}`);
}

export function privilegedRefused(engineLine: string): SetupDindError {
  // userns-remap refuses --privileged on every engine version; --userns=host would undo the host's choice, so it is not tried.
  const remapped = /user namespace/i.test(engineLine)
    ? 'This engine remaps user namespaces (userns-remap), which rules out privileged containers. '
    : '';
  return new SetupDindError(`The Docker engine refused to run a privileged container, which DinD needs: ${engineLine}`, {
    hint:
      remapped +
      'Use a runner that allows privileged containers (Kubernetes: securityContext.privileged; GitLab Runner: privileged = true), ' +
      'or use mode dood (the host socket, no privileged container), or a runtime such as Sysbox that runs Docker without --privileged.',
  });
}

/**
 * The most telling line of a daemon's log: its fatal error, not the noise
 * before it. dockerd reports a fatal start error as "Status: MESSAGE, Code: N"
 * (MESSAGE may run over several lines), so that line comes first.
 */
export function daemonErrorLine(lines: readonly string[]): string {
  const status = lines.find((line) => /^Status: /.test(line.trim()));
  if (status !== undefined) return status.trim().replace(/^Status: /, '').replace(/, Code: \d+$/, '');
  const telling = [...lines]
    .reverse()
    .find((line) => /level=(fatal|error)|failed to start daemon|unknown (flag|shorthand)|invalid|error/i.test(line));
  return (telling ?? lines.at(-1) ?? '(the container wrote no log)').trim();
}

/**
 * The log without dockerd's usage text: since Docker 23 a flag error is
 * followed by the whole option list (about 150 lines), which would push the
 * error itself out of any tail.
 */
export function withoutUsage(lines: readonly string[]): string[] {
  const start = lines.findIndex((line) => /^Usage:\s+dockerd\b/.test(line));
  if (start === -1) return [...lines];
  const end = lines.findIndex((line, index) => index > start && /^, Code: \d+$/.test(line.trim()));
  return [...lines.slice(0, start), ...(end === -1 ? [] : lines.slice(end))];
}

export async function startDind(options: Options, identity: Identity, context: EngineContext): Promise<Daemon> {
  const { logger, plans, env, signal } = context;
  const docker = new DockerCli(env);
  // Checked before anything is started (or planned): images to preload are on the runner's daemon; a cache volume is ours.
  if (options.loadImages.length > 0) await checkImagesPresent(docker, options.loadImages, signal);
  if (options.cacheVolume !== undefined) await checkCacheVolume(docker, options.cacheVolume, signal);
  const names = dindNames(identity, options.cacheVolume);
  const cached = options.cacheVolume !== undefined;
  const needsWorkDir = options.tls || options.transport === 'unix' || options.daemonConfig !== undefined;
  // Per set-up, also with a cache volume (whose holder name is the same for every job).
  const workDir = join(context.tempDir, resourceName(identity));
  const plan: TeardownPlan = {
    version: 1,
    mode: 'dind',
    instance: identity.instance,
    stage: 'starting',
    dockerEnv: dockerEnvOf(env),
    // Named before it exists, also a cache volume's holder: teardown only removes it once it carries this set-up's label.
    containers: [names.container],
    // A cache volume is kept.
    volumes: cached ? [] : [names.volume],
    paths: needsWorkDir ? [workDir] : [],
    ...(cached ? { stopSeconds: CACHE_STOP_SECONDS } : {}),
  };
  // Saved before anything exists, so teardown finds a half-started daemon.
  plans.save(plan);

  const failAndCleanUp = async (error: unknown): Promise<never> => {
    await abandon(plan, context);
    throw error;
  };

  let started = performance.now();
  const warnings: string[] = [];
  if (options.transport === 'tcp' && !isLoopback(options.bindAddress)) {
    warnings.push(
      `The daemon API is published on ${options.bindAddress}, not on loopback: anyone who can reach this host on that port ` +
        (options.tls ? 'and holds a certificate of this job' : 'controls the daemon, and through its privileged container, the host') +
        '.',
    );
  }
  for (const warning of warnings) logger.warn(warning);

  // The MTU choice may ask the engine about the image: beside the transport's files and keys, off the critical path.
  const mtuChoice = chooseMtu(options, docker, signal);
  mtuChoice.catch(() => {}); // observed below
  let transport;
  let mtu: MtuChoice;
  try {
    if (needsWorkDir) {
      await mkdir(workDir, { recursive: false, mode: 0o700 });
      if (options.transport === 'unix') await mkdir(socketDirOf(workDir), { mode: 0o700 });
    }
    transport = await prepareTransport(options, workDir);
    if (options.daemonConfig !== undefined) {
      const file = join(workDir, 'daemon.json');
      await writeFile(file, `${JSON.stringify(options.daemonConfig, null, 2)}\n`, { mode: 0o644 });
      transport.daemon.mounts.push(`type=bind,${mountField('src', file)},dst=${CONTAINER_DAEMON_JSON},readonly`);
    }
    mtu = await mtuChoice;
  } catch (error) {
    await mtuChoice.catch(() => {});
    return await failAndCleanUp(error);
  }
  if (mtu.mtu !== undefined) logger.info(`Inner networks get MTU ${mtu.mtu} (${mtu.reason})`);
  else logger.debug(`MTU left at dockerd's default (${mtu.reason})`);
  for (const warning of mtu.warnings) {
    logger.warn(warning);
    warnings.push(warning);
  }

  // Runs beside the start, so it costs no time on the critical path.
  const sweep = sweepStale(docker, options.staleAfterSeconds, logger);

  const where = options.transport === 'unix' ? 'API on a unix socket' : `API on ${options.bindAddress}${options.tls ? ', TLS' : ''}`;
  logger.info(`Starting ${options.image} as ${names.container} (privileged, ${where})`);
  const runDaemon = () => {
    started = performance.now();
    return docker.exec(dindRunArgs(options, names, identity, transport.daemon, Date.now(), mtu.daemonArgs), {
      signal,
      onStderrLine: (line) => logger.info(`  ${line}`),
    });
  };
  const run = await (cached ? runWhenCacheFree(docker, names.volume, runDaemon, { timeoutSeconds: options.timeoutSeconds, logger, signal }) : runDaemon()).catch(
    async (error: unknown) => {
      await sweep;
      const cancelled = signal?.aborted && !(error instanceof CancelledError);
      return failAndCleanUp(cancelled ? new CancelledError('starting the DinD container') : error);
    },
  );
  if (run.code !== 0) {
    await sweep;
    // A refused API version first: its stderr would otherwise read as a pull or privilege failure.
    return failAndCleanUp(docker.apiRefusal(run) ?? explainRunFailure(run, options));
  }
  const containerId = run.stdout.trim().split('\n').pop() ?? names.container;

  const watch = docker.watchExit(containerId);
  try {
    const giveUp = watch.exited.then(async (watched): Promise<never> => {
      if (watched.kind === 'lost') {
        throw new SetupDindError(`Lost contact with the Docker daemon that runs the DinD container: ${watched.message}`, {
          hint: 'The runner\'s Docker engine stopped or became unreachable while the DinD daemon started.',
        });
      }
      const logs = withoutUsage(await docker.logTail(containerId, EXIT_LOG_LINES)).slice(-LOG_TAIL_LINES);
      throw daemonExited(watched.code, logs, options);
    });
    giveUp.catch(() => {}); // observed below; this keeps an early exit from being "unhandled"
    // A daemon that dies at once takes its port mapping with it: then report the death, not the port.
    const { containerPort } = transport.daemon;
    const port =
      containerPort === undefined
        ? 0
        : options.port ||
          (await Promise.race([
            publishedPort(docker, containerId, containerPort).catch(async (error: unknown) => {
              await Promise.race([giveUp, sleep(2000)]);
              throw error;
            }),
            giveUp,
          ]));
    const endpoint = transport.endpoint(port);
    const remainingMs = options.timeoutSeconds * 1000 - (performance.now() - started);
    await waitUntilReady(endpoint, { timeoutMs: Math.max(1, remainingMs), signal, giveUp }).catch(async (error: unknown) => {
      if (error instanceof NotReadyError) {
        const logs = await docker.logTail(containerId, LOG_TAIL_LINES);
        throw new SetupDindError(`${error.message.replace('within', `within input "timeout" (${options.timeoutSeconds} s), i.e.`)}`, {
          hint: 'A slow runner may need a larger timeout; the daemon log below shows where it stopped.',
          details: logs,
        });
      }
      throw error;
    });
    const readySeconds = (performance.now() - started) / 1000;
    plans.save({ ...plan, stage: 'ready' });
    const [version] = await Promise.all([serverVersion(endpoint).catch(() => 'unknown'), sweep]);
    let preloaded: Daemon['preloaded'];
    if (options.loadImages.length > 0) {
      const copyStarted = performance.now();
      logger.info(`Copying ${options.loadImages.join(', ')} from the runner's daemon into the new one`);
      await copyImages(options.loadImages, { from: env, to: { ...env, ...transport.clientEnv(endpoint) }, logger, signal });
      preloaded = { images: options.loadImages, seconds: (performance.now() - copyStarted) / 1000 };
      logger.info(`Loaded ${options.loadImages.length} image(s) in ${preloaded.seconds.toFixed(2)} s`);
    }
    return {
      mode: 'dind',
      endpoint,
      env: transport.clientEnv(endpoint),
      certPath: transport.certPath,
      containerId,
      containerName: names.container,
      serverVersion: version,
      readySeconds,
      image: options.image,
      transport: options.transport === 'unix' ? 'unix socket' : options.tls ? 'TCP with mutual TLS' : 'plain TCP',
      warnings,
      preloaded,
      mtu: mtu.mtu,
    };
  } catch (error) {
    await sweep;
    return await failAndCleanUp(error);
  } finally {
    watch.cancel();
  }
}

export function daemonExited(code: number, logs: string[], options: Pick<Options, 'transport' | 'tls'>): SetupDindError {
  const line = daemonErrorLine(logs);
  return new SetupDindError(`The DinD daemon exited during start (exit code ${code}): ${line}`, {
    hint: exitHint(logs.join('\n'), line, options),
    details: logs,
  });
}

function exitHint(log: string, fatalLine: string, options: Pick<Options, 'transport' | 'tls'>): string {
  if (/daemon\.json|configuration file|directives/i.test(log)) {
    return 'The daemon refused its configuration: check inputs "daemon-config", "registry-mirrors", "insecure-registries" and "daemon-args" (an option may not be given both as a flag and in daemon.json); the daemon log is below.';
  }
  // Docker 26+ warn that an unencrypted TCP API "will be a hard failure preventing the daemon from starting",
  // or a release may refuse --tls=false itself; every plain-TCP start logs such warnings, so only the fatal line counts.
  if (options.transport === 'tcp' && !options.tls && /without (encryption|TLS)|api-security|--tls\b|unauthenticated|\binsecure\b(?![-_ ]registr)/i.test(fatalLine)) {
    return 'This daemon refuses to serve its API on plain TCP: set input "tls" to true (mutual TLS with per-job certificates) or "transport" to unix.';
  }
  if (/operation not permitted|permission denied|read-only file system/i.test(log)) {
    return 'The daemon lacked a permission it needs; the runner may not grant full privileges to containers (see the log below).';
  }
  return 'Check input "daemon-args" and "image"; the daemon log is below.';
}

async function publishedPort(docker: DockerCli, container: string, containerPort: number): Promise<number> {
  const out = await docker.run(['port', container, `${containerPort}/tcp`], { timeoutMs: 15_000 });
  const match = /:(\d+)\s*$/m.exec(out.split('\n')[0] ?? '');
  if (!match) throw new SetupDindError(`Could not read the published port of ${container} (docker port said: ${out})`);
  return Number(match[1]);
}

/** Fails, before anything is started, when an image to preload is not on the runner's daemon. */
async function checkImagesPresent(docker: DockerCli, images: string[], signal?: AbortSignal): Promise<void> {
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
