/**
 * The gRPC relay between a real HTTP/2 client and a fake daemon (a
 * node:http2 server), over unix sockets as the proxy has them after a 101:
 * calls pass with their messages and trailers, refused and inspected calls
 * never reach the daemon until the rules say so, resets cross over, and
 * bytes read early on either side are not lost.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { relayGrpc, type CallAdmission, type GrpcRules } from '../../src/dood/grpc-relay.js';
import { policyRefusal } from '../../src/dood/refused.js';

/** A gRPC frame: uncompressed, 4-byte length, message. */
function frame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

interface Seen {
  path: string;
  body: Buffer;
}

/** The fake daemon's calls: echo (unary), three (server streaming), missing (an error, trailers only), reset. */
function fakeDaemon(seen: Seen[]): http2.Http2Server {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    stream.on('error', () => undefined);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ path, body });
      if (path === '/test.Svc/Missing') return stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'not found' }, { endStream: true });
      if (path === '/test.Svc/Reset') return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-seen': String(body.length) }));
      if (path === '/test.Svc/Three') for (const word of ['one', 'two', 'three']) stream.write(frame(Buffer.from(word)));
      else stream.write(body);
      stream.end();
    });
  });
  return server;
}

interface Answer {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders;
  rstCode: number;
}

function call(client: http2.ClientHttp2Session, path: string, body: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const stream = client.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    const answer: Answer = { headers: {}, body: Buffer.alloc(0), trailers: {}, rstCode: 0 };
    stream.on('response', (headers) => (answer.headers = headers));
    stream.on('data', (chunk: Buffer) => (answer.body = Buffer.concat([answer.body, chunk])));
    stream.on('trailers', (trailers) => (answer.trailers = trailers));
    stream.on('error', () => undefined);
    stream.on('close', () => resolve({ ...answer, rstCode: stream.rstCode ?? 0 }));
    stream.end(body);
  });
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

/** Resolves with the first chunk a socket receives, leaving it paused. */
function firstChunk(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => socket.once('data', (chunk: Buffer) => (socket.pause(), resolve(chunk))));
}

/**
 * A client session to the relay, the relay to a fake daemon. With `early`,
 * the first bytes of each side (the client's preface, the daemon's settings)
 * are read before the relay starts and handed to it, as the proxy does with
 * what came past the upgrade.
 */
