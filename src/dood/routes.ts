/**
 * Requests as the daemon's router sees them: which endpoint a method and URL
 * reach (after the percent-decoding, cleaning and version prefix the router
 * applies), so the proxy inspects what the daemon will act on.
 */
import { posix } from 'node:path';

export type Route =
  | { kind: 'container-create' }
  | { kind: 'container-start'; ref: string }
  | { kind: 'exec-create'; ref: string }
  | { kind: 'network-create' }
  | { kind: 'volume-create' }
  /** Any other request about one container: strict keeps the job to its own. */
  | { kind: 'container'; ref: string; action: string }
  /** Removing (or updating) one named volume: strict keeps the job to its own. */
  | { kind: 'volume'; ref: string }
  /** Removing one network, or connecting or disconnecting a container (named in the body): the job's own only. */
  | { kind: 'network'; ref: string; action: 'remove' | 'connect' | 'disconnect' }
  | { kind: 'commit'; ref: string }
  | { kind: 'prune' }
  | { kind: 'build'; networkMode: string }
  /** Endpoints strict refuses outright (plugins run with host privileges; swarm services carry mounts the proxy does not inspect). */
  | { kind: 'forbidden'; what: string; why: string }
  | { kind: 'other' };

/** The path the daemon's router sees: percent-decoded, cleaned, without the API version prefix. */
export function routePath(url: string): string {
  const raw = url.split('?')[0] ?? '';
  const decoded = raw.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const clean = posix.normalize(`/${decoded}`).replace(/(.)\/+$/, '$1');
  return clean.replace(/^\/v[0-9.]+(?=\/|$)/, '') || '/';
}

/** `url` with its route path replaced by `path`: the API version prefix and the query kept. */
export function withRoutePath(url: string, path: string): string {
  const version = /^\/v[0-9]+(?:\.[0-9]+)?(?=\/)/.exec(url)?.[0] ?? '';
  const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  return `${version}${path}${query}`;
}

/** The query as the daemon may read it: older Go versions also split on ';'. */
export function queryOf(url: string): URLSearchParams {
  return new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1).replace(/;/g, '&') : '');
}

/** The endpoint a request reaches, as far as the proxy looks at it. */
export function classifyRequest(method: string, url: string): Route {
  const path = routePath(url);
  const query = queryOf(url);
  const post = method.toUpperCase() === 'POST';
  const reading = ['GET', 'HEAD'].includes(method.toUpperCase());
  let match: RegExpExecArray | null;
  if (post && path === '/containers/create') return { kind: 'container-create' };
  if (post && path === '/networks/create') return { kind: 'network-create' };
  if (post && path === '/volumes/create') return { kind: 'volume-create' };
  if (post && /^\/(containers|volumes|networks)\/prune$/.test(path)) return { kind: 'prune' };
  if (post && (match = /^\/containers\/([^/]+)\/start$/.exec(path))) return { kind: 'container-start', ref: match[1]! };
  if (post && (match = /^\/containers\/([^/]+)\/exec$/.exec(path))) return { kind: 'exec-create', ref: match[1]! };
  if ((match = /^\/containers\/([^/]+)(?:\/(.*))?$/.exec(path)) && !['json', 'create', 'prune'].includes(match[1]!)) {
    return { kind: 'container', ref: match[1]!, action: match[2] ?? '' };
  }
  // Creating and pruning are matched above; GET reads one (harmless), any other verb changes it. As in the
  // daemon's routes ({name:.*}), a name may hold '/', and only POST has the connect/disconnect suffix.
  if (!reading && (match = /^\/volumes\/(.+)$/.exec(path))) return { kind: 'volume', ref: match[1]! };
  if (post && (match = /^\/networks\/(.+)\/(connect|disconnect)$/.exec(path))) {
    return { kind: 'network', ref: match[1]!, action: match[2] as 'connect' | 'disconnect' };
  }
  if (!reading && (match = /^\/networks\/(.+)$/.exec(path))) return { kind: 'network', ref: match[1]!, action: 'remove' };
  if (post && path === '/commit') return { kind: 'commit', ref: query.get('container') ?? '' };
  if (post && path === '/build') return { kind: 'build', networkMode: query.get('networkmode') ?? '' };
  if (!reading && /^\/plugins(\/|$)/.test(path)) {
    return { kind: 'forbidden', what: 'managing plugins', why: "a plugin runs with the host's privileges" };
  }
  if (!reading && (/^\/swarm\/(init|join)$/.test(path) || /^\/services\/(create|[^/]+\/update)$/.test(path))) {
    return { kind: 'forbidden', what: 'swarm mode and services', why: 'the proxy cannot inspect what services mount' };
  }
  return { kind: 'other' };
}
