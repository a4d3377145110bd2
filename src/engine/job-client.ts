/**
 * Whether the job's own docker CLI can use the new daemon, as later steps
 * will: a DOCKER_API_VERSION outside the daemon's range, or (a daemon whose
 * minimum is above 1.41, as Docker 29.0's is) a CLI it refuses. Any other
 * daemon runs no extra command.
 */
import { apiVersionError, compareVersions, pinnedRefusal } from '../docker/api-version.js';
import type { DaemonVersion } from '../docker/probe.js';
import type { EngineContext } from './context.js';

/** Every docker CLI since 20.10 speaks 1.41 or newer; only a daemon that refuses older ones needs a closer look. */
const OLDEST_CLIENT_API = '1.41';

/** Resolves with a warning, or undefined; it never fails the set-up. */
export async function jobClientWarning(
  daemon: DaemonVersion,
  daemonEnv: NodeJS.ProcessEnv,
  context: Pick<EngineContext, 'docker' | 'signal'>,
): Promise<string | undefined> {
  if (daemon.minApiVersion === undefined) return undefined;
  const { signal } = context;
  const pinned = daemonEnv.DOCKER_API_VERSION?.trim();
  const refusal = pinned
    ? pinnedRefusal(pinned, daemon.minApiVersion, daemon.apiVersion)
    : compareVersions(daemon.minApiVersion, OLDEST_CLIENT_API) > 0
      ? await context.docker
          .cli(daemonEnv)
          .exec(['version', '--format', '{{.Server.APIVersion}}'], { timeoutMs: 15_000, signal })
          .then(
            (result) => result.stderr,
            () => '',
          )
      : '';
  // A cancelled job is the front end's to end: the daemon is up and in the plan, so post removes it.
  if (signal?.aborted) return undefined;
  const refused = apiVersionError(refusal, 'this daemon', daemonEnv);
  if (!refused) return undefined;
  return `${refused.message} docker commands in later steps will fail until it is changed. ${refused.hint ?? ''}`.trim();
}
