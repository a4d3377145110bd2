/**
 * strict: the daemon mounts a container's binds again each time it starts
 * it, also when no request passes the proxy (a restart policy, the daemon's
 * own restart). The RestartWatcher follows the daemon's events for the
 * job's containers and, on each start, checks what was mounted
 * (mount-check.ts: the mount tables when the proxy sees the host, else the
 * paths as they are now) and kills the container at once on a problem.
 * This is after the fact: the container ran from its mount to the kill.
 *
 * Lifecycle: the proxy starts one watcher with the proxy (strict only) and
 * stops it when it closes; the guard calls verify() itself after a start or
 * restart it forwarded (no wait for the event). The event stream is
 * followed again when it ends or fails (the daemon restarting is exactly
 * when restart policies fire), from the last event seen (`since`), and the
 * job's running containers are checked then, for starts the stream missed.
 */
import http from 'node:http';
import type net from 'node:net';
import { daemonClient } from './daemon-client.js';
import { isObject, parseFirstJsonValue, type Json, type JsonAnswer } from './json.js';
import { checkContainerMounts, mountedProblem, procMountTables, restartPolicyName, type MountCheckContext, type MountTables } from './mount-check.js';
import type { DaemonLookup } from './ownership.js';
import { MAX_ERROR_BODY, readBody } from './wire.js';

/** What the watcher asks the daemon. */
export interface WatcherDaemon extends Pick<DaemonLookup, 'inspect'> {
  /**
   * GET /events?{query}: resolves once the daemon answered 200, with the body
   * as it arrives, which ends when the daemon ends it or `signal` aborts;
   * rejects on any other answer.
   */
  events(query: string, signal: AbortSignal): Promise<AsyncIterable<string>>;
  /** POST /containers/{id}/kill (SIGKILL). */
  kill(id: string): Promise<JsonAnswer>;
  /** POST /containers/{id}/update. */
  update(id: string, body: Json): Promise<JsonAnswer>;
  /** GET /containers/json with label filters: the IDs of the running containers carrying all `labels`. */
  running(labels: Record<string, string>): Promise<string[]>;
}

