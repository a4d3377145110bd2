/**
 * strict, when the daemon mounts: the create-time checks (inspect.ts) look at
 * bind sources when a container is created, but the daemon mounts them each
 * time the container starts, and the kernel follows links in every path
 * component then. A job can create a container over `$WORKSPACE/a`, swap `a`
 * for a link to `/` and start it. So a start is checked again, on what the
 * daemon recorded (GET /containers/{id}/json), in two ways:
 *
 * - before it (checkContainerMounts): every bind source, and the device of
 *   every local volume that is a bind, resolved now as the kernel will
 *   resolve it, must lie under the roots and not be the Docker socket;
 * - after it (mountedProblem): what the daemon actually mounted, read from
 *   the container's /proc/<pid>/mountinfo (device and path in that file
 *   system) and mapped back to host paths through the proxy's own mount
 *   table, must lie there too. This one judges the effect, so it catches a
 *   swap that raced the first check and was undone since; it needs the proxy
 *   to see the host's /proc (it does when it runs on the host, not in a job
 *   container).
 *
 * Nothing here can stop the mount itself: a swap between the first check and
 * the mount is seen only afterwards, and the container is then killed
 * (restart-watcher.ts). scripts/measure-bind-window.mjs measures both
 * windows: check to mount, and mount to kill.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { bindSourceProblem, parseBind, volumeOptionsProblem, type BindContext } from './binds.js';
import { field, isObject, strings, type Json } from './json.js';
import type { DaemonLookup } from './ownership.js';
import { cleanAbsolute, isWithin, resolveExisting, resolveThroughMounts, type HostResolution } from './paths.js';
import { policyRefusal, Refused } from './refused.js';

/** What the mount-time checks need: the proxy's BindContext, and how host paths resolve. */
export interface MountCheckContext extends BindContext {
  /**
   * Resolves a host path's links as the kernel will when the daemon mounts
   * it. Default: realpath of what exists (resolveExisting) when the proxy sees
   * the host, resolveThroughMounts over pathMap when it runs in the job's
   * container.
   */
  resolveHost?: (hostPath: string) => HostResolution;
}

/** A host path the daemon mounts from when the container starts. */
export interface MountSource {
  kind: 'bind' | 'volume';
  /** bind: the host path as the daemon recorded it; volume: the volume's name. */
  source: string;
  /** Where the container sees it (Mounts[].Destination), when the daemon said. */
  destination?: string;
}

/** The resolver of a context: its own, or the default for where the proxy runs. */
export function hostResolver(context: MountCheckContext): (hostPath: string) => HostResolution {
  if (context.resolveHost) return context.resolveHost;
  const { pathMap } = context;
  if (pathMap) return (hostPath) => resolveThroughMounts(hostPath, pathMap);
  return (hostPath) => ({ path: resolveExisting(hostPath) });
}

/**
 * The bind sources and named volumes of a container, from its inspect JSON:
 * `Mounts` (what the daemon will mount: sources cleaned, volumes by name)
 * and, in case a daemon leaves that out, HostConfig.Binds and
 * HostConfig.Mounts too. Each source once; a bind with a relative source (the
 * daemon refuses those) is kept so that the check refuses it.
 */
export function mountSources(inspect: unknown): MountSource[] {
  const out = new Map<string, MountSource>();
  const add = (source: MountSource) => {
    const key = `${source.kind}\0${source.source}`;
    const known = out.get(key);
    if (!known) out.set(key, source);
    else if (known.destination === undefined && source.destination !== undefined) known.destination = source.destination;
  };
  if (!isObject(inspect)) return [];
  const mounts = field(inspect, 'Mounts');
  for (const mount of Array.isArray(mounts) ? mounts : []) {
    if (!isObject(mount)) continue;
    const type = field(mount, 'Type');
    const destination = field(mount, 'Destination');
    const where = typeof destination === 'string' ? { destination } : {};
    const source = field(mount, 'Source');
    const name = field(mount, 'Name');
    if (type === 'bind' && typeof source === 'string') add({ kind: 'bind', source: cleanAbsolute(source) ?? source, ...where });
    else if (type === 'volume' && typeof name === 'string' && name !== '') add({ kind: 'volume', source: name, ...where });
  }
  const hostConfig = field(inspect, 'HostConfig');
  if (isObject(hostConfig)) {
    for (const entry of strings(field(hostConfig, 'Binds'))) {
      const bind = parseBind(entry);
      if (bind) add({ kind: bind.kind, source: bind.kind === 'bind' ? (cleanAbsolute(bind.source) ?? bind.source) : bind.source });
    }
    const hostMounts = field(hostConfig, 'Mounts');
    for (const mount of Array.isArray(hostMounts) ? hostMounts : []) {
      if (!isObject(mount)) continue;
      const type = field(mount, 'Type');
      const source = field(mount, 'Source');
      if (typeof source !== 'string' || source === '') continue;
      if (type === 'bind') add({ kind: 'bind', source: cleanAbsolute(source) ?? source });
      else if (type === 'volume') add({ kind: 'volume', source });
    }
  }
  return [...out.values()];
}

