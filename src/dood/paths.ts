/**
 * Paths as the daemon sees them: bind sources are cleaned lexically, and a
 * path in the job's container is translated to the host path behind it. One
 * copy, used by the proxy (bind sources) and the DooD mode (allowed roots).
 */
import { realpathSync } from 'node:fs';
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
