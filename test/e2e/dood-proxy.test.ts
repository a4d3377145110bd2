/**
 * The DooD proxy in front of the host's daemon, driven with the docker CLI
 * through DOCKER_HOST=unix://<proxy socket>: it forwards streams and hijacked
 * connections faithfully, labels what the job creates, translates bind
 * sources, applies dood-policy, explains port conflicts, and closes cleanly.
 * Every object a test makes through the proxy carries its owner label; after
 * each test, removing by that label must leave nothing (and remove every
 * object the test knows it made).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/dood/proxy.js';
import { DOCKER_MISSING, docker, freePort, until } from '../support/docker.js';

const OWNER_LABEL = 'setup-dind.owner';
const TEST_LABEL = 'setup-dind-test=proxy';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (or kills it after timeoutMs: code null). */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running command whose output the test watches. */
function watch(command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stdin!.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

interface Harness {
  id: string;
  owner: string;
  listenPath: string;
  /** The docker CLI's environment: DOCKER_HOST is the proxy. */
  env: NodeJS.ProcessEnv;
  /** What the proxy logged. */
  log: string[];
  proxy: RunningProxy;
  /** docker through the proxy. */
  cli: (args: string[], options?: { input?: string | Buffer; timeoutMs?: number }) => Promise<Run>;
  /** Objects made through the proxy that label teardown must remove: [kind, id]. */
  made: Array<['container' | 'network' | 'volume', string]>;
}

/** Objects labelled with `owner`, on the host daemon. */
async function labelled(owner: string): Promise<string[]> {
  const filter = `label=${OWNER_LABEL}=${owner}`;
  const found: string[] = [];
  for (const [kind, args] of [
    ['container', ['ps', '--all', '--quiet', '--no-trunc', '--filter', filter]],
    ['network', ['network', 'ls', '--quiet', '--no-trunc', '--filter', filter]],
    ['volume', ['volume', 'ls', '--quiet', '--filter', filter]],
  ] as const) {
    for (const id of lines(await docker([...args]))) found.push(`${kind} ${id}`);
  }
  return found;
}

/** Teardown as the action does it: by the owner label only (containers first, without -v: volumes are found by their own labels). */
async function removeLabelled(owner: string): Promise<void> {
  const filter = `label=${OWNER_LABEL}=${owner}`;
  const containers = lines(await docker(['ps', '--all', '--quiet', '--filter', filter]));
  if (containers.length > 0) await docker(['rm', '--force', ...containers]);
  const networks = lines(await docker(['network', 'ls', '--quiet', '--filter', filter]));
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
  const volumes = lines(await docker(['volume', 'ls', '--quiet', '--filter', filter]));
  if (volumes.length > 0) await docker(['volume', 'rm', '--force', ...volumes]);
}

async function exists(kind: 'container' | 'network' | 'volume' | 'image', id: string): Promise<boolean> {
  return docker([kind, 'inspect', id]).then(
    () => true,
    () => false,
  );
}

describe.skipIf(DOCKER_MISSING !== undefined)('DooD proxy', () => {
  const harnesses: Harness[] = [];
  /** Things made on the host without the proxy, and temp dirs: removed after each test. */
  const hostObjects: Array<['container' | 'image', string]> = [];
  const dirs: string[] = [];

  afterEach(async () => {
    const problems: string[] = [];
    for (const harness of harnesses.splice(0)) {
      await harness.proxy.close();
      // Refusals are expected; a failed forward is not.
      problems.push(...harness.log.filter((line) => /^(upstream|error handling)/.test(line)).map((line) => `proxy: ${line}`));
      await removeLabelled(harness.owner);
      problems.push(...(await labelled(harness.owner)).map((left) => `left behind: ${left}`));
      for (const [kind, id] of harness.made) if (await exists(kind, id)) problems.push(`not labelled, so teardown missed it: ${kind} ${id}`);
    }
    for (const [kind, id] of hostObjects.splice(0)) {
      await docker(kind === 'container' ? ['rm', '--force', '--volumes', id] : ['image', 'rm', '--force', id]).catch(() => {});
      if (await exists(kind, id)) problems.push(`could not remove ${kind} ${id}`);
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  });

  function tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `setup-dind-proxy-${prefix}-`));
    dirs.push(dir);
    return dir;
  }

  async function useProxy(overrides: Partial<Omit<ProxyOptions, 'log' | 'listenPath' | 'upstreamPath'>> = {}): Promise<Harness> {
    const id = randomBytes(5).toString('hex');
    const owner = `test:proxy/${id}`;
    const listenPath = join(tempDir('socket'), 'docker.sock');
    const log: string[] = [];
    const proxy = await startProxy({
      listenPath,
      upstreamPath: '/var/run/docker.sock',
      labels: { [OWNER_LABEL]: owner, 'setup-dind.instance': id, 'setup-dind-test': 'proxy' },
      policy: 'none',
      allowedBindRoots: [],
      socketPaths: ['/var/run/docker.sock'],
      log: (line) => log.push(line),
      ...overrides,
    });
    const env = { ...process.env, DOCKER_HOST: `unix://${listenPath}` };
    const harness: Harness = {
      id,
      owner,
      listenPath,
      env,
      log,
      proxy,
      made: [],
      cli: (args, options = {}) => run('docker', args, { env, ...options }),
    };
    harnesses.push(harness);
    return harness;
  }

  /** docker run -d through the proxy; the container's id. */
  async function detached(harness: Harness, args: string[]): Promise<string> {
    const result = await harness.cli(['run', '--detach', '--label', TEST_LABEL, ...args]);
    expect(result.code, result.stderr).toBe(0);
    const id = result.stdout.trim();
    harness.made.push(['container', id]);
    return id;
  }

  async function labelsOf(kind: 'container' | 'network' | 'volume', id: string): Promise<Record<string, string>> {
    const format = kind === 'container' ? '{{json .Config.Labels}}' : '{{json .Labels}}';
    return JSON.parse(await docker([kind, 'inspect', '--format', format, id])) as Record<string, string>;
  }

  it('labels the containers, networks and volumes the job creates (volumes its containers create too), keeping the request\'s labels with ours winning', async () => {
    const job = await useProxy();
    const named = `setup-dind-test-proxy-${job.id}-data`;
    const container = await detached(job, [
      '--label', `${OWNER_LABEL}=spoofed`, '--label', 'mine=kept',
      '-v', `${named}:/data`, '--mount', 'type=volume,dst=/anonymous',
      'busybox:latest', 'sleep', '60',
    ]);
    const network = await job.cli(['network', 'create', '--label', TEST_LABEL, `setup-dind-test-proxy-${job.id}`]);
    expect(network.code, network.stderr).toBe(0);
    job.made.push(['network', network.stdout.trim()]);
    const volume = await job.cli(['volume', 'create', '--label', TEST_LABEL, `setup-dind-test-proxy-${job.id}-vol`]);
    expect(volume.code, volume.stderr).toBe(0);
    job.made.push(['volume', volume.stdout.trim()]);

    expect(await labelsOf('container', container)).toMatchObject({ [OWNER_LABEL]: job.owner, 'setup-dind.instance': job.id, mine: 'kept', 'setup-dind-test': 'proxy' });
    expect(await labelsOf('network', network.stdout.trim())).toMatchObject({ [OWNER_LABEL]: job.owner, 'setup-dind-test': 'proxy' });
    expect(await labelsOf('volume', volume.stdout.trim())).toMatchObject({ [OWNER_LABEL]: job.owner });
    // The volumes the container made: the named one (created first by the proxy) and the anonymous one.
    const mounts = JSON.parse(await docker(['inspect', '--format', '{{json .Mounts}}', container])) as Array<{ Type: string; Name: string; Destination: string }>;
    const anonymous = mounts.find((mount) => mount.Destination === '/anonymous')!.Name;
    expect(mounts.find((mount) => mount.Destination === '/data')!.Name).toBe(named);
    for (const name of [named, anonymous]) {
      expect(await labelsOf('volume', name), name).toMatchObject({ [OWNER_LABEL]: job.owner });
      job.made.push(['volume', name]);
    }
    expect(job.log).toContain(`created volume ${named} with the job's labels`);
  });

  it('streams: logs -f follows until the container exits, events stream live and a bounded range ends', async () => {
    const job = await useProxy();
    const since = Math.floor(Date.now() / 1000) - 1;
    const events = watch('docker', ['events', '--since', String(since), '--filter', `label=${OWNER_LABEL}=${job.owner}`, '--format', '{{.Type}} {{.Action}}'], job.env);
    const container = await detached(job, ['busybox:latest', 'sh', '-c', 'echo first; sleep 3; echo second']);

    const started = Date.now();
    const logs = watch('docker', ['logs', '--follow', container], job.env);
    expect(await until(async () => logs.output().includes('first'), 10_000)).toBe(true);
    const firstAfter = Date.now() - started;
    expect(await logs.exited).toBe(0);
    const doneAfter = Date.now() - started;
    expect(logs.output()).toBe('first\nsecond\n');
    // "first" arrived while the container still ran: the response was streamed, not buffered.
    expect(doneAfter - firstAfter).toBeGreaterThan(1000);

    // The live stream shows the container's events while `docker events` still runs.
    expect(await until(async () => /container die/.test(events.output()), 15_000), events.output()).toBe(true);
    expect(events.child.exitCode).toBeNull();
    events.child.kill('SIGTERM');
    await events.exited;

    const bounded = await job.cli(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${container}`, '--format', '{{.Action}}'], { timeoutMs: 30_000 });
    expect(bounded.code, bounded.stderr).toBe(0);
    expect(lines(bounded.stdout)).toEqual(expect.arrayContaining(['create', 'start', 'die']));
  });

  it('hijacked connections keep half-close: exec -i and run -i answer after stdin ends', async () => {
    const job = await useProxy();
    const container = await detached(job, ['busybox:latest', 'sleep', '60']);

    const echoed = await job.cli(['exec', '-i', container, 'cat'], { input: 'through the proxy\n' });
    expect(echoed, echoed.stderr).toMatchObject({ code: 0, stdout: 'through the proxy\n' });
    const after = await job.cli(['exec', '-i', container, 'sh', '-c', 'cat; sleep 0.5; echo after-eof'], { input: 'hello\n' });
    expect(after, after.stderr).toMatchObject({ code: 0, stdout: 'hello\nafter-eof\n' });
    // Much output after stdin ended, and the stream's end: nothing is cut when the daemon closes.
    const bulk = await job.cli(['exec', '-i', container, 'sh', '-c', 'cat >/dev/null; head -c 8388608 /dev/zero']);
    expect(bulk.code, bulk.stderr).toBe(0);
    expect(bulk.stdout.length).toBe(8388608);

    const big = randomBytes(2 << 20);
    const counted = await job.cli(['run', '--rm', '-i', '--label', TEST_LABEL, 'busybox:latest', 'sh', '-c', 'wc -c; echo done'], { input: big });
    expect(counted.code, counted.stderr).toBe(0);
    expect(lines(counted.stdout).map((line) => line.trim())).toEqual([String(big.length), 'done']);
    const cat = await job.cli(['run', '--rm', '-i', '--label', TEST_LABEL, 'busybox:latest', 'cat'], { input: 'one\ntwo\n' });
    expect(cat, cat.stderr).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
    const exitCode = await job.cli(['exec', container, 'sh', '-c', 'exit 3']);
    expect(exitCode.code).toBe(3);
  });

  it('builds: the context upload streams through, RUN and COPY work', async () => {
    const job = await useProxy();
    const context = tempDir('build');
    writeFileSync(join(context, 'payload'), randomBytes(3 << 20));
    writeFileSync(join(context, 'greeting'), 'built through the proxy\n');
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox:latest\nCOPY greeting payload /\nRUN wc -c < /payload > /size && cat /greeting\n');
    const tag = `setup-dind-test-proxy:${job.id}`;
    hostObjects.push(['image', tag]);
    const built = await job.cli(['build', '--label', TEST_LABEL, '--tag', tag, context], { timeoutMs: 120_000 });
    expect(built.code, built.stdout + built.stderr).toBe(0);
    const ran = await job.cli(['run', '--rm', '--label', TEST_LABEL, tag, 'sh', '-c', 'cat /greeting; cat /size']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(lines(ran.stdout).map((line) => line.trim())).toEqual(['built through the proxy', String(3 << 20)]);
  });

  it('translates bind sources when the job runs in a container, and refuses paths no mount covers', async () => {
    const host = tempDir('workspace');
    mkdirSync(join(host, 'sub'));
    writeFileSync(join(host, 'sub', 'file'), 'seen on the host\n');
    const workspace = existsSync('/workspace') ? `/setup-dind-test-workspace-${randomBytes(3).toString('hex')}` : '/workspace';
    const job = await useProxy({ pathMap: [{ containerPath: workspace, hostPath: host }] });

    const viaBinds = await job.cli(['run', '--rm', '--label', TEST_LABEL, '-v', `${workspace}/sub:/data`, 'busybox:latest', 'cat', '/data/file']);
    expect(viaBinds, viaBinds.stderr).toMatchObject({ code: 0, stdout: 'seen on the host\n' });
    const viaMounts = await job.cli(['run', '--rm', '--label', TEST_LABEL, '--mount', `type=bind,source=${workspace}/sub,target=/data,readonly`, 'busybox:latest', 'cat', '/data/file']);
    expect(viaMounts, viaMounts.stderr).toMatchObject({ code: 0, stdout: 'seen on the host\n' });
    expect(job.log).toContain(`translated bind source ${workspace}/sub -> ${host}/sub`);

    const outside = await job.cli(['run', '--rm', '--label', TEST_LABEL, '-v', '/elsewhere/data:/data', 'busybox:latest', 'true']);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain(
      "Error response from daemon: setup-dind dood: bind source /elsewhere/data is a path inside the job's container, which the host's Docker daemon cannot see",
    );
    expect(outside.stderr).toContain(`${workspace} -> ${host}`);
    expect(job.log.some((line) => line.startsWith('refused POST') && line.includes('/elsewhere/data'))).toBe(true);
  });

  it('dood-policy no-privileged refuses privileged containers and execs, and lets the rest through', async () => {
    const job = await useProxy({ policy: 'no-privileged' });
    const refused = await job.cli(['run', '--rm', '--label', TEST_LABEL, '--privileged', 'busybox:latest', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Error response from daemon: setup-dind dood-policy no-privileged: --privileged is not allowed (a privileged container has full access to the host)');
    const container = await detached(job, ['--network', 'host', '-v', '/etc:/host-etc:ro', 'busybox:latest', 'sleep', '60']);
    const exec = await job.cli(['exec', '--privileged', container, 'true']);
    expect(exec.stderr).toContain('setup-dind dood-policy no-privileged: exec --privileged is not allowed');
    expect((await job.cli(['exec', container, 'true'])).code).toBe(0);
    expect(job.log.filter((line) => line.startsWith('refused'))).toHaveLength(2);
  });

  it('dood-policy strict refuses host access in every spelling and allows binds under the allowed roots', async () => {
    const root = tempDir('root');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'file'), 'allowed\n');
    symlinkSync('/etc', join(root, 'etc-link'));
    const job = await useProxy({ policy: 'strict', allowedBindRoots: [root] });
    const cases: Array<[args: string[], expected: string]> = [
      // The field allowlist (fields.ts) names the field and the flag.
      [['--privileged'], '--privileged is not allowed'],
      [['--network', 'host'], '(--network host) is not allowed'],
      [['--pid', 'host'], '(--pid host) is not allowed'],
      [['--ipc', 'host'], '(--ipc host) is not allowed'],
      [['-v', '/etc:/x'], `bind mount of /etc is not allowed (only paths under ${root}`],
      [['-v', '/var/run/docker.sock:/var/run/docker.sock'], "it is the host's Docker socket"],
      [['-v', '/var/run:/x'], "holds the host's Docker socket"],
      [['--mount', 'type=bind,source=/,target=/host'], 'bind mount of / is not allowed'],
      [['-v', `${root}/etc-link:/x`], `bind mount of ${root}/etc-link (which resolves to /etc) is not allowed`],
      [['-v', `${root}/../../etc:/x`], 'is not allowed (only paths under'],
      [['--cap-add', 'SYS_ADMIN'], '--cap-add SYS_ADMIN'],
      [['--device', '/dev/null'], '--device'],
      [['--security-opt', 'seccomp=unconfined'], '(--security-opt seccomp=unconfined) is not allowed'],
    ];
    for (const [args, expected] of cases) {
      const result = await job.cli(['run', '--rm', '--label', TEST_LABEL, ...args, 'busybox:latest', 'true']);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toContain('Error response from daemon: setup-dind dood-policy strict: ');
      expect(result.stderr, args.join(' ')).toContain(expected);
    }
    const volume = await job.cli(['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', 'device=/etc', `setup-dind-test-proxy-${job.id}`]);
    expect(volume.stderr).toContain('setup-dind dood-policy strict: volume setup-dind-test-proxy-');
    expect(job.log.filter((line) => line.startsWith('refused'))).toHaveLength(cases.length + 1);

    const allowed = await job.cli(['run', '--rm', '--label', TEST_LABEL, '-v', `${root}/sub:/data:ro`, '--mount', `type=bind,source=${root}/sub,target=/again`, 'busybox:latest', 'cat', '/data/file', '/again/file']);
    expect(allowed, allowed.stderr).toMatchObject({ code: 0, stdout: 'allowed\nallowed\n' });

    // What the CLI cannot send: field names in another case, a body followed by more JSON. The daemon would read both.
    const raw = await rawRequest(job.listenPath, 'POST', '/v1.41/containers/create', '{"Image":"busybox:latest","hostconfig":{"privileged":true}} {"x":1}');
    expect(raw.status).toBe(403);
    expect(raw.headers['content-type']).toBe('application/json');
    expect(JSON.parse(raw.body)).toEqual({ message: 'setup-dind dood-policy strict: --privileged is not allowed (a privileged container has full access to the host)' });
    const encoded = await rawRequest(job.listenPath, 'POST', '/v1.41/containers/%63reate', '{"Image":"busybox:latest","HostConfig":{"NetworkMode":"host"}}');
    expect(encoded.status).toBe(403);
    const absolute = await rawRequest(job.listenPath, 'POST', 'http://docker/v1.41/containers/create', '{"Image":"busybox:latest","HostConfig":{"Privileged":true}}');
    expect(absolute.status).toBe(400);
    const topLevel = await rawRequest(job.listenPath, 'POST', '/v1.41/containers/create', '{"Image":"busybox:latest","Privileged":true}');
    expect(topLevel.status).toBe(403);
    const form = await rawRequest(job.listenPath, 'POST', '/v1.41/build', 'networkmode=host', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(403);
    expect(JSON.parse(form.body)).toEqual({ message: 'setup-dind dood-policy strict: a form-encoded request body is not allowed (the proxy checks parameters in the query only)' });
  });

  it('dood-policy strict keeps the job to its own containers', async () => {
    const outsider = await docker(['run', '--detach', '--label', TEST_LABEL, 'busybox:latest', 'sleep', '60']);
    hostObjects.push(['container', outsider]);
    const job = await useProxy({ policy: 'strict' });
    for (const args of [['exec', outsider, 'true'], ['logs', outsider], ['rm', '--force', outsider], ['run', '--rm', '--network', `container:${outsider}`, 'busybox:latest', 'true'], ['run', '--rm', '--volumes-from', outsider, 'busybox:latest', 'true']]) {
      const result = await job.cli(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(/Error response from daemon: setup-dind dood-policy strict: .* is not allowed \(the container was not created by this job/);
    }
    expect(await docker(['inspect', '--format', '{{.State.Running}}', outsider])).toBe('true');
    // Its own containers: everything works, including joining them.
    const own = await detached(job, ['busybox:latest', 'sleep', '60']);
    expect((await job.cli(['exec', own, 'true'])).code).toBe(0);
    const joined = await job.cli(['run', '--rm', '--label', TEST_LABEL, '--network', `container:${own}`, 'busybox:latest', 'true']);
    expect(joined.code, joined.stderr).toBe(0);
    expect((await job.cli(['rm', '--force', own])).code).toBe(0);
    expect((await job.cli(['ps', '--all', '--quiet', '--no-trunc'])).stdout).toContain(outsider);

    // Prune removes the job's stopped containers only.
    const stoppedOutsider = await docker(['create', '--label', TEST_LABEL, 'busybox:latest', 'true']);
    hostObjects.push(['container', stoppedOutsider]);
    const stoppedOwn = (await job.cli(['create', '--label', TEST_LABEL, 'busybox:latest', 'true'])).stdout.trim();
    job.made.push(['container', stoppedOwn]);
    const pruned = await job.cli(['container', 'prune', '--force']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(stoppedOwn);
    expect(await exists('container', stoppedOwn)).toBe(false);
    expect(await exists('container', stoppedOutsider)).toBe(true);
  });

  it('names the container that holds a port another container asks for', async () => {
    const port = await freePort();
    const holderName = `setup-dind-test-proxy-holder-${randomBytes(4).toString('hex')}`;
    hostObjects.push(['container', holderName]);
    await docker(['run', '--detach', '--name', holderName, '--label', TEST_LABEL, '--publish', `127.0.0.1:${port}:80`, 'busybox:latest', 'sleep', '60']);
    const job = await useProxy();
    const result = await job.cli(['run', '--detach', '--label', TEST_LABEL, '--publish', `127.0.0.1:${port}:80`, 'busybox:latest', 'sleep', '5']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Error response from daemon: .*(port is already allocated|address already in use)/);
    expect(result.stderr).toContain(`(the port is held by container ${holderName})`);
    expect(job.log.some((line) => line.startsWith('port conflict explained:') && line.includes(holderName))).toBe(true);
    // The container that could not start was created through the proxy: labelled, so teardown finds it.
    expect(await labelled(job.owner)).toHaveLength(1);
  });

  it('close() ends open streams and hijacked connections at once and removes its 0600 socket; a stale socket is replaced, a live one refused', async () => {
    const job = await useProxy();
    expect(statSync(job.listenPath).mode & 0o777).toBe(0o600);
    await expect(startProxy({ listenPath: job.listenPath, upstreamPath: '/var/run/docker.sock', labels: {}, policy: 'none', allowedBindRoots: [], socketPaths: [], log: () => {} })).rejects.toThrow(
      /Another process serves/,
    );

    const container = await detached(job, ['busybox:latest', 'sh', '-c', 'echo started; sleep 60']);
    const logs = watch('docker', ['logs', '--follow', container], job.env);
    const exec = watch('docker', ['exec', '-i', container, 'cat'], job.env);
    exec.child.stdin!.write('ping\n');
    expect(await until(async () => logs.output().includes('started') && exec.output().includes('ping'), 15_000)).toBe(true);

    const closing = Date.now();
    await job.proxy.close();
    expect(Date.now() - closing).toBeLessThan(2000);
    expect(existsSync(job.listenPath)).toBe(false);
    const ended = await Promise.race([Promise.all([logs.exited, exec.exited]).then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
    expect(ended).toBe(true);
    expect((await job.cli(['version'])).stderr).toMatch(/Cannot connect to the Docker daemon|no such file/i);

    // A socket file left by a killed process is replaced.
    const stale = join(tempDir('stale'), 'docker.sock');
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('close', resolve));
    expect(existsSync(stale)).toBe(true);
    const replaced = await startProxy({ listenPath: stale, upstreamPath: '/var/run/docker.sock', labels: {}, policy: 'none', allowedBindRoots: [], socketPaths: [], log: () => {} });
    try {
      const version = await run('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, DOCKER_HOST: `unix://${stale}` } });
      expect(version.code, version.stderr).toBe(0);
    } finally {
      await replaced.close();
    }
    expect(existsSync(stale)).toBe(false);
  });
});

/** One HTTP request to a unix socket, as a client the docker CLI is not. */
function rawRequest(
  socketPath: string,
  method: string,
  path: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath, method, path, headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}
