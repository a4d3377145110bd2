/**
 * The DooD proxy (startProxy) driven over its unix socket in front of a FAKE
 * Engine API: a node:http server on a unix socket that records every request
 * it receives and answers the few endpoints the proxy consults (container,
 * volume inspect, volume create, ping) the way the daemon does. Each test is
 * judged by its effect on that fake daemon: a request strict must refuse
 * never reaches it (the client gets the API error, status and JSON message),
 * the same request on the job's own object does reach it.
 *
 * The client's requests carry an X-Test-Client header the proxy forwards;
 * the proxy's own look-ups (GET /containers/{id}/json, GET /volumes/{name},
 * POST /volumes/create) do not, so `forwarded()` is exactly what the job got
 * through to the daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoodPolicy } from '../../src/dood/policy.js';
import { startProxy, type RunningProxy } from '../../src/dood/proxy.js';
import { rawExchange } from '../support/raw-http.js';

const OURS = {
  'setup-dind.owner': 'github:o/r/run/1',
  'setup-dind.instance': 'job-a',
  'setup-dind.role': 'job',
  'setup-dind.created': '1700000000',
};
/** Another job of the same run: every label the same but the instance. */
const THEIRS = { ...OURS, 'setup-dind.instance': 'job-b' };
const CLIENT = 'x-test-client';
const OWN_CONTAINER_REFUSAL = /^setup-dind dood-policy strict: .+ is not allowed \(the container was not created by this job; strict keeps the job to its own containers\)$/;

type Labels = Record<string, string> | null;

/** What a strict proxy asks when it starts: the tags there are, and the event stream it follows (restart-watcher.ts). */
const STARTUP = new Set(['/images/json', '/events']);

interface Seen {
  method: string;
  /** The path as sent, with the query. */
  url: string;
  /** The path without query and API version prefix. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  upgrade: boolean;
}

interface FakeContainer {
  Id: string;
  Name: string;
  Labels: Labels;
}

/** The Engine API, as far as the proxy consults it; everything else is answered 200 {} (204 for DELETE and start). */
class FakeDaemon {
  readonly seen: Seen[] = [];
  readonly containers: FakeContainer[] = [];
  readonly volumes = new Map<string, Labels>();
  readonly networks = new Map<string, Labels>();
  /** Exec instances: ID -> their container's ID. */
  readonly execs = new Map<string, string>();
  /** Answer GET /containers/{id}/json with this status (and a daemon error) instead. */
  inspectFailure: number | undefined;
  private readonly server: http.Server;

