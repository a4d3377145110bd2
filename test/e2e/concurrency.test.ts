/**
 * Many jobs on one host: eight instances started at once all become ready,
 * with distinct names and ports, and each post removes exactly its own.
 * Leftovers of runs that died before their post are swept at the next start.
 */
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

describe.skipIf(DOCKER_MISSING !== undefined)('concurrency and leftovers', () => {
  const newJob = useJobs();

  it('eight instances started in parallel all become ready, apart, and all are removed by their posts', async () => {
    const jobs = Array.from({ length: 8 }, () => newJob());
    const mains = await Promise.all(jobs.map((job) => job.main({ timeout: '120' })));
    for (const main of mains) expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(new Set(mains.map((main) => main.outputs['container-name'])).size).toBe(8);
    expect(new Set(mains.map((main) => main.outputs['docker-host'])).size).toBe(8);
    // Each endpoint reaches its own daemon.
    const ids = await Promise.all(jobs.map((job) => docker(['info', '--format', '{{.Name}}'], job.stepEnv())));
    expect(new Set(ids).size).toBe(8);

    const posts = await Promise.all(jobs.map((job) => job.post()));
    for (const post of posts) expect(post.warnings).toEqual([]);
    for (const job of jobs) expect(await leftovers(job)).toEqual([]);
  });

  it('removes stale leftovers of a killed run by label and age, and leaves live ones alone', async () => {
    const hours = (n: number) => String(Math.floor(Date.now() / 1000) - n * 3600);
    const labels = (owner: string, role: string, created: string) => [
      '--label', `${LABELS.owner}=${owner}`, '--label', `${LABELS.instance}=fake${created}`,
      '--label', `${LABELS.role}=${role}`, '--label', `${LABELS.created}=${created}`, '--label', 'setup-dind-test=stale',
    ];
    const staleVolume = await docker(['volume', 'create', ...labels('github:dead/run', 'data', hours(7))]);
    const stale = await docker(['run', '-d', ...labels('github:dead/run', 'daemon', hours(7)), '--mount', `type=volume,src=${staleVolume},dst=/data`, 'busybox:latest', 'sleep', '600']);
    const live = await docker(['run', '-d', ...labels('github:live/run', 'daemon', hours(1)), 'busybox:latest', 'sleep', '600']);
    // What a DooD job of the dead run had created through its proxy.
    const staleNetwork = await docker(['network', 'create', ...labels('github:dead/run', 'job', hours(8)), `setup-dind-e2e-stale-${Date.now()}`]);
    const staleJobContainer = await docker(['run', '-d', ...labels('github:dead/run', 'job', hours(8)), 'busybox:latest', 'sleep', '600']);
    try {
      // stale-after 0: nothing is swept.
      const off = newJob();
      expect((await off.main({ 'stale-after': '0' })).code).toBe(0);
      await off.post();
      expect(await docker(['inspect', '--format', '{{.State.Running}}', stale])).toBe('true');

      const job = newJob();
      const main = await job.main();
      expect(main.code, main.stdout).toBe(0);
      expect(main.stdout).toMatch(/Removed a stale container of an earlier run: .* \(owner github:dead\/run, 7\.0 h old\)/);
      expect(main.stdout).toMatch(/Removed a stale volume of an earlier run/);
      await expect(docker(['inspect', stale])).rejects.toThrow();
      await expect(docker(['volume', 'inspect', staleVolume])).rejects.toThrow();
      expect(await docker(['inspect', '--format', '{{.State.Running}}', live])).toBe('true');
      expect(main.stdout).toMatch(/Removed a stale network of an earlier run: .* \(owner github:dead\/run, 8\.0 h old\)/);
      await expect(docker(['network', 'inspect', staleNetwork])).rejects.toThrow();
      await expect(docker(['inspect', staleJobContainer])).rejects.toThrow();
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await docker(['rm', '-fv', stale, live, staleJobContainer]).catch(() => {});
      await docker(['network', 'rm', staleNetwork]).catch(() => {});
      await docker(['volume', 'rm', '-f', staleVolume]).catch(() => {});
    }
  });
});
