/**
 * The fault matrix: each fault caused for real, each ending with a clear
 * message and nothing of the job left behind (docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, docker, leftovers, ownerOf, socketForwarder, until } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

const SLEEPER = 'setup-dind-test/sleeper:faults';

describe.skipIf(DOCKER_MISSING !== undefined)('faults', () => {
  const newJob = useJobs();

  /**
   * "Hardened hosts": a Docker engine in a container, configured so that
   * --privileged fails there as on such hosts. How it fails depends on the
   * engine: before 23 a capability missing from the daemon's bounding set
   * fails every privileged container; 23+ grant only the capabilities they
   * have (so that host no longer refuses), and an engine with user-namespace
   * remapping refuses privileged containers on every version.
   */
  const HARDENED_HOSTS = [
    { name: 'Docker 20.10 lacking a capability', image: 'docker:20-dind', flags: ['--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE'], daemonArgs: [],
      engineLine: /unable to apply caps: operation not permitted/ },
    { name: 'the default docker:dind with userns-remap', image: 'docker:dind', flags: ['--privileged'], daemonArgs: ['--userns-remap=default'],
      engineLine: /privileged mode is incompatible with user namespaces/ },
    { name: 'Docker 20.10 with userns-remap', image: 'docker:20-dind', flags: ['--privileged'], daemonArgs: ['--userns-remap=default'],
      engineLine: /privileged mode is incompatible with user namespaces/ },
  ];

  it.each(HARDENED_HOSTS)('privileged refused ($name): says what failed and what to do, with the engine\'s own error line', async (host) => {
    const hardened = await docker([
      'run', '--detach', '--label', 'setup-dind-test=hardened', ...host.flags,
      '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined',
      '--volume', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      '--env', 'DOCKER_TLS_CERTDIR=', '--publish', '127.0.0.1::2375', '--mount', 'type=volume,dst=/var/lib/docker',
      host.image, '--tls=false', ...host.daemonArgs,
    ]);
    try {
      const hostOfHardened = `tcp://${(await docker(['port', hardened, '2375/tcp'])).split('\n')[0]}`;
      const env = { ...process.env, DOCKER_HOST: hostOfHardened };
      expect(await until(async () => (await docker(['version'], env).then(() => true, () => false)))).toBe(true);
      // An image to start there (busybox is enough: the refusal comes before anything runs).
      const { spawnSync } = await import('node:child_process');
      const save = spawnSync('sh', ['-c', 'docker save busybox:latest | docker --host "$H" load -q'], { env: { ...process.env, H: hostOfHardened } });
      expect(save.status).toBe(0);

      const job = newJob({ DOCKER_HOST: hostOfHardened });
      const main = await job.main({ image: 'busybox:latest' });
      expect(main.code).toBe(1);
      const error = main.errors.join('\n');
      expect(error).toMatch(/The Docker engine refused to run a privileged container, which DinD needs: /);
      expect(error).toMatch(host.engineLine);
      expect(error).toMatch(/Hint: .*Use a runner that allows privileged containers.*mode dood.*Sysbox/);
      if (host.daemonArgs.includes('--userns-remap=default')) expect(error).toMatch(/Hint: This engine remaps user namespaces \(userns-remap\)/);
      // Nothing left on the hardened engine either.
      expect(await docker(['ps', '-aq', '--filter', `label=${LABELS.owner}=${ownerOf(job)}`], env)).toBe('');
      expect(await docker(['volume', 'ls', '-q', '--filter', `label=${LABELS.owner}=${ownerOf(job)}`], env)).toBe('');
      const post = await job.post();
      expect(post.warnings).toEqual([]);
    } finally {
      await docker(['rm', '-fv', hardened]);
    }
  });

  it('registry unreachable with pull: always: a clear pull error, nothing started', async () => {
    const job = newJob();
    const main = await job.main({ pull: 'always' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Image docker:dind could not be pulled \(pull: always\): .*Hint: The registry is unreachable; with pull "missing" a local copy/s);
    expect(await leftovers(job)).toEqual([]);
  });

  it('an image that cannot be had: a clear pull error, nothing started', async () => {
    const job = newJob();
    const main = await job.main({ image: 'setup-dind-test/never-built:1' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Image setup-dind-test\/never-built:1 (could not|cannot) be pulled/);
    expect(await leftovers(job)).toEqual([]);
  });

  it('the host daemon goes away while main waits: main fails at once, post warns and never fails, a later post cleans up', async () => {
    const forwarder = await socketForwarder();
    let closed = false;
    try {
      const spawnSync = (await import('node:child_process')).spawnSync;
      expect(spawnSync('docker', ['build', '-q', '-t', SLEEPER, '-'], { input: 'FROM busybox:latest\nENTRYPOINT ["/bin/sh", "-c", "exec sleep 3600", "x"]\n' }).status).toBe(0);
      const job = newJob({ DOCKER_HOST: forwarder.dockerHost });
      const { done } = await job.startMain({ image: SLEEPER, timeout: '60' });
      expect(await until(async () => (await docker(['ps', '-q', '--filter', `label=${LABELS.owner}=${ownerOf(job)}`])) !== '')).toBe(true);
      const lost = performance.now();
      await forwarder.close();
      closed = true;
      const main = await done;
      expect((performance.now() - lost) / 1000).toBeLessThan(15);
      expect(main.code).toBe(1);
      expect(main.errors.join('\n')).toMatch(/Lost contact with the Docker daemon that runs the DinD container/);

      // post cannot reach the daemon either: warnings, exit 0.
      const post = await job.post();
      expect(post.code).toBe(0);
      expect(post.warnings.join('\n')).toMatch(/Could not remove container .*Cannot connect|Could not remove container .*connect/i);

      // The daemon is back at the same address: the next post removes everything.
      const back = await socketForwarder(forwarder.port);
      try {
        const again = await job.post();
        expect(again.warnings).toEqual([]);
      } finally {
        await back.close();
      }
      expect(await leftovers(job)).toEqual([]);
    } finally {
      if (!closed) await forwarder.close();
      await docker(['image', 'rm', '-f', SLEEPER]).catch(() => {});
    }
  });

  // The runner cancels a job with SIGINT, then SIGTERM; either one alone must do.
  it.each(['SIGTERM', 'SIGINT'] as const)('%s while main waits: main stops promptly and removes what it started', async (signal) => {
    const spawnSync = (await import('node:child_process')).spawnSync;
    expect(spawnSync('docker', ['build', '-q', '-t', SLEEPER, '-'], { input: 'FROM busybox:latest\nENTRYPOINT ["/bin/sh", "-c", "exec sleep 3600", "x"]\n' }).status).toBe(0);
    try {
      const job = newJob();
      const { child, done } = await job.startMain({ image: SLEEPER, timeout: '120' });
      // Cancel once the container exists (main saved its name in state before creating it).
      expect(await until(async () => (await docker(['ps', '-q', '--filter', `label=${LABELS.owner}=${ownerOf(job)}`])) !== '')).toBe(true);
      const signalled = performance.now();
      child.kill(signal);
      const main = await done;
      expect((performance.now() - signalled) / 1000).toBeLessThan(10);
      expect(main.code).toBe(1);
      expect(main.errors.join('\n')).toMatch(/Cancelled while waiting for the daemon/);
      expect(await leftovers(job)).toEqual([]);
      expect((await job.post()).warnings).toEqual([]);
    } finally {
      await docker(['image', 'rm', '-f', SLEEPER]).catch(() => {});
    }
  });

  it('post with state naming a container that no longer exists is a clean no-op', async () => {
    const job = newJob();
    const main = await job.main();
    expect(main.code).toBe(0);
    await docker(['rm', '-fv', main.outputs['container-id']!]);
    await docker(['volume', 'rm', `${main.outputs['container-name']}-data`]);
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(post.stdout).toMatch(/Already gone: container .*, volume /);
    expect(await leftovers(job)).toEqual([]);
  });
});
