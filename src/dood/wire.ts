/**
 * HTTP on the wire, as the proxy handles it: hop-by-hop headers (never
 * passed on), bodies read up to a limit, and the answers the proxy writes
 * itself in the Engine API's error form.
 */
import http from 'node:http';
import type net from 'node:net';
import { Refused } from './refused.js';

/** Largest request body the proxy inspects (create requests are a few KiB). */
export const MAX_INSPECTED_BODY = 8 << 20;
/** Largest answer of the daemon the proxy reads whole (its own look-ups, an error to explain). */
export const MAX_ERROR_BODY = 1 << 20;

/** Headers about one connection, not the message (RFC 9110, 7.6.1): never passed on. The server answers Expect itself. */
export const REQUEST_HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);
export const RESPONSE_HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'trailer', 'upgrade']);
/** Methods whose requests carry no body unless their headers say so. */
export const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** rawHeaders pairs without the named ones. */
export function withoutHeaders(raw: string[], drop: Set<string>): string[] {
  const out: string[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    if (!drop.has(raw[index]!.toLowerCase())) out.push(raw[index]!, raw[index + 1]!);
  }
  return out;
}

/** Whether rawHeaders hold the (lower-case) `name`. */
export function hasHeader(raw: string[], name: string): boolean {
  for (let index = 0; index < raw.length; index += 2) if (raw[index]!.toLowerCase() === name) return true;
  return false;
}

/** An answer with {"message": ...}; a response already under way is cut instead. */
export function jsonAnswer(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${JSON.stringify({ message })}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A raw HTTP/1.1 response with {"message": ...} on a socket, which is then closed. */
export function rawJsonAnswer(socket: net.Socket, status: number, message: string): void {
  const body = `${JSON.stringify({ message })}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Ends a socket after what is written to it is flushed, then closes it for reading too. */
export function flushAndClose(socket: net.Socket): void {
  if (!socket.destroyed) socket.end(() => socket.destroy());
}

/** A whole body, or a 413 refusal past `limit` bytes. */
export function readBody(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        reject(new Refused(413, `setup-dind dood: the request body is larger than ${limit} bytes, more than the proxy inspects.`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
