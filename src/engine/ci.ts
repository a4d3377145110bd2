/**
 * Which CI runs the job, read once from its environment: the owner label and
 * names of what a set-up creates, the CLI's state file and its log sections
 * all follow this one reading.
 */
export type CiJob =
  | { ci: 'github'; runId: string; attempt: string; job: string | undefined; repository: string | undefined }
  | { ci: 'gitlab'; jobId: string; projectPath: string | undefined }
  | { ci: 'buildkite'; jobId: string }
  | { ci: 'jenkins'; buildTag: string }
  | { ci: 'local' };

export function ciJob(env: NodeJS.ProcessEnv): CiJob {
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_RUN_ID) {
    return { ci: 'github', runId: env.GITHUB_RUN_ID ?? '', attempt: env.GITHUB_RUN_ATTEMPT ?? '1', job: env.GITHUB_JOB, repository: env.GITHUB_REPOSITORY };
  }
  if (env.GITLAB_CI === 'true' || env.CI_JOB_ID) return { ci: 'gitlab', jobId: env.CI_JOB_ID ?? '', projectPath: env.CI_PROJECT_PATH };
  if (env.BUILDKITE_JOB_ID) return { ci: 'buildkite', jobId: env.BUILDKITE_JOB_ID };
  if (env.BUILD_TAG) return { ci: 'jenkins', buildTag: env.BUILD_TAG };
  return { ci: 'local' };
}