async function relay(rules: GrpcRules, { early = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'grpc-relay-'));
  const seen: Seen[] = [];
  const log: string[] = [];
  const daemon = fakeDaemon(seen);
  await new Promise<void>((resolve) => daemon.listen(join(dir, 'daemon.sock'), resolve));
  const front = net.createServer();
  await new Promise<void>((resolve) => front.listen(join(dir, 'proxy.sock'), resolve));
  const accepted = new Promise<net.Socket>((resolve) => front.once('connection', resolve));
  const client = http2.connect('http://relay', { createConnection: () => net.connect(join(dir, 'proxy.sock')) });
  client.on('error', () => undefined);
  const clientSide = await accepted;
  const upstream = net.connect(join(dir, 'daemon.sock'));
  await new Promise((resolve) => upstream.once('connect', resolve));
  let clientEarly: Buffer = Buffer.alloc(0);
  let upstreamHead: Buffer = Buffer.alloc(0);
  if (early) {
    // The client's preface and the daemon's settings, each sent without waiting for the other.
    [clientEarly, upstreamHead] = await Promise.all([firstChunk(clientSide), firstChunk(upstream)]);
  } else {
    clientSide.pause();
  }
  relayGrpc(clientSide, clientEarly, upstream, upstreamHead, { rules, log: (line) => log.push(line) });
  cleanups.push(() => {
    client.destroy();
    daemon.close();
    front.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { client, seen, log };
}

const forwardAll: GrpcRules = { admit: () => 'forward', inspect: async () => undefined };

describe('relayGrpc', () => {
  it('passes a unary call with its message, headers and trailers', async () => {
    const { client, seen } = await relay(forwardAll);
    const answer = await call(client, '/test.Svc/Echo', frame(Buffer.from('hello')));
    expect(answer.headers[':status']).toBe(200);
    expect(answer.body).toEqual(frame(Buffer.from('hello')));
    expect(answer.trailers).toMatchObject({ 'grpc-status': '0', 'x-seen': '10' });
    expect(seen).toEqual([{ path: '/test.Svc/Echo', body: frame(Buffer.from('hello')) }]);
  });

  it('passes a streamed answer, an error answer (trailers only) and many calls at once', async () => {
    const { client } = await relay(forwardAll);
    const [three, missing, ...echoes] = await Promise.all([
      call(client, '/test.Svc/Three', Buffer.alloc(0)),
      call(client, '/test.Svc/Missing', Buffer.alloc(0)),
      ...Array.from({ length: 20 }, (_, index) => call(client, '/test.Svc/Echo', frame(Buffer.from(`n${index}`)))),
    ]);
    expect(three.body).toEqual(Buffer.concat(['one', 'two', 'three'].map((word) => frame(Buffer.from(word)))));
    expect(missing.headers).toMatchObject({ 'grpc-status': '5', 'grpc-message': 'not found' });
    echoes.forEach((echo, index) => expect(echo.body).toEqual(frame(Buffer.from(`n${index}`))));
  });

  it('passes a large message whole', async () => {
    const { client } = await relay(forwardAll);
    const big = frame(Buffer.alloc(3 << 20, 7));
    const answer = await call(client, '/test.Svc/Echo', big);
    expect(answer.body.equals(big)).toBe(true);
  });

  it("passes the daemon's reset of a call on to the client", async () => {
    const { client } = await relay(forwardAll);
    const answer = await call(client, '/test.Svc/Reset', Buffer.alloc(0));
    expect(answer.rstCode).toBe(http2.constants.NGHTTP2_REFUSED_STREAM);
  });

  it('answers a refused call itself with PERMISSION_DENIED, and the daemon never sees it', async () => {
    const rules: GrpcRules = {
      admit: (path): CallAdmission => (path.endsWith('/Prune') ? policyRefusal('strict', 'docker buildx prune', 'a test') : 'forward'),
      inspect: async () => undefined,
    };
    const { client, seen, log } = await relay(rules);
    const answer = await call(client, '/test.Svc/Prune', frame(Buffer.from('x')));
    expect(answer.headers['grpc-status']).toBe('7');
    expect(decodeURIComponent(String(answer.headers['grpc-message']))).toBe('setup-dind dood-policy strict: docker buildx prune is not allowed (a test)');
    expect(seen).toEqual([]);
    expect(log.join('\n')).toContain('refused gRPC /test.Svc/Prune');
  });

  it('holds an inspected call until its first message passed the rules, then sends it whole', async () => {
    const inspected: string[] = [];
    const rules: GrpcRules = {
      admit: () => 'inspect',
      inspect: async (_path, message) => {
        inspected.push(message.toString());
        if (message.toString() === 'bad') throw policyRefusal('strict', 'a bad build', 'a test');
      },
    };
    const { client, seen } = await relay(rules);
    // A message split over frames: the rules get it whole.
    const refused = await call(client, '/test.Svc/Echo', frame(Buffer.from('bad')));
    const passed = await call(client, '/test.Svc/Echo', Buffer.concat([frame(Buffer.from('good')), frame(Buffer.from('more'))]));
    expect(inspected).toEqual(['bad', 'good']);
    expect(refused.headers['grpc-status']).toBe('7');
    expect(passed.body).toEqual(Buffer.concat([frame(Buffer.from('good')), frame(Buffer.from('more'))]));
    expect(seen.map(({ body }) => body)).toEqual([Buffer.concat([frame(Buffer.from('good')), frame(Buffer.from('more'))])]);
  });

  it('lets the rules ask the daemon first, on the same session: the answer\'s status and messages, a trailers-only error too', async () => {
    const answers: unknown[] = [];
    const rules: GrpcRules = {
      admit: () => 'inspect',
      inspect: async (_path, _message, daemon) => {
        answers.push(await daemon('/test.Svc/Three', Buffer.from('q')), await daemon('/test.Svc/Missing', Buffer.from('q')));
      },
    };
    const { client, seen } = await relay(rules);
    const passed = await call(client, '/test.Svc/Echo', frame(Buffer.from('build')));
    expect(answers).toEqual([{ status: 0, messages: 3 }, { status: 5, messages: 0 }]);
    expect(passed.body).toEqual(frame(Buffer.from('build')));
    expect(seen.map(({ path, body }) => [path, body.toString('latin1')])).toEqual([
      ['/test.Svc/Three', frame(Buffer.from('q')).toString('latin1')],
      ['/test.Svc/Missing', frame(Buffer.from('q')).toString('latin1')],
      ['/test.Svc/Echo', frame(Buffer.from('build')).toString('latin1')],
    ]);
  });

  it('refuses an inspected call whose message is compressed or ends early, without forwarding it', async () => {
    const { client, seen } = await relay({ admit: () => 'inspect', inspect: async () => undefined });
    const compressed = frame(Buffer.from('x'));
    compressed[0] = 1;
    const short = frame(Buffer.from('truncated')).subarray(0, 8);
    const [a, b] = await Promise.all([call(client, '/test.Svc/Echo', compressed), call(client, '/test.Svc/Echo', short)]);
    expect(a.headers['grpc-status']).toBe('7');
    expect(decodeURIComponent(String(a.headers['grpc-message']))).toContain('compressed gRPC message');
    expect(b.headers['grpc-status']).toBe('13');
    expect(seen).toEqual([]);
  });

  it('survives a client that resets a call while its first message is inspected, and serves the next call', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { client, seen } = await relay({ admit: () => 'inspect', inspect: () => held });
    const stream = client.request({ ':method': 'POST', ':path': '/test.Svc/Echo', 'content-type': 'application/grpc' });
    stream.on('error', () => undefined);
    stream.write(frame(Buffer.from('slow')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const answer = await call(client, '/test.Svc/Echo', frame(Buffer.from('next')));
    expect(answer.body).toEqual(frame(Buffer.from('next')));
    expect(seen.map(({ body }) => body)).toEqual([frame(Buffer.from('next'))]);
  });

  it('keeps what either side sent before the relay took over (the preface, the settings)', async () => {
    const { client } = await relay(forwardAll, { early: true });
    const answer = await call(client, '/test.Svc/Echo', frame(Buffer.from('after settings')));
    expect(answer.body).toEqual(frame(Buffer.from('after settings')));
  });
});
