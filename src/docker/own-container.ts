/**
 * Whether this process runs in a container of the runner's Docker daemon (a
 * GitHub container job, a GitLab docker-executor job with the socket mounted),
 * and how that container's paths map to host paths. Found from the
 * container's own /etc/hostname bind mount (/var/lib/docker/containers/<id>/
 * hostname): a path only the daemon that made the container knows.
 */
import { readFile } from 'node:fs/promises';
import type { PathMapping } from '../dood/paths.js';
import type { Docker, DockerClient } from './docker.js';
import type { Endpoint } from './probe.js';

export interface OwnContainer {
  id: string;
  /** Its mounts: its own paths and the host paths behind them. */
  mounts: PathMapping[];
  /** HostConfig.NetworkMode: `host` means its loopback is the host's. */
  networkMode?: string;
}

/** The container ID in /proc/self/mountinfo, if this process runs in a Docker container. */
export async function ownContainerId(mountinfo?: string): Promise<string | undefined> {
  const text = mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
  return /\/containers\/([0-9a-f]{64})\/(?:hostname|resolv\.conf|hosts)\s/.exec(text)?.[1];
}

/** The path mappings of an inspected container (GET /containers/{id}/json). */
export function mountsOf(inspected: unknown): PathMapping[] {
  const mounts = (inspected as { Mounts?: { Source?: string; Destination?: string }[] } | undefined)?.Mounts ?? [];
  return mounts
    .filter((mount): mount is { Source: string; Destination: string } => !!mount.Source && !!mount.Destination)
    .map((mount) => ({ containerPath: mount.Destination, hostPath: mount.Source }));
}

/** This process's container, asked over the Engine API at `endpoint`; undefined when it is not that daemon's. */
export async function ownContainerMounts(docker: Pick<Docker, 'get'>, endpoint: Endpoint, mountinfo?: string): Promise<OwnContainer | undefined> {
  const id = await ownContainerId(mountinfo);
  if (!id) return undefined;
  const response = await docker.get(endpoint, `/containers/${id}/json`, 5000).catch(() => undefined);
  if (!response || response.status !== 200) return undefined;
  return { id, mounts: mountsOf(JSON.parse(response.body)) };
}

/** The same, asked with the docker CLI (whatever DOCKER_HOST and TLS variables it has). */
export async function ownContainerByCli(docker: DockerClient, signal?: AbortSignal, mountinfo?: string): Promise<OwnContainer | undefined> {
  const id = await ownContainerId(mountinfo);
  if (!id) return undefined;
  const inspect = await docker.exec(['container', 'inspect', id], { timeoutMs: 15_000, signal });
  if (inspect.code !== 0) return undefined;
  try {
    const [inspected] = JSON.parse(inspect.stdout) as Array<{ HostConfig?: { NetworkMode?: unknown } }>;
    const networkMode = inspected?.HostConfig?.NetworkMode;
    return { id, mounts: mountsOf(inspected), ...(typeof networkMode === 'string' ? { networkMode } : {}) };
  } catch {
    return undefined;
  }
}