  constructor(readonly socketPath: string) {
    this.server = http.createServer((req, res) => void this.request(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      this.record(req, '', true);
      socket.on('error', () => {});
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.end('upgraded-stream');
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  addContainer(name: string, labels: Labels): FakeContainer {
    const container = { Id: `${name.replace(/[^a-z0-9]/g, '')}${'0'.repeat(64)}`.slice(0, 64), Name: `/${name}`, Labels: labels };
    this.containers.push(container);
    return container;
  }

  findContainer(ref: string): FakeContainer | undefined {
    return this.containers.find((container) => container.Name === `/${ref}` || container.Id === ref || (ref.length >= 6 && container.Id.startsWith(ref)));
  }

  /** Every request but strict's start-up ones. */
  requests(): Seen[] {
    return this.seen.filter((request) => !STARTUP.has(request.path));
  }

  /** What the job's requests brought to the daemon (the proxy's own look-ups left out). */
  forwarded(): Seen[] {
    return this.seen.filter((request) => request.headers[CLIENT] !== undefined);
  }

  /** The proxy's own requests, but strict's start-up ones. */
  ownRequests(): Seen[] {
    return this.seen.filter((request) => request.headers[CLIENT] === undefined && !STARTUP.has(request.path));
  }

  private record(req: http.IncomingMessage, body: string, upgrade: boolean): Seen {
    const url = req.url ?? '/';
    const path = decodeURIComponent(url.split('?')[0]!).replace(/^\/v[0-9.]+(?=\/)/, '');
    const seen = { method: req.method ?? 'GET', url, path, headers: req.headers, body, upgrade };
    this.seen.push(seen);
    return seen;
  }

  private async request(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { method, path, url } = this.record(req, Buffer.concat(chunks).toString('utf8'), false);
    const body = this.seen[this.seen.length - 1]!.body;
    if (path === '/events') {
      // As the daemon does: the stream stays open, with no events here.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return;
    }
    const answer = (status: number, json?: unknown) => {
      const text = json === undefined ? '' : `${JSON.stringify(json)}\n`;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Api: '1.47' });
      res.end(text);
    };
    let match: RegExpExecArray | null;
    if (path === '/_ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.47' });
      res.end('OK');
      return;
    }
    if (path === '/version') return answer(200, { Version: '27.5.1', ApiVersion: '1.47', MinAPIVersion: '1.24' });
    if (method === 'POST' && path === '/containers/create') {
      const parsed = JSON.parse(body || '{}') as { Labels?: Labels };
      const name = new URLSearchParams(url.split('?')[1] ?? '').get('name') ?? `anon${this.containers.length}`;
      const created = this.addContainer(name, parsed.Labels ?? null);
      return answer(201, { Id: created.Id, Warnings: [] });
    }
    if (method === 'POST' && path === '/volumes/create') {
      const parsed = JSON.parse(body || '{}') as { Name?: string; Labels?: Labels };
      this.volumes.set(parsed.Name ?? 'anon', parsed.Labels ?? null);
      return answer(201, { Name: parsed.Name, Driver: 'local', Labels: parsed.Labels ?? null });
    }
    if ((match = /^\/volumes\/(.+)$/.exec(path)) && method === 'GET') {
      const name = match[1]!;
      if (!this.volumes.has(name)) return answer(404, { message: `get ${name}: no such volume` });
      return answer(200, { Name: name, Driver: 'local', Labels: this.volumes.get(name), Scope: 'local' });
    }
    if ((match = /^\/networks\/(.+)$/.exec(path)) && method === 'GET') {
      const name = match[1]!;
      if (!this.networks.has(name)) return answer(404, { message: `network ${name} not found` });
      return answer(200, { Name: name, Id: `${name.replace(/[^a-z0-9]/g, '')}${'0'.repeat(64)}`.slice(0, 64), Driver: 'bridge', Labels: this.networks.get(name) });
    }
    if ((match = /^\/exec\/([^/]+)\/json$/.exec(path)) && method === 'GET') {
      const container = this.execs.get(match[1]!);
      if (!container) return answer(404, { message: `No such exec instance: ${match[1]}` });
      return answer(200, { ID: match[1], ContainerID: container, Running: false });
    }
    if ((match = /^\/containers\/([^/]+)(?:\/(.*))?$/.exec(path)) && !(match[2] === undefined && ((method === 'GET' && match[1] === 'json') || (method === 'POST' && match[1] === 'prune')))) {
      const container = this.findContainer(match[1]!);
      if (match[2] === 'json' && method === 'GET' && this.inspectFailure !== undefined) return answer(this.inspectFailure, { message: 'the daemon is having a bad day' });
      if (!container) return answer(404, { message: `No such container: ${match[1]}` });
      if (match[2] === 'json') return answer(200, { Id: container.Id, Name: container.Name, Config: { Image: 'busybox', Labels: container.Labels } });
      if (match[2] === 'exec') {
        const id = `${container.Id.slice(0, 8)}${'e'.repeat(56)}`;
        this.execs.set(id, container.Id);
        return answer(201, { Id: id });
      }
      if (method === 'DELETE' || match[2] === 'start' || match[2] === 'stop' || match[2] === 'kill') return answer(204);
      return answer(200, {});
    }
    if (method === 'DELETE') return answer(204);
    return answer(200, {});
  }
}