/** strict: why a host path, resolved now as the kernel will, may not be mounted; undefined when it may. */
export function hostPathProblem(hostPath: string, context: MountCheckContext): { resolved: string; problem: string } | undefined {
  const clean = cleanAbsolute(hostPath);
  if (clean === undefined) return { resolved: hostPath, problem: 'a bind source must be an absolute path' };
  const resolution = hostResolver(context)(clean);
  if (resolution.loop) return { resolved: resolution.path, problem: 'its path has too many levels of symbolic links' };
  const problem = bindSourceProblem(resolution.path, context);
  if (problem) return { resolved: resolution.path, problem };
  if (resolution.unseen !== undefined) {
    return { resolved: resolution.path, problem: `the proxy cannot see ${resolution.unseen} on the host to follow its links` };
  }
  return undefined;
}

function describe(source: string, resolved: string): string {
  return resolved === source ? source : `${source} (which now resolves to ${resolved})`;
}

/** strict: the refusal for the first bind source of a container that now resolves outside the roots or onto the socket. */
export function bindsProblem(inspect: unknown, context: MountCheckContext): Refused | undefined {
  if (context.policy !== 'strict') return undefined;
  for (const mount of mountSources(inspect)) {
    if (mount.kind !== 'bind') continue;
    const found = hostPathProblem(mount.source, context);
    if (found) return policyRefusal('strict', `bind mount of ${describe(mount.source, found.resolved)}`, found.problem);
  }
  return undefined;
}

/** A local volume whose options make it a bind of `device`: the daemon mounts it from there (following links) when a container starts. */
export function bindVolumeDevice(driver: unknown, options: unknown): string | undefined {
  if (driver !== undefined && driver !== '' && driver !== 'local') return undefined;
  if (!isObject(options)) return undefined;
  const o = typeof options.o === 'string' ? options.o : '';
  const device = typeof options.device === 'string' ? options.device : undefined;
  const flags = o.split(',').map((flag) => flag.trim());
  return device !== undefined && (flags.includes('bind') || flags.includes('rbind')) ? device : undefined;
}

/** What the volume checks ask the daemon: GET /volumes/{name} (DaemonLookup's inspect). */
export type VolumeLookup = Pick<DaemonLookup, 'inspect'>;

/**
 * strict: a named volume re-checked from its options now (GET /volumes/{name}):
 * a local bind's device resolved as the kernel will (under the roots, not the
 * socket), any other option as at create (volumeOptionsProblem). A volume the
 * daemon cannot describe is refused (fail closed); one that is gone is not
 * mounted (the daemon fails the start).
 */
export async function volumeProblem(name: string, context: MountCheckContext, volumes: VolumeLookup): Promise<Refused | undefined> {
  if (context.policy !== 'strict') return undefined;
  const { status, json } = await volumes.inspect('volume', name);
  if (status === 404) return undefined;
  if (status !== 200 || !isObject(json)) return policyRefusal('strict', `volume ${name}`, `the daemon did not describe it (status ${status}), so it cannot be checked`);
  const driver = field(json, 'Driver');
  const options = field(json, 'Options');
  const device = bindVolumeDevice(driver, options);
  if (device === undefined) return volumeOptionsProblem(driver, options, context, `volume ${name}`);
  if (!device.startsWith('/')) return policyRefusal('strict', `volume ${name} binding ${JSON.stringify(device)}`, 'a bind device must be an absolute path');
  const found = hostPathProblem(device, context);
  return found ? policyRefusal('strict', `volume ${name} binding ${describe(device, found.resolved)}`, found.problem) : undefined;
}

