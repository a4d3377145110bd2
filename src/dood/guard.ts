/**
 * What the proxy does to each request before it goes on: the policy's
 * refusals by endpoint, the body checks of inspect.ts, strict's ownership
 * checks, and the rewrites that pin a request to what was checked. The
 * answer is a Forwarding for the forwarder, or a Refused.
 */
import type http from 'node:http';
import type { Forwarding } from './forwarder.js';
import {
  emptyInspection,
  inspectContainerCreate,
  inspectExecCreate,
  inspectNetworkCreate,
  inspectStartBody,
  inspectVolumeCreate,
  scopePruneFilters,
  type Inspected,
  type InspectionContext,
} from './inspect.js';
import { fieldProblems, type BodyObject } from './fields.js';
import { checkUlimitName } from './fields/values.js';
import { boolValue, imageRequest } from './image-requests.js';
import { field, isObject, parseFirstJsonValue } from './json.js';
import { LoadArchiveWatcher } from './load-archive.js';
import { checkContainerMounts, type VolumeLookup } from './mount-check.js';
import { containerNetworks, type Ownership } from './ownership.js';
import { policyRefusal, Refused } from './refused.js';
import { pinnedUrl, routePath, withQuery, withRoutePath, type Route } from './routes.js';
import type { TagRules } from './tags.js';
import { MAX_INSPECTED_BODY, readBody } from './wire.js';

export interface GuardOptions {
  context: InspectionContext;
  ownership: Ownership;
  /** strict: which image tags the job may write or remove. */
  tags: TagRules;
  /** strict: the volumes a container mounts, looked up again before it starts. */
  volumes: VolumeLookup;
  log: (line: string) => void;
}

/** Container endpoints at which the daemon mounts the container's binds: a restart, and docker cp (archive). */
const MOUNTING = /\/(restart|archive)$/;

/** The field table (fields.ts) that strict checks each body against, by route kind. */
const BODY_OBJECTS: Partial<Record<Route['kind'], BodyObject>> = {
  'container-create': 'container-create',
  'container-start': 'container-start',
  'container-update': 'container-update',
  'exec-create': 'exec-create',
  exec: 'exec-start',
  'network-create': 'network-create',
  'network-connect': 'network-connect',
  'network-disconnect': 'network-disconnect',
  'volume-create': 'volume-create',
};

/** The daemon routes http://host/path targets by their path: only plain paths are inspected, so only those pass. */
export function targetRefusal(url: string): Refused | undefined {
  return url.startsWith('/') ? undefined : new Refused(400, `setup-dind dood proxy: the request target must be a path, not ${url.slice(0, 100)}`);
}

/** Only the endpoints that hijack (attach, exec start, BuildKit) may, and unknown ones outside strict (strict refuses them anyway). */
export function upgradeRefusal(method: string, url: string, route: Route): Refused | undefined {
  if (route.upgrade || route.kind === 'unknown') return undefined;
  return new Refused(400, `setup-dind dood proxy: ${method} ${routePath(url)} does not take a connection upgrade.`);
}

/**
 * strict: classic build options the daemon applies to the build's RUN
 * containers, or acts on itself, that strict refuses elsewhere. Throws Refused.
 */
function buildQueryProblem(query: URLSearchParams): void {
  if ((query.get('cgroupparent') ?? '') !== '') throw policyRefusal('strict', 'build --cgroup-parent', "it places the build's containers in any cgroup of the host, outside the limits of the job");
  if ((query.get('remote') ?? '') !== '') {
    throw policyRefusal('strict', 'a build context the daemon fetches (remote)', "the daemon clones or downloads it from the host's network, with the host's credentials; send the context instead");
  }
  const ulimits = parseFirstJsonValue(query.get('ulimits') ?? '[]')?.value;
  for (const ulimit of Array.isArray(ulimits) ? ulimits : [ulimits]) {
    const problem = checkUlimitName(isObject(ulimit) ? field(ulimit, 'Name') : ulimit);
    if (problem) throw policyRefusal('strict', `build --ulimit ${problem.what}`, problem.why);
  }
  // With pull, the daemon moves the base image's tag to the platform asked for: another job's docker:dind, say.
  if (boolValue(query, 'pull') && (query.get('platform') ?? '') !== '') {
    throw policyRefusal('strict', 'build --pull --platform', 'the pull moves the base image\'s tag, which other jobs use, to another platform');
  }
}

/** What strict calls a request about one object in a refusal: the endpoint's last word (json reads as inspect). */
function described(method: string, route: Route): string {
  const action = /\/([a-z]+)$/.exec(route.pattern)?.[1];
  if (method === 'DELETE') return 'remove';
  return action === 'json' ? 'inspect' : action ?? method.toLowerCase();
}

/** The body sent on: the inspected one re-serialized, or the raw one when it was not JSON. */
function serialize(inspected: Inspected | undefined, raw: Buffer): Buffer {
  return inspected ? Buffer.from(JSON.stringify(inspected.body)) : raw;
}

