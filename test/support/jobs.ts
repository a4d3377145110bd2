/** Jobs for end-to-end tests, with a safety net: whatever a failed test left is removed after it. */
import { afterEach } from 'vitest';
import { ActionsJob } from '../../scripts/actions-runner.mjs';
import { LABELS } from '../../src/engine/identity.js';
import { docker, ownerOf } from './docker.js';

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