/**
 * strict, before a start (POST /containers/{id}/start, /restart): the
 * refusal for the first bind source or bind volume of the container (its
 * inspect JSON) that would now be mounted from outside the roots or from
 * the socket; undefined when all may be mounted.
 */
export async function checkContainerMounts(inspect: unknown, context: MountCheckContext, volumes: VolumeLookup): Promise<Refused | undefined> {
  if (context.policy !== 'strict') return undefined;
  const binds = bindsProblem(inspect, context);
  if (binds) return binds;
  for (const mount of mountSources(inspect)) {
    if (mount.kind !== 'volume') continue;
    const refusal = await volumeProblem(mount.source, context, volumes);
    if (refusal) return refusal;
  }
  return undefined;
}

/* ------------------------------------------------------------------ */
/* After the start: what the daemon did mount, from /proc/<pid>/mountinfo. */

/** A line of /proc/<pid>/mountinfo. */
export interface MountInfoEntry {
  /** major:minor of the file system. */
  device: string;
  /** The path inside that file system that is mounted (a bind's source there). */
  root: string;
  /** Where it is mounted, as the reading process's root sees it. */
  mountPoint: string;
  /** The file system's type (ext4, tmpfs, cgroup2, ...). */
  type: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountInfo(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The lines of a mountinfo file (proc(5)): ID, parent, major:minor, root, mount point, options, optional fields, -, type, …. */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || !/^\d+:\d+$/.test(fields[2] ?? '')) continue;
    // A root whose dentry was removed reads "<path>//deleted".
    const root = unescapeMountInfo(fields[3]!).replace(/\/\/deleted$/, '');
    entries.push({ device: fields[2]!, root, mountPoint: unescapeMountInfo(fields[4]!), type: fields[separator + 1] ?? '' });
  }
  return entries;
}

/**
 * The host paths at which the proxy's own mount table (`hostMounts`, its
 * /proc/self/mountinfo) shows what `mounted` mounts: every mount of the same
 * file system whose root holds it.
 */
export function hostPathsOf(mounted: MountInfoEntry, hostMounts: MountInfoEntry[]): string[] {
  const paths = new Set<string>();
  for (const host of hostMounts) {
    if (host.device !== mounted.device || !isWithin(mounted.root, host.root)) continue;
    const rest = host.root === '/' ? mounted.root.slice(1) : mounted.root.slice(host.root.length + 1);
    paths.add(rest === '' ? host.mountPoint : posix.join(host.mountPoint, rest));
  }
  return [...paths];
}

/** What mountedProblem reads: a container's and the proxy's own mount tables. */
export interface MountTables {
  /** /proc/<pid>/mountinfo of the container's first process; undefined when it cannot be read (gone, another pid namespace). */
  container(pid: number): string | undefined;
  /** /proc/self/mountinfo: the host's mount table when the proxy runs on the host. */
  own(): string | undefined;
}

export const procMountTables: MountTables = {
  container: (pid) => readText(`/proc/${pid}/mountinfo`),
  own: () => readText('/proc/self/mountinfo'),
};

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** mountedProblem's answer: a refusal, fine (how many mounts were looked at), or why it could not look. */
export type MountedVerdict = { refusal: Refused } | { ok: true; checked: number } | { unverified: string };

/** Device files the daemon (or runc, in a user namespace) binds from the host's /dev. */
const HOST_DEVICE_FILES = new Set(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);

/**
 * Directories of the host's programs: `--init` (or the daemon's `init`
 * setting) binds the daemon's init binary (docker-init, tini) from one of
 * them at /sbin/docker-init. A program file is no secret of the host.
 */
const HOST_PROGRAM_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin', '/usr/libexec/docker', '/usr/lib/docker'];

/** The daemon's init binary at the place it binds it. */
function isInitBinary(entry: MountInfoEntry, path: string): boolean {
  return entry.mountPoint === '/sbin/docker-init' && HOST_PROGRAM_DIRS.includes(posix.dirname(path));
}

/**
 * What the daemon itself mounts into this container, as host paths: its
 * root file system, its hosts, hostname and resolv.conf files, its shm and
 * secrets (under its directory's mounts/), its volumes' directories. Files,
 * not the container's whole directory: its hostconfig.json, which the
 * daemon reads when it restarts, is no place for a job to write.
 */
