/**
 * A stand-in for the daemon's unix socket, for the DooD proxy's plumbing
 * (the forwarder, the daemon client): a node:http server in a temporary
 * directory that records every request as it arrived and answers as the
 * test says, hijacking (upgrade) requests included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UpstreamRequest {
  method: string;
  url: string;
  /** Header pairs as sent, names in their case. */
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (request: UpstreamRequest, res: http.ServerResponse) => void;
export type UpgradeHandler = (request: UpstreamRequest, socket: net.Socket, head: Buffer) => void;

export class FakeUpstream {
  readonly seen: UpstreamRequest[] = [];
  /** How plain requests are answered: 200 {} unless a test says otherwise. */
  handle: Handler = (_request, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}\n');
  };
  /** How upgrade requests are answered: 101, then the test's stream. */
  upgrade: UpgradeHandler = (_request, socket) => socket.end('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  readonly dir = mkdtempSync(join(tmpdir(), 'setup-dind-fake-upstream-'));
  readonly socketPath = join(this.dir, 'daemon.sock');
  private readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(this.record(req, Buffer.concat(chunks)), res));
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      socket.on('error', () => {});
      this.upgrade(this.record(req, Buffer.alloc(0)), socket, head);
    });
  }

  static async start(): Promise<FakeUpstream> {
    const upstream = new FakeUpstream();
    await new Promise<void>((resolve, reject) => {
      upstream.server.once('error', reject);
      upstream.server.listen(upstream.socketPath, () => resolve());
    });
    return upstream;
  }

  /** Stops answering: the socket is gone, as when the daemon is down. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private record(req: http.IncomingMessage, body: Buffer): UpstreamRequest {
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, headers: req.headers, body };
    this.seen.push(request);
    return request;
  }
}