export interface RestartWatcherOptions {
  daemon: WatcherDaemon;
  /** The job's labels: only containers carrying all of them are watched. */
  labels: Record<string, string>;
  context: MountCheckContext;
  log: (line: string) => void;
  /** The mount tables mountedProblem reads (tests fake them). */
  tables?: MountTables;
  /** First wait before following the stream again; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** What verify() found. */
export type WatchVerdict = 'ok' | 'killed' | 'not ours' | 'not running' | 'gone';

/** The events query: starts of containers carrying the job's labels, from `since` (seconds.nanoseconds). */
export function eventsQuery(labels: Record<string, string>, since?: string): string {
  const filters = { type: ['container'], event: ['start'], label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
  return `filters=${encodeURIComponent(JSON.stringify(filters))}${since ? `&since=${since}` : ''}`;
}

/** An event's time as the API's `since` takes it, from the line's digits (timeNano is beyond a double's precision). */
function sinceOf(line: string, event: Json): string | undefined {
  const nano = /"timeNano"\s*:\s*(\d{10,})/.exec(line)?.[1];
  if (nano !== undefined) return `${nano.slice(0, -9)}.${nano.slice(-9)}`;
  return typeof event.time === 'number' ? String(event.time) : undefined;
}

export class RestartWatcher {
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private since: string | undefined;
  private readonly seen = new Set<string>();
  private readyResolve!: () => void;
  /** Resolves once the event stream is followed (the first time). */
  readonly ready: Promise<void> = new Promise((resolve) => (this.readyResolve = resolve));

  constructor(private readonly options: RestartWatcherOptions) {}

  /** Follows the daemon's events until stop(). */
  start(): void {
    this.loop ??= this.follow();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.readyResolve();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async follow(): Promise<void> {
    const { daemon, labels, log } = this.options;
    const first = this.options.retryMs ?? 250;
    let wait = first;
    let connected = false;
    while (!this.stopped) {
      try {
        const stream = await daemon.events(eventsQuery(labels, this.since), this.abort.signal);
        wait = first;
        if (connected) await this.sweep('the event stream was followed again');
        connected = true;
        this.readyResolve();
        let buffer = '';
        for await (const chunk of stream) {
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line !== '') await this.onLine(line);
          }
        }
        if (this.stopped) return;
        log('setup-dind dood: the daemon ended the event stream; following it again');
      } catch (error) {
        if (this.stopped) return;
        log(`setup-dind dood: following the daemon's events failed (${error instanceof Error ? error.message : String(error)}); trying again in ${wait} ms`);
      }
      await this.sleep(wait);
      wait = Math.min(wait * 2, this.options.maxRetryMs ?? 5000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const { signal } = this.abort;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One event: a start of a job container (by its labels) is verified; anything else is ignored. */
  private async onLine(line: string): Promise<void> {
    const parsed = parseFirstJsonValue(line)?.value;
    if (!isObject(parsed)) {
      this.options.log(`setup-dind dood: ignored an event that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const since = sinceOf(line, parsed);
    if (since !== undefined) this.since = since;
    const action = parsed.Action ?? parsed.status;
    const actor = isObject(parsed.Actor) ? parsed.Actor : {};
    const id = typeof actor.ID === 'string' ? actor.ID : typeof parsed.id === 'string' ? parsed.id : undefined;
    if (parsed.Type !== 'container' || action !== 'start' || id === undefined) return;
    const attributes = isObject(actor.Attributes) ? actor.Attributes : {};
    if (!Object.entries(this.options.labels).every(([key, value]) => attributes[key] === value)) return;
    // The same event again after following the stream from `since` (the same start twice in a second is two events).
    const key = since?.includes('.') ? `${id} ${since}` : line;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > 1000) this.seen.delete(this.seen.values().next().value!);
    try {
      await this.verify(id, 'started');
    } catch (error) {
      // The daemon did not answer the check: the stream goes on (and is followed again, with a sweep, if the daemon is gone).
      this.options.log(`setup-dind dood: could not check the mounts of started container ${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The job's running containers, each verified: for starts the event stream may have missed. */
  private async sweep(why: string): Promise<void> {
    let ids: string[];
    try {
      ids = await this.options.daemon.running(this.options.labels);
    } catch (error) {
      this.options.log(`setup-dind dood: could not list the job's containers after ${why}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const id of ids) await this.verify(id, why);
  }

  /**
   * Checks a container that (re)started: what was mounted (the mount
   * tables), or when that cannot be read, its sources as they resolve now;
   * on a problem, kills it at once and logs why. The guard calls this after
   * a start or restart it forwarded; the events call it for the others.
   */
  async verify(id: string, why: string): Promise<WatchVerdict> {
    const { daemon, labels, context, log } = this.options;
    const { status, json } = await daemon.inspect('container', id);
    if (status === 404) return 'gone';
    if (status !== 200 || !isObject(json)) {
      log(`setup-dind dood: could not inspect container ${id} (status ${status}) to check its mounts`);
      return 'gone';
    }
    const config = isObject(json.Config) ? json.Config : {};
    const ownLabels = isObject(config.Labels) ? config.Labels : {};
    if (!Object.entries(labels).every(([key, value]) => ownLabels[key] === value)) return 'not ours';
    const state = isObject(json.State) ? json.State : {};
    if (state.Running !== true && state.Status !== 'running') return 'not running';
    const verdict = mountedProblem(json, context, this.options.tables ?? procMountTables);
    const refusal = 'refusal' in verdict ? verdict.refusal : 'unverified' in verdict ? await checkContainerMounts(json, context, daemon) : undefined;
    if (!refusal) return 'ok';
    const name = typeof json.Name === 'string' ? json.Name.replace(/^\//, '') : id;
    const killed = await daemon.kill(id);
    log(`setup-dind dood: killed container ${name} (${why}): ${refusal.message}${killed.status < 300 || killed.status === 409 ? '' : ` (kill answered ${killed.status})`}`);
    // A killed container counts as stopped by hand, but `always` still restarts it when the daemon restarts: set the policy to no.
    const hostConfig = isObject(json.HostConfig) ? json.HostConfig : {};
    if (restartPolicyName(hostConfig) !== 'no') {
      const updated = await daemon.update(id, { RestartPolicy: { Name: 'no' } });
      log(`setup-dind dood: set the restart policy of container ${name} to no${updated.status < 300 ? '' : ` (failed: status ${updated.status})`}`);
    }
    return 'killed';
  }
}

/** The WatcherDaemon of the daemon at `upstreamPath`; `track` gets each connection, so the proxy's close ends them. */
export function watcherDaemon(upstreamPath: string, track: (socket: net.Socket) => void = () => {}): WatcherDaemon {
  const client = daemonClient(upstreamPath, track);
  const request = (method: string, path: string, body?: unknown): Promise<JsonAnswer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = { Host: 'docker', ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) };
      const sent = http.request({ socketPath: upstreamPath, method, path, agent: false, headers }, (response) => {
        readBody(response, MAX_ERROR_BODY << 4).then(
          (data) => resolve({ status: response.statusCode ?? 0, json: parseFirstJsonValue(data.toString('utf8'))?.value }),
          reject,
        );
      });
      sent.on('socket', (socket) => track(socket));
      sent.on('error', reject);
      sent.end(payload);
    });
  return {
    inspect: client.inspect,
    kill: (id) => request('POST', `/containers/${encodeURIComponent(id)}/kill`),
    update: (id, body) => request('POST', `/containers/${encodeURIComponent(id)}/update`, body),
    running: async (labels) => {
      const filters = { status: ['running'], label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
      const { json } = await request('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify(filters))}`);
      return Array.isArray(json) ? json.flatMap((entry) => (isObject(entry) && typeof entry.Id === 'string' ? [entry.Id] : [])) : [];
    },
    events: (query, signal) => eventStream(upstreamPath, `/events?${query}`, signal, track),
  };
}

/** A streamed GET: resolves on a 200 answer, with its body as text chunks. */
async function eventStream(socketPath: string, path: string, signal: AbortSignal, track: (socket: net.Socket) => void): Promise<AsyncIterable<string>> {
  if (signal.aborted) throw new Error('stopped');
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const sent = http.request({ socketPath, method: 'GET', path, agent: false, headers: { Host: 'docker' } }, resolve);
    sent.on('socket', (socket) => track(socket));
    sent.on('error', reject);
    signal.addEventListener('abort', () => sent.destroy(), { once: true });
    sent.end();
  });
  if (response.statusCode !== 200) {
    response.resume();
    throw new Error(`GET /events answered ${response.statusCode}`);
  }
  response.setEncoding('utf8');
  signal.addEventListener('abort', () => response.destroy(), { once: true });
  return (async function* () {
    try {
      for await (const chunk of response) yield chunk as string;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  })();
}
