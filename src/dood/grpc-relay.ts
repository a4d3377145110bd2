/**
 * BuildKit's gRPC connection (POST /grpc, upgraded to h2c), relayed call by
 * call instead of byte for byte, so strict can read what a build asks for:
 * the client's HTTP/2 is terminated here (node:http2) and each call goes to
 * the daemon as a call of its own on a second HTTP/2 session. A call the
 * rules refuse is answered here with a gRPC error and never reaches the
 * daemon; a call they inspect is held until its first message has been
 * read and passed. Everything else (headers, messages, trailers, resets)
 * is passed on as it comes.
 */
import http2 from 'node:http2';
import type net from 'node:net';
import { Refused } from './refused.js';

/** How the rules take one call, by its path (`/package.Service/Method`). */
export type CallAdmission = 'forward' | 'inspect' | Refused;

/** What a call of the proxy's own to the daemon answered: its gRPC status and how many messages came. */
export interface DaemonCallAnswer {
  status: number;
  messages: number;
}

/** A unary-request call of the proxy's own to the daemon, on the relayed session: `message` is its protobuf bytes. */
export type DaemonCall = (path: string, message: Uint8Array) => Promise<DaemonCallAnswer>;

export interface GrpcRules {
  admit(path: string): CallAdmission;
  /** An inspected call's first message (its protobuf bytes); `daemon` asks the daemon first where a rule must. Throws Refused. */
  inspect(path: string, message: Buffer, daemon: DaemonCall): Promise<void>;
}

export interface RelayOptions {
  rules: GrpcRules;
  log: (line: string) => void;
}

/** A gRPC message on the wire: 1 byte compressed flag, 4 bytes length, then the message. */
const FRAME_HEADER = 5;

/** The length of the whole first framed message in `buffer`, once it is all there. */
function framedLength(buffer: Buffer): number | undefined {
  if (buffer.length < FRAME_HEADER) return undefined;
  const length = FRAME_HEADER + buffer.readUInt32BE(1);
  return buffer.length >= length ? length : undefined;
}

/** `message` framed, uncompressed. */
function framed(message: Uint8Array): Buffer {
  const header = Buffer.alloc(FRAME_HEADER);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** gRPC's PERMISSION_DENIED, and INTERNAL for what the proxy cannot read. */
const PERMISSION_DENIED = 7;
const INTERNAL = 13;
/** The largest first message held for inspection: a build's LLB definition is sent whole in it. */
const MAX_INSPECTED_MESSAGE = 64 << 20;
const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR } = http2.constants;

