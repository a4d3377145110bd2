/**
 * Requests as the daemon's router sees them: which endpoint (endpoints.ts) a
 * method and URL reach, after the percent-decoding, cleaning and version
 * prefix the router applies, so the proxy inspects what the daemon will act on.
 */
import { posix } from 'node:path';
import { matchEndpoint, type EndpointKind } from './endpoints.js';

/** A request as the guard sees it: the endpoint's kind, its path parameter and the query. */
export interface Route {
  /** The endpoint's kind (endpoints.ts); 'unknown' when the table has no such endpoint. */
  kind: EndpointKind | 'unknown';
  /** The endpoint's pattern, to rebuild the path with a pinned reference. */
  pattern: string;
  /** The path's object reference (a container, exec, network, volume or image), or ''. */
  ref: string;
  /** The endpoint may hijack the connection. */
  upgrade: boolean;
  /** forbidden: what is refused and why. */
  refusal?: { what: string; why: string };
  query: URLSearchParams;
}

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

/** The endpoint a request reaches, as the daemon's router would route it. */
export function classifyRequest(method: string, url: string): Route {
  const match = matchEndpoint(method, routePath(url));
  const query = queryOf(url);
  if (!match) return { kind: 'unknown', pattern: '', ref: '', upgrade: false, query };
  const { endpoint, param } = match;
  const ref = endpoint.kind === 'commit' ? (query.get('container') ?? '') : (param ?? '');
  return {
    kind: endpoint.kind,
    pattern: endpoint.pattern,
    ref,
    upgrade: endpoint.upgrade === true,
    ...(endpoint.refusal ? { refusal: endpoint.refusal } : {}),
    query,
  };
}

/** The route's path with its reference replaced by `ref` (a full ID that was checked), in `url`'s version and query. */
export function pinnedUrl(url: string, route: Route, ref: string): string {
  return withRoutePath(url, route.pattern.replace(/\{[^}]+\}/, encodeURIComponent(ref)));
}

/** `url` with one query parameter set to `value` (a reference pinned to the full ID that was checked). */
export function withQuery(url: string, name: string, value: string): string {
  const query = queryOf(url);
  query.set(name, value);
  return `${url.split('?')[0]}?${query.toString()}`;
}
