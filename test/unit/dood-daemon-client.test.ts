import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonClient } from '../../src/dood/daemon-client.js';
import { FakeUpstream } from '../support/fake-upstream.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

describe('daemonClient', () => {
  it('inspects each kind of object at its path, the reference percent-encoded', async () => {
    upstream = await FakeUpstream.start();
    const client = daemonClient(upstream.socketPath, () => {});
    await client.inspect('container', 'mine');
    await client.inspect('volume', 'a/b');
    await client.inspect('network', 'job net');
    expect(upstream.seen.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /containers/mine/json', 'GET /volumes/a%2Fb', 'GET /networks/job%20net']);
    expect(upstream.seen[0]!.headers.host).toBe('docker');
  });

  it('answers the status and the first JSON value of the body (undefined when it is not JSON)', async () => {
    upstream = await FakeUpstream.start();
    upstream.handle = (request, res) => {
      res.writeHead(request.url.includes('ghost') ? 404 : 200);
      res.end(request.url.includes('text') ? 'plain text' : '{"Name":"v"} {"Name":"ignored"}');
    };
    const client = daemonClient(upstream.socketPath, () => {});
    expect(await client.inspect('volume', 'v')).toEqual({ status: 200, json: { Name: 'v' } });
    expect(await client.inspect('volume', 'ghost')).toEqual({ status: 404, json: { Name: 'v' } });
    expect(await client.inspect('volume', 'text')).toEqual({ status: 200, json: undefined });
  });

  it('creates a volume with a JSON body of the right length', async () => {
    upstream = await FakeUpstream.start();
    const client = daemonClient(upstream.socketPath, () => {});
    await client.createVolume({ Name: 'vé', Labels: { a: 'b' } });
    const [create] = upstream.seen;
    expect(create).toMatchObject({ method: 'POST', url: '/volumes/create', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(create!.body.toString('utf8'))).toEqual({ Name: 'vé', Labels: { a: 'b' } });
    expect(create!.headers['content-length']).toBe(String(create!.body.length));
  });

  it('lists containers, an empty list when the answer is not one', async () => {
    upstream = await FakeUpstream.start();
    let answer = '[{"Id":"a"}]';
    upstream.handle = (_request, res) => res.end(answer);
    const client = daemonClient(upstream.socketPath, () => {});
    expect(await client.listContainers()).toEqual([{ Id: 'a' }]);
    answer = '{"message":"bad day"}';
    expect(await client.listContainers()).toEqual([]);
  });

  it('hands each connection to track, and rejects when the daemon is not there', async () => {
    upstream = await FakeUpstream.start();
    const tracked: net.Socket[] = [];
    await daemonClient(upstream.socketPath, (socket) => tracked.push(socket)).inspect('container', 'x');
    expect(tracked).toHaveLength(1);
    await expect(daemonClient(`${upstream.socketPath}.missing`, () => {}).inspect('container', 'x')).rejects.toThrow(/ENOENT/);
  });

  it('refuses an answer larger than it reads', async () => {
    upstream = await FakeUpstream.start();
    upstream.handle = (_request, res) => res.end(`"${'x'.repeat(1 << 20)}"`);
    await expect(daemonClient(upstream.socketPath, () => {}).inspect('container', 'x')).rejects.toMatchObject({ status: 413 });
  });
});
