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
 */
import http from 'node:http';
import net from 'node:net';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import type { DoodPolicy } from './policy.js';
import { resolveExisting, translateHostPath, type PathMapping } from './paths.js';
import { parseFirstJsonValue } from './json.js';
import { inspectContainerCreate, inspectExecCreate, inspectNetworkCreate, inspectStartBody, inspectVolumeCreate, scopePruneFilters, type Inspected, type InspectionContext } from './inspect.js';
import { policyRefusal, Refused } from './refused.js';
import { classifyRequest, routePath, withRoutePath, type Route } from './routes.js';
import { withPortHolder } from './port-conflict.js';
import { daemonClient } from './daemon-client.js';
import { Ownership } from './ownership.js';
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

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { listenPath, upstreamPath, log } = options;
  const inContainer = options.pathMap !== undefined;
  // Roots and socket paths as the daemon's host sees them. When the proxy sees
  // the host (no pathMap), symbolic links count too (e.g. /var/run -> /run).
  const resolveHost = (paths: string[]) => [...new Set([...paths, ...(inContainer ? [] : paths.map(resolveExisting))])];
  const socketPaths = [...options.socketPaths];
  if (options.pathMap) {
    for (const path of options.socketPaths) {
      const host = translateHostPath(path, options.pathMap);
      if (host) socketPaths.push(host);
    }
  }
  const context: InspectionContext = {
    labels: { ...options.labels },
    policy: options.policy,
    allowedBindRoots: resolveHost(options.allowedBindRoots),
    socketPaths: resolveHost(socketPaths),
    ...(options.pathMap ? { pathMap: options.pathMap } : {}),
    resolvePath: resolveExisting,
  };
  const strict = options.policy === 'strict';

  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): net.Socket => {
    if (!sockets.has(socket)) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    return socket;
  };
  let closing = false;

  const daemon = daemonClient(upstreamPath, track);
  const ownership = new Ownership({ daemon, labels: context.labels, strict, log });
  const { listContainers } = daemon;

  /** Streams one request to the daemon and its answer back; `body` replaces the request's own. */
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined, explainPorts: boolean, path = req.url ?? '/') => {
    let headers = withoutHeaders(req.rawHeaders, REQUEST_HOP_HEADERS);
    if (body !== undefined) {
      headers = withoutHeaders(headers, new Set(['content-length', 'transfer-encoding']));
      headers.push('Content-Length', String(body.length));
    } else if (!hasHeader(headers, 'content-length') && !hasHeader(headers, 'transfer-encoding') && !BODYLESS_METHODS.has(req.method ?? '')) {
      // No body: say so, or the client library would send an empty chunked one (which e.g. /start refuses).
      headers.push('Content-Length', '0');
    }
    const request = http.request({ socketPath: upstreamPath, method: req.method, path, headers, agent: false });
    let answered = false;
    request.on('socket', (socket) => track(socket));
    request.on('error', (error) => {
      // Once the daemon answered, a failing late write (it closed after answering) is no news: the answer goes on.
      if (answered) return;
      if (!closing) log(`upstream ${upstreamPath}: ${req.method} ${req.url}: ${error.message}`);
      jsonAnswer(res, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
    });
    res.on('close', () => {
      if (!res.writableFinished) request.destroy();
    });
    request.on('response', (response) => {
      answered = true;
      response.on('error', () => res.destroy());
      const status = response.statusCode ?? 502;
      if (explainPorts && status >= 400) {
        void readBody(response, MAX_ERROR_BODY)
          .then((data) => withPortHolder(data, listContainers, log))
          .then((answer) => {
            const out = withoutHeaders(response.rawHeaders, new Set([...RESPONSE_HOP_HEADERS, 'content-length', 'transfer-encoding']));
            res.writeHead(status, response.statusMessage, [...out, 'Content-Length', String(answer.length)]);
            res.end(answer);
          })
          .catch(() => res.destroy());
        return;
      }
      res.writeHead(status, response.statusMessage, withoutHeaders(response.rawHeaders, RESPONSE_HOP_HEADERS));
      res.flushHeaders();
      response.pipe(res);
    });
    if (body !== undefined) request.end(body);
    else if (hasHeader(headers, 'transfer-encoding') || !['0', undefined].includes(req.headers['content-length'])) {
      // A body of any size, streamed as it comes (build contexts, image loads).
      request.flushHeaders();
      req.pipe(request);
    } else {
      req.resume();
      request.end();
    }
  };

  /** Reads, inspects and re-serializes a JSON body; a body that is not JSON goes on unchanged. */
  const inspectBody = async (req: http.IncomingMessage, inspect: (body: unknown) => Inspected): Promise<{ raw: Buffer; inspected?: Inspected }> => {
    const raw = await readBody(req, MAX_INSPECTED_BODY);
    const parsed = parseFirstJsonValue(raw.toString('utf8'));
    if (!parsed) return { raw };
    const inspected = inspect(parsed.value);
    for (const note of inspected.notes) log(note);
    return { raw, inspected };
  };

  const serialize = (inspected: Inspected | undefined, raw: Buffer): Buffer =>
    inspected ? Buffer.from(JSON.stringify(inspected.body)) : raw;

  /** Policy refusals by endpoint, and strict's own-containers rule. Throws Refused. */
  const checkRoute = async (route: Route, req: http.IncomingMessage): Promise<void> => {
    if (!strict) return;
    const method = req.method ?? 'GET';
    // The daemon reads form values from a url-encoded body before the query: strict checks the query only.
    if (/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      throw policyRefusal('strict', 'a form-encoded request body', 'the proxy checks parameters in the query only');
    }
    switch (route.kind) {
      case 'forbidden':
        throw policyRefusal('strict', route.what, route.why);
      case 'build':
        if (route.networkMode.toLowerCase() === 'host') throw policyRefusal('strict', 'build --network host', "it shares the host's network stack");
        return;
      case 'container':
        await ownership.ownContainer(route.ref, `${method} ${route.action ? `/${route.action}` : ''}`.trim());
        return;
      case 'container-start':
        await ownership.ownContainer(route.ref, 'start');
        return;
      case 'exec-create':
        await ownership.ownContainer(route.ref, 'exec');
        return;
      case 'commit':
        await ownership.ownContainer(route.ref, 'commit');
        return;
      case 'volume':
        await ownership.ownObject('volume', route.ref, `${method} volume`);
        return;
      case 'network':
        return; // resolved and pinned to its ID in handle()
      default:
        return;
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = classifyRequest(method, url);
    try {
      // The daemon routes http://host/path targets by their path: only plain paths are inspected, so only those pass.
      if (!url.startsWith('/')) throw new Refused(400, `setup-dind dood proxy: the request target must be a path, not ${url.slice(0, 100)}`);
      await checkRoute(route, req);
      switch (route.kind) {
        case 'container-create': {
          const { raw, inspected } = await inspectBody(req, (body) => inspectContainerCreate(body, context));
          if (inspected && strict) await ownership.ownJoins(inspected.joins);
          if (inspected) await ownership.prepareVolumes(inspected.volumes);
          return forward(req, res, serialize(inspected, raw), true);
        }
        case 'network-create':
        case 'volume-create':
        case 'exec-create': {
          const inspect = route.kind === 'network-create' ? inspectNetworkCreate : route.kind === 'volume-create' ? inspectVolumeCreate : inspectExecCreate;
          const { raw, inspected } = await inspectBody(req, (body) => inspect(body, context));
          return forward(req, res, serialize(inspected, raw), false);
        }
        case 'container-start': {
          const { raw, inspected } = await inspectBody(req, (body) => inspectStartBody(body, context));
          if (inspected && strict) await ownership.ownJoins(inspected.joins);
          return forward(req, res, serialize(inspected, raw), true);
        }
        case 'network': {
          if (!strict) return forward(req, res, undefined, false);
          if (route.action === 'remove') {
            const id = await ownership.ownObject('network', route.ref, 'network remove');
            return forward(req, res, undefined, false, withRoutePath(url, `/networks/${encodeURIComponent(id)}`));
          }
          const raw = await readBody(req, MAX_INSPECTED_BODY);
          const parsed = parseFirstJsonValue(raw.toString('utf8'));
          if (!parsed) throw policyRefusal('strict', `network ${route.action} with a body that is not JSON`, 'the proxy must know which container it is');
          const pinned = await ownership.pinNetworkMembership(route.ref, `network ${route.action}`, parsed.value);
          const path = withRoutePath(url, `/networks/${encodeURIComponent(pinned.network)}/${route.action}`);
          return forward(req, res, Buffer.from(JSON.stringify(pinned.body)), false, path);
        }
        case 'prune':
          if (strict) {
            const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
            return forward(req, res, undefined, false, `${url.split('?')[0]}?${scopePruneFilters(query, context.labels)}`);
          }
          return forward(req, res, undefined, false);
        default:
          return forward(req, res, undefined, false);
      }
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

  /**
   * Hijacked connections (attach, exec start, BuildKit session/grpc): the
   * request goes to the daemon through node's client; on 101 both raw sockets
   * are joined, half-close preserved. Any other answer ends the connection, so
   * nothing after it reaches the daemon uninspected.
   */
  const upgrade = (req: http.IncomingMessage, socket: net.Socket, head: Buffer): void => {
    track(socket);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = classifyRequest(method, url);
    const refuse = (status: number, message: string) => {
      log(`refused ${method} ${url}: ${message}`);
      rawJsonAnswer(socket, status, message);
    };
    if (!url.startsWith('/')) return refuse(400, `setup-dind dood proxy: the request target must be a path, not ${url.slice(0, 100)}`);
    if (!['container', 'other'].includes(route.kind)) {
      return refuse(400, `setup-dind dood proxy: ${method} ${routePath(url)} does not take a connection upgrade.`);
    }
    const rawLength = req.headers['content-length'];
    if (req.headers['transfer-encoding'] !== undefined) return refuse(400, 'setup-dind dood proxy: a chunked body on an upgrade request is not supported.');
    const length = rawLength === undefined ? 0 : Number(rawLength);
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_INSPECTED_BODY) return refuse(400, 'setup-dind dood proxy: bad Content-Length.');

    // The body (exec start sends a small JSON one), then anything early for the stream.
    const gather = new Promise<{ body: Buffer; rest: Buffer; ended: boolean }>((resolve) => {
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
    const headers = hasHeader(req.rawHeaders, 'content-length') ? req.rawHeaders : [...req.rawHeaders, 'Content-Length', '0'];

    void checkRoute(route, req)
      .then(() => gather)
      .then(({ body, rest, ended }) => {
        if (socket.destroyed) return;
        const request = http.request({ socketPath: upstreamPath, method, path: url, headers, agent: false });
        let answered = false;
        request.on('socket', (upstreamSocket) => track(upstreamSocket));
        request.on('error', (error) => {
          if (answered) return;
          if (!closing) log(`upstream ${upstreamPath}: ${method} ${url}: ${error.message}`);
          rawJsonAnswer(socket, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
        });
        socket.on('close', () => {
          if (!answered) request.destroy();
        });
        request.on('upgrade', (response, upstreamSocket, upstreamHead) => {
          answered = true;
          track(upstreamSocket);
          let answer = `HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}\r\n`;
          for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) answer += `${response.rawHeaders[index]}: ${response.rawHeaders[index + 1]}\r\n`;
          socket.write(`${answer}\r\n`);
          if (upstreamHead.length > 0) socket.write(upstreamHead);
          if (rest.length > 0) upstreamSocket.write(rest);
          // Each direction ends on its own: the client closing stdin must not cut the output.
          upstreamSocket.pipe(socket);
          if (ended) upstreamSocket.end();
          else socket.pipe(upstreamSocket);
          // When one side is gone, the other gets what is already on its way, then closes (at once after an error).
          socket.on('close', (hadError) => (hadError ? upstreamSocket.destroy() : flushAndClose(upstreamSocket)));
          upstreamSocket.on('close', (hadError) => (hadError ? socket.destroy() : flushAndClose(socket)));
        });
        request.on('response', (response) => {
          answered = true;
          // Not upgraded: pass the answer on and close, so no later bytes reach the daemon as requests.
          void readBody(response, MAX_ERROR_BODY).then(
            (data) => {
              let answer = `HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\n`;
              const headers = withoutHeaders(response.rawHeaders, new Set([...RESPONSE_HOP_HEADERS, 'content-length', 'transfer-encoding']));
              for (let index = 0; index + 1 < headers.length; index += 2) answer += `${headers[index]}: ${headers[index + 1]}\r\n`;
              socket.write(`${answer}Content-Length: ${data.length}\r\nConnection: close\r\n\r\n`);
              socket.end(data);
              request.destroy();
            },
            () => socket.destroy(),
          );
        });
        request.end(body);
      })
      .catch((error: unknown) => {
        if (error instanceof Refused) return refuse(error.status, error.message);
        const message = error instanceof Error ? error.message : String(error);
        if (!closing) log(`error handling ${method} ${url}: ${message}`);
        rawJsonAnswer(socket, 502, `setup-dind dood proxy: ${message}`);
      });
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

  await removeStaleSocket(listenPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Only this user may connect, from the first moment: umask while binding, chmod after.
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {
      // worker threads cannot change the umask; chmod below still applies
    }
    try {
      server.listen(listenPath, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  chmodSync(listenPath, 0o600);
  log(
    `DooD proxy listening on ${listenPath} for ${upstreamPath} (dood-policy ${options.policy}` +
      `${options.pathMap ? `; bind sources translated through ${options.pathMap.length} mounts of the job's container` : ''})`,
  );

  let closed: Promise<void> | undefined;
  return {
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }).then(() => {
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

/** Removes a socket file nobody serves any more; refuses to touch a live socket or anything that is not a socket. */
async function removeStaleSocket(path: string): Promise<void> {
  let info;
  try {
    info = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!info.isSocket()) throw new Error(`${path} exists and is not a socket; not replacing it.`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`Another process serves ${path}; not replacing it.`);
  unlinkSync(path);
}
