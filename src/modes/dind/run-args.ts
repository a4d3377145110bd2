/**
 * The DinD container: its names and its `docker run` arguments.
 */
import { CACHE_VOLUME_LABELS, cacheHolderName, DATA_ROOT } from './cache-volume.js';
import { labelsFor, resourceName, type Identity } from '../../engine/identity.js';
import type { Options } from '../../inputs/inputs.js';
import { publishSpec, type DaemonSide } from './transport.js';

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
  args.push('--mount', ['type=volume', `src=${names.volume}`, `dst=${DATA_ROOT}`, ...volumeLabels].join(','));
  for (const mount of daemon.mounts) args.push('--mount', mount);
  for (const [key, value] of Object.entries(daemon.env)) args.push('--env', `${key}=${value}`);
  if (daemon.network !== undefined) args.push('--network', daemon.network);
  if (daemon.containerPort !== undefined) {
    args.push('--publish', publishSpec(options.bindAddress, options.port, daemon.containerPort));
  }
  args.push(options.image, ...daemon.command, ...extraDaemonArgs, ...options.daemonArgs);
  return args;
}
