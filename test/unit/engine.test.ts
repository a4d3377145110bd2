/**
 * The engine's lifecycle over a scripted Docker (test/support/fake-docker.ts):
 * what is planned before it is created, what a failure removes, what the
 * result says. The real daemon paths are the end-to-end tests'.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUp } from '../../src/engine/engine.js';
import { CancelledError, SetupDindError } from '../../src/engine/errors.js';
import { FakeDocker, fakeContext } from '../support/fake-docker.js';
import { options } from '../support/options.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'setup-dind-engine-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dind = (overrides: Parameters<typeof options>[0] = {}) => options({ mode: 'dind', mtu: 'off', ...overrides });

describe('mode dind', () => {
  it('names the container and its volume in a saved plan before docker run', async () => {
    const docker = new FakeDocker();
    const { context } = fakeContext(docker, dir);
    await setUp(dind(), context);
    const run = docker.calls.find((call) => call.args[0] === 'run');
    expect(run).toBeDefined();
    const name = run!.args[run!.args.indexOf('--name') + 1];
    expect(run!.plan?.containers).toEqual([name]);
    expect(run!.plan?.volumes).toEqual([`${name}-data`]);
    expect(run!.plan?.stage).toBe('starting');
  });

  it('removes the container it started when the port cannot be read', async () => {
    const docker = new FakeDocker().on('port', { code: 1, stderr: 'Error: No public port 2375/tcp published' });
    const { context, saved } = fakeContext(docker, dir);
    await expect(setUp(dind(), context)).rejects.toThrow(/No public port/);
    expect(docker.commands()).toContain(`rm --force --volumes ${'c'.repeat(64)}`);
    expect(docker.containers.size).toBe(0);
    expect(saved.at(-1)?.stage).toBe('done');
  });

  it('answers with the published port, the server version, and a plan marked ready', async () => {
    const docker = new FakeDocker();
    const { context, saved } = fakeContext(docker, dir);
    const daemon = await setUp(dind(), context);
    expect(daemon).toMatchObject({
      mode: 'dind',
      endpoint: { dockerHost: 'tcp://127.0.0.1:32768' },
      env: { DOCKER_HOST: 'tcp://127.0.0.1:32768' },
      serverVersion: '28.5.2',
      transport: 'plain TCP',
      image: 'docker:dind',
      containerId: 'c'.repeat(64),
    });
    expect(daemon.certPath).toBeUndefined();
    expect(docker.waits).toEqual([{ dockerHost: 'tcp://127.0.0.1:32768' }]);
    expect(saved.at(-1)?.stage).toBe('ready');
    // GET /version once; a daemon with MinAPIVersion 1.24 needs no docker version for the job's CLI.
    expect(docker.commands().filter((command) => command.startsWith('version'))).toEqual([]);
  });

  it('removes the container and its volume when docker run is refused', async () => {
    const docker = new FakeDocker().on('run', { code: 125, stderr: 'docker: Error response from daemon: privileged mode is incompatible with user namespaces.' });
    const { context, saved } = fakeContext(docker, dir);
    const error = await setUp(dind(), context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SetupDindError);
    expect((error as Error).message).toMatch(/refused to run a privileged container/);
    const name = saved[0]!.containers[0]!;
    expect(docker.commands()).toContain(`volume rm ${name}-data`);
    // The name was never taken: nothing to remove, and nothing else is.
    expect(docker.commands().some((command) => command.startsWith('rm '))).toBe(false);
    expect(saved.at(-1)).toMatchObject({ stage: 'done', containers: [], volumes: [] });
  });

  it('reports a daemon that exits while it is awaited, with its log, and removes it', async () => {
    const docker = new FakeDocker()
      .on('wait', { stdout: '1\n' })
      .on('logs', { stdout: 'time="x" level=info msg="starting"\nStatus: invalid argument "--bogus", Code: 125\n' });
    // Exited, and labelled with the set-up that ran it.
    docker.on('container inspect', () => ({ stdout: `${'c'.repeat(64)}\texited\t1\t${[...docker.containers.values()][0]}` }));
    docker.readiness = 'never';
    const { context, saved } = fakeContext(docker, dir);
    const error = await setUp(dind(), context).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/The DinD daemon exited during start \(exit code 1\): invalid argument "--bogus"/);
    expect(docker.commands()).toContain(`rm --force --volumes ${'c'.repeat(64)}`);
    expect(saved.at(-1)?.stage).toBe('done');
  });

  it('names input timeout when the daemon never answers, and shows its log', async () => {
    const docker = new FakeDocker().on('logs', { stdout: 'still starting\n' });
    docker.readiness = 'never';
    const { context, saved } = fakeContext(docker, dir);
    const error = (await setUp(dind({ timeoutSeconds: 7 }), context).catch((caught: unknown) => caught)) as SetupDindError;
    expect(error.message).toMatch(/within input "timeout" \(7 s\)/);
    expect(error.details).toEqual(['still starting']);
    expect(saved.at(-1)?.stage).toBe('done');
  });

  it('fails before planning anything when an image to preload is not on the runner', async () => {
    const docker = new FakeDocker().on('image inspect', { code: 1, stderr: 'Error: No such image: app:1' });
    const { context, saved } = fakeContext(docker, dir);
    await expect(setUp(dind({ loadImages: ['app:1'] }), context)).rejects.toThrow(/Input "load-images": app:1 is not on the runner's Docker daemon/);
    expect(saved).toEqual([]);
    expect(docker.commands().some((command) => command.startsWith('run'))).toBe(false);
  });

  it('copies images to preload into the new daemon after it answered', async () => {
    const docker = new FakeDocker().on('image inspect', { stdout: 'sha256:1\n' });
    const { context } = fakeContext(docker, dir);
    // The copy itself is a real `docker save | docker load` pipe: the fake binary does not exist, so it fails, and says so.
    const error = await setUp(dind({ loadImages: ['app:1'] }), context).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/Copying images into the DinD daemon failed: docker save/);
    expect(docker.waits).toHaveLength(1);
  });

  it('removes a cache volume\'s daemon at once, without its clean stop, when the set-up fails after it answered', async () => {
    const docker = new FakeDocker()
      .on('volume inspect', { stdout: 'cache\n' })
      .on('image inspect', { stdout: 'sha256:1\n' });
    const { context, saved } = fakeContext(docker, dir);
    await expect(setUp(dind({ cacheVolume: 'dind-cache', loadImages: ['app:1'] }), context)).rejects.toThrow(/Copying images/);
    expect(docker.commands().some((command) => command.startsWith('stop'))).toBe(false);
    expect(docker.commands()).toContain(`rm --force --volumes ${'c'.repeat(64)}`);
    expect(saved.at(-1)?.stage).toBe('done');
  });

  it('fails at once, starting nothing and leaving it be, when a container squats a cache volume\'s holder name', async () => {
    const docker = new FakeDocker()
      .on('volume inspect', { stdout: 'cache\n' })
      // `docker create --name setup-dind-cache-dind-cache --label job=other busybox`, as another job may do: the teardown's look, the lock's.
      .on('container inspect', { stdout: 'e1\tcreated\t0\t<no value>\n' })
      .on(/^container inspect .*json \.Mounts/, { stdout: 'e1\tcreated\t0001-01-01T00:00:00Z\t2026-11-29T03:00:00Z\tbusybox\t{"job":"other"}\t[]\n' });
    const { context, saved } = fakeContext(docker, dir);
    const error = await setUp(dind({ cacheVolume: 'dind-cache', timeoutSeconds: 600 }), context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SetupDindError);
    expect((error as Error).message).toContain('the container named setup-dind-cache-dind-cache, the lock on volume dind-cache, is not a setup-dind daemon using the volume');
    expect((error as Error).message).toContain('image busybox, status created, labels job="other"');
    // No wait: the fake clock never moved; nothing ran, nothing of the squatter's was touched.
    expect(context.clock.now()).toBe(1_000);
    expect(docker.commands().filter((command) => /^(run|rm|stop|kill) /.test(command))).toEqual([]);
    expect(saved.at(-1)?.stage).toBe('done');
  });

  it('keeps a per-job directory for TLS in the plan and deletes it on failure', async () => {
    const docker = new FakeDocker().on('run', { code: 125, stderr: 'docker: Error response from daemon: something else failed.' });
    const { context, saved } = fakeContext(docker, dir);
    await expect(setUp(dind({ tls: true }), context)).rejects.toThrow(/Starting the DinD container failed/);
    const workDir = saved[0]!.paths[0]!;
    expect(workDir.startsWith(dir)).toBe(true);
    expect(existsSync(workDir)).toBe(false);
  });

  it('turns a cancelled docker run into a cancellation, and cleans up', async () => {
    const controller = new AbortController();
    const docker = new FakeDocker().on('run', () => {
      controller.abort();
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    });
    const { context, saved } = fakeContext(docker, dir);
    context.signal = controller.signal;
    await expect(setUp(dind(), context)).rejects.toBeInstanceOf(CancelledError);
    expect(saved.at(-1)?.stage).toBe('done');
  });

  it('warns when the API is published beyond loopback', async () => {
    const docker = new FakeDocker();
    const { context } = fakeContext(docker, dir);
    const daemon = await setUp(dind({ bindAddress: '0.0.0.0', tls: true }), context);
    expect(daemon.warnings.join('\n')).toMatch(/published on 0\.0\.0\.0, not on loopback/);
  });
});

describe('mode attach', () => {
  it('creates nothing and points the job at the daemon', async () => {
    const docker = new FakeDocker();
    const { context, saved } = fakeContext(docker, dir);
    const daemon = await setUp(options({ mode: 'attach', dockerHost: 'tcp://docker:2375' }), context);
    expect(daemon).toMatchObject({ mode: 'attach', env: { DOCKER_HOST: 'tcp://docker:2375' }, transport: 'plain TCP', serverVersion: '28.5.2' });
    expect(daemon.containerId).toBeUndefined();
    expect(saved.every((plan) => plan.containers.length === 0 && plan.paths.length === 0)).toBe(true);
    expect(docker.commands()).toEqual([]);
  });

  it('says what to check when nothing answers', async () => {
    const docker = new FakeDocker();
    docker.readiness = 'never';
    const { context } = fakeContext(docker, dir);
    await expect(setUp(options({ mode: 'attach', dockerHost: 'tcp://docker:2375', timeoutSeconds: 3 }), context)).rejects.toThrow(
      /No Docker daemon answered at tcp:\/\/docker:2375 \(input docker-host\) within input "timeout" \(3 s\)/,
    );
  });
});

describe('input context', () => {
  it('records the context in the plan before creating it; DOCKER_HOST stays what clients follow', async () => {
    const docker = new FakeDocker();
    const { context } = fakeContext(docker, dir, { PATH: '/usr/bin', DOCKER_HOST: 'unix:///var/run/docker.sock' });
    const daemon = await setUp(dind({ context: 'ci' }), context);
    const create = docker.calls.find((call) => call.args[0] === 'context' && call.args[1] === 'create');
    expect(create?.plan?.contexts).toEqual(['ci']);
    expect(create?.args).toContain('host=tcp://127.0.0.1:32768');
    expect(daemon.env).toMatchObject({ DOCKER_HOST: 'tcp://127.0.0.1:32768' });
    expect(daemon.env).not.toHaveProperty('DOCKER_CONTEXT');
    expect(daemon.context).toBe('ci');
  });

  it('fails before anything starts when the context exists', async () => {
    const docker = new FakeDocker().on('context inspect', { stdout: '[{"Metadata":{"Description":"mine"}}]' });
    const { context, saved } = fakeContext(docker, dir);
    await expect(setUp(dind({ context: 'ci' }), context)).rejects.toThrow(/Input "context": a docker context named ci already exists/);
    expect(saved).toEqual([]);
  });

  it('tears the daemon down when the context cannot be created', async () => {
    const docker = new FakeDocker().on('context create', { code: 1, stderr: 'context "ci" already exists' });
    const { context, saved } = fakeContext(docker, dir);
    await expect(setUp(dind({ context: 'ci' }), context)).rejects.toThrow(/creating docker context ci failed/);
    expect(docker.commands().some((command) => command.startsWith('rm --force --volumes'))).toBe(true);
    expect(saved.at(-1)?.stage).toBe('done');
  });
});

describe('mode dood', () => {
  async function hostSocket(): Promise<{ socket: string; close: () => void }> {
    const { createServer } = await import('node:net');
    const socket = join(dir, 'docker.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    return { socket, close: () => server.close() };
  }

  it('starts the proxy with the job\'s labels and policy, planned first, and points the job at it', async () => {
    const host = await hostSocket();
    try {
      const docker = new FakeDocker();
      const { context, saved, started } = fakeContext(docker, dir, { PATH: '/usr/bin', GITHUB_WORKSPACE: '/work/repo' });
      const daemon = await setUp(options({ mode: 'dood', socket: host.socket, doodPolicy: 'strict' }), context);
      const first = saved[0]!;
      expect(first).toMatchObject({ mode: 'dood', dockerEnv: { DOCKER_HOST: `unix://${host.socket}` }, labelled: first.instance, processes: [] });
      const workDir = first.paths[0]!;
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ bundle: 'dood-proxy.js', marker: `--setup-dind-proxy=${workDir}` });
      expect(started[0]!.options).toMatchObject({
        listenPath: join(workDir, 'docker.sock'),
        upstreamPath: host.socket,
        policy: 'strict',
        labels: { 'setup-dind.instance': first.instance, 'setup-dind.role': 'job' },
        allowedBindRoots: ['/work/repo', workDir],
      });
      expect(saved.at(-1)).toMatchObject({ stage: 'ready', processes: [{ marker: started[0]!.marker }] });
      expect(daemon).toMatchObject({ mode: 'dood', env: { DOCKER_HOST: `unix://${join(workDir, 'docker.sock')}` } });
    } finally {
      host.close();
    }
  });

  it('strict: a job variable that points at a shared temp dir gives no bind root, and the log says so', async () => {
    const host = await hostSocket();
    try {
      const { context, started, logger } = fakeContext(new FakeDocker(), dir, { PATH: '/usr/bin', RUNNER_TEMP: '/tmp', GITHUB_WORKSPACE: '/work/repo' });
      await setUp(options({ mode: 'dood', socket: host.socket, doodPolicy: 'strict' }), context);
      const roots = (started[0]!.options as { allowedBindRoots: string[] }).allowedBindRoots;
      expect(roots).not.toContain('/tmp');
      expect(logger.lines).toContainEqual(expect.stringMatching(/^warn: dood-policy strict: RUNNER_TEMP \(\/tmp\) is or holds a temp dir that every job on this machine shares, so it is no bind root; bind sources must be under \/work\/repo, /));
    } finally {
      host.close();
    }
  });

  it('removes the proxy\'s directory and the job\'s labelled objects when the proxy does not start', async () => {
    const host = await hostSocket();
    try {
      const docker = new FakeDocker();
      const { context, saved } = fakeContext(docker, dir);
      context.background = () => Promise.reject(new Error('The DooD proxy did not start: it exited with code 1'));
      await expect(setUp(options({ mode: 'dood', socket: host.socket }), context)).rejects.toThrow(/The DooD proxy did not start/);
      const first = saved[0]!;
      expect(existsSync(first.paths[0]!)).toBe(false);
      // The job's labelled objects are looked for on the host daemon, through the host socket.
      const sweep = docker.calls.find((call) => call.args[0] === 'ps');
      expect(sweep?.args).toContain(`label=setup-dind.instance=${first.instance}`);
      expect(sweep?.env.DOCKER_HOST).toBe(`unix://${host.socket}`);
      expect(saved.at(-1)?.stage).toBe('done');
    } finally {
      host.close();
    }
  });
});

describe('published ports (mode dind)', () => {
  it('gives the inner dockerd our userland proxy, shares its directory, and starts the forwarder towards the container\'s address', async () => {
    const docker = new FakeDocker();
    const { context, saved, started } = fakeContext(docker, dir);
    await setUp(dind(), context);
    const run = docker.calls.find((call) => call.args[0] === 'run')!;
    expect(run.args).toContain('--userland-proxy-path=/run/setup-dind-ports/setup-dind-port');
    const workDir = saved[0]!.paths[0]!;
    expect(run.args).toContain(`type=bind,src=${join(workDir, 'ports')},dst=/run/setup-dind-ports`);
    expect(started.map((process) => [process.bundle, process.options])).toEqual([
      ['port-forwarder.js', { dir: join(workDir, 'ports'), target: '172.17.0.9', logPath: join(workDir, 'ports.log') }],
    ]);
    expect(saved.at(-1)?.processes).toEqual([{ pid: expect.any(Number), marker: `--setup-dind-ports=${join(workDir, 'ports')}` }]);
  });

  it('leaves dockerd\'s own userland proxy when daemon-args or daemon-config set it', async () => {
    for (const overrides of [{ daemonArgs: ['--userland-proxy=false'] }, { daemonConfig: { 'userland-proxy-path': '/usr/bin/my-proxy' } }]) {
      const docker = new FakeDocker();
      const { context, started } = fakeContext(docker, dir);
      await setUp(dind(overrides), context);
      expect(docker.calls.find((call) => call.args[0] === 'run')!.args.some((arg) => arg.includes('setup-dind-port'))).toBe(false);
      expect(started).toEqual([]);
    }
  });

  it('tears the daemon down when the forwarder does not start', async () => {
    const docker = new FakeDocker();
    const { context, saved } = fakeContext(docker, dir);
    context.background = () => Promise.reject(new Error('The DinD port forwarder did not start: it exited with code 1'));
    await expect(setUp(dind(), context)).rejects.toThrow(/port forwarder did not start/);
    expect(docker.commands()).toContain(`rm --force --volumes ${'c'.repeat(64)}`);
    expect(saved.at(-1)?.stage).toBe('done');
  });
});