interface Harness {
  daemon: FakeDaemon;
  listenPath: string;
  log: string[];
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(policy: DoodPolicy, allowedBindRoots: string[] = []): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'setup-dind-proxy-policy-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const daemon = new FakeDaemon(join(dir, 'daemon.sock'));
  await daemon.listen();
  cleanups.push(() => daemon.close());
  daemon.addContainer('mine', { ...OURS, 'com.docker.compose.service': 'db' });
  daemon.addContainer('mine2', OURS);
  daemon.addContainer('foreign', THEIRS);
  daemon.addContainer('hostbox', null);
  daemon.addContainer('owneronly', { 'setup-dind.owner': OURS['setup-dind.owner'] });
  daemon.volumes.set('myvol', OURS);
  daemon.volumes.set('theirvol', THEIRS);
  daemon.volumes.set('hostvol', null);
  daemon.networks.set('jobnet', OURS);
  daemon.networks.set('theirnet', THEIRS);
  daemon.networks.set('job/net', OURS);
  daemon.networks.set('their/net', THEIRS);
  daemon.networks.set('bridge', null);
  const log: string[] = [];
  const listenPath = join(dir, 'proxy.sock');
  const proxy: RunningProxy = await startProxy({
    listenPath,
    upstreamPath: daemon.socketPath,
    labels: OURS,
    policy,
    allowedBindRoots,
    socketPaths: [daemon.socketPath],
    log: (line) => log.push(line),
  });
  cleanups.push(() => proxy.close());
  return { daemon, listenPath, log };
}

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** One API request through the proxy, as the docker CLI would send it. */
function call(job: Harness, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const request = http.request(
      {
        socketPath: job.listenPath,
        method,
        path: url,
        agent: false,
        headers: {
          Host: 'docker',
          [CLIENT]: '1',
          ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, text, json });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** A hijacking request (attach, exec start) on a raw socket: the whole answer, up to the close. */
async function upgradeCall(job: Harness, method: string, url: string, body = ''): Promise<{ status: number; raw: string; json: unknown }> {
  const raw = await rawExchange(
    job.listenPath,
    `${method} ${url} HTTP/1.1\r\nHost: docker\r\nX-Test-Client: 1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
  const tail = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  let json: unknown;
  try {
    json = JSON.parse(tail);
  } catch {
    json = undefined;
  }
  return { status, raw, json };
}

/** strict refused with 403 and the own-containers message naming `what`; nothing reached the daemon. */
function expectOwnershipRefusal(job: Harness, answer: { status: number; json: unknown }, what: string): void {
  expect(answer.status).toBe(403);
  expect(answer.json).toEqual({ message: expect.stringMatching(OWN_CONTAINER_REFUSAL) });
  expect((answer.json as { message: string }).message).toContain(what);
  expect(job.daemon.forwarded()).toEqual([]);
  expect(job.log.filter((line) => line.startsWith('refused'))).toHaveLength(1);
}

/** The fake daemon's full ID of a container. */
function idOf(job: Harness, name: string): string {
  return job.daemon.findContainer(name)!.Id;
}

function forwardedBody(job: Harness, index = 0): Record<string, unknown> {
  return JSON.parse(job.daemon.forwarded()[index]!.body) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------

/** Every verb on one container that strict guards as "any other request about one container" (checkRoute 'container'). */
const CONTAINER_VERBS: Array<[method: string, action: string, body?: unknown]> = [
  ['GET', '/json'],
  ['GET', '/logs?stdout=1&stderr=1'],
  ['GET', '/top'],
  ['GET', '/changes'],
  ['GET', '/export'],
  ['GET', '/stats?stream=0'],
  ['GET', '/archive?path=/etc'],
  ['HEAD', '/archive?path=/etc'],
  ['PUT', '/archive?path=/tmp', 'tar bytes'],
  ['POST', '/stop?t=1'],
  ['POST', '/kill?signal=KILL'],
  ['POST', '/restart'],
  ['POST', '/pause'],
  ['POST', '/unpause'],
  ['POST', '/update', { Memory: 1 << 20 }],
  ['POST', '/rename?name=renamed'],
  ['POST', '/resize?h=10&w=10'],
  ['POST', '/wait?condition=not-running'],
  ['POST', '/attach?stream=1&stdout=1'],
  ['DELETE', '?force=1&v=1'],
];

describe('strict keeps the job to its own containers', () => {
  it.each(CONTAINER_VERBS)('every verb: %s /containers/{id}%s is refused on another job\'s container, forwarded on its own', async (method, action, body) => {
    const job = await setup('strict');
    const refused = await call(job, method, `/v1.47/containers/foreign${action}`, body);
    if (method === 'HEAD') {
      expect(refused.status).toBe(403);
      expect(job.daemon.forwarded()).toEqual([]);
    } else {
      expectOwnershipRefusal(job, refused, '(container foreign)');
    }
    // The proxy asked the daemon who owns it, and nothing else.
    expect(job.daemon.ownRequests().map((request) => `${request.method} ${request.path}`)).toEqual(['GET /containers/foreign/json']);

    const allowed = await call(job, method, `/v1.47/containers/mine${action}`, body);
    expect(allowed.status).toBeLessThan(300);
    // Forwarded with the full ID that was checked, not the name sent.
    expect(job.daemon.forwarded()).toMatchObject([{ method, url: `/v1.47/containers/${idOf(job, 'mine')}${action}` }]);
  });

  it('refuses the host\'s own containers (no labels) and containers that carry only some of the job\'s labels, by name or by ID', async () => {
    const job = await setup('strict');
    const hostbox = job.daemon.findContainer('hostbox')!;
    for (const url of ['/containers/hostbox?force=1', `/containers/${hostbox.Id}?force=1`, `/containers/${hostbox.Id.slice(0, 12)}?force=1`, '/containers/owneronly?force=1']) {
      const refused = await call(job, 'DELETE', url);
      expect(refused.status, url).toBe(403);
      expect((refused.json as { message: string }).message, url).toMatch(OWN_CONTAINER_REFUSAL);
    }
    // The refusal names the container by its name, however the job referred to it.
    const byId = await call(job, 'DELETE', `/containers/${hostbox.Id}`);
    expect((byId.json as { message: string }).message).toBe(
      'setup-dind dood-policy strict: remove (container hostbox) is not allowed (the container was not created by this job; strict keeps the job to its own containers)',
    );
    expect(job.daemon.forwarded()).toEqual([]);
    // The job's own container, carrying labels of its own besides the job's, by ID prefix.
    const mine = job.daemon.findContainer('mine')!;
    expect((await call(job, 'DELETE', `/containers/${mine.Id.slice(0, 12)}`)).status).toBe(204);
    expect(job.daemon.forwarded()).toHaveLength(1);
  });

  it('matches the route the way the daemon does: percent-encoding, dot segments, no version prefix', async () => {
    const job = await setup('strict');
    for (const url of ['/containers/%66oreign?force=1', '/v1.41/containers/./foreign/', '/v1.41//containers/foreign/stop', '/containers/foreign/../foreign/kill', '/containers/foreign/logs?follow=1']) {
      const method = /stop|kill/.test(url) ? 'POST' : url.includes('logs') ? 'GET' : 'DELETE';
      expect((await call(job, method, url)).status, url).toBe(403);
    }
    expect(job.daemon.forwarded()).toEqual([]);
  });

  it('answers 404 itself, in the daemon\'s words, for a container the daemon does not know: nothing unchecked is forwarded', async () => {
    const job = await setup('strict');
    const answer = await call(job, 'DELETE', '/v1.47/containers/ghost?force=1');
    expect(answer).toMatchObject({ status: 404, json: { message: 'No such container: ghost' } });
    expect(job.daemon.forwarded()).toEqual([]);
  });

  it('fails closed when the daemon cannot say who owns the container', async () => {
    const job = await setup('strict');
    job.daemon.inspectFailure = 500;
    const answer = await call(job, 'DELETE', '/v1.47/containers/mine?force=1');
    expect(answer.status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  it('POST /containers/{id}/start: refused on another job\'s container, forwarded on its own', async () => {
    const job = await setup('strict');
    expectOwnershipRefusal(job, await call(job, 'POST', '/v1.47/containers/foreign/start'), 'start (container foreign)');
    expect((await call(job, 'POST', '/v1.47/containers/mine/start')).status).toBe(204);
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: `/containers/${idOf(job, 'mine')}/start` }]);
  });

  it('POST /containers/{id}/exec: refused on another job\'s container, forwarded on its own', async () => {
    const job = await setup('strict');
    const exec = { AttachStdout: true, Cmd: ['cat', '/run/secrets/token'] };
    expectOwnershipRefusal(job, await call(job, 'POST', '/v1.47/containers/foreign/exec', exec), 'exec (container foreign)');
    const allowed = await call(job, 'POST', '/v1.47/containers/mine/exec', exec);
    expect(allowed.status).toBe(201);
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: `/containers/${idOf(job, 'mine')}/exec` }]);
    expect(forwardedBody(job)).toEqual(exec);
  });

  it('POST /commit?container=: refused on another job\'s container, forwarded on its own', async () => {
    const job = await setup('strict');
    expectOwnershipRefusal(job, await call(job, 'POST', '/v1.47/commit?container=foreign&repo=stolen&tag=1'), 'commit (container foreign)');
    // Old Go splits the query on ';' too: the proxy reads it the same way.
    expect((await call(job, 'POST', '/v1.47/commit?repo=stolen;container=hostbox')).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, 'POST', '/v1.47/commit?container=mine&repo=snapshot')).status).toBe(200);
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: '/commit', url: `/v1.47/commit?container=${idOf(job, 'mine')}&repo=snapshot` }]);
  });

  it('attach over a hijacked connection: refused on another job\'s container (the daemon never sees the upgrade), joined on its own', async () => {
    const job = await setup('strict');
    const refused = await upgradeCall(job, 'POST', '/v1.47/containers/foreign/attach?stream=1&stdin=1&stdout=1');
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ message: expect.stringMatching(OWN_CONTAINER_REFUSAL) });
    expect(job.daemon.forwarded()).toEqual([]);

    const joined = await upgradeCall(job, 'POST', '/v1.47/containers/mine/attach?stream=1&stdin=1&stdout=1');
    expect(joined.status).toBe(101);
    expect(joined.raw).toContain('upgraded-stream');
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: `/containers/${idOf(job, 'mine')}/attach`, upgrade: true }]);
  });
});

describe('strict: a new container may join only the job\'s own containers', () => {
  const JOINS: Array<[field: string, value: unknown, what: string]> = [
    ['NetworkMode', 'container:foreign', '--network container:foreign'],
    ['PidMode', 'container:foreign', '--pid container:foreign'],
    ['IpcMode', 'container:foreign', '--ipc container:foreign'],
    ['VolumesFrom', ['foreign:ro'], '--volumes-from foreign:ro'],
  ];

  it.each(JOINS)('POST /containers/create with HostConfig.%s %j: refused for another job\'s container, forwarded for its own', async (field, value, what) => {
    const job = await setup('strict');
    const refused = await call(job, 'POST', '/v1.47/containers/create?name=joiner', { Image: 'busybox', HostConfig: { [field]: value } });
    expectOwnershipRefusal(job, refused, `${what} (container foreign)`);

    const own = JSON.parse(JSON.stringify(value).replace('foreign', 'mine')) as unknown;
    const allowed = await call(job, 'POST', '/v1.47/containers/create?name=joiner', { Image: 'busybox', HostConfig: { [field]: own } });
    expect(allowed.status).toBe(201);
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: '/containers/create' }]);
    // The join is pinned to the full ID that was checked.
    const pinned = JSON.parse(JSON.stringify(value).replace('foreign', idOf(job, 'mine'))) as unknown;
    expect((forwardedBody(job).HostConfig as Record<string, unknown>)[field]).toEqual(pinned);
  });

  it('a container: mode the daemon does not have (uts, userns, cgroupns) is refused as a mode strict does not know', async () => {
    const job = await setup('strict');
    for (const field of ['UTSMode', 'UsernsMode', 'CgroupnsMode']) {
      const refused = await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { [field]: 'container:mine' } });
      expect(refused.status, field).toBe(403);
      expect((refused.json as { message: string }).message, field).toContain(`HostConfig.${field} "container:mine"`);
    }
    expect(job.daemon.forwarded()).toEqual([]);
  });

  it('checks the deprecated top-level HostConfig fields (API < 1.44) and every join, not just the first', async () => {
    const job = await setup('strict');
    expect((await call(job, 'POST', '/v1.41/containers/create', { Image: 'busybox', NetworkMode: 'container:hostbox' })).status).toBe(403);
    expect((await call(job, 'POST', '/v1.41/containers/create', { Image: 'busybox', HostConfig: { VolumesFrom: ['mine', 'mine2:rw', 'foreign'] } })).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, 'POST', '/v1.41/containers/create', { Image: 'busybox', HostConfig: { NetworkMode: 'container:mine', VolumesFrom: ['mine', 'mine2:rw'] } })).status).toBe(201);
    expect(job.daemon.forwarded()).toHaveLength(1);
  });

  it('a HostConfig sent to /start (API < 1.24) may join only the job\'s own containers', async () => {
    const job = await setup('strict');
    expectOwnershipRefusal(job, await call(job, 'POST', '/v1.23/containers/mine/start', { NetworkMode: 'container:foreign' }), '--network container:foreign (container foreign)');
    expect((await call(job, 'POST', '/v1.23/containers/mine/start', { VolumesFrom: ['foreign'] })).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, 'POST', '/v1.23/containers/mine/start', { NetworkMode: 'container:mine2' })).status).toBe(204);
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: `/containers/${idOf(job, 'mine')}/start` }]);
    expect(forwardedBody(job)).toEqual({ NetworkMode: `container:${idOf(job, 'mine2')}` });
  });
});

describe('strict: a container may use only the job\'s own named volumes', () => {
  const USES: Array<[how: string, hostConfig: (name: string) => Record<string, unknown>]> = [
    ['Binds NAME:/data', (name) => ({ Binds: [`${name}:/data:ro`] })],
    ['Mounts type=volume', (name) => ({ Mounts: [{ Type: 'volume', Source: name, Target: '/data' }] })],
  ];

  it.each(USES)('%s: another job\'s volume and a host volume are refused, the job\'s own forwarded', async (_how, hostConfig) => {
    const job = await setup('strict');
    for (const name of ['theirvol', 'hostvol']) {
      const refused = await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: hostConfig(name) });
      expect(refused, name).toMatchObject({
        status: 403,
        json: { message: `setup-dind dood-policy strict: using volume ${name} is not allowed (the volume was not created by this job)` },
      });
    }
    expect(job.daemon.forwarded()).toEqual([]);
    expect(job.daemon.ownRequests().filter((request) => request.method !== 'GET')).toEqual([]);

    expect((await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: hostConfig('myvol') })).status).toBe(201);
    expect(job.daemon.forwarded()).toMatchObject([{ method: 'POST', path: '/containers/create' }]);
    // An existing volume is not created again.
    expect(job.daemon.ownRequests().filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('a named volume that does not exist yet is created first, with the job\'s labels (and the driver asked for)', async () => {
    const job = await setup('strict');
    expect((await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Binds: ['fresh:/data'], VolumeDriver: 'local' } })).status).toBe(201);
    const created = job.daemon.ownRequests().filter((request) => request.method === 'POST');
    expect(created).toMatchObject([{ path: '/volumes/create' }]);
    expect(JSON.parse(created[0]!.body)).toEqual({ Name: 'fresh', Driver: 'local', Labels: OURS });
    // The volume create came before the container create.
    expect(job.daemon.requests().map((request) => `${request.method} ${request.path}`)).toEqual(['GET /volumes/fresh', 'POST /volumes/create', 'POST /containers/create']);
    // And it is the job's own from then on.
    expect((await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Binds: ['fresh:/again'] } })).status).toBe(201);
  });
});

describe('strict: prune removes only what the job created', () => {
  it.each(['containers', 'volumes', 'networks'])('POST /%s/prune reaches the daemon with the job\'s label filters added to the request\'s own', async (kind) => {
    const job = await setup('strict');
    const filters = encodeURIComponent(JSON.stringify({ until: { '24h': true } }));
    expect((await call(job, 'POST', `/v1.47/${kind}/prune?filters=${filters}`)).status).toBe(200);
    const [prune] = job.daemon.forwarded();
    expect(prune).toMatchObject({ method: 'POST', path: `/${kind}/prune` });
    const sent = JSON.parse(new URLSearchParams(prune!.url.split('?')[1]).get('filters')!) as Record<string, unknown>;
    expect(sent).toEqual({ until: { '24h': true }, label: Object.fromEntries(Object.entries(OURS).map(([key, value]) => [`${key}=${value}`, true])) });
  });

  it('a request cannot widen the scope: its own label filters stay, the job\'s are added; a second filters parameter is replaced', async () => {
    const job = await setup('strict');
    const wide = encodeURIComponent(JSON.stringify({ label: ['setup-dind.instance=job-b'] }));
    await call(job, 'POST', `/v1.47/volumes/prune?filters=${wide}&filters=${encodeURIComponent('{}')}`);
    const params = new URLSearchParams(job.daemon.forwarded()[0]!.url.split('?')[1]);
    expect(params.getAll('filters')).toHaveLength(1);
    const label = (JSON.parse(params.get('filters')!) as { label: Record<string, boolean> }).label;
    expect(label).toMatchObject({ 'setup-dind.instance=job-b': true, 'setup-dind.instance=job-a': true });
  });
});

describe('strict: requests the proxy cannot check', () => {
  it('refuses a form-encoded body (the daemon would read parameters from it) before any ownership look-up', async () => {
    const job = await setup('strict');
    const answer = await call(job, 'POST', '/v1.47/containers/mine/kill', 'signal=KILL', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(answer).toMatchObject({ status: 403, json: { message: 'setup-dind dood-policy strict: a form-encoded request body is not allowed (the proxy checks parameters in the query only)' } });
    expect(job.daemon.requests()).toEqual([]);
  });

  it('refuses plugins and swarm services; reading them passes', async () => {
    const job = await setup('strict');
    expect((await call(job, 'POST', '/v1.47/plugins/pull?remote=evil')).status).toBe(403);
    expect((await call(job, 'POST', '/v1.47/services/create', { Name: 's' })).status).toBe(403);
    expect((await call(job, 'POST', '/v1.47/swarm/init', {})).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, 'GET', '/v1.47/plugins')).status).toBe(200);
    expect(job.daemon.forwarded()).toHaveLength(1);
  });

  it('refuses an absolute-form request target (the daemon routes it by its path)', async () => {
    const job = await setup('strict');
    expect((await call(job, 'DELETE', 'http://docker/v1.47/containers/foreign?force=1')).status).toBe(400);
    expect(job.daemon.requests()).toEqual([]);
  });
});

describe('labels on what the job creates', () => {
  it('a container create reaches the daemon with the job\'s labels over the request\'s own; the job cannot forge the instance or owner', async () => {
    const forged = {
      Image: 'busybox',
      Labels: { mine: '1', 'setup-dind.instance': 'job-b', 'setup-dind.owner': 'someone-else' },
      labels: { 'setup-dind.role': 'forged', other: '2' },
    };
    // strict's field check refuses a field named twice (Go would merge the two).
    const strict = await setup('strict');
    expect((await call(strict, 'POST', '/v1.47/containers/create?name=fresh', forged)).status).toBe(400);
    expect(strict.daemon.forwarded()).toEqual([]);
    const job = await setup('no-privileged');
    const answer = await call(job, 'POST', '/v1.47/containers/create?name=fresh', forged);
    expect(answer.status).toBe(201);
    const body = forwardedBody(job);
    expect(Object.keys(body).filter((key) => key.toLowerCase() === 'labels')).toEqual(['Labels']);
    expect(body.Labels).toEqual({ mine: '1', other: '2', ...OURS });
    // What the job created through the proxy is its own afterwards.
    expect((await call(job, 'DELETE', '/v1.47/containers/fresh?force=1')).status).toBe(204);
  });

  it('the daemon gets exactly the body that was checked: only the first JSON value, re-serialized', async () => {
    const job = await setup('strict');
    const raw = '{"Image":"busybox","Labels":{"a":"1"}} {"Labels":{"setup-dind.instance":"job-b"},"HostConfig":{"Privileged":true}}';
    expect((await call(job, 'POST', '/v1.47/containers/create', raw)).status).toBe(201);
    const [create] = job.daemon.forwarded();
    expect(JSON.parse(create!.body)).toEqual({ Image: 'busybox', Labels: { a: '1', ...OURS } });
    expect(create!.headers['content-length']).toBe(String(Buffer.byteLength(create!.body)));
  });

  it('networks, volumes and the volumes a container creates get the job\'s labels, forged ones overwritten', async () => {
    const job = await setup('strict');
    await call(job, 'POST', '/v1.47/networks/create', { Name: 'n', Labels: { 'setup-dind.instance': 'job-b', keep: 'me' } });
    await call(job, 'POST', '/v1.47/volumes/create', { Name: 'v', Labels: { 'setup-dind.instance': 'job-b' } });
    await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Mounts: [{ Type: 'volume', Target: '/anon', VolumeOptions: { Labels: { 'setup-dind.instance': 'job-b' } } }] } });
    const [network, volume, container] = job.daemon.forwarded().map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(network!.Labels).toEqual({ keep: 'me', ...OURS });
    expect(volume!.Labels).toEqual(OURS);
    expect((container!.HostConfig as { Mounts: Array<{ VolumeOptions: unknown }> }).Mounts[0]!.VolumeOptions).toEqual({ Labels: OURS });
  });
});

describe('policies none and no-privileged keep no ownership', () => {
  it('none: another job\'s containers and volumes are reachable, privileged passes, labels are still added', async () => {
    const job = await setup('none');
    expect((await call(job, 'DELETE', '/v1.47/containers/foreign?force=1')).status).toBe(204);
    expect((await call(job, 'POST', '/v1.47/containers/foreign/exec', { Cmd: ['sh'], Privileged: true })).status).toBe(201);
    expect((await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Privileged: true, NetworkMode: 'container:foreign', Binds: ['theirvol:/x', '/etc:/etc'] } })).status).toBe(201);
    expect((await call(job, 'POST', '/v1.47/containers/prune')).status).toBe(200);
    expect(job.daemon.forwarded().map((request) => `${request.method} ${request.path}`)).toEqual([
      'DELETE /containers/foreign',
      'POST /containers/foreign/exec',
      'POST /containers/create',
      'POST /containers/prune',
    ]);
    expect(forwardedBody(job, 2).Labels).toEqual(OURS);
    expect(job.daemon.forwarded()[3]!.url).toBe('/v1.47/containers/prune');
    // No ownership look-ups at all.
    expect(job.daemon.ownRequests().filter((request) => request.path.startsWith('/containers/'))).toEqual([]);
  });

  it('no-privileged: refuses privileged containers and execs only; other jobs\' objects, host namespaces and binds pass', async () => {
    const job = await setup('no-privileged');
    expect(await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Privileged: true } })).toMatchObject({
      status: 403,
      json: { message: 'setup-dind dood-policy no-privileged: --privileged is not allowed (a privileged container has full access to the host)' },
    });
    expect(await call(job, 'POST', '/v1.47/containers/mine/exec', { Cmd: ['sh'], Privileged: true })).toMatchObject({
      status: 403,
      json: { message: 'setup-dind dood-policy no-privileged: exec --privileged is not allowed (a privileged process has full access to the host)' },
    });
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, 'POST', '/v1.47/containers/foreign/kill')).status).toBe(204);
    expect((await call(job, 'POST', '/v1.47/commit?container=foreign')).status).toBe(200);
    expect((await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { NetworkMode: 'host', VolumesFrom: ['foreign'], Binds: ['theirvol:/x', '/etc:/etc'] } })).status).toBe(201);
    expect(await upgradeCall(job, 'POST', '/v1.47/containers/foreign/attach?stream=1')).toMatchObject({ status: 101 });
    expect((await call(job, 'POST', '/v1.47/volumes/prune')).status).toBe(200);
    expect(job.daemon.forwarded().map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /v1.47/containers/foreign/kill',
      'POST /v1.47/commit?container=foreign',
      'POST /v1.47/containers/create',
      'POST /v1.47/containers/foreign/attach?stream=1',
      'POST /v1.47/volumes/prune',
    ]);
    expect(job.daemon.ownRequests().filter((request) => request.path.startsWith('/containers/'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------

describe('strict keeps the job to its own volumes and networks', () => {
  /** The fake daemon's full ID of a network or container, as the proxy pins it. */
  const fullId = (name: string) => `${name.replace(/[^a-z0-9]/g, '')}${'0'.repeat(64)}`.slice(0, 64);

  it.each([
    ['DELETE', '/volumes/{}?force=1', 'volume', 'theirvol', 'myvol', '/volumes/myvol'],
    ['PUT', '/volumes/{}?version=1', 'volume', 'hostvol', 'myvol', '/volumes/myvol'],
    ['DELETE', '/networks/{}', 'network', 'theirnet', 'jobnet', `/networks/${fullId('jobnet')}`],
    ['DELETE', '/networks/{}', 'network', 'their/net', 'job/net', `/networks/${fullId('job/net')}`],
  ])('%s %s: refused on another job\'s %s (%s), forwarded on its own, pinned to what was checked', async (method, path, kind, theirs, ours, pinned) => {
    const job = await setup('strict');
    const refused = await call(job, method, `/v1.47${path.replace('{}', theirs)}`, method === 'PUT' ? {} : undefined);
    expect(refused.status).toBe(403);
    expect((refused.json as { message: string }).message).toContain(`(${kind} ${theirs}) is not allowed (the ${kind} was not created by this job`);
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, method, `/v1.47${path.replace('{}', ours)}`, method === 'PUT' ? {} : undefined)).status).toBeLessThan(300);
    expect(job.daemon.forwarded()).toMatchObject([{ method, path: pinned }]);
    expect(job.daemon.forwarded()[0]!.url).toMatch(/^\/v1\.47\//);
  });

  it('a volume or network that does not exist is answered 404 by the proxy, never forwarded', async () => {
    const job = await setup('strict');
    expect((await call(job, 'DELETE', '/v1.47/volumes/nosuch')).status).toBe(404);
    expect((await call(job, 'DELETE', '/v1.47/networks/nosuch')).status).toBe(404);
    expect((await call(job, 'POST', '/v1.47/networks/nosuch/connect', { Container: 'mine' })).status).toBe(404);
    expect((await call(job, 'POST', '/v1.47/networks/jobnet/connect', { Container: 'nosuch' })).status).toBe(404);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  it('network connect/disconnect: both the container and the network must be the job\'s (the default bridge too may be joined)', async () => {
    const job = await setup('strict');
    const cases = [['bridge', 'foreign'], ['jobnet', 'hostbox'], ['theirnet', 'mine'], ['their/net', 'mine'], ['jobnet', '']] as const;
    for (const [network, container] of cases) {
      for (const action of ['connect', 'disconnect']) {
        expect((await call(job, 'POST', `/v1.47/networks/${network}/${action}`, { Container: container, Force: true })).status).toBe(403);
      }
    }
    expect((await call(job, 'POST', '/v1.47/networks/jobnet/connect', 'not json')).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
    expect((await call(job, 'POST', '/v1.47/networks/jobnet/connect', { container: 'mine' })).status).toBe(200);
    expect((await call(job, 'POST', '/v1.47/networks/bridge/disconnect', { Container: 'mine2' })).status).toBe(200);
    expect((await call(job, 'POST', '/v1.47/networks/job%2Fnet/connect', { Container: 'mine' })).status).toBe(200);
    // Forwarded with the full IDs that were checked, not the names or prefixes the client sent.
    expect(job.daemon.forwarded().map((request) => [request.path, JSON.parse(request.body)])).toEqual([
      [`/networks/${fullId('jobnet')}/connect`, { container: fullId('mine') }],
      ['/networks/bridge/disconnect', { Container: fullId('mine2') }],
      [`/networks/${fullId('job/net')}/connect`, { Container: fullId('mine') }],
    ]);
  });

  it('DELETE /networks/NAME/connect removes the network named NAME/connect: checked as that', async () => {
    const job = await setup('strict');
    job.daemon.networks.set('ci/connect', THEIRS);
    expect((await call(job, 'DELETE', '/v1.47/networks/ci/connect', { Container: 'mine' })).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  it('none: other jobs\' volumes and networks stay reachable', async () => {
    const job = await setup('none');
    expect((await call(job, 'DELETE', '/v1.47/volumes/theirvol')).status).toBeLessThan(300);
    expect((await call(job, 'POST', '/v1.47/networks/theirnet/connect', { Container: 'foreign' })).status).toBeLessThan(300);
    expect(job.daemon.forwarded()).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------
// Holes found by review and closed since: each was written as the test it
// should pass and marked it.fails until the proxy refused it.

describe('strict: holes found by review, closed', () => {
  // classifyRequest skipped /containers/{json,create,prune}/... as container routes, but the daemon routes
  // DELETE /containers/json, POST /containers/json/kill etc. to the container named "json"
  // (valid container names). The routes now come from the daemon's own table (endpoints.ts).
  it('a container named json, create or prune is guarded like any other', async () => {
    const job = await setup('strict');
    for (const name of ['json', 'create', 'prune']) job.daemon.addContainer(name, THEIRS);
    expect((await call(job, 'DELETE', '/v1.47/containers/json?force=1')).status).toBe(403);
    expect((await call(job, 'POST', '/v1.47/containers/create/kill')).status).toBe(403);
    expect((await call(job, 'GET', '/v1.47/containers/prune/logs?stdout=1')).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  // The /start branch checked the joins of a legacy HostConfig but never called prepareVolumes, so a
  // start body (honoured by daemons that accept API < 1.24, e.g. 20.10 to 24) can mount another job's volume.
  it('a HostConfig sent to /start (API < 1.24) may not use another job\'s volume', async () => {
    const job = await setup('strict');
    const answer = await call(job, 'POST', '/v1.23/containers/mine/start', { Binds: ['theirvol:/data'] });
    expect(answer.status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  // /exec/{id}/... was not checked: an exec instance made by someone else on their container (its ID
  // shows in the event stream) can be inspected (command line, env), resized or started by the job.
  it('inspecting or starting an exec instance of another job\'s container is refused', async () => {
    const job = await setup('strict');
    const id = 'f'.repeat(64);
    job.daemon.execs.set(id, idOf(job, 'foreign'));
    expect((await call(job, 'GET', `/v1.47/exec/${id}/json`)).status).toBe(403);
    expect((await upgradeCall(job, 'POST', `/v1.47/exec/${id}/start`, '{"Detach":false,"Tty":false}')).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  // HostConfig.Links was not a join the proxy checked: a legacy link copies the linked container's
  // environment (ALIAS_ENV_*) into the new one, i.e. reads another job's container config.
  it('linking to another job\'s container is refused', async () => {
    const job = await setup('strict');
    expect((await call(job, 'POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Links: ['foreign:db'] } })).status).toBe(403);
    expect(job.daemon.forwarded()).toEqual([]);
  });

  // Found while splitting the proxy: container requests were checked by the name or ID prefix
  // the client sent, then forwarded with that reference, unlike networks and volumes (pinned to what
  // was checked). The daemon resolves a reference by full ID, then name, then ID prefix, so a job can
  // name its own container after a prefix of another job's container ID, send `exec` on that name and,
  // concurrently, remove its own container: the exec passes the check as the job's, and reaches the
  // daemon when the name has become the other container's ID prefix.
  it('a request about a container is forwarded with the full ID that was checked, not the name sent', async () => {
    const job = await setup('strict');
    const mine = job.daemon.findContainer('mine')!;
    expect((await call(job, 'POST', '/v1.47/containers/mine/stop')).status).toBe(204);
    expect((await upgradeCall(job, 'POST', '/v1.47/containers/mine/attach?stream=1')).status).toBe(101);
    expect(job.daemon.forwarded().map((request) => request.path)).toEqual([`/containers/${mine.Id}/stop`, `/containers/${mine.Id}/attach`]);
  });
});
