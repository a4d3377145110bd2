/**
 * Every Engine API endpoint the proxy knows (API 1.41 to 1.51), as the
 * daemon's router (gorilla/mux) matches them: in the daemon's order, first
 * match wins, a `{name:.*}` parameter may hold '/'. strict forwards only what
 * this table knows; each row says which route kind the guard applies.
 *
 * A new daemon version adds rows here, not code: a row names the method, the
 * path pattern and the kind (see Route in routes.ts); `upgrade` marks the
 * endpoints that hijack the connection.
 */

/** How the guard treats a request, by kind; the parameters come from the path (and query). */
export type EndpointKind =
  /** Lists, system information, reading images, and what touches no one's objects: any job may. */
  | 'any'
  /** One container, the job's own in strict: `{name}` pinned to its full ID. */
  | 'container'
  | 'container-create'
  | 'container-start'
  | 'container-update'
  | 'exec-create'
  /** One exec instance: its container must be the job's own. */
  | 'exec'
  | 'network-create'
  | 'network-connect'
  | 'network-disconnect'
  | 'network-remove'
  | 'volume-create'
  /** Removing or updating one volume: the job's own only. */
  | 'volume'
  | 'prune'
  | 'commit'
  | 'build'
  /** Image endpoints that write or remove tags. */
  | 'image-write'
  /** BuildKit's session and controller, hijacked connections (strict relays the controller's calls one by one: grpc-relay.ts). */
  | 'buildkit'
  /** Endpoints strict refuses outright. */
  | 'forbidden';

export interface Endpoint {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  /** The daemon's pattern, e.g. /containers/{name:.*}/start. */
  pattern: string;
  kind: EndpointKind;
  /** The endpoint hijacks the connection (attach, exec start, BuildKit). */
  upgrade?: boolean;
  /** forbidden: what is refused and why. */
  refusal?: { what: string; why: string };
}

const PLUGINS = { what: 'managing plugins', why: "a plugin runs with the host's privileges" };
const SWARM = { what: 'swarm mode and its objects', why: 'the proxy cannot inspect what services mount, and swarm objects are the whole host\'s' };

type Row = [Endpoint['method'], string, EndpointKind, Partial<Pick<Endpoint, 'upgrade' | 'refusal'>>?];