/** grpc-message is percent-encoded outside printable ASCII (the gRPC HTTP/2 protocol). */
function grpcMessage(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) => (byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** True while a response can still be started on the stream (node throws on a closed or reset one). */
function canRespond(stream: http2.ServerHttp2Stream): boolean {
  return !stream.destroyed && !stream.closed && !stream.headersSent;
}

/**
 * Runs an event handler of the relay: a client or daemon that resets a call
 * at any moment makes node's stream methods throw, and that must end the
 * call, not the proxy.
 */
function guarded(stream: http2.ServerHttp2Stream, handler: () => void): void {
  try {
    handler();
  } catch {
    if (!stream.destroyed) stream.destroy();
  }
}

/** Answers a call with a gRPC error only (a trailers-only response), so the client reports `message`. */
function answerError(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  guarded(stream, () => {
    if (!canRespond(stream)) return stream.close(NGHTTP2_CANCEL);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': grpcMessage(message) }, { endStream: true });
  });
}

/** The request headers as sent on: :scheme is the daemon session's own, the rest kept. */
function forwardedRequestHeaders(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const forwarded: http2.OutgoingHttpHeaders = { ...headers };
  delete forwarded[':scheme'];
  return forwarded;
}

/** Reads a call's first gRPC message and hands it over with everything read so far. */
function firstMessage(stream: http2.ServerHttp2Stream): Promise<{ message: Buffer; read: Buffer }> {
  return new Promise((resolve, reject) => {
    let read = Buffer.alloc(0);
    const done = (error?: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
      if (error) return reject(error);
      resolve({ message: read.subarray(FRAME_HEADER, framedLength(read)), read });
    };
    const onData = (chunk: Buffer) => {
      read = Buffer.concat([read, chunk]);
      if (read.length < FRAME_HEADER) return;
      if (read[0] !== 0) return done(new Refused(403, 'setup-dind dood proxy: a compressed gRPC message cannot be checked'));
      if (read.readUInt32BE(1) > MAX_INSPECTED_MESSAGE) return done(new Refused(403, `setup-dind dood proxy: a gRPC message over ${MAX_INSPECTED_MESSAGE} bytes cannot be checked`));
      if (framedLength(read) !== undefined) done();
    };
    const onEnd = () => done(new Refused(400, 'setup-dind dood proxy: the call ended before its first message'));
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/** How long the proxy waits for an answer to a call of its own before it gives up (and refuses what needed it). */
const OWN_CALL_TIMEOUT_MS = 15_000;

/** A call of the proxy's own on the daemon's session: the message framed as gRPC, the answer's messages counted. */
function callDaemon(upstream: http2.ClientHttp2Session, path: string, message: Uint8Array): Promise<DaemonCallAnswer> {
  return new Promise((resolve, reject) => {
    const call = upstream.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    const timer = setTimeout(() => {
      call.close(NGHTTP2_CANCEL);
      reject(new Error(`the daemon did not answer ${path} within ${OWN_CALL_TIMEOUT_MS / 1000} s`));
    }, OWN_CALL_TIMEOUT_MS);
    let status: number | undefined;
    let pending = Buffer.alloc(0);
    let messages = 0;
    const statusOf = (headers: http2.IncomingHttpHeaders) => {
      if (headers['grpc-status'] !== undefined) status = Number(headers['grpc-status']);
    };
    call.on('response', statusOf);
    call.on('trailers', statusOf);
    call.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let length = framedLength(pending); length !== undefined; length = framedLength(pending)) {
        messages += 1;
        pending = pending.subarray(length);
      }
    });
    call.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    call.on('close', () => {
      clearTimeout(timer);
      if (status === undefined) reject(new Error(`the daemon ended ${path} without a gRPC status`));
      else resolve({ status, messages });
    });
    call.end(framed(message));
  });
}

/** Passes one call on to the daemon's session, `early` (already read from the client) first. */
function passOn(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, upstream: http2.ClientHttp2Session, early?: Buffer): void {
  const call = upstream.request(forwardedRequestHeaders(headers), { endStream: false });
  let trailers: http2.OutgoingHttpHeaders = {};
  call.on('response', (responseHeaders, flags) =>
    guarded(stream, () => {
      if (!canRespond(stream)) return call.close(NGHTTP2_CANCEL);
      // A trailers-only answer (an error) stays one; otherwise the daemon's trailers follow its messages.
      const endStream = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
      stream.respond({ ...responseHeaders }, endStream ? { endStream: true } : { waitForTrailers: true });
      if (!endStream) call.pipe(stream);
    }),
  );
  call.on('trailers', (received) => (trailers = { ...received }));
  stream.on('wantTrailers', () => guarded(stream, () => stream.sendTrailers(trailers)));
  // A reset or failure on one side resets the other, with the same code where there is one.
  // A normal end is the piped messages' and trailers' to finish.
  call.on('close', () =>
    guarded(stream, () => {
      if (stream.destroyed || stream.closed) return;
      if (call.rstCode !== NGHTTP2_NO_ERROR) return stream.close(call.rstCode);
      if (canRespond(stream)) answerError(stream, INTERNAL, 'setup-dind dood proxy: the daemon ended the call without an answer');
    }),
  );
  call.on('error', () => undefined);
  stream.on('close', () => {
    try {
      if (!call.destroyed && !call.closed) call.close(stream.rstCode || NGHTTP2_CANCEL);
    } catch {
      call.destroy();
    }
  });
  if (early && early.length > 0) call.write(early);
  stream.pipe(call);
  stream.resume();
}

/** One call from the client: refused, held for inspection, or passed on. */
function relayCall(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, upstream: http2.ClientHttp2Session, { rules, log }: RelayOptions): void {
  const path = String(headers[':path'] ?? '');
  // A client may reset the call at any moment, also while it is held: node emits that as an error, which must end the call only.
  stream.on('error', () => undefined);
  const refuse = (refusal: Refused) => {
    log(`refused gRPC ${path}: ${refusal.message}`);
    answerError(stream, refusal.status === 403 ? PERMISSION_DENIED : INTERNAL, refusal.message);
  };
  const admission = rules.admit(path);
  if (admission instanceof Refused) return refuse(admission);
  if (admission === 'forward') return passOn(stream, headers, upstream);
  firstMessage(stream)
    .then(async ({ message, read }) => {
      await rules.inspect(path, message, (ownPath, ownMessage) => callDaemon(upstream, ownPath, ownMessage));
      // A call the client gave up on while it was held goes no further.
      if (!stream.destroyed && !stream.closed) passOn(stream, headers, upstream, read);
    })
    .catch((error: unknown) => {
      if (error instanceof Refused) return refuse(error);
      refuse(new Refused(500, `setup-dind dood proxy: ${error instanceof Error ? error.message : String(error)}`));
    });
}

/**
 * Relays a /grpc connection after its 101: `client` speaks HTTP/2 to the
 * proxy, `upstream` is the daemon's upgraded socket (with `upstreamHead`,
 * bytes the daemon sent past its 101). Either session ending ends the other.
 */
export function relayGrpc(client: net.Socket, early: Buffer, upstream: net.Socket, upstreamHead: Buffer, options: RelayOptions): void {
  if (upstreamHead.length > 0) upstream.unshift(upstreamHead);
  if (early.length > 0) client.unshift(early);
  const daemon = http2.connect('http://docker.sock', { createConnection: () => upstream });
  const session = http2.performServerHandshake(client);
  const end = () => {
    if (!session.destroyed) session.destroy();
    if (!daemon.destroyed) daemon.destroy();
  };
  daemon.on('close', end);
  daemon.on('error', end);
  session.on('close', end);
  session.on('error', end);
  // No resume(): node's HTTP/2 reads the sockets itself, what was unshifted first.
  session.on('stream', (stream, headers) => guarded(stream, () => relayCall(stream, headers, daemon, options)));
}
