/**
 * testcontainers-node, as a job uses it (its own process, the job's
 * environment, Ryuk on): a container with an exposed port, reached at
 * getHost():getMappedPort(), in every DinD transport. Nothing is set for it
 * but what the action exports.
 */
import { describe, expect, it } from 'vitest';
import { lastJson, runClient } from '../support/clients.js';
import { DOCKER_MISSING, docker, leftovers, socketForwarder, until } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

/** The Ryuk image testcontainers 11 starts (the host has the stand-in; the DinD daemon gets it with load-images). */
const RYUK = 'testcontainers/ryuk:0.14.0';

describe.skipIf(DOCKER_MISSING !== undefined)('testcontainers with Ryuk, unchanged (mode dind)', () => {
  const newJob = useJobs();

  for (const transport of [{ transport: 'tcp' }, { transport: 'tcp', tls: 'true' }, { transport: 'unix' }]) {
    const name = transport.tls ? 'tls' : transport.transport;
    const leave = name === 'tcp';
    it(`${name}: a mapped port answers at getHost():getMappedPort()${leave ? ', and Ryuk reaps what the test left' : ''}`, async () => {
      const job = newJob();
      const main = await job.main({ ...transport, 'load-images': `busybox ${RYUK}` });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const env = job.stepEnv();
      const run = await runClient('testcontainers', env, leave ? ['--leave'] : []);
      expect(run.code, run.stderr).toBe(0);
      const result = lastJson<{ url: string; body: string; id: string }>(run);
      expect(result.body).toBe('hello from testcontainers\n');
      expect(result.url).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+\//);
      // Ryuk removes what the test left once the test's process is gone (after its reconnection timeout).
      const gone = async () => (await docker(['ps', '--all', '--quiet', '--filter', `id=${result.id}`], env)) === '';
      expect(await until(gone, 60_000)).toBe(true);
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    });
  }
});

describe.skipIf(DOCKER_MISSING !== undefined)('testcontainers with Ryuk, unchanged (modes dood and attach)', () => {
  const newJob = useJobs();

  /** Runs the client with the job's environment, expects its web page, and that Ryuk reaps the container left behind. */
  async function clientWorks(env: NodeJS.ProcessEnv): Promise<void> {
    const run = await runClient('testcontainers', env, ['--leave']);
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson<{ body: string; id: string }>(run);
    expect(result.body).toBe('hello from testcontainers\n');
    const gone = async () => (await docker(['ps', '--all', '--quiet', '--filter', `id=${result.id}`])) === '';
    expect(await until(gone, 60_000)).toBe(true);
  }

  for (const policy of ['none', 'no-privileged', 'strict']) {
    it(`dood, policy ${policy}`, async () => {
      const job = newJob();
      const main = await job.main({ mode: 'dood', 'dood-policy': policy });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      await clientWorks(job.stepEnv());
      expect((await job.post()).code).toBe(0);
      expect(await leftovers(job)).toEqual([]);
    });
  }

  it('attach over TCP and over a unix socket', async () => {
    const forwarder = await socketForwarder();
    try {
      for (const host of [forwarder.dockerHost, 'unix:///var/run/docker.sock']) {
        const job = newJob();
        const main = await job.main({ mode: 'attach', 'docker-host': host });
        expect(main.code, main.stdout + main.stderr).toBe(0);
        await clientWorks(job.stepEnv());
        expect((await job.post()).code).toBe(0);
        expect(await leftovers(job)).toEqual([]);
      }
    } finally {
      await forwarder.close();
    }
  });
});
