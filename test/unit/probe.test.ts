import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, SetupDindError } from '../../src/engine/errors.js';
import { NotReadyError, parseDockerHost, ping, ProbeFailure, serverVersion, waitUntilReady, type Endpoint } from '../../src/docker/probe.js';

/** Everything a test started; closed after each test. */
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close().catch(() => {})));
});

/** Open connections per server: close() waits for them, so they are destroyed first. */
const connections = new WeakMap<net.Server, Set<net.Socket>>();

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of connections.get(server) ?? []) socket.destroy();
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

function listen(server: net.Server, port = 0): Promise<number> {
  if (!connections.has(server)) {
    const sockets = new Set<net.Socket>();
    connections.set(server, sockets);
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  cleanups.push(() => closeServer(server));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

async function httpServer(handler: Handler): Promise<{ server: http.Server; endpoint: Endpoint }> {
  const server = http.createServer(handler);
  const port = await listen(server);
  return { server, endpoint: { dockerHost: `tcp://127.0.0.1:${port}` } };
}

/** A port on 127.0.0.1 nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

const answerPing: Handler = (request, response) => {
  if (request.url === '/_ping') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  } else {
    response.writeHead(404).end('page not found');
  }
};

describe('parseDockerHost', () => {
  it('parses tcp://127.0.0.1:2375', () => {
    expect(parseDockerHost('tcp://127.0.0.1:2375')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2375 });
  });

  it('parses an IPv6 host without its brackets', () => {
    expect(parseDockerHost('tcp://[::1]:2375')).toEqual({ kind: 'tcp', host: '::1', port: 2375 });
  });

  it('parses a host name and a trailing slash', () => {
    expect(parseDockerHost('tcp://docker:2376/')).toEqual({ kind: 'tcp', host: 'docker', port: 2376 });
  });

  it('parses unix:///var/run/docker.sock', () => {
    expect(parseDockerHost('unix:///var/run/docker.sock')).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it.each(['http://x', 'tcp://127.0.0.1', 'tcp://:2375', '127.0.0.1:2375', 'ssh://me@host', ''])('rejects %j', (host) => {
    expect(() => parseDockerHost(host)).toThrow(SetupDindError);
    expect(() => parseDockerHost(host)).toThrow(/Not a Docker endpoint/);
  });
});

describe('ping', () => {
  it('resolves on 200 OK', async () => {
    const { endpoint } = await httpServer(answerPing);
    await expect(ping(endpoint, 1000)).resolves.toBeUndefined();
  });

  it('rejects with reason "tls" when the server expects HTTPS', async () => {
    const { endpoint } = await httpServer((_request, response) => {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('Client sent an HTTP request to an HTTPS server.\n');
    });
    const error = await rejection(ping(endpoint, 1000));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).reason).toBe('tls');
  });

  it('rejects with reason "http" on a 200 that is not OK', async () => {
    const { endpoint } = await httpServer((_request, response) => {
      response.writeHead(200).end('<html>hello</html>');
    });
    const error = await rejection(ping(endpoint, 1000));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).reason).toBe('http');
    expect((error as ProbeFailure).message).toContain('HTTP 200');
  });

  it('rejects with reason "closed" when the server drops the connection', async () => {
    const server = net.createServer((socket) => socket.destroy());
    const port = await listen(server);
    const error = await rejection(ping({ dockerHost: `tcp://127.0.0.1:${port}` }, 1000));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).reason).toBe('closed');
  });

  it('rejects with reason "refused" when nothing listens', async () => {
    const port = await freePort();
    const error = await rejection(ping({ dockerHost: `tcp://127.0.0.1:${port}` }, 1000));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).reason).toBe('refused');
  });

  it('rejects with reason "timeout" when the server never answers', async () => {
    const server = net.createServer(() => {}); // accepts and stays silent
    const port = await listen(server);
    const started = performance.now();
    const error = await rejection(ping({ dockerHost: `tcp://127.0.0.1:${port}` }, 150));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('rejects with reason "not-found" for a missing unix socket', async () => {
    const error = await rejection(ping({ dockerHost: 'unix:///nonexistent/setup-dind-test.sock' }, 1000));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).reason).toBe('not-found');
  });
});

describe('waitUntilReady', () => {
  it('resolves once a server starts answering /_ping after ~300 ms', async () => {
    const port = await freePort();
    const server = http.createServer(answerPing);
    const late = new Promise<void>((resolve, reject) => {
      setTimeout(() => listen(server, port).then(() => resolve(), reject), 300);
    });
    const started = performance.now();
    const result = await waitUntilReady({ dockerHost: `tcp://127.0.0.1:${port}` }, { timeoutMs: 5000 });
    await late;
    expect(result.attempts).toBeGreaterThan(1);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(250);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('resolves at the first attempt when the daemon already answers', async () => {
    const { endpoint } = await httpServer(answerPing);
    const result = await waitUntilReady(endpoint, { timeoutMs: 2000 });
    expect(result.attempts).toBe(1);
  });

  it('rejects with NotReadyError within timeoutMs + 500 ms when the server answers 500 until the deadline', async () => {
    let answered500 = 0;
    const { endpoint } = await httpServer((_request, response) => {
      answered500 += 1;
      response.writeHead(500).end('{"message":"starting"}');
    });
    const timeoutMs = 400;
    const started = performance.now();
    const error = await rejection(waitUntilReady(endpoint, { timeoutMs }));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(NotReadyError);
    const notReady = error as NotReadyError;
    expect(notReady.message).toContain('did not answer GET /_ping within 0.4 s');
    expect(notReady.attempts).toBeGreaterThan(1);
    expect(answered500).toBeGreaterThan(1);
    expect(notReady.timeoutMs).toBe(timeoutMs);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(elapsed).toBeLessThan(timeoutMs + 500);
    // The last failure is not asserted here: see the two fake-clock tests below
    // (it is "HTTP 500" most of the time, and a 1 ms timeout otherwise).
  });

  /** A clock that returns the given readings in order, then the last one for ever. */
  function clock(...readings: number[]): () => number {
    let index = 0;
    return () => readings[Math.min(index++, readings.length - 1)]!;
  }

  /** A server that answers 500 after 40 ms: an attempt given less time than that times out. */
  async function slow500(): Promise<{ endpoint: Endpoint; requests: () => number }> {
    let requests = 0;
    const { endpoint } = await httpServer((_request, response) => {
      requests += 1;
      setTimeout(() => {
        if (!response.destroyed) response.writeHead(500).end('{"message":"starting"}');
      }, 40);
    });
    return { endpoint, requests: () => requests };
  }

  it('reports the HTTP 500 of the last attempt in the NotReadyError (fake clock)', async () => {
    const { endpoint } = await slow500();
    // now() readings: start, left before attempt 1, pause after it, left before attempt 2 (deadline passed).
    const error = await rejection(waitUntilReady(endpoint, { timeoutMs: 1000, now: clock(0, 0, 0, 1000) }));
    expect(error).toBeInstanceOf(NotReadyError);
    expect((error as NotReadyError).attempts).toBe(1);
    expect((error as NotReadyError).message).toContain('HTTP 500');
    expect((error as NotReadyError).lastFailure?.reason).toBe('http');
  });

  it('starts a last attempt with only the few ms left before the deadline (fake clock)', async () => {
    const { endpoint, requests } = await slow500();
    // Attempt 1 has the whole second; attempt 2 starts 5 ms before the deadline.
    const error = await rejection(waitUntilReady(endpoint, { timeoutMs: 1000, now: clock(0, 0, 0, 995, 1000) }));
    expect(error).toBeInstanceOf(NotReadyError);
    expect((error as NotReadyError).attempts).toBe(2);
    expect(requests()).toBe(2);
  });

  // BUG (src/docker/probe.ts, waitUntilReady): an attempt started just before the
  // deadline gets a timeout of ceil(time left), as little as 1 ms, and its
  // timeout overwrites lastFailure. The daemon answered HTTP 500 every time, yet
  // the error says "last: no answer from tcp://... within 5 ms" (with the real
  // clock: "within 1 ms", in about one run out of three of the test above).
  it('keeps the HTTP 500 as the last failure when an attempt squeezed before the deadline times out (fake clock)', async () => {
    const { endpoint } = await slow500();
    const error = await rejection(waitUntilReady(endpoint, { timeoutMs: 1000, now: clock(0, 0, 0, 995, 1000) }));
    expect(error).toBeInstanceOf(NotReadyError);
    expect((error as NotReadyError).message).toContain('HTTP 500');
  });

  it('rejects with the giveUp reason well before the timeout', async () => {
    const port = await freePort();
    const reason = new Error('container exited');
    const giveUp = new Promise<never>((_resolve, reject) => setTimeout(() => reject(reason), 100));
    const started = performance.now();
    const error = await rejection(waitUntilReady({ dockerHost: `tcp://127.0.0.1:${port}` }, { timeoutMs: 10_000, giveUp }));
    expect(error).toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects with the giveUp reason while an attempt is in flight', async () => {
    const server = net.createServer(() => {}); // every attempt hangs
    const port = await listen(server);
    const giveUp = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('container exited')), 100));
    const started = performance.now();
    const error = await rejection(waitUntilReady({ dockerHost: `tcp://127.0.0.1:${port}` }, { timeoutMs: 10_000, giveUp }));
    expect((error as Error).message).toBe('container exited');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects with CancelledError soon after the signal aborts', async () => {
    const port = await freePort();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await rejection(waitUntilReady({ dockerHost: `tcp://127.0.0.1:${port}` }, { timeoutMs: 10_000, signal: controller.signal }));
    expect(error).toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects with CancelledError when aborted during a hanging attempt', async () => {
    const server = net.createServer(() => {});
    const port = await listen(server);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await rejection(waitUntilReady({ dockerHost: `tcp://127.0.0.1:${port}` }, { timeoutMs: 10_000, signal: controller.signal }));
    expect(error).toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('serverVersion', () => {
  it('reads Version from GET /version', async () => {
    const { endpoint } = await httpServer((request, response) => {
      if (request.url === '/version') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: '29.0.1', ApiVersion: '1.52' }));
      } else {
        response.writeHead(404).end();
      }
    });
    await expect(serverVersion(endpoint, 1000)).resolves.toBe('29.0.1');
  });

  it('gives "unknown" when the JSON has no string Version', async () => {
    const { endpoint } = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"Version":29}');
    });
    await expect(serverVersion(endpoint, 1000)).resolves.toBe('unknown');
  });

  it('rejects with a ProbeFailure on a non-200 answer', async () => {
    const { endpoint } = await httpServer((_request, response) => {
      response.writeHead(503).end();
    });
    const error = await rejection(serverVersion(endpoint, 1000));
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).message).toContain('HTTP 503');
  });
});
