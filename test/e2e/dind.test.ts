/**
 * The bundled action (dist/main.js, dist/post.js) run the way the Actions
 * runner runs it, against the real Docker engine. Every test ends by checking
 * that nothing of its job is left on the host.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, copyImage, docker, freePort, holdPort, leftovers, ownerOf } from '../support/docker.js';
import { ENGINES_TO_TEST } from '../support/engines.js';
import { useJobs } from '../support/jobs.js';

/** An image whose container runs but never serves the Docker API. */
const SLEEPER = 'setup-dind-test/sleeper:1';

describe.skipIf(DOCKER_MISSING !== undefined)('DinD through the bundled action', () => {
  const newJob = useJobs();

  beforeAll(async () => {
    await docker(['image', 'inspect', 'busybox:latest']);
    const build = await import('node:child_process').then(({ spawnSync }) =>
      spawnSync('docker', ['build', '--quiet', '--tag', SLEEPER, '-'], {
        input: 'FROM busybox:latest\nENTRYPOINT ["/bin/sh", "-c", "exec sleep 3600", "sleeper"]\n',
        encoding: 'utf8',
      }),
    );
    expect(build.status, build.stderr).toBe(0);
  });

  afterAll(async () => {
    await docker(['image', 'rm', '--force', SLEEPER]).catch(() => {});
  });

  it('starts a daemon the next steps can use, and post removes it', async () => {
    const job = newJob();
    const main = await job.main();
    expect(main.code, main.stdout + main.stderr).toBe(0);

    const host = main.outputs['docker-host'];
    expect(host).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(main.exportedEnv.DOCKER_HOST).toBe(host);
    expect(main.outputs['container-name']).toMatch(/^setup-dind-/);
    expect(main.outputs['container-id']).toMatch(/^[0-9a-f]{64}$/);
    expect(main.outputs['server-version']).toMatch(/^\d+\.\d+/);
    expect(Number(main.outputs['ready-seconds'])).toBeGreaterThan(0);
    expect(main.summary).toContain(main.outputs['container-name']);
    expect(main.summary).toContain(host);

    // Published on loopback only, labelled as this job's, data on a volume.
    const id = main.outputs['container-id']!;
    const bindings = JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig.PortBindings}}', id])) as Record<
      string,
      { HostIp: string }[]
    >;
    expect(Object.values(bindings).flat().map((binding) => binding.HostIp)).toEqual(['127.0.0.1']);
    expect(await docker(['inspect', '--format', `{{index .Config.Labels "${LABELS.owner}"}}`, id])).toBe(ownerOf(job));

    // A later step: the exported DOCKER_HOST reaches the DinD daemon.
    const stepEnv = job.stepEnv();
    expect(await docker(['info', '--format', '{{.Driver}}'], stepEnv)).toBe('overlay2');
    await copyImage('busybox:latest', stepEnv);
    expect(await docker(['run', '--rm', 'busybox:latest', 'echo', 'hello from DinD'], stepEnv)).toBe('hello from DinD');
    const context = await mkdtemp(join(tmpdir(), 'setup-dind-build-'));
    try {
      await writeFile(join(context, 'Dockerfile'), 'FROM busybox:latest\nRUN echo built > /built\nCMD ["cat", "/built"]\n');
      await docker(['build', '--quiet', '--tag', 'e2e/built:1', context], stepEnv);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    expect(await docker(['run', '--rm', 'e2e/built:1'], stepEnv)).toBe('built');
    // The image lives in DinD only.
    await expect(docker(['image', 'inspect', 'e2e/built:1'])).rejects.toThrow();

    // post runs with the job's DOCKER_HOST (the DinD daemon) in its environment,
    // and still removes the container through the host daemon.
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(post.stdout).toMatch(/Removed container .*, volume .*-data/);
    expect(await leftovers(job)).toEqual([]);
  });

  it.each(ENGINES_TO_TEST)('$name: preloads images from the host daemon with load-images, and refuses one the host lacks before starting', async ({ image }) => {
    const job = newJob();
    const main = await job.main({ image, 'load-images': 'busybox:latest' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    // Plain TCP is the default: with --tls=false the daemon skips the 15 s pause it makes on
    // an unauthenticated TCP listener (a behavioural bound, not a benchmark: ready takes ~2 s).
    expect(Number(main.outputs['ready-seconds'])).toBeLessThan(12);
    expect(main.stdout).toMatch(/Loaded 1 image\(s\) in \d+\.\d+ s/);
    expect(main.summary).toMatch(/Preloaded `busybox:latest` from the runner's daemon in \d+\.\d+ s/);
    expect(await docker(['run', '--rm', 'busybox:latest', 'echo', 'preloaded'], job.stepEnv())).toBe('preloaded');
    await job.post();
    expect(await leftovers(job)).toEqual([]);

    const missing = newJob();
    const refused = await missing.main({ 'load-images': 'busybox:latest setup-dind-test/not-on-host:1' });
    expect(refused.code).toBe(1);
    expect(refused.errors.join('\n')).toMatch(/Input "load-images": setup-dind-test\/not-on-host:1 is not on the runner's Docker daemon/);
    expect(refused.savedState).toEqual({});
    expect(await leftovers(missing)).toEqual([]);
  });

  it('load-images across image stores: the runner\'s graphdriver into a DinD daemon on the containerd store (Docker 29\'s default)', async () => {
    const job = newJob();
    const main = await job.main({ 'daemon-config': '{"features": {"containerd-snapshotter": true}}', 'load-images': 'busybox:latest' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    expect(await docker(['info', '--format', '{{json .DriverStatus}}'], env)).toContain('io.containerd.snapshotter');
    expect(await docker(['run', '--rm', 'busybox:latest', 'echo', 'loaded'], env)).toBe('loaded');
    // And back: what the containerd store saves, the runner's graphdriver daemon loads.
    const { spawnSync } = await import('node:child_process');
    const back = spawnSync('sh', ['-c', 'docker --host "$INNER" save busybox:latest | docker load -q'], { env: { ...process.env, INNER: main.outputs['docker-host'] }, encoding: 'utf8' });
    expect(back.status, back.stderr).toBe(0);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('configures the inner daemon: registry mirrors and insecure registries show in docker info', async () => {
    const job = newJob();
    const main = await job.main({
      'registry-mirrors': 'https://mirror.example.com',
      'insecure-registries': 'registry.internal:5000',
      'daemon-config': '{"log-level": "warn"}',
    });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const registry = JSON.parse(await docker(['info', '--format', '{{json .RegistryConfig}}'], job.stepEnv())) as {
      Mirrors: string[];
      IndexConfigs: Record<string, { Secure: boolean }>;
    };
    expect(registry.Mirrors).toEqual(['https://mirror.example.com/']);
    expect(registry.IndexConfigs['registry.internal:5000']?.Secure).toBe(false);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('fails before starting on bad JSON, and at once with the daemon\'s message on a configuration it refuses', async () => {
    const bad = newJob();
    const refusedInput = await bad.main({ 'daemon-config': '{"log-level": warn}' });
    expect(refusedInput.code).toBe(1);
    expect(refusedInput.errors.join('\n')).toMatch(/Input "daemon-config": is not valid JSON/);
    expect(refusedInput.savedState).toEqual({});

    const job = newJob();
    const main = await job.main({ 'daemon-config': '{"no-such-option": true}' });
    expect(main.code).toBe(1);
    const error = main.errors.join('\n');
    expect(error).toMatch(/The DinD daemon exited during start .*no-such-option/);
    expect(error).toMatch(/Hint: The daemon refused its configuration: check inputs "daemon-config"/);
    expect(main.seconds).toBeLessThan(30);
    expect(await leftovers(job)).toEqual([]);
  });

  it('publishes on the port given in input "port"', async () => {
    const job = newJob();
    const port = await freePort();
    const main = await job.main({ port: String(port) });
    expect(main.code, main.stdout).toBe(0);
    expect(main.exportedEnv.DOCKER_HOST).toBe(`tcp://127.0.0.1:${port}`);
    expect(await docker(['version', '--format', '{{.Server.Version}}'], job.stepEnv())).toBe(main.outputs['server-version']);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('fails clearly when the port is taken, and leaves nothing', async () => {
    const held = await holdPort();
    try {
      const job = newJob();
      const main = await job.main({ port: String(held.port) });
      expect(main.code).toBe(1);
      expect(main.errors.join('\n')).toMatch(new RegExp(`Input "port": host port ${held.port} on 127.0.0.1 is already in use`));
      expect(main.exportedEnv.DOCKER_HOST).toBeUndefined();
      expect(await leftovers(job)).toEqual([]);
      const post = await job.post();
      expect(post.code).toBe(0);
      expect(post.warnings).toEqual([]);
    } finally {
      await held.close();
    }
  });

  it('fails clearly when the image is missing and pull is "never"', async () => {
    const job = newJob();
    const main = await job.main({ image: 'setup-dind-test/no-such-image:1', pull: 'never' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Image setup-dind-test\/no-such-image:1 is not present and input "pull" is "never"/);
    expect(await leftovers(job)).toEqual([]);
    expect((await job.post()).warnings).toEqual([]);
  });

  it.each(ENGINES_TO_TEST)('$name: fails within seconds with the daemon\'s own error when it dies at start', async ({ image }) => {
    const job = newJob();
    const main = await job.main({ image, 'daemon-args': '--no-such-flag' });
    expect(main.code).toBe(1);
    const error = main.errors.join('\n');
    expect(error).toMatch(/The DinD daemon exited during start \(exit code \d+\): unknown flag: --no-such-flag\n/);
    expect(main.stdout).toContain('Daemon log (last lines)');
    // The log shown ends with the error, not with the option list dockerd 23+ prints after it.
    expect(main.stdout).toContain('unknown flag: --no-such-flag');
    expect(main.stdout).not.toContain('Use TLS and verify the remote');
    expect(main.seconds).toBeLessThan(20); // the deadline is 60 s: it did not wait for it
    expect(await leftovers(job)).toEqual([]);
    expect((await job.post()).warnings).toEqual([]);
  });

  it('fails at the deadline of input "timeout" when the daemon never answers', async () => {
    const job = newJob();
    const main = await job.main({ image: SLEEPER, timeout: '2' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/did not answer GET \/_ping within input "timeout" \(2 s\)/);
    expect(await leftovers(job)).toEqual([]);
    expect((await job.post()).warnings).toEqual([]);
  });

  it('rejects a bad input before touching Docker', async () => {
    // No docker on PATH: an input error must come before any docker call.
    const job = newJob({ PATH: '/nonexistent' });
    const main = await job.main({ port: '70000' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Input "port": 70000 is out of range\. Accepted: a whole number from 0 to 65535/);
    expect(main.savedState).toEqual({});
    expect((await job.post()).stdout).toContain('Nothing to tear down');
  });

  it('fails clearly when the host daemon cannot be reached', async () => {
    const job = newJob({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    const main = await job.main();
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Cannot reach the Docker daemon that should start the DinD container/);
    const post = await job.post();
    expect(post.code).toBe(0);
  });

  it('post is idempotent: a second run is a clean no-op', async () => {
    const job = newJob();
    expect((await job.main()).code).toBe(0);
    const first = await job.post();
    expect(first.warnings).toEqual([]);
    const second = await job.post();
    expect(second.code).toBe(0);
    expect(second.warnings).toEqual([]);
    expect(second.stdout).toMatch(/Already gone: container .*, volume /);
    expect(await leftovers(job)).toEqual([]);
  });

  it('post warns with the daemon log when the daemon died during the job, and still cleans up', async () => {
    const job = newJob();
    const main = await job.main();
    expect(main.code).toBe(0);
    await docker(['kill', main.outputs['container-id']!]);
    // A later step's docker call fails with the engine's own error.
    await expect(docker(['info'], job.stepEnv())).rejects.toThrow(/Cannot connect|connection refused|error during connect/i);
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings.join('\n')).toMatch(/was not running at teardown \(status exited/);
    expect(post.stdout).toContain('Daemon log of');
    expect(await leftovers(job)).toEqual([]);
  });
});
