/**
 * proxy.ts itself: the inspection context it derives from its options, and
 * the life of its socket. What it does to requests is in
 * dood-proxy-policy.test.ts (the whole proxy in front of a fake daemon) and
 * the tests of its parts.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveExisting } from '../../src/dood/paths.js';
import { PING_FRESH_MS } from '../../src/dood/ping-cache.js';
import { inspectionContext, startProxy } from '../../src/dood/proxy.js';
import { FakeUpstream } from '../support/fake-upstream.js';

const LABELS = { 'setup-dind.instance': 'job-a' };

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('inspectionContext', () => {
  it('on the host: roots and socket paths as given and where their links lead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'setup-dind-proxy-context-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'work'));
    const real = join(resolveExisting(dir), 'real');
    const context = inspectionContext({ labels: LABELS, policy: 'strict', allowedBindRoots: [join(dir, 'work')], socketPaths: [join(dir, 'work', 'docker.sock')] });
    expect(context).toMatchObject({ labels: LABELS, policy: 'strict', allowedBindRoots: [join(dir, 'work'), real], socketPaths: [join(dir, 'work', 'docker.sock'), join(real, 'docker.sock')] });
    expect(context.pathMap).toBeUndefined();
    expect(context.resolvePath).toBe(resolveExisting);
  });

  it('in a container: socket paths also as the host sees them through the mounts, and no links resolved (the proxy does not see the host)', () => {
    const pathMap = [{ containerPath: '/var/run/docker.sock', hostPath: '/run/docker.sock' }];
    const context = inspectionContext({ labels: LABELS, policy: 'strict', allowedBindRoots: ['/home/runner/work'], socketPaths: ['/var/run/docker.sock', '/not/mounted.sock'], pathMap });
    expect(context).toMatchObject({ allowedBindRoots: ['/home/runner/work'], socketPaths: ['/var/run/docker.sock', '/not/mounted.sock', '/run/docker.sock'], pathMap });
  });

  it('copies the labels, so a later change to the options changes nothing', () => {
    const labels = { ...LABELS };
    const context = inspectionContext({ labels, policy: 'none', allowedBindRoots: [], socketPaths: [] });
    labels['setup-dind.instance'] = 'changed';
    expect(context.labels).toEqual(LABELS);
  });
});

describe('startProxy', () => {
  it('serves on a 0600 socket, logs its start and close, and removes the socket on close (once, however often it is asked)', async () => {
    const upstream = await FakeUpstream.start();
    cleanups.push(() => upstream.close());
    const listenPath = join(upstream.dir, 'proxy.sock');
    const log: string[] = [];
    const proxy = await startProxy({ listenPath, upstreamPath: upstream.socketPath, labels: LABELS, policy: 'none', allowedBindRoots: [], socketPaths: [], log: (line) => log.push(line) });
    expect(statSync(listenPath).mode & 0o777).toBe(0o600);
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ socketPath: listenPath, path: '/_ping', agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
    await Promise.all([proxy.close(), proxy.close()]);
    await proxy.close();
    expect(() => statSync(listenPath)).toThrow(/ENOENT/);
    expect(log).toEqual([`DooD proxy listening on ${listenPath} for ${upstream.socketPath} (dood-policy none)`, `DooD proxy on ${listenPath} closed`]);
  });

  it("answers a ping from the daemon's answer of the last second; a stopped daemon's ping is forwarded and fails", async () => {
    const upstream = await FakeUpstream.start();
    cleanups.push(() => upstream.close());
    upstream.handle = (request, res) => {
      res.writeHead(200, { 'Api-Version': '1.47', Ostype: 'linux', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(request.method === 'HEAD' ? undefined : 'OK');
    };
    const listenPath = join(upstream.dir, 'proxy.sock');
    const proxy = await startProxy({ listenPath, upstreamPath: upstream.socketPath, labels: LABELS, policy: 'strict', allowedBindRoots: [], socketPaths: [], log: () => {} });
    cleanups.push(() => proxy.close());
    const ping = (method: string, path = '/_ping') =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        http.request({ socketPath: listenPath, method, path, agent: false }, (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        }).on('error', reject).end();
      });
    const pingsSeen = () => upstream.seen.filter((request) => request.url.endsWith('/_ping')).length;
    expect(await ping('GET')).toMatchObject({ status: 200, body: 'OK', headers: { 'api-version': '1.47', ostype: 'linux', 'content-length': '2' } });
    expect(await ping('HEAD')).toMatchObject({ status: 200, body: '', headers: { 'api-version': '1.47', 'content-length': '0' } });
    expect(pingsSeen()).toBe(1);
    // A versioned ping goes to the daemon, which may refuse that version.
    expect((await ping('GET', '/v1.11/_ping')).status).toBe(200);
    expect(upstream.seen.at(-1)?.url).toBe('/v1.11/_ping');
    await upstream.stop();
    await new Promise((resolve) => setTimeout(resolve, PING_FRESH_MS));
    expect((await ping('GET')).status).toBe(502);
  });

  it('says when it translates bind sources, and refuses to take over a socket another proxy serves', async () => {
    const upstream = await FakeUpstream.start();
    cleanups.push(() => upstream.close());
    const listenPath = join(upstream.dir, 'proxy.sock');
    const log: string[] = [];
    const options = { listenPath, upstreamPath: upstream.socketPath, labels: LABELS, policy: 'strict' as const, allowedBindRoots: [], socketPaths: [], log: (line: string) => log.push(line) };
    const proxy = await startProxy({ ...options, pathMap: [{ containerPath: '/ws', hostPath: '/home/runner/work' }] });
    cleanups.push(() => proxy.close());
    expect(log[0]).toBe(`DooD proxy listening on ${listenPath} for ${upstream.socketPath} (dood-policy strict; bind sources translated through 1 mounts of the job's container)`);
    await expect(startProxy(options)).rejects.toThrow(`Another process serves ${listenPath}; not replacing it.`);
  });
});
