/** Jobs for end-to-end tests, with a safety net: whatever a failed test left is removed after it. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { ActionsJob } from '../../scripts/actions-runner.mjs';
import { LABELS } from '../../src/engine/identity.js';
import { docker, leftovers, ownerOf } from './docker.js';

/** Registers the clean-up hook in the calling describe block; returns a job factory. */
export function useJobs(): (env?: Record<string, string>) => ActionsJob {
  const jobs: ActionsJob[] = [];
  afterEach(async () => {
    for (const job of jobs.splice(0)) {
      const filter = `label=${LABELS.owner}=${ownerOf(job)}`;
      const containers = (await docker(['ps', '-aq', '--filter', filter])).split('\n').filter(Boolean);
      if (containers.length > 0) await docker(['rm', '-fv', ...containers]);
      const volumes = (await docker(['volume', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean);
      if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes]);
      await job.cleanup();
    }
  });
  return (env = {}) => {
    const job = new ActionsJob({ env });
    jobs.push(job);
    return job;
  };
}

/** Gives a prepared job a HOME of its own (so ~/.docker, the CLI's configuration, is the job's), as a runner does; returns it. */
export async function withOwnHome(job: ActionsJob): Promise<string> {
  const home = join(job.runnerTemp!, '..', 'home');
  await mkdir(home);
  job.baseEnv.HOME = home;
  delete job.baseEnv.DOCKER_CONFIG;
  return home;
}

/** The job's post succeeds without warnings and leaves nothing of ours behind. */
export async function expectCleanPost(job: ActionsJob): Promise<void> {
  const post = await job.post();
  expect(post.code, post.stdout + post.stderr).toBe(0);
  expect(post.warnings).toEqual([]);
  expect(await leftovers(job)).toEqual([]);
}
