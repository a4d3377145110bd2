/**
 * The proxy's own requests to the daemon (ownership look-ups, volumes it
 * creates, tag claims, the container list for a port conflict), each on its own
 * connection and read whole, as JSON.
 */
import http from 'node:http';
import type net from 'node:net';
import { parseFirstJsonValue, type Json, type JsonAnswer } from './json.js';
import type { DaemonLookup, ObjectKind } from './ownership.js';
import type { ListedContainer } from './port-conflict.js';
import type { PingAnswer } from './ping-cache.js';
import type { ClaimDaemon } from './tag-claims.js';
import type { ImageLookup } from './tags.js';
import { MAX_ERROR_BODY, readBody } from './wire.js';

export interface DaemonClient extends DaemonLookup, ImageLookup, ClaimDaemon {
  /** HEAD /_ping: its status and headers. */
  ping(): Promise<PingAnswer>;
  /** GET /containers/json: the running containers (an empty list when the answer is not one). */
  listContainers(): Promise<ListedContainer[]>;
}

/** Where each kind of object is inspected. */
const INSPECT_PATHS: Record<ObjectKind, (ref: string) => string> = {
  container: (ref) => `/containers/${encodeURIComponent(ref)}/json`,
  exec: (ref) => `/exec/${encodeURIComponent(ref)}/json`,
  volume: (ref) => `/volumes/${encodeURIComponent(ref)}`,
  network: (ref) => `/networks/${encodeURIComponent(ref)}`,
};

/** A client of the daemon at `upstreamPath`; `track` gets each connection, so the proxy's close ends it. */
export function daemonClient(upstreamPath: string, track: (socket: net.Socket) => void): DaemonClient {
  // With the raw headers: the ping's answer is its headers.
  const send = (method: string, path: string, body?: unknown, limit = MAX_ERROR_BODY): Promise<JsonAnswer & { rawHeaders: string[] }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = { Host: 'docker', ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) };
      const sent = http.request({ socketPath: upstreamPath, method, path, agent: false, headers }, (response) => {
        readBody(response, limit).then(
          (data) => resolve({ status: response.statusCode ?? 0, json: parseFirstJsonValue(data.toString('utf8'))?.value, rawHeaders: response.rawHeaders }),
          reject,
        );
      });
      sent.on('socket', (socket) => track(socket));
      sent.on('error', reject);
      sent.end(payload);
    });
  const request = async (method: string, path: string, body?: unknown, limit?: number): Promise<JsonAnswer> => {
    const { status, json } = await send(method, path, body, limit);
    return { status, json };
  };
  return {
    ping: async (): Promise<PingAnswer> => {
      const { status, rawHeaders } = await send('HEAD', '/_ping');
      return { status, rawHeaders };
    },
    inspect: (kind, ref) => request('GET', INSPECT_PATHS[kind](ref)),
    createVolume: (spec: Json) => request('POST', '/volumes/create', spec),
    inspectImage: (ref) => request('GET', `/images/${encodeURIComponent(ref)}/json`),
    removeVolume: (name) => request('DELETE', `/volumes/${encodeURIComponent(name)}`),
    inspectVolume: (name) => request('GET', INSPECT_PATHS.volume(name)),
    listContainers: async () => {
      // The list of every container can be long: a larger limit than for one object.
      const { json } = await request('GET', '/containers/json', undefined, 64 << 20);
      return Array.isArray(json) ? (json as ListedContainer[]) : [];
    },
  };
}
