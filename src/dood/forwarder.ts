/**
 * The proxy's transport: requests streamed to the daemon and answers back,
 * faithfully (no buffering, no timeouts), and hijacked connections (attach,
 * exec start, BuildKit session/grpc) joined byte for byte with half-close,
 * or handed to a relay that reads them (strict's BuildKit calls).
 * It decides nothing: what goes on, with which body and path, the caller
 * says; what it forwards carries no hop-by-hop headers and a length the
 * daemon can trust.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Transform } from 'node:stream';
import { Refused } from './refused.js';
import {
  BODYLESS_METHODS,
  flushAndClose,
  hasHeader,
  jsonAnswer,
  MAX_ERROR_BODY,
  MAX_INSPECTED_BODY,
  rawJsonAnswer,
  readBody,
  REQUEST_HOP_HEADERS,
  RESPONSE_HOP_HEADERS,
  withoutHeaders,
} from './wire.js';

export interface ForwarderOptions {
  /** The daemon's socket. */
  upstreamPath: string;
  /** Gets every connection to the daemon, so the proxy's close ends it. */
  track: (socket: net.Socket) => void;
  log: (line: string) => void;
  /** True once the proxy closes: broken connections are expected then, and not logged. */
  closing: () => boolean;
  /** Rewrites a daemon error answer of a request forwarded with explainErrors. */
  explainError: (answer: Buffer) => Promise<Buffer>;
}

/**
 * Takes over an upgraded connection instead of joining it byte for byte:
 * `client` with `early` (what it sent past its request), and the daemon's
 * socket with `upstreamHead` (what it sent past its 101).
 */
export type UpgradedRelay = (client: net.Socket, early: Buffer, upstream: net.Socket, upstreamHead: Buffer) => void;

/** How one request goes on to the daemon. */
export interface Forwarding {
  /** Replaces the request's body (and its length). */
  body?: Buffer;
  /** Replaces the request target. */
  path?: string;
  /** Error answers (status 400 and up) are read whole and passed through explainError. */
  explainErrors?: boolean;
  /**
   * A streamed body goes through this (a watcher that holds back the end of
   * an image archive until it has checked it). When it fails, the daemon's
   * request is destroyed, so the daemon sees an incomplete body and acts on
   * none of it, and the client gets the failure: a Refused as it is.
   */
  through?: Transform;
}

/** What a body sent on or an answer read whole must not keep: its framing is the proxy's. */
const RESPONSE_FRAMING = new Set([...RESPONSE_HOP_HEADERS, 'content-length', 'transfer-encoding']);
const REQUEST_FRAMING = new Set(['content-length', 'transfer-encoding']);

/** The request's headers as forwarded: hop-by-hop ones dropped, and a length that matches the body sent. */
function forwardedHeaders(req: http.IncomingMessage, body: Buffer | undefined): string[] {
  const headers = withoutHeaders(req.rawHeaders, REQUEST_HOP_HEADERS);
  if (body !== undefined) return [...withoutHeaders(headers, REQUEST_FRAMING), 'Content-Length', String(body.length)];
  if (!hasHeader(headers, 'content-length') && !hasHeader(headers, 'transfer-encoding') && !BODYLESS_METHODS.has(req.method ?? '')) {
    // No body: say so, or the client library would send an empty chunked one (which e.g. /start refuses).
    return [...headers, 'Content-Length', '0'];
  }
  return headers;
}

/** A status line and header pairs, as raw HTTP/1.1. */
function httpHead(statusLine: string, rawHeaders: string[]): string {
  let text = `${statusLine}\r\n`;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) text += `${rawHeaders[index]}: ${rawHeaders[index + 1]}\r\n`;
  return text;
}

/** What an upgrade request sends before the stream: its Content-Length, or why the proxy cannot tell. */
function upgradeBodyLength(req: http.IncomingMessage): number | Refused {
  if (req.headers['transfer-encoding'] !== undefined) return new Refused(400, 'setup-dind dood proxy: a chunked body on an upgrade request is not supported.');
  const raw = req.headers['content-length'];
  const length = raw === undefined ? 0 : Number(raw);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_INSPECTED_BODY) return new Refused(400, 'setup-dind dood proxy: bad Content-Length.');
  return length;
}

