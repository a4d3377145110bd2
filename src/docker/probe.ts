/**
 * Readiness: a daemon is ready when its Engine API answers `GET /_ping` with
 * `OK`. An open port proves nothing: Docker's port proxy accepts connections
 * before the daemon inside listens, and dockerd binds before it serves.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledError, SetupDindError } from '../engine/errors.js';

/** Where a daemon's API is, as DOCKER_HOST spells it, plus TLS material if it needs any. */
export interface Endpoint {
  /** tcp://host:port or unix:///path */
  dockerHost: string;
  tls?: { ca: Buffer | string; cert: Buffer | string; key: Buffer | string };
}

export type ParsedDockerHost = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; socketPath: string };

export function parseDockerHost(dockerHost: string): ParsedDockerHost {
  if (dockerHost.startsWith('unix://')) {
    return { kind: 'unix', socketPath: dockerHost.slice('unix://'.length) };
  }
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (!match) throw new SetupDindError(`Not a Docker endpoint: ${dockerHost} (expected tcp://HOST:PORT or unix:///PATH).`);
  return { kind: 'tcp', host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

export type ApiResponse = { status: number; body: string; headers: http.IncomingHttpHeaders };

/** One request to the Engine API, bounded in time. Rejects with a ProbeFailure. */
export function apiGet(endpoint: Endpoint, path: string, timeoutMs: number, signal?: AbortSignal): Promise<ApiResponse> {
  const target = parseDockerHost(endpoint.dockerHost);
  const transport = endpoint.tls ? https : http;
  const options: https.RequestOptions = {
    method: 'GET',
    path,
    agent: false,
    timeout: timeoutMs,
    signal,
    headers: { host: 'docker' },
    ...(target.kind === 'unix' ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
    // TLS verifies the name dialled against the server certificate; SNI only for DNS names (RFC 6066).
    ...(endpoint.tls ? { ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key } : {}),
    ...(endpoint.tls && target.kind === 'tcp' && isIP(target.host) === 0 ? { servername: target.host } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = transport.request(options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 1 << 20) body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      response.on('error', (error) => reject(describeProbeError(error, endpoint, timeoutMs)));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => reject(describeProbeError(error, endpoint, timeoutMs)));
    request.end();
  });
}

/** Why an attempt got no good answer, in words a user can act on. */
export class ProbeFailure extends Error {
  constructor(
    readonly reason: 'refused' | 'closed' | 'timeout' | 'not-found' | 'tls' | 'http' | 'permission' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

function describeProbeError(error: NodeJS.ErrnoException, endpoint: Endpoint, timeoutMs: number): ProbeFailure {
  const where = endpoint.dockerHost;
  switch (error.code) {
    case 'ECONNREFUSED':
      return new ProbeFailure('refused', `connection refused at ${where}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ProbeFailure('closed', `${where} accepted the connection and closed it without an answer`);
    case 'ETIMEDOUT':
      return new ProbeFailure('timeout', `no answer from ${where} within ${timeoutMs} ms`);
    case 'ENOENT':
      return new ProbeFailure('not-found', `no socket at ${where}`);
    case 'EACCES':
      return new ProbeFailure('permission', `permission denied opening ${where}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ProbeFailure('not-found', `host name in ${where} does not resolve`);
    default:
      if (error.message === 'socket hang up') {
        return new ProbeFailure('closed', `${where} accepted the connection and closed it without an answer`);
      }
      if (/SSL|TLS|certificate|wrong version number/i.test(`${error.code ?? ''} ${error.message}`)) {
        return new ProbeFailure('tls', `TLS handshake with ${where} failed: ${error.message}`);
      }
      return new ProbeFailure('other', `${where}: ${error.message}`);
  }
}

/** One `GET /_ping`: resolves if the daemon answered 200 OK, rejects with a ProbeFailure otherwise. */
export async function ping(endpoint: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const response = await apiGet(endpoint, '/_ping', timeoutMs, signal);
  if (response.status === 200 && response.body.trim() === 'OK') return;
  if (/HTTP request to an HTTPS server/i.test(response.body)) {
    throw new ProbeFailure('tls', `${endpoint.dockerHost} expects TLS (HTTP request to an HTTPS server)`);
  }
  throw new ProbeFailure('http', `${endpoint.dockerHost} answered /_ping with HTTP ${response.status}: ${response.body.trim().slice(0, 200)}`);
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Rejects (with the reason to report) when waiting is pointless, e.g. the daemon's container exited. */
  giveUp?: Promise<never>;
  /** First pause between attempts; it grows to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest a single attempt may take. */
  attemptTimeoutMs?: number;
  now?: () => number;
}

export interface WaitResult {
  attempts: number;
  elapsedMs: number;
}

/** Thrown when the deadline passed; `lastFailure` says what the last attempt saw. */
export class NotReadyError extends SetupDindError {
  constructor(
    readonly lastFailure: ProbeFailure | undefined,
    readonly timeoutMs: number,
    readonly attempts: number,
  ) {
    super(
      `The daemon did not answer GET /_ping within ${timeoutMs / 1000} s (${attempts} attempts; last: ${lastFailure?.message ?? 'no attempt finished'}).`,
    );
    this.name = 'NotReadyError';
  }
}

/**
 * Pings until the daemon answers, the deadline passes, `giveUp` fires or the
 * signal aborts. Attempts are bounded by the time left; pauses between them
 * are tens of milliseconds, so readiness is seen within that of happening.
 */
export async function waitUntilReady(endpoint: Endpoint, options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const deadline = start + options.timeoutMs;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
  let backoff = options.backoffMs ?? 20;
  const maxBackoff = options.maxBackoffMs ?? 100;
  let attempts = 0;
  let lastFailure: ProbeFailure | undefined;

  // One controller ends an in-flight attempt or pause when we stop for any reason.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let gaveUp: unknown;
  options.giveUp?.catch((reason: unknown) => {
    gaveUp = reason ?? new Error('gave up');
    stop.abort();
  });

  try {
    for (;;) {
      const left = deadline - now();
      if (left <= 0) throw new NotReadyError(lastFailure, options.timeoutMs, attempts);
      attempts += 1;
      const budget = Math.max(1, Math.min(attemptTimeoutMs, Math.ceil(left)));
      try {
        await ping(endpoint, budget, stop.signal);
        return { attempts, elapsedMs: now() - start };
      } catch (error) {
        if (stop.signal.aborted) {
          // stopped on purpose: reported below
        } else if (!(error instanceof ProbeFailure)) {
          throw error;
        } else if (!(error.reason === 'timeout' && budget < attemptTimeoutMs && lastFailure)) {
          // An attempt cut short by the deadline says less than what came before it.
          lastFailure = error;
        }
      }
      if (!stop.signal.aborted) {
        const pause = Math.min(backoff, Math.max(0, deadline - now()));
        backoff = Math.min(maxBackoff, backoff * 1.5);
        await sleep(pause, undefined, { signal: stop.signal }).catch(() => {});
      }
      if (gaveUp !== undefined) throw gaveUp;
      if (options.signal?.aborted) throw new CancelledError('waiting for the daemon to answer');
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

export interface DaemonVersion {
  version: string;
  /** The newest Engine API version the daemon serves. */
  apiVersion: string | undefined;
  /** The oldest Engine API version the daemon accepts (1.24 through 28; 1.44 in 29.0). */
  minApiVersion: string | undefined;
}

/** The daemon's version and API range, from GET /version (unversioned: every daemon serves it). */
export async function daemonVersion(endpoint: Endpoint, timeoutMs = 5000): Promise<DaemonVersion> {
  const response = await apiGet(endpoint, '/version', timeoutMs);
  if (response.status !== 200) throw new ProbeFailure('http', `GET /version answered HTTP ${response.status}`);
  const body = JSON.parse(response.body) as { Version?: unknown; ApiVersion?: unknown; MinAPIVersion?: unknown };
  return {
    version: typeof body.Version === 'string' ? body.Version : 'unknown',
    apiVersion: typeof body.ApiVersion === 'string' ? body.ApiVersion : undefined,
    minApiVersion: typeof body.MinAPIVersion === 'string' ? body.MinAPIVersion : undefined,
  };
}

/** The daemon's version, from GET /version. */
export async function serverVersion(endpoint: Endpoint, timeoutMs = 5000): Promise<string> {
  return (await daemonVersion(endpoint, timeoutMs)).version;
}
