/**
 * testcontainers-node, as a job uses it (its own process, the job's
 * environment, Ryuk on): a container with an exposed port, reached at
 * getHost():getMappedPort(), in every DinD transport. Nothing is set for it
 * but what the action exports.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker, leftovers, until } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

const CLIENT = fileURLToPath(new URL('../support/testcontainers-client.mjs', import.meta.url));
/** The Ryuk image testcontainers 11 starts (the host has the stand-in; the DinD daemon gets it with load-images). */
const RYUK = 'testcontainers/ryuk:0.14.0';

function runClient(env: NodeJS.ProcessEnv, leave: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT, ...(leave ? ['--leave'] : [])], { env, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

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
      const run = await runClient(env, leave);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { url: string; body: string; id: string };
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
