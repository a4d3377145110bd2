/**
 * Paths as the daemon sees them: bind sources are cleaned lexically, and a
 * path in the job's container is translated to the host path behind it. One
 * copy, used by the proxy (bind sources) and the DooD mode (allowed roots).
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';

/** A mount of the job's own container: its path inside the container and the host path behind it. */
export interface PathMapping {
  containerPath: string;
  hostPath: string;
}

/** A lexically clean absolute path (what the daemon does to bind sources), or undefined when not absolute. */
export function cleanAbsolute(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const clean = posix.normalize(path);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}

/** `path` is `root` or below it. */
export function isWithin(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

/**
 * A job-container path as the host sees it: the mount with the longest
 * containerPath covering it wins. Undefined when no mount covers the path (or
 * it is not absolute).
 */
export function translateHostPath(path: string, map: PathMapping[]): string | undefined {
  const clean = cleanAbsolute(path);
  if (clean === undefined) return undefined;
  let best: { container: string; host: string } | undefined;
  for (const mapping of map) {
    const container = cleanAbsolute(mapping.containerPath);
    const host = cleanAbsolute(mapping.hostPath);
    if (container === undefined || host === undefined || !isWithin(clean, container)) continue;
    if (!best || container.length > best.container.length) best = { container, host };
  }
  if (!best) return undefined;
  const rest = best.container === '/' ? clean.slice(1) : clean.slice(best.container.length + 1);
  return rest === '' ? best.host : posix.join(best.host, rest);
}

/**
 * Resolves symbolic links as this process sees the file system: the longest
 * existing prefix through realpath, the rest appended. The kernel follows
 * links when the daemon mounts, so policy must look at where a path leads.
 */
export function resolveExisting(path: string): string {
  const clean = cleanAbsolute(path);
  if (clean === undefined) return path;
  const missing: string[] = [];
  let head = clean;
  for (;;) {
    try {
      const real = realpathSync.native(head);
      return missing.length === 0 ? real : posix.join(real, ...missing.reverse());
    } catch {
      if (head === '/') return clean;
      missing.push(posix.basename(head));
      head = posix.dirname(head);
    }
  }
}

/**
 * A host path as the job's container sees it: the reverse of
 * translateHostPath. Only a container path that translates back to the same
 * host path counts, so a deeper mount of the job's container over the spot
 * (another host directory there) is not mistaken for it. Undefined when the
 * job's container cannot see the host path.
 */
export function containerPathOf(hostPath: string, map: PathMapping[]): string | undefined {
  const clean = cleanAbsolute(hostPath);
  if (clean === undefined) return undefined;
  const candidates = map
    .map((mapping) => ({ container: cleanAbsolute(mapping.containerPath), host: cleanAbsolute(mapping.hostPath) }))
    .filter((mapping): mapping is { container: string; host: string } => mapping.container !== undefined && mapping.host !== undefined && isWithin(clean, mapping.host))
    .sort((a, b) => b.host.length - a.host.length);
  for (const { container, host } of candidates) {
    const rest = host === '/' ? clean.slice(1) : clean.slice(host.length + 1);
    const path = rest === '' ? container : posix.join(container, rest);
    if (translateHostPath(path, map) === clean) return path;
  }
  return undefined;
}

/** Where a host path leads once the kernel has followed its links (resolveThroughMounts). */
export interface HostResolution {
  /** The host path, links followed as far as the proxy could see; what is missing appended as it is (the daemon creates it as directories). */
  path: string;
  /** The first host path on the way that the proxy could not look at: what follows it is unknown. */
  unseen?: string;
  /** More than 40 links on the way: the kernel gives up (ELOOP), and so does this. */
  loop?: boolean;
}

/** What resolveThroughMounts reads; the real file system unless a test says otherwise. */
export interface LinkReader {
  /** The target of the link at `path`; undefined when it is not a link; throws ENOENT/ENOTDIR when there is nothing. */
  readLink(path: string): string | undefined;
}

const fileSystemLinks: LinkReader = {
  readLink(path) {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    return readlinkSync(path);
  },
};

/**
 * Resolves a host path's links the way the kernel will when the host's
 * daemon mounts it, while this process sees the host only through the job
 * container's mounts (`map`). Component by component, each host path is
 * looked at through its container path (containerPathOf); a link's target is
 * read there, and an absolute target is a *host* path (the kernel resolves it
 * in the daemon's mount namespace), so it is translated again, never
 * followed inside the job's container. Directories above every mount (the
 * host's `/home`, `/home/runner` for a mount of `/home/runner/work`) are out
 * of the job's reach and taken as they are.
 */
export function resolveThroughMounts(hostPath: string, map: PathMapping[], reader: LinkReader = fileSystemLinks): HostResolution {
  const clean = cleanAbsolute(hostPath);
  if (clean === undefined) return { path: hostPath, unseen: hostPath };
  const hosts = map.map((mapping) => cleanAbsolute(mapping.hostPath)).filter((host): host is string => host !== undefined);
  const split = (path: string) => path.split('/').filter((part) => part !== '' && part !== '.');
  let todo = split(clean);
  let done = '/';
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '..') {
      done = posix.dirname(done);
      continue;
    }
    const candidate = posix.join(done, part);
    const seen = containerPathOf(candidate, map);
    if (seen === undefined) {
      // Above every mount: out of the job's reach. Anywhere else: unknown to the proxy.
      if (hosts.some((host) => host !== candidate && isWithin(host, candidate))) {
        done = candidate;
        continue;
      }
      return { path: posix.join(candidate, ...todo), unseen: candidate };
    }
    let target: string | undefined;
    try {
      target = reader.readLink(seen);
    } catch {
      return { path: posix.join(candidate, ...todo) }; // missing: the daemon creates the rest as directories
    }
    if (target === undefined) {
      done = candidate;
      continue;
    }
    if (++links > 40) return { path: posix.join(candidate, ...todo), loop: true };
    if (target.startsWith('/')) done = '/';
    todo = [...split(target), ...todo];
  }
  return { path: done };
}
