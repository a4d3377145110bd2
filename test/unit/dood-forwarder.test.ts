/**
 * The forwarder between a client and a fake daemon socket (FakeUpstream): a
 * node:http server on a unix socket hands each request to Forwarder.forward,
 * each upgrade to Forwarder.hijack, with the Forwarding, check and error
 * explanation the test sets.
 */
import http from 'node:http';
import { Transform } from 'node:stream';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Forwarder, type Forwarding, type UpgradedRelay } from '../../src/dood/forwarder.js';
import { Refused } from '../../src/dood/refused.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { rawExchange } from '../support/raw-http.js';

interface Harness {
  upstream: FakeUpstream;
  listenPath: string;
  log: string[];
  closing: boolean;
  forwarding: Forwarding;
  check: () => Promise<string | undefined>;
  explain: (answer: Buffer) => Promise<Buffer>;
  /** Given to hijack: what takes over an upgraded connection instead of joining it. */
  relay?: UpgradedRelay;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(): Promise<Harness> {
  const upstream = await FakeUpstream.start();
  cleanups.push(() => upstream.close());
  const job: Harness = {
    upstream,
    listenPath: join(upstream.dir, 'proxy.sock'),
    log: [],
    closing: false,
    forwarding: {},
    check: async () => undefined,
    explain: async (answer) => answer,
  };
  const sockets = new Set<net.Socket>();
  const forwarder = new Forwarder({
    upstreamPath: upstream.socketPath,
    track: (socket) => sockets.add(socket),
    log: (line) => job.log.push(line),
    closing: () => job.closing,
    explainError: (answer) => job.explain(answer),
  });
  const server = http.createServer((req, res) => forwarder.forward(req, res, job.forwarding));
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => forwarder.hijack(req, socket, head, () => job.check(), job.relay));
  await new Promise<void>((resolve) => server.listen(job.listenPath, resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return job;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request through the proxy; `parts`, when given, are the body sent in pieces 50 ms apart. */
function call(job: Harness, method: string, path: string, body?: string, headers: Record<string, string> = {}, parts?: string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath: job.listenPath, method, path, agent: false, headers: { Host: 'docker', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    if (!parts) return request.end(body);
    const next = (index: number): void => {
      if (index === parts.length) return void request.end();
      request.write(parts[index]);
      setTimeout(() => next(index + 1), 50);
    };
    next(0);
  });
}

/** Raw bytes to the proxy; everything it sends back, up to the close. */
function raw(job: Harness, text: string): Promise<string> {
  return rawExchange(job.listenPath, text);
}

const UPGRADE = 'Connection: Upgrade\r\nUpgrade: tcp\r\n';

describe('Forwarder.forward', () => {
  it('passes method, target, headers and body on, and the answer back, without hop-by-hop headers either way', async () => {
    const job = await setup();
    job.upstream.handle = (_request, res) => {
      res.writeHead(201, 'Made', { 'Content-Type': 'application/json', 'X-Upstream': 'yes', 'Proxy-Connection': 'keep-alive', Trailer: 'X-Late' });
      res.end('{"Id":"abc"}');
    };
    const answer = await call(job, 'PUT', '/v1.47/containers/x/archive?path=/tmp', 'tar bytes', {
      'Content-Type': 'application/x-tar',
      'X-Registry-Auth': 'secret',
      'Keep-Alive': 'timeout=5',
      'Proxy-Connection': 'keep-alive',
      TE: 'trailers',
      Trailer: 'X-Late',
    });
    expect(answer).toMatchObject({ status: 201, body: '{"Id":"abc"}', headers: { 'x-upstream': 'yes' } });
    expect(answer.headers['proxy-connection']).toBeUndefined();
    expect(answer.headers.trailer).toBeUndefined();
    const [seen] = job.upstream.seen;
    expect(seen).toMatchObject({ method: 'PUT', url: '/v1.47/containers/x/archive?path=/tmp', headers: { 'content-type': 'application/x-tar', 'x-registry-auth': 'secret' } });
    expect(seen!.body.toString('utf8')).toBe('tar bytes');
    for (const hop of ['keep-alive', 'proxy-connection', 'te', 'trailer']) expect(seen!.headers[hop], hop).toBeUndefined();
  });

  it('streams the answer as it comes (logs -f), not when it ends', async () => {
    const job = await setup();
    let finish: () => void = () => {};
    job.upstream.handle = (_request, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first line\n');
      finish = () => res.end('last line\n');
    };
    const first = await new Promise<{ chunk: string; rest: Promise<string> }>((resolve, reject) => {
      const request = http.request({ socketPath: job.listenPath, path: '/containers/x/logs?follow=1', agent: false }, (response) => {
        response.setEncoding('utf8');
        response.once('data', (chunk: string) => {
          let rest = '';
          response.on('data', (more: string) => (rest += more));
          resolve({ chunk, rest: new Promise((done) => response.on('end', () => done(rest))) });
        });
      });
      request.on('error', reject);
      request.end();
    });
    expect(first.chunk).toBe('first line\n');
    finish();
    expect(await first.rest).toBe('last line\n');
  });

  it('says Content-Length: 0 for a POST that sends no body and no length (an empty chunked one would be refused)', async () => {
    const job = await setup();
    await raw(job, 'POST /v1.47/containers/x/start HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
    await raw(job, 'GET /v1.47/containers/json HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
    expect(job.upstream.seen.map((request) => request.headers['content-length'])).toEqual(['0', undefined]);
  });

  it('sends the body and target the Forwarding gives, with a length that matches', async () => {
    const job = await setup();
    job.forwarding = { body: Buffer.from('{"checked":true}'), path: '/v1.47/networks/full-id/connect' };
    await call(job, 'POST', '/v1.47/networks/name/connect', '{"Container":"x"}', { 'Transfer-Encoding': 'chunked' });
    const [seen] = job.upstream.seen;
    expect(seen).toMatchObject({ url: '/v1.47/networks/full-id/connect', headers: { 'content-length': '16' } });
    expect(seen!.headers['transfer-encoding']).toBeUndefined();
    expect(seen!.body.toString('utf8')).toBe('{"checked":true}');
  });

  it('through: a streamed body passes through it; when it fails, the daemon never gets a whole body and the client gets the refusal', async () => {
    const job = await setup();
    job.forwarding = { through: new Transform({ transform: (chunk: Buffer, _encoding, done) => done(null, Buffer.from(chunk.toString('utf8').toUpperCase())) }) };
    await call(job, 'POST', '/v1.47/images/load', 'archive bytes', { 'Content-Length': '13' });
    expect(job.upstream.seen.map((request) => request.body.toString('utf8'))).toEqual(['ARCHIVE BYTES']);

    let passed = false;
    job.forwarding = {
      through: new Transform({
        transform(chunk: Buffer, _encoding, done) {
          // The first bytes go on; the end of the archive is refused.
          if (!passed) {
            passed = true;
            return done(null, chunk.subarray(0, 4));
          }
          done(new Refused(403, 'the archive tags docker:dind'));
        },
      }),
    };
    const refused = call(job, 'POST', '/v1.47/images/load', undefined, { 'Transfer-Encoding': 'chunked' }, ['part one', 'part two']);
    expect(await refused).toMatchObject({ status: 403, body: '{"message":"the archive tags docker:dind"}\n' });
    expect(job.upstream.seen).toHaveLength(1);
    expect(job.log).toEqual(['refused POST /v1.47/images/load: the archive tags docker:dind']);
  });

  it('explainErrors: an error answer is read whole and sent as explainError returns it; other answers are streamed as they are', async () => {
    const job = await setup();
    let status = 500;
    job.upstream.handle = (_request, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Upstream': 'yes' });
      res.write('{"message":');
      res.end('"port is already allocated"}');
    };
    const explained: string[] = [];
    job.explain = async (answer) => {
      explained.push(answer.toString('utf8'));
      return Buffer.from('{"message":"explained"}\n');
    };
    job.forwarding = { explainErrors: true };
    const answer = await call(job, 'POST', '/containers/x/start');
    expect(answer).toMatchObject({ status: 500, body: '{"message":"explained"}\n', headers: { 'content-length': '24', 'x-upstream': 'yes' } });
    expect(answer.headers['transfer-encoding']).toBeUndefined();
    status = 204;
    expect((await call(job, 'POST', '/containers/x/start')).status).toBe(204);
    job.forwarding = {};
    status = 500;
    expect((await call(job, 'POST', '/containers/x/start')).body).toBe('{"message":"port is already allocated"}');
    expect(explained).toEqual(['{"message":"port is already allocated"}']);
  });

  it('answers 502 when the daemon cannot be reached, logging it unless the proxy is closing', async () => {
    const job = await setup();
    await job.upstream.stop();
    const answer = await call(job, 'GET', '/_ping');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ message: expect.stringMatching(/^setup-dind dood proxy: cannot reach the Docker daemon at .*daemon\.sock: .*ENOENT/) });
    expect(job.log).toEqual([expect.stringMatching(/^upstream .*daemon\.sock: GET \/_ping: .*ENOENT/)]);
    job.closing = true;
    expect((await call(job, 'GET', '/_ping')).status).toBe(502);
    expect(job.log).toHaveLength(1);
  });

  it('keeps its connection to the daemon between requests, and sends a GET again when the daemon closed a kept one', async () => {
    const job = await setup();
    const connections = new Set<unknown>();
    let dropNext = false;
    job.upstream.handle = (request, res) => {
      connections.add(res.socket);
      // As a daemon that closed the idle connection just as the proxy reused it: the request never got an answer.
      if (dropNext) {
        dropNext = false;
        return void res.socket?.destroy();
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ got: request.body.toString('utf8') }));
    };
    expect((await call(job, 'GET', '/v1.47/containers/json')).status).toBe(200);
    expect((await call(job, 'GET', '/v1.47/containers/json')).status).toBe(200);
    expect(connections.size).toBe(1);
    dropNext = true;
    expect(await call(job, 'GET', '/v1.47/info')).toMatchObject({ status: 200, body: '{"got":""}' });
    expect(job.upstream.seen.filter((seen) => seen.url === '/v1.47/info')).toHaveLength(2);
  });

  it('never sends anything but a GET or HEAD twice: the daemon may have acted on it (a create, a restart)', async () => {
    const job = await setup();
    let calls = 0;
    job.upstream.handle = (_request, res) => {
      calls += 1;
      if (calls === 2 || calls === 4) return void res.socket?.destroy();
      res.writeHead(200).end('{}');
    };
    expect((await call(job, 'GET', '/v1.47/containers/json')).status).toBe(200);
    job.forwarding = { body: Buffer.from('{"Image":"busybox"}') };
    expect((await call(job, 'POST', '/v1.47/containers/create', '{"Image":"x"}')).status).toBe(502);
    job.forwarding = {};
    expect((await call(job, 'GET', '/v1.47/containers/json')).status).toBe(200);
    expect((await call(job, 'POST', '/v1.47/build', 'context bytes', { 'Content-Type': 'application/x-tar' }, ['context ', 'bytes'])).status).toBe(502);
    expect(calls).toBe(4);
  });

  it('does not send a request again when the client went away (the hang-up breaks the daemon connection too)', async () => {
    const job = await setup();
    const slow = new Map<string, number>();
    job.upstream.handle = (request, res) => {
      if (!request.url.includes('/slow')) return void res.writeHead(200).end('{}');
      slow.set(request.url, (slow.get(request.url) ?? 0) + 1);
      setTimeout(() => res.writeHead(200).end('{}'), 300);
    };
    // A client that hangs up before the answer (Ctrl-C, a step timeout), each time on a kept connection.
    const hangUp = (method: string, path: string) =>
      new Promise<void>((resolve) => {
        const sent = http.request({ socketPath: job.listenPath, method, path, agent: false, headers: { Host: 'docker' } });
        sent.on('error', () => resolve());
        sent.end();
        setTimeout(() => {
          sent.destroy();
          resolve();
        }, 50);
      });
    for (const [method, path] of [['POST', '/v1.47/containers/slow/restart'], ['GET', '/v1.47/containers/slow/json']] as const) {
      expect((await call(job, 'GET', '/v1.47/containers/json')).status).toBe(200);
      await hangUp(method, path);
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(Object.fromEntries(slow)).toEqual({ '/v1.47/containers/slow/restart': 1, '/v1.47/containers/slow/json': 1 });
  });

  it('ends the daemon request when the client goes away mid-answer', async () => {
    const job = await setup();
    const upstreamClosed = new Promise<void>((resolve) => {
      job.upstream.handle = (_request, res) => {
        res.writeHead(200);
        res.write('event\n');
        res.on('close', () => resolve());
      };
    });
    await new Promise<void>((resolve) => {
      const request = http.request({ socketPath: job.listenPath, path: '/events', agent: false }, (response) => {
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', () => {});
      request.end();
    });
    await upstreamClosed;
  });
});

describe('Forwarder.hijack', () => {
  it('joins the sockets on 101: the body and early bytes reach the daemon, the output comes back after the client closes its side', async () => {
    const job = await setup();
    const received: Buffer[] = [];
    job.upstream.upgrade = (_request, socket, head) => {
      received.push(head);
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      // Output after the client's stdin is closed must still reach it.
      socket.on('end', () => socket.end('output after stdin closed'));
    };
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(job.listenPath);
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\r\n\r\n') && !socket.writableEnded) socket.end('stdin');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      socket.write(`POST /v1.47/exec/abc/start HTTP/1.1\r\nHost: docker\r\n${UPGRADE}Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{"Tty":false}early`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    expect(answer).toContain('Content-Type: application/vnd.docker.raw-stream');
    expect(answer.endsWith('\r\n\r\noutput after stdin closed')).toBe(true);
    expect(Buffer.concat(received).toString('utf8')).toBe('{"Tty":false}earlystdin');
    expect(job.upstream.seen).toMatchObject([{ method: 'POST', url: '/v1.47/exec/abc/start', headers: { 'content-length': '13', upgrade: 'tcp' } }]);
  });

  it('with a relay: hands both sockets over on 101, with what the client sent early', async () => {
    const job = await setup();
    const received: Buffer[] = [];
    job.upstream.upgrade = (_request, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('end', () => socket.end());
    };
    const relayed: string[] = [];
    job.relay = (client, early, upstream) => {
      relayed.push(early.toString());
      client.end('relayed');
      upstream.destroy();
    };
    const request = `POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`;
    expect(await raw(job, `${request}early`)).toMatch(/\r\n\r\nrelayed$/);
    expect(relayed).toEqual(['early']);

    // What came past the 101 is the relay's to send: the join sent the daemon nothing.
    expect(Buffer.concat(received).toString()).toBe('');
  });

  it('sends nothing to the daemon until the check passes, and nothing at all when it refuses', async () => {
    const job = await setup();
    let pass: () => void = () => {};
    job.check = () => new Promise((resolve) => (pass = () => resolve(undefined)));
    const joined = raw(job, `POST /containers/mine/attach?stream=1 HTTP/1.1\r\nHost: docker\r\n${UPGRADE}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(job.upstream.seen).toEqual([]);
    pass();
    expect(await joined).toMatch(/^HTTP\/1\.1 101 /);
    expect(job.upstream.seen).toHaveLength(1);

    // The check may pin the target: the daemon gets the one it answers.
    job.check = async () => '/v1.47/containers/full-id/attach?stream=1';
    expect(await raw(job, `POST /containers/mine/attach?stream=1 HTTP/1.1\r\nHost: docker\r\n${UPGRADE}\r\n`)).toMatch(/^HTTP\/1\.1 101 /);
    expect(job.upstream.seen[1]?.url).toBe('/v1.47/containers/full-id/attach?stream=1');
    job.upstream.seen.length = 1;

    job.check = async () => {
      throw new Refused(403, 'not yours');
    };
    const refused = await raw(job, `POST /containers/foreign/attach HTTP/1.1\r\nHost: docker\r\n${UPGRADE}\r\n`);
    expect(refused).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(refused).toContain('Connection: close');
    expect(refused.endsWith('\r\n\r\n{"message":"not yours"}\n')).toBe(true);
    expect(job.log).toEqual(['refused POST /containers/foreign/attach: not yours']);

    job.check = async () => {
      throw new Error('lookup failed');
    };
    expect(await raw(job, `POST /containers/x/attach HTTP/1.1\r\nHost: docker\r\n${UPGRADE}\r\n`)).toMatch(/^HTTP\/1\.1 502 [^]*"setup-dind dood proxy: lookup failed"/);
    expect(job.log[1]).toBe('error handling POST /containers/x/attach: lookup failed');
    expect(job.upstream.seen).toHaveLength(1);
  });

  it('refuses a chunked body or a Content-Length it cannot use, before any check', async () => {
    const job = await setup();
    let checked = false;
    job.check = async () => {
      checked = true;
      return undefined;
    };
    expect(await raw(job, `POST /exec/x/start HTTP/1.1\r\nHost: docker\r\n${UPGRADE}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`)).toContain(
      'a chunked body on an upgrade request is not supported',
    );
    expect(await raw(job, `POST /exec/x/start HTTP/1.1\r\nHost: docker\r\n${UPGRADE}Content-Length: ${(8 << 20) + 1}\r\n\r\n`)).toContain('bad Content-Length');
    expect(checked).toBe(false);
    expect(job.upstream.seen).toEqual([]);
  });

  it('passes an answer that is not 101 on with its length, and closes, so no later bytes reach the daemon', async () => {
    const job = await setup();
    const message = '{"message":"no such exec"}';
    const received: Buffer[] = [];
    const upstreamClosed = new Promise<void>((resolve) => {
      job.upstream.upgrade = (_request, socket, head) => {
        received.push(head);
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        // The proxy ends its side once the answer is read; the daemon then closes (as dockerd does).
        socket.on('end', () => socket.end());
        socket.on('close', () => resolve());
        socket.write('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
        socket.write(`${Buffer.byteLength(message).toString(16)}\r\n${message}\r\n0\r\n\r\n`);
      };
    });
    const answer = await raw(job, `POST /exec/x/start HTTP/1.1\r\nHost: docker\r\n${UPGRADE}Content-Length: 2\r\n\r\n{}more bytes`);
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(answer).toContain('Content-Type: application/json\r\n');
    expect(answer).toContain(`Content-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
    expect(answer).not.toContain('Transfer-Encoding');
    await upstreamClosed;
    expect(Buffer.concat(received).toString('utf8')).toBe('{}');
  });
});
