import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Json, JsonAnswer } from '../../src/dood/json.js';
import type { MountCheckContext, MountTables } from '../../src/dood/mount-check.js';
import { eventsQuery, RestartWatcher, watcherDaemon, type WatcherDaemon } from '../../src/dood/restart-watcher.js';
import { FakeUpstream } from '../support/fake-upstream.js';

const LABELS = { 'setup-dind.owner': 'job-1' };
const JOB_ID = 'a'.repeat(64);
const OTHER_ID = 'b'.repeat(64);

/** One connection of the fake event stream: the test pushes text and ends it. */
class Stream implements AsyncIterable<string> {
  private chunks: string[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  constructor(signal: AbortSignal) {
    signal.addEventListener('abort', () => this.end());
  }
  push(text: string): void {
    this.chunks.push(text);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      if (this.chunks.length > 0) yield this.chunks.shift()!;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

class FakeDaemon implements WatcherDaemon {
  containers = new Map<string, Json>();
  queries: string[] = [];
  streams: Stream[] = [];
  /** Answers for the next events() calls: 'stream' or a failure. */
  failures: string[] = [];
  kills: string[] = [];
  updates: Array<{ id: string; body: Json }> = [];
  inspected: string[] = [];
  runningIds: string[] = [];
  private waiters: Array<() => void> = [];

  async inspect(_kind: string, ref: string): Promise<JsonAnswer> {
    this.inspected.push(ref);
    const json = this.containers.get(ref);
    return json ? { status: 200, json } : { status: 404, json: { message: 'no such container' } };
  }
  async events(query: string, signal: AbortSignal): Promise<AsyncIterable<string>> {
    this.queries.push(query);
    const failure = this.failures.shift();
    if (failure) throw new Error(failure);
    const stream = new Stream(signal);
    this.streams.push(stream);
    for (const wake of this.waiters.splice(0)) wake();
    return stream;
  }
  async kill(id: string): Promise<JsonAnswer> {
    this.kills.push(id);
    return { status: 204, json: undefined };
  }
  async update(id: string, body: Json): Promise<JsonAnswer> {
    this.updates.push({ id, body });
    return { status: 200, json: {} };
  }
  async running(): Promise<string[]> {
    return this.runningIds;
  }
  /** Resolves when the n-th stream (1-based) is open. */
  async stream(n: number): Promise<Stream> {
    while (this.streams.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.streams[n - 1]!;
  }
}

/** A start event as dockerd writes it; timeNano is written as its exact digits, as Go does. */
function startEvent(id: string, labels: Record<string, string>, timeNano: number | bigint): string {
  const nano = BigInt(timeNano);
  const event = { status: 'start', id, Type: 'container', Action: 'start', Actor: { ID: id, Attributes: { image: 'busybox', name: 'x', ...labels } }, time: Number(nano / 1_000_000_000n), timeNano: 0 };
  return `${JSON.stringify(event).replace('"timeNano":0', `"timeNano":${nano}`)}\n`;
}

/** Waits until `check` holds (the watcher works asynchronously). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('RestartWatcher', () => {
  let dir: string;
  let root: string;
  let daemon: FakeDaemon;
  let lines: string[];
  let watcher: RestartWatcher;
  /** No mount tables to read: the watcher falls back on the paths as they are now. */
  const noTables: MountTables = { container: () => undefined, own: () => undefined };

  const container = (id: string, labels: Record<string, string>, restart = 'always', running = true): Json => ({
    Id: id,
    Name: `/c-${id.slice(0, 4)}`,
    Config: { Labels: labels },
    State: { Status: running ? 'running' : 'exited', Running: running, Pid: running ? 4242 : 0 },
    HostConfig: { Binds: [`${root}/a:/a`], RestartPolicy: { Name: restart } },
    Mounts: [{ Type: 'bind', Source: `${root}/a`, Destination: '/a' }],
  });

  const make = (tables: MountTables = noTables) => {
    const context: MountCheckContext = { policy: 'strict', allowedBindRoots: [root], socketPaths: ['/var/run/docker.sock'] };
    watcher = new RestartWatcher({ daemon, labels: LABELS, context, log: (line) => lines.push(line), tables, retryMs: 5, maxRetryMs: 20 });
    watcher.start();
    return watcher;
  };

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'setup-dind-watcher-')));
    root = join(dir, 'work');
    mkdirSync(join(root, 'a'), { recursive: true });
    daemon = new FakeDaemon();
    lines = [];
  });
  afterEach(async () => {
    await watcher?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const swap = () => {
    renameSync(join(root, 'a'), join(root, 'a.dir'));
    symlinkSync('/', join(root, 'a'));
  };

  it('asks for starts of the job containers only', async () => {
    make();
    await watcher.ready;
    expect(decodeURIComponent(daemon.queries[0]!)).toBe('filters={"type":["container"],"event":["start"],"label":["setup-dind.owner=job-1"]}');
    expect(eventsQuery(LABELS, '12.000000003')).toMatch(/&since=12\.000000003$/);
  });

  it('kills a job container that a restart policy started with a swapped bind, and sets its policy to no', async () => {
    daemon.containers.set(JOB_ID, container(JOB_ID, LABELS));
    make();
    const stream = await daemon.stream(1);
    swap();
    stream.push(startEvent(JOB_ID, LABELS, 1700000000000000001n));
    await until(() => daemon.kills.length === 1);
    expect(daemon.kills).toEqual([JOB_ID]);
    await until(() => daemon.updates.length === 1);
    expect(daemon.updates).toEqual([{ id: JOB_ID, body: { RestartPolicy: { Name: 'no' } } }]);
    expect(lines[0]).toBe(
      `setup-dind dood: killed container c-aaaa (started): setup-dind dood-policy strict: bind mount of ${root}/a (which now resolves to /) is not allowed (it holds the host's Docker socket /var/run/docker.sock: a container holding it controls the host)`,
    );
    expect(lines[1]).toBe('setup-dind dood: set the restart policy of container c-aaaa to no');
  });

  it('ignores starts of containers that are not the job’s, malformed lines, and a sound start; reads events split across chunks', async () => {
    daemon.containers.set(JOB_ID, container(JOB_ID, LABELS));
    daemon.containers.set(OTHER_ID, container(OTHER_ID, { 'setup-dind.owner': 'job-2' }));
    make();
    const stream = await daemon.stream(1);
    swap(); // would be refused, were the containers the job's
    stream.push(startEvent(OTHER_ID, { 'setup-dind.owner': 'job-2' }, 1));
    stream.push('{"status": "start", "id": tru\n');
    stream.push('not json at all\n');
    // The attributes claim the job's labels, the container's own do not: inspect decides.
    stream.push(startEvent(OTHER_ID, LABELS, 2));
    renameSync(join(root, 'a'), join(root, 'a.link'));
    renameSync(join(root, 'a.dir'), join(root, 'a'));
    const sound = startEvent(JOB_ID, LABELS, 3);
    stream.push(sound.slice(0, 20));
    stream.push(sound.slice(20));
    await until(() => daemon.inspected.includes(JOB_ID));
    expect(daemon.inspected).toEqual([OTHER_ID, JOB_ID]);
    expect(daemon.kills).toEqual([]);
    expect(lines).toEqual([
      'setup-dind dood: ignored an event that is not JSON: {"status": "start", "id": tru',
      'setup-dind dood: ignored an event that is not JSON: not json at all',
    ]);
    expect(await watcher.verify(JOB_ID, 'started')).toBe('ok');
  });

  it('judges by the mount tables when it can: a bind swapped back after the mount is still seen', async () => {
    daemon.containers.set(JOB_ID, container(JOB_ID, LABELS, 'no'));
    const tables: MountTables = {
      container: () => ['1 0 0:40 / / rw - overlay overlay rw', '2 1 254:0 / /a rw - ext4 /dev/vda rw'].join('\n'),
      own: () => '27 1 254:0 / / rw - ext4 /dev/vda rw',
    };
    make(tables);
    const stream = await daemon.stream(1);
    stream.push(startEvent(JOB_ID, LABELS, 5));
    await until(() => daemon.kills.length === 1);
    expect(lines[0]).toMatch(/killed container c-aaaa \(started\): .*the mount at \/a in the container is not allowed \(the daemon mounted the host's \/ there/);
    expect(daemon.updates).toEqual([]); // restart "no": nothing to update
  });

  it('follows the stream again when it ends, from the last event, checks the running job containers, and skips replayed events', async () => {
    daemon.containers.set(JOB_ID, container(JOB_ID, LABELS));
    make();
    const first = await daemon.stream(1);
    first.push(startEvent(JOB_ID, LABELS, 1700000000123456789n));
    await until(() => daemon.inspected.length === 1);
    first.end();
    swap(); // restarted while nobody listened
    daemon.runningIds = [JOB_ID];
    const second = await daemon.stream(2);
    expect(daemon.queries[1]).toMatch(/&since=1700000000\.123456789$/);
    await until(() => daemon.kills.length === 1);
    expect(lines).toContain('setup-dind dood: the daemon ended the event stream; following it again');
    expect(lines.find((line) => line.startsWith('setup-dind dood: killed'))).toMatch(/\(the event stream was followed again\)/);
    // The daemon replays the event at `since`: not checked twice.
    second.push(startEvent(JOB_ID, LABELS, 1700000000123456789n));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(daemon.inspected).toEqual([JOB_ID, JOB_ID]);
  });

  it('tries again, waiting longer each time, when the daemon refuses the stream; stop() ends it all', async () => {
    daemon.failures = ['GET /events answered 500', 'connect ENOENT'];
    make();
    await daemon.stream(1);
    expect(daemon.queries).toHaveLength(3);
    expect(lines).toEqual([
      "setup-dind dood: following the daemon's events failed (GET /events answered 500); trying again in 5 ms",
      "setup-dind dood: following the daemon's events failed (connect ENOENT); trying again in 10 ms",
    ]);
    await watcher.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(daemon.queries).toHaveLength(3);
  });

  it('a check the daemon does not answer is logged, and the stream goes on', async () => {
    daemon.containers.set(JOB_ID, container(JOB_ID, LABELS));
    const failing = daemon.inspect.bind(daemon);
    let calls = 0;
    daemon.inspect = async (kind, ref) => {
      if (calls++ === 0) throw new Error('connect ECONNREFUSED');
      return failing(kind, ref);
    };
    make();
    const stream = await daemon.stream(1);
    swap();
    stream.push(startEvent(JOB_ID, LABELS, 1700000000000000007n));
    stream.push(startEvent(JOB_ID, LABELS, 1700000000000000008n));
    await until(() => daemon.kills.length === 1);
    expect(lines[0]).toBe(`setup-dind dood: could not check the mounts of started container ${JOB_ID}: connect ECONNREFUSED`);
    expect(daemon.queries).toHaveLength(1);
  });

  it('verify(): what the guard calls after a start it forwarded', async () => {
    daemon.containers.set(JOB_ID, container(JOB_ID, LABELS, 'no'));
    daemon.containers.set(OTHER_ID, container(OTHER_ID, LABELS, 'no', false));
    make();
    expect(await watcher.verify('gone', 'start')).toBe('gone');
    expect(await watcher.verify(OTHER_ID, 'start')).toBe('not running');
    swap();
    expect(await watcher.verify(JOB_ID, 'start')).toBe('killed');
    expect(daemon.kills).toEqual([JOB_ID]);
  });
});

describe('watcherDaemon: the real seam, against a stand-in daemon socket', () => {
  let upstream: FakeUpstream | undefined;
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  it('streams /events until the daemon ends it, and stops on abort', async () => {
    upstream = await FakeUpstream.start();
    upstream.handle = (request, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"Type":"container",');
      setTimeout(() => res.end('"Action":"start"}\n'), 10);
    };
    const daemon = watcherDaemon(upstream.socketPath);
    const chunks: string[] = [];
    for await (const chunk of await daemon.events('filters=x', new AbortController().signal)) chunks.push(chunk);
    expect(chunks.join('')).toBe('{"Type":"container","Action":"start"}\n');
    expect(upstream.seen[0]!.url).toBe('/events?filters=x');

    upstream.handle = (_request, res) => {
      res.writeHead(200);
      res.write('\n'); // and never more
    };
    const abort = new AbortController();
    const stream = await daemon.events('', abort.signal);
    setTimeout(() => abort.abort(), 10);
    const rest: string[] = [];
    for await (const chunk of stream) rest.push(chunk);
    expect(rest.join('')).toBe('\n');
  });

  it('rejects an answer that is not 200; kills, updates and lists by label', async () => {
    upstream = await FakeUpstream.start();
    upstream.handle = (request, res) => {
      if (request.url.startsWith('/events')) {
        res.writeHead(500);
        res.end('{"message":"no"}');
      } else if (request.url.startsWith('/containers/json')) {
        res.writeHead(200);
        res.end(JSON.stringify([{ Id: JOB_ID }, { Names: ['/no-id'] }]));
      } else {
        res.writeHead(request.url.endsWith('/kill') ? 204 : 200);
        res.end();
      }
    };
    const daemon = watcherDaemon(upstream.socketPath);
    await expect(daemon.events('', new AbortController().signal)).rejects.toThrow('GET /events answered 500');
    expect((await daemon.kill('c/1')).status).toBe(204);
    expect((await daemon.update('c1', { RestartPolicy: { Name: 'no' } })).status).toBe(200);
    expect(await daemon.running(LABELS)).toEqual([JOB_ID]);
    const [, kill, update, list] = upstream.seen;
    expect([kill!.method, kill!.url]).toEqual(['POST', '/containers/c%2F1/kill']);
    expect([update!.method, update!.url, update!.body.toString()]).toEqual(['POST', '/containers/c1/update', '{"RestartPolicy":{"Name":"no"}}']);
    expect(decodeURIComponent(list!.url)).toBe('/containers/json?filters={"status":["running"],"label":["setup-dind.owner=job-1"]}');
  });
});