/** One router's rows: its own order matters only within a method (no two routers' patterns overlap). */
const ROWS: Row[] = [
  // system
  ['OPTIONS', '/{anyroute:.*}', 'any'],
  ['GET', '/_ping', 'any'],
  ['HEAD', '/_ping', 'any'],
  ['GET', '/events', 'any'],
  ['GET', '/info', 'any'],
  ['GET', '/version', 'any'],
  ['GET', '/system/df', 'any'],
  ['POST', '/auth', 'any'],
  // containers
  ['GET', '/containers/json', 'any'],
  ['GET', '/containers/{name:.*}/export', 'container'],
  ['GET', '/containers/{name:.*}/changes', 'container'],
  ['GET', '/containers/{name:.*}/json', 'container'],
  ['GET', '/containers/{name:.*}/top', 'container'],
  ['GET', '/containers/{name:.*}/logs', 'container'],
  ['GET', '/containers/{name:.*}/stats', 'container'],
  ['GET', '/containers/{name:.*}/attach/ws', 'container', { upgrade: true }],
  ['GET', '/exec/{id:.*}/json', 'exec'],
  ['GET', '/containers/{name:.*}/archive', 'container'],
  ['HEAD', '/containers/{name:.*}/archive', 'container'],
  ['POST', '/containers/create', 'container-create'],
  ['POST', '/containers/{name:.*}/kill', 'container'],
  ['POST', '/containers/{name:.*}/pause', 'container'],
  ['POST', '/containers/{name:.*}/unpause', 'container'],
  ['POST', '/containers/{name:.*}/restart', 'container'],
  ['POST', '/containers/{name:.*}/start', 'container-start'],
  ['POST', '/containers/{name:.*}/stop', 'container'],
  ['POST', '/containers/{name:.*}/wait', 'container'],
  ['POST', '/containers/{name:.*}/resize', 'container'],
  ['POST', '/containers/{name:.*}/attach', 'container', { upgrade: true }],
  ['POST', '/containers/{name:.*}/exec', 'exec-create'],
  ['POST', '/exec/{name:.*}/start', 'exec', { upgrade: true }],
  ['POST', '/exec/{name:.*}/resize', 'exec'],
  ['POST', '/containers/{name:.*}/rename', 'container'],
  ['POST', '/containers/{name:.*}/update', 'container-update'],
  ['POST', '/containers/prune', 'prune'],
  ['POST', '/commit', 'commit'],
  ['PUT', '/containers/{name:.*}/archive', 'container'],
  ['DELETE', '/containers/{name:.*}', 'container'],
  // images
  ['GET', '/images/json', 'any'],
  ['GET', '/images/search', 'any'],
  ['GET', '/images/get', 'any'],
  ['GET', '/images/{name:.*}/get', 'any'],
  ['GET', '/images/{name:.*}/history', 'any'],
  ['GET', '/images/{name:.*}/json', 'any'],
  ['POST', '/images/load', 'image-write'],
  ['POST', '/images/create', 'image-write'],
  ['POST', '/images/{name:.*}/push', 'any'],
  ['POST', '/images/{name:.*}/tag', 'image-write'],
  ['POST', '/images/prune', 'prune'],
  ['DELETE', '/images/{name:.*}', 'image-write'],
  ['GET', '/distribution/{name:.*}/json', 'any'],
  // build
  ['POST', '/build', 'build'],
  ['POST', '/build/prune', 'prune'],
  ['POST', '/build/cancel', 'any'],
  ['POST', '/session', 'buildkit', { upgrade: true }],
  ['POST', '/grpc', 'buildkit', { upgrade: true }],
  // networks
  ['GET', '/networks', 'any'],
  ['GET', '/networks/{id:.*}', 'any'],
  ['POST', '/networks/create', 'network-create'],
  ['POST', '/networks/{id:.*}/connect', 'network-connect'],
  ['POST', '/networks/{id:.*}/disconnect', 'network-disconnect'],
  ['POST', '/networks/prune', 'prune'],
  ['DELETE', '/networks/{id:.*}', 'network-remove'],
  // volumes
  ['GET', '/volumes', 'any'],
  ['GET', '/volumes/{name:.*}', 'any'],
  ['POST', '/volumes/create', 'volume-create'],
  ['POST', '/volumes/prune', 'prune'],
  ['PUT', '/volumes/{name:.*}', 'volume'],
  ['DELETE', '/volumes/{name:.*}', 'volume'],
  // plugins: reading is harmless, anything else runs code with the host's privileges
  ['GET', '/plugins', 'any'],
  ['GET', '/plugins/privileges', 'any'],
  ['GET', '/plugins/{name:.*}/json', 'any'],
  ...(['/plugins/pull', '/plugins/create', '/plugins/{name:.*}/enable', '/plugins/{name:.*}/disable', '/plugins/{name:.*}/push',
    '/plugins/{name:.*}/upgrade', '/plugins/{name:.*}/set'].map((path): Row => ['POST', path, 'forbidden', { refusal: PLUGINS }])),
  ['DELETE', '/plugins/{name:.*}', 'forbidden', { refusal: PLUGINS }],
  // swarm: reading lists is harmless (the unlock key is a secret); nothing may be changed
  ...(['/swarm', '/nodes', '/nodes/{id}', '/services', '/services/{id}', '/services/{id}/logs', '/tasks', '/tasks/{id}', '/tasks/{id}/logs',
    '/secrets', '/secrets/{id}', '/configs', '/configs/{id}'].map((path): Row => ['GET', path, 'any'])),
  ['GET', '/swarm/unlockkey', 'forbidden', { refusal: SWARM }],
  ...(['/swarm/init', '/swarm/join', '/swarm/leave', '/swarm/update', '/swarm/unlock', '/services/create', '/services/{id}/update',
    '/nodes/{id}/update', '/secrets/create', '/secrets/{id}/update', '/configs/create', '/configs/{id}/update'].map((path): Row => ['POST', path, 'forbidden', { refusal: SWARM }])),
  ...(['/services/{id}', '/nodes/{id}', '/secrets/{id}', '/configs/{id}'].map((path): Row => ['DELETE', path, 'forbidden', { refusal: SWARM }])),
];

export const ENDPOINTS: readonly Endpoint[] = ROWS.map(([method, pattern, kind, extra]) => ({ method, pattern, kind, ...extra }));

interface Compiled {
  endpoint: Endpoint;
  regex: RegExp;
}

/** `{name:.*}` matches anything (also '/'), `{id}` one path segment; gorilla anchors the whole path. */
function compile(pattern: string): RegExp {
  const source = pattern
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const parameter = /^\{[^:}]+(?::(.*))?\}$/.exec(part);
      if (!parameter) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      return parameter[1] === undefined ? '([^/]+)' : `(${parameter[1]})`;
    })
    .join('');
  return new RegExp(`^${source}$`);
}

const COMPILED: Compiled[] = ENDPOINTS.map((endpoint) => ({ endpoint, regex: compile(endpoint.pattern) }));

export interface EndpointMatch {
  endpoint: Endpoint;
  /** The path parameter, when the pattern has one (every pattern here has at most one besides OPTIONS'). */
  param?: string;
}

/** The endpoint a request reaches: `path` as routePath gives it (decoded, cleaned, no version prefix). */
export function matchEndpoint(method: string, path: string): EndpointMatch | undefined {
  const verb = method.toUpperCase();
  for (const { endpoint, regex } of COMPILED) {
    if (endpoint.method !== verb) continue;
    const match = regex.exec(path);
    if (match) return { endpoint, ...(match[1] !== undefined ? { param: match[1] } : {}) };
  }
  return undefined;
}