export class RequestGuard {
  /** The IDs the job's builds gave (`/build?buildid=`): the builds it may cancel. */
  private readonly buildIds = new Set<string>();

  constructor(private readonly options: GuardOptions) {}

  private get strict(): boolean {
    return this.options.context.policy === 'strict';
  }

  /**
   * Policy refusals by endpoint, and strict's own-objects rule, from the
   * method, target and headers alone. Answers the target to forward instead
   * (the reference pinned to the full ID that was checked), or undefined for
   * the request's own. Throws Refused.
   */
  async checkRoute(route: Route, req: http.IncomingMessage): Promise<string | undefined> {
    if (!this.strict) return undefined;
    const { ownership } = this.options;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    // The daemon reads form values from a url-encoded body before the query: strict checks the query only.
    if (/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      throw policyRefusal('strict', 'a form-encoded request body', 'the proxy checks parameters in the query only');
    }
    if (route.pattern === '/build/cancel' && !this.buildIds.has(route.query.get('id') ?? '')) {
      throw policyRefusal('strict', `cancelling the build ${route.query.get('id') ?? ''}`, 'it is not a build of this job');
    }
    switch (route.kind) {
      case 'unknown':
        throw policyRefusal('strict', `${method} ${routePath(url)}`, 'it is not an Engine API endpoint the proxy knows (API 1.41 to 1.51); strict forwards only those');
      case 'forbidden':
        throw policyRefusal('strict', route.refusal!.what, route.refusal!.why);
      case 'prune':
        return this.checkPrune(route);
      case 'build': {
        buildQueryProblem(route.query);
        const mode = route.query.get('networkmode') ?? '';
        if (mode.toLowerCase() === 'host') throw policyRefusal('strict', 'build --network host', "it shares the host's network stack");
        const joined = /^container:(.+)$/.exec(mode);
        const target = joined ? withQuery(url, 'networkmode', `container:${await ownership.ownContainer(joined[1]!, `build --network ${mode}`)}`) : undefined;
        if (!joined) await ownership.ownNetworks([{ ref: mode, what: `build --network ${mode}` }]);
        // Recorded once the build passed: a refused one cannot make another job's build ID the job's.
        if ((route.query.get('buildid') ?? '') !== '') this.buildIds.add(route.query.get('buildid')!);
        return target;
      }
      case 'container-start': {
        // The daemon joins the networks its config names when it starts, resolving their names again then.
        const { id, json } = await ownership.ownContainerConfig(route.ref, 'start');
        await ownership.ownNetworks(containerNetworks(json));
        await this.checkMounts(json);
        return pinnedUrl(url, route, id);
      }
      case 'container':
        if (!MOUNTING.test(route.pattern)) return pinnedUrl(url, route, await ownership.ownContainer(route.ref, described(method, route)));
        {
          const { id, json } = await ownership.ownContainerConfig(route.ref, described(method, route));
          await this.checkMounts(json);
          return pinnedUrl(url, route, id);
        }
      case 'container-update':
      case 'exec-create':
        return pinnedUrl(url, route, await ownership.ownContainer(route.ref, described(method, route)));
      case 'exec':
        return pinnedUrl(url, route, await ownership.ownExec(route.ref, `exec ${described(method, route)}`));
      case 'commit':
        return withQuery(url, 'container', await ownership.ownContainer(route.ref, 'commit'));
      case 'volume':
        return pinnedUrl(url, route, await ownership.ownObject('volume', route.ref, `${method === 'DELETE' ? 'remove' : 'update'} volume`));
      case 'network-remove':
        return pinnedUrl(url, route, await ownership.ownObject('network', route.ref, 'network remove'));
      default:
        return undefined; // network connect and disconnect are pinned in prepare(), with the container in the body
    }
  }

  /** The daemon mounts binds again at each start and cp, following links as they are then: checked again first (mount-check.ts). */
  private async checkMounts(container: unknown): Promise<void> {
    const refusal = await checkContainerMounts(container, this.options.context, this.options.volumes);
    if (refusal) throw refusal;
  }

  /** strict scopes container, volume and network prunes to the job's labels; image and build-cache prunes act on every job's. */
  private checkPrune(route: Route): undefined {
    if (route.pattern === '/images/prune') throw policyRefusal('strict', 'docker image prune', "it removes every job's unused images, and the proxy cannot tell the job's own");
    if (route.pattern === '/build/prune') throw policyRefusal('strict', 'docker builder prune', "the build cache is every job's, and the proxy cannot tell the job's own");
    return undefined;
  }

