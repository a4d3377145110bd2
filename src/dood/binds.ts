/**
 * Bind sources and volume devices: the host path a container would mount,
 * and whether strict allows it (under the allowed roots, never the Docker
 * socket or a directory holding it). The kernel follows links when the daemon
 * mounts, so the checks look at where a path leads on the host.
 */
import type { DoodPolicy } from './policy.js';
import { cleanAbsolute, containerPathOf, isWithin, translateHostPath, type PathMapping } from './paths.js';
import { isObject } from './json.js';
import { policyRefusal, Refused } from './refused.js';

/** What the checks of host paths need to know. */
export interface BindContext {
  policy: DoodPolicy;
  /** strict: host paths under which bind sources are allowed. */
  allowedBindRoots: string[];
  /** strict: host paths that are the Docker socket. */
  socketPaths: string[];
  /** When the job runs in a container: its mounts, to translate bind sources to host paths. */
  pathMap?: PathMapping[];
  /** Resolves symbolic links of a (clean, absolute) path as the proxy sees it; default: none. */
  resolvePath?: (path: string) => string;
}

/** Socket paths to guard: as given, plus /run <-> /var/run spellings (one is a link to the other on most hosts). */
export function socketPathVariants(paths: string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    const clean = cleanAbsolute(path);
    if (clean === undefined) continue;
    out.add(clean);
    if (clean.startsWith('/var/run/')) out.add(clean.slice('/var'.length));
    else if (clean.startsWith('/run/')) out.add(`/var${clean}`);
  }
  return [...out];
}

/** strict: why a host path may not be a bind source, or undefined when it may. */
export function bindSourceProblem(hostPath: string, context: BindContext): string | undefined {
  for (const socket of socketPathVariants(context.socketPaths)) {
    if (isWithin(socket, hostPath)) {
      return hostPath === socket
        ? "it is the host's Docker socket: a container holding it controls the host"
        : `it holds the host's Docker socket ${socket}: a container holding it controls the host`;
    }
  }
  const roots = context.allowedBindRoots.map(cleanAbsolute).filter((root): root is string => root !== undefined);
  if (!roots.some((root) => isWithin(hostPath, root))) {
    return roots.length === 0 ? 'no bind roots are allowed' : `only paths under ${roots.join(', ')} may be bound`;
  }
  return undefined;
}

/** The host path of a bind source: resolved as the proxy sees it, translated when the job runs in a container. */
export function hostSource(source: string, context: BindContext, notes: string[]): string {
  const clean = cleanAbsolute(source) ?? source;
  const resolved = context.resolvePath ? context.resolvePath(clean) : clean;
  const via = resolved === clean ? '' : ` (resolves to ${resolved})`;
  if (!context.pathMap) {
    if (resolved !== clean) notes.push(`bind source ${source} resolves to ${resolved}`);
    return resolved;
  }
  const host = translateHostPath(resolved, context.pathMap);
  if (host === undefined) {
    const usable = context.pathMap.map((mapping) => `${mapping.containerPath} -> ${mapping.hostPath}`).join(', ');
    throw new Refused(
      400,
      `setup-dind dood: bind source ${source}${via} is a path inside the job's container, which the host's Docker daemon cannot see; ` +
        `only paths under the job container's mounts can be bound: ${usable || '(none)'}`,
    );
  }
  notes.push(`translated bind source ${source}${via} -> ${host}`);
  return host;
}

/** A Binds entry: SOURCE:TARGET[:OPTIONS]; a bind when SOURCE is absolute, else a named volume. */
export function parseBind(spec: string): { kind: 'bind' | 'volume'; source: string; rest: string } | undefined {
  const colon = spec.indexOf(':');
  if (colon <= 0) return undefined; // an anonymous volume: just a target
  const source = spec.slice(0, colon);
  return { kind: source.startsWith('/') ? 'bind' : 'volume', source, rest: spec.slice(colon) };
}

/** Mount types of the local driver that strict allows besides a bind: memory, and remote file systems (no host path, no host device). */
const VOLUME_TYPES = new Set(['tmpfs', 'nfs', 'nfs4', 'cifs', 'smb3']);

/**
 * strict: the local driver passes `type`, `o` and `device` to mount(2) as
 * they are, so they are allowed, not screened: a bind (o=bind or rbind) of an
 * absolute device under the roots, or a mount of one of VOLUME_TYPES whose
 * options name no host path. Anything else (a disk, overlay's lowerdir=/etc,
 * a relative device, which the daemon resolves from its own working
 * directory) is refused.
 */
export function volumeOptionsProblem(driver: unknown, options: unknown, context: BindContext, what: string): Refused | undefined {
  if (context.policy !== 'strict' || !isObject(options)) return undefined;
  if (driver !== undefined && driver !== '' && driver !== 'local') return undefined;
  const text = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : '');
  const [type, device, o] = [text('type'), text('device'), text('o')];
  if (type === '' && device === '' && o === '') return undefined; // a plain local volume (or size only)
  const flags = o.split(',').map((flag) => flag.trim());
  if (!flags.includes('bind') && !flags.includes('rbind')) {
    const allowed = 'strict allows binds under the roots and mounts of tmpfs, nfs, nfs4, cifs or smb3';
    if (!VOLUME_TYPES.has(type)) return policyRefusal('strict', `${what} ${type ? `of type ${type}` : `with device ${device || '(none)'}`}`, `it mounts a host device or file system; ${allowed}`);
    const hostPath = flags.find((flag) => flag.includes('=/'));
    return hostPath === undefined ? undefined : policyRefusal('strict', `${what} with option ${hostPath}`, `it names a host path; ${allowed}`);
  }
  if (!device.startsWith('/')) return policyRefusal('strict', `${what} binding ${JSON.stringify(device)}`, 'a bind device must be an absolute path: the daemon resolves any other from its own working directory');
  const host = cleanAbsolute(device)!;
  const resolved = deviceOnHost(host, context);
  if (resolved === undefined) return policyRefusal('strict', `${what} binding ${host}`, "through links it leads out of the job container's mounts, where the proxy cannot check it");
  const problem = bindSourceProblem(resolved, context);
  return problem ? policyRefusal('strict', `${what} binding ${resolved}`, problem) : undefined;
}

/**
 * A bind volume's device (a host path) with its links followed as the kernel
 * will when the daemon mounts it: on the host as the proxy sees it, or, when
 * the job runs in a container, through that container's view of the spot.
 * Undefined when it leads where the proxy cannot see.
 */
function deviceOnHost(host: string, context: BindContext): string | undefined {
  const resolve = context.resolvePath ?? ((path: string) => path);
  if (!context.pathMap) return resolve(host);
  const inContainer = containerPathOf(host, context.pathMap);
  return inContainer === undefined ? host : translateHostPath(resolve(inContainer), context.pathMap);
}