function daemonPaths(inspect: Json): string[] {
  const paths: string[] = [];
  const add = (value: unknown) => {
    const clean = typeof value === 'string' ? cleanAbsolute(value) : undefined;
    if (clean !== undefined && clean !== '/') paths.push(clean);
  };
  const graph = field(inspect, 'GraphDriver');
  const data = isObject(graph) ? field(graph, 'Data') : undefined;
  if (isObject(data)) add(field(data, 'MergedDir'));
  for (const name of ['HostnamePath', 'HostsPath', 'ResolvConfPath']) {
    const path = field(inspect, name);
    add(path);
    if (name === 'HostnamePath' && typeof path === 'string' && path.startsWith('/')) add(posix.join(posix.dirname(path), 'mounts'));
  }
  const mounts = field(inspect, 'Mounts');
  for (const mount of Array.isArray(mounts) ? mounts : []) {
    if (isObject(mount) && field(mount, 'Type') === 'volume') add(field(mount, 'Source'));
  }
  return paths;
}

/**
 * strict, after a start: every mount in the container's mount table (read at
 * /proc/<State.Pid>/mountinfo) that the host's table shows somewhere must be,
 * at every host path it shows there, under the roots (and not the socket),
 * or be what the daemon mounts itself (the container's root file system, its
 * own directory, its volumes' directories, its cgroups, device files, its
 * init binary). So a
 * bind whose source was swapped for a link after the check, and swapped
 * back, is seen by what it mounted: `/` of the disk, say. Every entry is
 * looked at, not just the binds' destinations: the image decides where a
 * destination lands (runc follows the image's links there).
 *
 * `unverified` when the tables cannot be read (the container no longer
 * runs, or the proxy runs in a job container and sees neither the host's
 * pids nor its mounts): the caller falls back on the path check. File
 * systems the host's table does not show (the container's own proc, tmpfs,
 * devpts, mqueue) name no host path and pass.
 */
export function mountedProblem(inspect: unknown, context: MountCheckContext, tables: MountTables = procMountTables): MountedVerdict {
  if (!isObject(inspect)) return { unverified: 'no container' };
  if (context.pathMap) return { unverified: "the proxy runs in the job's container and cannot see the host's mount tables" };
  const state = field(inspect, 'State');
  const pid = isObject(state) ? field(state, 'Pid') : undefined;
  if (typeof pid !== 'number' || pid <= 0) return { unverified: 'the container does not run' };
  const containerText = tables.container(pid);
  const ownText = tables.own();
  if (containerText === undefined || ownText === undefined) return { unverified: `cannot read /proc/${pid}/mountinfo` };
  const host = parseMountInfo(ownText);
  const id = field(inspect, 'Id');
  const own = daemonPaths(inspect);
  const allowed = (entry: MountInfoEntry, path: string): boolean =>
    bindSourceProblem(path, context) === undefined ||
    own.some((root) => isWithin(path, root)) ||
    ((entry.type === 'cgroup' || entry.type === 'cgroup2') && typeof id === 'string' && id.length >= 12 && entry.root.includes(id)) ||
    HOST_DEVICE_FILES.has(path) ||
    isInitBinary(entry, path);
  let checked = 0;
  for (const entry of parseMountInfo(containerText)) {
    const paths = hostPathsOf(entry, host);
    if (paths.length === 0) continue;
    checked++;
    const outside = paths.find((path) => !allowed(entry, path));
    if (outside === undefined) continue;
    const problem = bindSourceProblem(outside, context) ?? 'it is outside the roots';
    return {
      refusal: policyRefusal(
        'strict',
        `the mount at ${entry.mountPoint} in the container`,
        `the daemon mounted the host's ${outside} there: a bind source led there when it was mounted, through a link put in after its check; ${problem}`,
      ),
    };
  }
  return { ok: true, checked };
}

/** The restart policy's name in a HostConfig ("no" when none). */
export function restartPolicyName(config: Json): string {
  const policy = field(config, 'RestartPolicy');
  const name = isObject(policy) ? field(policy, 'Name') : undefined;
  return typeof name === 'string' && name !== '' ? name : 'no';
}