/** An upgrade request's body and what came early for the stream; `ended`: the client already closed its side. */
interface Gathered {
  body: Buffer;
  rest: Buffer;
  ended: boolean;
}

/** Reads `length` bytes of body from a hijacked socket (after `head`, what the server read past the headers), then pauses it. */
function gather(socket: net.Socket, head: Buffer, length: number): Promise<Gathered> {
  return new Promise((resolve) => {
    let buffered = head;
    const finish = (ended: boolean) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      resolve({ body: buffered.subarray(0, length), rest: buffered.subarray(Math.min(length, buffered.length)), ended });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= length) finish(false);
    };
    const onEnd = () => finish(true);
    if (buffered.length >= length) return finish(false);
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** Joins the client's socket and the daemon's after a 101: each direction ends on its own. */
function join(socket: net.Socket, upstream: net.Socket, { rest, ended }: Gathered): void {
  if (rest.length > 0) upstream.write(rest);
  // The client closing stdin must not cut the output.
  upstream.pipe(socket);
  if (ended) upstream.end();
  else socket.pipe(upstream);
  // When one side is gone, the other gets what is already on its way, then closes (at once after an error).
  socket.on('close', (hadError) => (hadError ? upstream.destroy() : flushAndClose(upstream)));
  upstream.on('close', (hadError) => (hadError ? socket.destroy() : flushAndClose(socket)));
}

export class Forwarder {
  /** Connections to the daemon kept open between requests (not for upgrades, whose connection becomes the stream). */
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 8 });

  constructor(private readonly options: ForwarderOptions) {}

  /** Streams one request to the daemon and its answer back. */
  forward(req: http.IncomingMessage, res: http.ServerResponse, forwarding: Forwarding = {}): void {
    this.send(req, res, forwarding, false);
  }

  /**
   * forward() on a kept connection, or with `fresh` on a new one. A GET or
   * HEAD that fails on a kept connection (the daemon may have closed it
   * meanwhile) is sent again fresh, unless the client has gone. Nothing else
   * is: a request may have reached the daemon before the connection broke,
   * and running a create or a restart twice is worse than a 502.
   */
  private send(req: http.IncomingMessage, res: http.ServerResponse, forwarding: Forwarding, fresh: boolean): void {
    const { body, path = req.url ?? '/', explainErrors = false, through } = forwarding;
    const { upstreamPath, track, log, closing } = this.options;
    const headers = forwardedHeaders(req, body);
    const request = http.request({ socketPath: upstreamPath, method: req.method, path, headers, agent: fresh ? false : this.agent });
    const streamed = body === undefined && (hasHeader(headers, 'transfer-encoding') || !['0', undefined].includes(req.headers['content-length']));
    const resendable = !fresh && (req.method === 'GET' || req.method === 'HEAD') && !streamed;
    let answered = false;
    let clientGone = false;
    request.on('socket', (socket) => track(socket));
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Once the daemon answered, a failing late write (it closed after answering) is no news: the answer goes on.
      if (answered) return;
      if (resendable && !clientGone && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) return this.send(req, res, forwarding, true);
      if (!closing()) log(`upstream ${upstreamPath}: ${req.method} ${req.url}: ${error.message}`);
      jsonAnswer(res, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      request.destroy();
    });
    request.on('response', (response) => {
      answered = true;
      this.answer(response, res, explainErrors);
    });
    if (body !== undefined) request.end(body);
    else if (streamed) {
      // A body of any size, streamed as it comes (build contexts, image loads).
      request.flushHeaders();
      if (!through) {
        req.pipe(request);
        return;
      }
      through.on('error', (error) => {
        if (answered) return;
        answered = true;
        request.destroy();
        const refusal = error instanceof Refused ? error : new Refused(502, `setup-dind dood proxy: ${error.message}`);
        log(`refused ${req.method} ${req.url}: ${refusal.message}`);
        req.resume();
        jsonAnswer(res, refusal.status, refusal.message);
      });
      req.pipe(through).pipe(request);
    } else {
      req.resume();
      request.end();
    }
  }

  /** The daemon's answer to the client: streamed, or read whole and explained. */
  private answer(response: http.IncomingMessage, res: http.ServerResponse, explainErrors: boolean): void {
    response.on('error', () => res.destroy());
    const status = response.statusCode ?? 502;
    if (explainErrors && status >= 400) {
      void readBody(response, MAX_ERROR_BODY)
        .then((data) => this.options.explainError(data))
        .then((answer) => {
          res.writeHead(status, response.statusMessage, [...withoutHeaders(response.rawHeaders, RESPONSE_FRAMING), 'Content-Length', String(answer.length)]);
          res.end(answer);
        })
        .catch(() => res.destroy());
      return;
    }
    res.writeHead(status, response.statusMessage, withoutHeaders(response.rawHeaders, RESPONSE_HOP_HEADERS));
    res.flushHeaders();
    response.pipe(res);
  }

  /** Answers a hijacking request itself, on its raw socket, and logs why. */
  refuseUpgrade(req: http.IncomingMessage, socket: net.Socket, refusal: Refused): void {
    this.options.log(`refused ${req.method ?? 'GET'} ${req.url ?? '/'}: ${refusal.message}`);
    rawJsonAnswer(socket, refusal.status, refusal.message);
  }

  /**
   * A hijacked connection: once `check` passes (answering the target to use,
   * or undefined for the request's own), the request goes to the
   * daemon through node's client; on 101 both raw sockets are joined. Any
   * other answer ends the connection, so nothing after it reaches the daemon
   * uninspected.
   */
  hijack(req: http.IncomingMessage, socket: net.Socket, head: Buffer, check: () => Promise<string | undefined>, relay?: UpgradedRelay): void {
    const { track, log, closing } = this.options;
    track(socket);
    const length = upgradeBodyLength(req);
    if (length instanceof Refused) return this.refuseUpgrade(req, socket, length);
    // The body (exec start sends a small JSON one), then anything early for the stream; read while the check runs.
    const gathered = gather(socket, head, length);
    void check()
      .then(async (path) => ({ path, early: await gathered }))
      .then(({ path, early }) => {
        if (!socket.destroyed) this.upgradeUpstream(req, socket, early, path ?? req.url ?? '/', relay);
      })
      .catch((error: unknown) => {
        if (error instanceof Refused) return this.refuseUpgrade(req, socket, error);
        const message = error instanceof Error ? error.message : String(error);
        if (!closing()) log(`error handling ${req.method ?? 'GET'} ${req.url ?? '/'}: ${message}`);
        rawJsonAnswer(socket, 502, `setup-dind dood proxy: ${message}`);
      });
  }

  /** Sends the upgrade request on, and joins the two sockets on 101 or passes any other answer on and closes. */
  private upgradeUpstream(req: http.IncomingMessage, socket: net.Socket, early: Gathered, url: string, relay: UpgradedRelay | undefined): void {
    const { upstreamPath, track, log, closing } = this.options;
    const method = req.method ?? 'GET';
    const headers = hasHeader(req.rawHeaders, 'content-length') ? req.rawHeaders : [...req.rawHeaders, 'Content-Length', '0'];
    const request = http.request({ socketPath: upstreamPath, method, path: url, headers, agent: false });
    let answered = false;
    request.on('socket', (upstreamSocket) => track(upstreamSocket));
    request.on('error', (error) => {
      if (answered) return;
      if (!closing()) log(`upstream ${upstreamPath}: ${method} ${url}: ${error.message}`);
      rawJsonAnswer(socket, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
    });
    socket.on('close', () => {
      if (!answered) request.destroy();
    });
    request.on('upgrade', (response, upstreamSocket, upstreamHead) => {
      answered = true;
      track(upstreamSocket);
      socket.write(`${httpHead(`HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}`, response.rawHeaders)}\r\n`);
      if (relay && !early.ended) return relay(socket, early.rest, upstreamSocket, upstreamHead);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      join(socket, upstreamSocket, early);
    });
    request.on('response', (response) => {
      answered = true;
      // Not upgraded: pass the answer on and close, so no later bytes reach the daemon as requests.
      void readBody(response, MAX_ERROR_BODY).then(
        (data) => {
          const status = httpHead(`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`, withoutHeaders(response.rawHeaders, RESPONSE_FRAMING));
          socket.write(`${status}Content-Length: ${data.length}\r\nConnection: close\r\n\r\n`);
          socket.end(data);
          request.destroy();
        },
        () => socket.destroy(),
      );
    });
    request.end(early.body);
  }
}
