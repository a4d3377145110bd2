/**
 * The DooD isolation proxy: a per-job unix socket in front of the host
 * daemon's. It forwards the Engine API faithfully (streams both ways, no
 * buffering, no timeouts, hijacked attach/exec/session connections with
 * half-close) and looks only at the few requests that create things or could
 * reach outside the job:
 *
 * - containers, networks and volumes the job creates get the job's labels,
 *   so teardown removes exactly those;
 * - when the job itself runs in a container, bind-mount sources (paths in the
 *   job's container) are translated to the host paths the daemon sees;
 * - dood-policy refuses privileged containers, host namespaces, binds outside
 *   the workspace and temp dirs, and the Docker socket (403 with a message the
 *   docker CLI prints);
 * - "port is already allocated" errors name the container holding the port.
 *
 * Bodies the proxy inspects are parsed the way the daemon's Go decoder reads
 * them (first JSON value, field names case-insensitive) and re-serialized, so
 * the daemon acts on exactly what was checked.
 *
 * This file wires the parts together: routes.ts (which endpoint), guard.ts
 * (what to do with it: inspect.ts, ownership.ts), forwarder.ts (the
 * transport), daemon-client.ts (the proxy's own requests), listen.ts,
 * grpc-relay.ts and buildkit.ts (BuildKit's calls), restart-watcher.ts
 * (each start of a job container, judged by what it mounted).
 */
import http from 'node:http';
import type net from 'node:net';
import { unlinkSync } from 'node:fs';
import { daemonClient } from './daemon-client.js';
import { BuildKitRules } from './buildkit.js';
import { Forwarder, type UpgradedRelay } from './forwarder.js';
import { relayGrpc } from './grpc-relay.js';
import { RequestGuard, targetRefusal, upgradeRefusal } from './guard.js';
import type { InspectionContext } from './inspect.js';
import { listenPrivately } from './listen.js';
import { Ownership } from './ownership.js';
import { PingCache, pingBody } from './ping-cache.js';
import { resolveExisting, translateHostPath, type PathMapping } from './paths.js';
import type { DoodPolicy } from './policy.js';
import { withPortHolder } from './port-conflict.js';
import { Refused } from './refused.js';
import { RestartWatcher, watcherDaemon } from './restart-watcher.js';
import { classifyRequest } from './routes.js';
import { daemonClaims } from './tag-claims.js';
import { TagLedger, TagRules } from './tags.js';
import { jsonAnswer } from './wire.js';

export interface ProxyOptions {
  /** The unix socket to create (mode 0600). */
  listenPath: string;
  /** The host daemon's socket. */
  upstreamPath: string;
  /** Added to what the job creates (containers, networks, volumes); the request's own labels are kept, ours win. */
  labels: Record<string, string>;
  policy: DoodPolicy;
  /** strict: host paths under which bind sources are allowed. */
  allowedBindRoots: string[];
  /** strict: host paths that are the Docker socket; binding one or a directory holding one is refused. */
  socketPaths: string[];
  /** When the job runs in a container: its mounts, to translate bind sources to host paths. */
  pathMap?: PathMapping[];
  /** One line per translation, refusal or notable event. */
  log: (line: string) => void;
}

export interface RunningProxy {
  close(): Promise<void>;
}

/**
 * The inspections' context: roots and socket paths as the daemon's host sees
 * them. When the proxy sees the host (no pathMap), symbolic links count too
 * (e.g. /var/run -> /run); in a container, the socket paths are translated.
 */
export function inspectionContext(options: Omit<ProxyOptions, 'listenPath' | 'upstreamPath' | 'log'>): InspectionContext {
  const inContainer = options.pathMap !== undefined;
  const resolveHost = (paths: string[]) => [...new Set([...paths, ...(inContainer ? [] : paths.map(resolveExisting))])];
  const socketPaths = [...options.socketPaths];
  if (options.pathMap) {
    for (const path of options.socketPaths) {
      const host = translateHostPath(path, options.pathMap);
      if (host) socketPaths.push(host);
    }
  }
  return {
    labels: { ...options.labels },
    policy: options.policy,
    allowedBindRoots: resolveHost(options.allowedBindRoots),
    socketPaths: resolveHost(socketPaths),
    ...(options.pathMap ? { pathMap: options.pathMap } : {}),
    resolvePath: resolveExisting,
  };
}

/** How long the proxy waits for the daemon's event stream before it listens anyway (the watcher keeps trying). */
const WATCHER_READY_MS = 5000;

