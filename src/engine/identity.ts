/**
 * Who owns a resource. Every container and volume the action creates carries
 * these labels, so tests, cleanup of stale leftovers and people can tell ours
 * (and whose) from everything else on a shared host.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

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
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_RUN_ID) {
    const runId = env.GITHUB_RUN_ID ?? '';
    return {
      owner: `github:${env.GITHUB_REPOSITORY ?? '?'}/run/${runId}/attempt/${env.GITHUB_RUN_ATTEMPT ?? '1'}/job/${env.GITHUB_JOB ?? '?'}`,
      jobId: runId,
      instance,
    };
  }
  if (env.GITLAB_CI === 'true' || env.CI_JOB_ID) {
    return { owner: `gitlab:${env.CI_PROJECT_PATH ?? '?'}/job/${env.CI_JOB_ID ?? ''}`, jobId: env.CI_JOB_ID ?? '', instance };
  }
  return { owner: `local:${hostname()}/pid/${process.pid}`, jobId: '', instance };
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
