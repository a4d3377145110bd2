/**
 * What the proxy does to each request before it goes on: the policy's
 * refusals by endpoint, the body checks of inspect.ts, strict's ownership
 * checks, and the rewrites that pin a request to what was checked. The
 * answer is a Forwarding for the forwarder, or a Refused.
 */
import type http from 'node:http';
import type { Forwarding } from './forwarder.js';
import {
  inspectContainerCreate,
  inspectExecCreate,
  inspectNetworkCreate,
  inspectStartBody,
  inspectVolumeCreate,
  scopePruneFilters,
  type Inspected,
  type InspectionContext,
} from './inspect.js';
import { parseFirstJsonValue } from './json.js';
import type { Ownership } from './ownership.js';
import { policyRefusal, Refused } from './refused.js';
import { routePath, withRoutePath, type Route } from './routes.js';
import { MAX_INSPECTED_BODY, readBody } from './wire.js';

export interface GuardOptions {
  context: InspectionContext;
  ownership: Ownership;
  log: (line: string) => void;
}

/** The daemon routes http://host/path targets by their path: only plain paths are inspected, so only those pass. */
export function targetRefusal(url: string): Refused | undefined {
  return url.startsWith('/') ? undefined : new Refused(400, `setup-dind dood proxy: the request target must be a path, not ${url.slice(0, 100)}`);
}

/** Only requests about a container and those the proxy leaves alone may hijack the connection: the others' bodies are inspected. */
export function upgradeRefusal(method: string, url: string, route: Route): Refused | undefined {
  if (route.kind === 'container' || route.kind === 'other') return undefined;
  return new Refused(400, `setup-dind dood proxy: ${method} ${routePath(url)} does not take a connection upgrade.`);
}

/** The body sent on: the inspected one re-serialized, or the raw one when it was not JSON. */
function serialize(inspected: Inspected | undefined, raw: Buffer): Buffer {
  return inspected ? Buffer.from(JSON.stringify(inspected.body)) : raw;
}

export class RequestGuard {
  constructor(private readonly options: GuardOptions) {}

  private get strict(): boolean {
    return this.options.context.policy === 'strict';
  }

  /** Policy refusals by endpoint, and strict's own-objects rule, from the method, target and headers alone. Throws Refused. */
  async checkRoute(route: Route, req: http.IncomingMessage): Promise<void> {
    if (!this.strict) return;
    const { ownership } = this.options;
    const method = req.method ?? 'GET';
    // The daemon reads form values from a url-encoded body before the query: strict checks the query only.
    if (/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      throw policyRefusal('strict', 'a form-encoded request body', 'the proxy checks parameters in the query only');
    }
    switch (route.kind) {
      case 'forbidden':
        throw policyRefusal('strict', route.what, route.why);
      case 'build':
        if (route.networkMode.toLowerCase() === 'host') throw policyRefusal('strict', 'build --network host', "it shares the host's network stack");
        return;
      case 'container':
        await ownership.ownContainer(route.ref, `${method} ${route.action ? `/${route.action}` : ''}`.trim());
        return;
      case 'container-start':
        await ownership.ownContainer(route.ref, 'start');
        return;
      case 'exec-create':
        await ownership.ownContainer(route.ref, 'exec');
        return;
      case 'commit':
        await ownership.ownContainer(route.ref, 'commit');
        return;
      case 'volume':
        await ownership.ownObject('volume', route.ref, `${method} volume`);
        return;
      case 'network':
        return; // resolved and pinned to its ID in prepare()
      default:
        return;
    }
  }

  /** checkRoute, then the body read and inspected where the route needs it: how the request goes on. Throws Refused. */
  async prepare(route: Route, req: http.IncomingMessage): Promise<Forwarding> {
    await this.checkRoute(route, req);
    const { context, ownership } = this.options;
    switch (route.kind) {
      case 'container-create': {
        const { raw, inspected } = await this.inspectBody(req, (body) => inspectContainerCreate(body, context));
        if (inspected && this.strict) await ownership.ownJoins(inspected.joins);
        if (inspected) await ownership.prepareVolumes(inspected.volumes);
        return { body: serialize(inspected, raw), explainErrors: true };
      }
      case 'network-create':
      case 'volume-create':
      case 'exec-create': {
        const inspect = route.kind === 'network-create' ? inspectNetworkCreate : route.kind === 'volume-create' ? inspectVolumeCreate : inspectExecCreate;
        const { raw, inspected } = await this.inspectBody(req, (body) => inspect(body, context));
        return { body: serialize(inspected, raw) };
      }
      case 'container-start': {
        const { raw, inspected } = await this.inspectBody(req, (body) => inspectStartBody(body, context));
        if (inspected && this.strict) await ownership.ownJoins(inspected.joins);
        return { body: serialize(inspected, raw), explainErrors: true };
      }
      case 'network':
        return this.strict ? this.pinNetwork(route, req) : {};
      case 'prune':
        return this.strict ? { path: this.scopedPrune(req.url ?? '/') } : {};
      default:
        return {};
    }
  }

  /** Reads, inspects and logs a JSON body; a body that is not JSON has no inspection. */
  private async inspectBody(req: http.IncomingMessage, inspect: (body: unknown) => Inspected): Promise<{ raw: Buffer; inspected?: Inspected }> {
    const raw = await readBody(req, MAX_INSPECTED_BODY);
    const parsed = parseFirstJsonValue(raw.toString('utf8'));
    if (!parsed) return { raw };
    const inspected = inspect(parsed.value);
    for (const note of inspected.notes) this.options.log(note);
    return { raw, inspected };
  }

  /** strict: a network removed, or a container connected or disconnected, pinned to the full IDs that were checked. */
  private async pinNetwork(route: Extract<Route, { kind: 'network' }>, req: http.IncomingMessage): Promise<Forwarding> {
    const { ownership } = this.options;
    const url = req.url ?? '/';
    if (route.action === 'remove') {
      const id = await ownership.ownObject('network', route.ref, 'network remove');
      return { path: withRoutePath(url, `/networks/${encodeURIComponent(id)}`) };
    }
    const raw = await readBody(req, MAX_INSPECTED_BODY);
    const parsed = parseFirstJsonValue(raw.toString('utf8'));
    if (!parsed) throw policyRefusal('strict', `network ${route.action} with a body that is not JSON`, 'the proxy must know which container it is');
    const pinned = await ownership.pinNetworkMembership(route.ref, `network ${route.action}`, parsed.value);
    return { body: Buffer.from(JSON.stringify(pinned.body)), path: withRoutePath(url, `/networks/${encodeURIComponent(pinned.network)}/${route.action}`) };
  }

  /** strict: a prune's target with the job's label filters added. */
  private scopedPrune(url: string): string {
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    return `${url.split('?')[0]}?${scopePruneFilters(query, this.options.context.labels)}`;
  }
}
