/**
 * Engine API versions between a docker client and a daemon. A daemon serves
 * a range of API versions; the docker CLI negotiates down to the daemon's
 * newest, but cannot go below the daemon's minimum. Docker 29.0 raised that
 * minimum from 1.24 to 1.44 (later releases lowered it again), so a runner's
 * older CLI can be refused by a new daemon, and a DOCKER_API_VERSION pinned
 * above an old daemon's newest is refused too. Our own API calls use
 * unversioned paths, which every daemon serves at its own version.
 */
import { SetupDindError } from './errors.js';

/** -1, 0 or 1 as API version `a` is older than, the same as or newer than `b` ("1.9" < "1.44"). */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return Math.sign(aMajor - bMajor || aMinor - bMinor);
}

/** The daemon's refusal of a client's API version, as it words it, or undefined. */
export function apiVersionRefusal(stderr: string): { client: string; limit: string; side: 'client' | 'daemon' } | undefined {
  const old = /client version ([\d.]+) is too old\. Minimum supported API version is ([\d.]+)/i.exec(stderr);
  if (old) return { client: old[1]!, limit: old[2]!, side: 'client' };
  const recent = /client version ([\d.]+) is too new\. Maximum supported API version is ([\d.]+)/i.exec(stderr);
  if (recent) return { client: recent[1]!, limit: recent[2]!, side: 'daemon' };
  return undefined;
}

/** A clear error for a refused API version, naming the side that is too old; undefined for any other failure. */
export function apiVersionError(stderr: string, daemon: string, env: NodeJS.ProcessEnv = {}): SetupDindError | undefined {
  const refusal = apiVersionRefusal(stderr);
  if (refusal === undefined) return undefined;
  if (refusal.side === 'client') {
    return new SetupDindError(
      `The docker CLI is too old for ${daemon}: it speaks Engine API ${refusal.client}, and the daemon accepts ${refusal.limit} and newer.`,
      {
        hint:
          env.DOCKER_API_VERSION !== undefined
            ? `DOCKER_API_VERSION=${env.DOCKER_API_VERSION} pins the client below the daemon's minimum: unset it, and the CLI negotiates.`
            : 'Use a newer docker CLI (input "docker-version", e.g. latest), or lower the daemon\'s minimum: "min-api-version" in its daemon.json (Docker 29+; for DinD, input "daemon-config").',
      },
    );
  }
  return new SetupDindError(
    `${capitalised(daemon)} is too old for the client's API version: the client asks for ${refusal.client}, and the daemon serves up to ${refusal.limit}.`,
    {
      hint:
        env.DOCKER_API_VERSION !== undefined
          ? `DOCKER_API_VERSION=${env.DOCKER_API_VERSION} pins a version this daemon does not serve: unset it, and the CLI negotiates down by itself.`
          : 'Use a newer Docker engine, or a docker CLI that negotiates (any since 1.13 does unless DOCKER_API_VERSION is set).',
    },
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