/** Resolves once the watcher follows the daemon's events, or after `ms` with a log line: no job start is missed when it does. */
async function watchedWithin(watcher: RestartWatcher, ms: number, log: (line: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const first = await Promise.race([watcher.ready.then(() => 'ready' as const), late]);
  clearTimeout(timer);
  if (first === 'late') log(`setup-dind dood: the daemon's event stream did not answer within ${ms} ms; starts are checked once it does`);
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { listenPath, upstreamPath, log } = options;
  const context = inspectionContext(options);

  // Every connection, the client's and the daemon's, so close() ends them all.
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    if (sockets.has(socket)) return;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  let closing = false;

  const daemon = daemonClient(upstreamPath, track);
  const ownership = new Ownership({ daemon, labels: context.labels, strict: context.policy === 'strict', log });
  // The job's new tags are claimed in the daemon, where every job's proxy sees the claims.
  const tags = new TagRules({ lookup: daemon, ledger: new TagLedger(), claims: daemonClaims(daemon, context.labels) });
  const guard = new RequestGuard({ context, ownership, tags, volumes: daemon, log });
  const buildkit = options.policy === 'strict' ? new BuildKitRules({ checkTags: (list, verb) => tags.checkWrites(list, verb) }) : undefined;
  const grpcRelay: UpgradedRelay = (client, early, upstream, upstreamHead) => relayGrpc(client, early, upstream, upstreamHead, { rules: buildkit!, log });
  // strict: the daemon mounts binds again at every start, also one no request asked for (a restart policy):
  // each start of a job container is judged by what it mounted, and killed on a problem.
  const watcher = options.policy === 'strict' ? new RestartWatcher({ daemon: watcherDaemon(upstreamPath, track), labels: context.labels, context, log }) : undefined;
  watcher?.start();
  const forwarder = new Forwarder({
    upstreamPath,
    track,
    log,
    closing: () => closing,
    explainError: (answer) => withPortHolder(answer, daemon.listContainers, log),
  });

  const pings = new PingCache(daemon.ping);
  /** A ping answered from the daemon's recent answer; false when there is none (then it is forwarded). */
  const answerPing = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const headers = await pings.headers();
    if (!headers) return false;
    req.resume();
    const body = pingBody(req.method ?? 'GET');
    res.writeHead(200, [...headers, 'Content-Length', String(Buffer.byteLength(body))]);
    res.end(body);
    return true;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = classifyRequest(method, url);
    try {
      const refusal = targetRefusal(url);
      if (refusal) throw refusal;
      // Unversioned only (the CLI's): the daemon answers a version it does not serve with 400, which no cache knows.
      if (url === '/_ping' && (await answerPing(req, res))) return;
      forwarder.forward(req, res, await guard.prepare(route, req));
    } catch (error) {
      if (error instanceof Refused) {
        log(`refused ${method} ${url}: ${error.message}`);
        req.resume();
        return jsonAnswer(res, error.status, error.message);
      }
      const message = error instanceof Error ? error.message : String(error);
      if (!closing) log(`error handling ${method} ${url}: ${message}`);
      jsonAnswer(res, 502, `setup-dind dood proxy: ${message}`);
    }
  };

  const upgrade = (req: http.IncomingMessage, socket: net.Socket, head: Buffer): void => {
    track(socket);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = classifyRequest(method, url);
    const refusal = targetRefusal(url) ?? upgradeRefusal(method, url, route);
    if (refusal) return forwarder.refuseUpgrade(req, socket, refusal);
    // strict reads BuildKit's calls one by one (buildkit.ts); the session and hijacked streams go byte for byte.
    const relay = buildkit && route.pattern === '/grpc' ? grpcRelay : undefined;
    forwarder.hijack(req, socket, head, () => guard.checkRoute(route, req), relay);
  };

  // No timeouts (streams, uploads and idle keep-alive connections last as long as the client wants),
  // and headers as large as the daemon takes (X-Registry-Config carries every registry credential).
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0, maxHeaderSize: 1 << 20 });
  server.keepAliveTimeout = 0;
  server.timeout = 0;
  server.on('connection', (socket: net.Socket) => track(socket));
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res));
  server.on('upgrade', upgrade);
  server.on('clientError', (_error, socket: net.Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  const stopWatching = (): Promise<void> => watcher?.stop() ?? Promise.resolve();
  try {
    if (watcher) await watchedWithin(watcher, WATCHER_READY_MS, log);
    await listenPrivately(server, listenPath);
  } catch (error) {
    await stopWatching();
    throw error;
  }
  log(
    `DooD proxy listening on ${listenPath} for ${upstreamPath} (dood-policy ${options.policy}` +
      `${options.pathMap ? `; bind sources translated through ${options.pathMap.length} mounts of the job's container` : ''})`,
  );

  let closed: Promise<void> | undefined;
  return {
    close(): Promise<void> {
      const shut = () =>
        new Promise<void>((resolve) => {
          closing = true;
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
          server.closeAllConnections();
        });
      closed ??= stopWatching()
        .then(shut)
        .then(() => {
          try {
            unlinkSync(listenPath);
          } catch {
            // already gone (node removes it on close)
          }
          log(`DooD proxy on ${listenPath} closed`);
        });
      return closed;
    },
  };
}
