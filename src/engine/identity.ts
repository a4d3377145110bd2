/**
 * Who owns a resource. Every container and volume the action creates carries
 * these labels, so tests, cleanup of stale leftovers and people can tell ours
 * (and whose) from everything else on a shared host.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ciJob } from './ci.js';

export const LABEL_PREFIX = 'setup-dind';
export const LABELS = {
  /** The CI job (or local process) that created the resource. */
  owner: `${LABEL_PREFIX}.owner`,
  /** The set-up instance: one per action step / `setup-dind up`. */
  instance: `${LABEL_PREFIX}.instance`,
  /** `daemon` for the DinD container, `data` for its /var/lib/docker volume. */
  role: `${LABEL_PREFIX}.role`,
  /** Unix time (seconds) of creation, for finding stale leftovers. */
  created: `${LABEL_PREFIX}.created`,
} as const;

export interface Identity {
  /** Human-readable owner, e.g. github:owner/repo/run/1234/attempt/1/job/build. */
  owner: string;
  /** Short id of the CI job, used in names ('' outside CI). */
  jobId: string;
  /** Random per set-up. */
  instance: string;
}

export function identify(env: NodeJS.ProcessEnv, instance = randomBytes(5).toString('hex')): Identity {
  const job = ciJob(env);
  switch (job.ci) {
    case 'github':
      return { owner: `github:${job.repository ?? '?'}/run/${job.runId}/attempt/${job.attempt}/job/${job.job ?? '?'}`, jobId: job.runId, instance };
    case 'gitlab':
      return { owner: `gitlab:${job.projectPath ?? '?'}/job/${job.jobId}`, jobId: job.jobId, instance };
    default:
      return { owner: `local:${hostname()}/pid/${process.pid}`, jobId: '', instance };
  }
}

/** A Docker object name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, unique per set-up, with the job id for people. */
export function resourceName(identity: Identity, suffix = ''): string {
  const job = identity.jobId.replace(/[^a-zA-Z0-9_.-]/g, '').slice(0, 40);
  return [LABEL_PREFIX, job, identity.instance].filter((part) => part !== '').join('-') + suffix;
}

export function labelsFor(identity: Identity, role: string, now = Date.now()): Record<string, string> {
  return {
    [LABELS.owner]: identity.owner,
    [LABELS.instance]: identity.instance,
    [LABELS.role]: role,
    [LABELS.created]: String(Math.floor(now / 1000)),
  };
}