  /** checkRoute, then the body read and inspected where the route needs it: how the request goes on. Throws Refused. */
  async prepare(route: Route, req: http.IncomingMessage): Promise<Forwarding> {
    const pinned = await this.checkRoute(route, req);
    const path = pinned === undefined ? {} : { path: pinned };
    const { context, ownership } = this.options;
    switch (route.kind) {
      case 'container-create': {
        const { raw, inspected } = await this.inspectBody(req, (body) => inspectContainerCreate(body, context), route);
        if (inspected && this.strict) await this.ownReferences(inspected);
        if (inspected) await ownership.prepareVolumes(inspected.volumes);
        return { body: serialize(inspected, raw), explainErrors: true };
      }
      case 'network-create':
      case 'volume-create':
      case 'exec-create': {
        const inspect = route.kind === 'network-create' ? inspectNetworkCreate : route.kind === 'volume-create' ? inspectVolumeCreate : inspectExecCreate;
        const { raw, inspected } = await this.inspectBody(req, (body) => inspect(body, context), route);
        return { ...path, body: serialize(inspected, raw) };
      }
      case 'container-start': {
        const { raw, inspected } = await this.inspectBody(req, (body) => inspectStartBody(body, context), route);
        if (inspected && this.strict) await this.ownReferences(inspected);
        if (inspected) await ownership.prepareVolumes(inspected.volumes);
        return { ...path, body: serialize(inspected, raw), explainErrors: true };
      }
      case 'container-update':
      case 'exec': {
        // Bodies with no labels to add or paths to translate: strict reads them to check their fields.
        if (!this.strict || (route.kind === 'exec' && !route.pattern.endsWith('/start'))) return path;
        const { raw, inspected } = await this.inspectBody(req, emptyInspection, route);
        return { ...path, body: serialize(inspected, raw) };
      }
      case 'build':
      case 'image-write':
        return this.strict ? { ...path, ...(await this.checkImageWrite(route, req)) } : {};
      case 'network-connect':
      case 'network-disconnect':
        return this.strict ? this.pinNetwork(route, req) : {};
      case 'prune':
        return this.strict ? { path: this.scopedPrune(req.url ?? '/') } : {};
      default:
        return path;
    }
  }

  /** strict: the containers and networks a container's config names are the job's own; joins pinned to full IDs. */
  private async ownReferences(inspected: Inspected): Promise<void> {
    await this.options.ownership.ownJoins(inspected.joins);
    await this.options.ownership.ownNetworks(inspected.networks);
  }

  /** Reads, inspects and logs a JSON body; an empty one has no inspection, and only policy none forwards one that is not JSON. */
  private async inspectBody(req: http.IncomingMessage, inspect: (body: unknown) => Inspected, route: Route): Promise<{ raw: Buffer; inspected?: Inspected }> {
    const raw = await readBody(req, MAX_INSPECTED_BODY);
    const text = raw.toString('utf8');
    const parsed = parseFirstJsonValue(text);
    if (!parsed) {
      // An empty body is no body (a start without a HostConfig); any other must be read to be checked.
      const { policy } = this.options.context;
      if (policy !== 'none' && text.trim() !== '') throw new Refused(400, `setup-dind dood-policy ${policy}: a request body that is not JSON is not allowed (the proxy must read what it forwards)`);
      return { raw };
    }
    const object = BODY_OBJECTS[route.kind];
    if (this.strict && object) {
      const problem = fieldProblems(object, parsed.value);
      if (problem) throw problem;
    }
    const inspected = inspect(parsed.value);
    for (const note of inspected.notes) this.options.log(note);
    return { raw, inspected };
  }

  /** strict: a container connected or disconnected, pinned to the full IDs that were checked. */
  private async pinNetwork(route: Route, req: http.IncomingMessage): Promise<Forwarding> {
    const { ownership } = this.options;
    const url = req.url ?? '/';
    const action = route.kind === 'network-connect' ? 'connect' : 'disconnect';
    const raw = await readBody(req, MAX_INSPECTED_BODY);
    const parsed = parseFirstJsonValue(raw.toString('utf8'));
    if (!parsed) throw policyRefusal('strict', `network ${action} with a body that is not JSON`, 'the proxy must know which container it is');
    const problem = fieldProblems(route.kind === 'network-connect' ? 'network-connect' : 'network-disconnect', parsed.value);
    if (problem) throw problem;
    const pinned = await ownership.pinNetworkMembership(route.ref, `network ${action}`, parsed.value);
    return { body: Buffer.from(JSON.stringify(pinned.body)), path: pinnedUrl(url, route, pinned.network) };
  }

  /**
   * strict: a request that writes or removes image tags (build -t, tag,
   * commit, import, load, rmi) may create new tags and change only the job's
   * own (tags.ts). A load's tags are in its archive: it streams through a
   * watcher that holds back the archive's end until they are checked.
   */
  private async checkImageWrite(route: Route, req: http.IncomingMessage): Promise<Forwarding> {
    const url = req.url ?? '/';
    const request = imageRequest(req.method ?? 'GET', routePath(url), route.query);
    if (!request) return {};
    if (request.kind === 'load') return { through: new LoadArchiveWatcher((names) => this.options.tags.checkLoad(names)) };
    const decision = await this.options.tags.decide(request, url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    if (decision.note) this.options.log(decision.note);
    return decision.path ? { path: withRoutePath(url, decision.path) } : {};
  }

  /** strict: a prune's target with the job's label filters added. */
  private scopedPrune(url: string): string {
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    return `${url.split('?')[0]}?${scopePruneFilters(query, this.options.context.labels)}`;
  }
}
