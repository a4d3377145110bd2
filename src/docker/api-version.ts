/**
 * Engine API versions between a docker client and a daemon. A daemon serves
 * a range of API versions; the docker CLI negotiates down to the daemon's
 * newest, but cannot go below the daemon's minimum. Docker 29.0 raised that
 * minimum from 1.24 to 1.44 (later releases lowered it again), so a runner's
 * older CLI can be refused by a new daemon, and a DOCKER_API_VERSION pinned
 * above an old daemon's newest is refused too. Our own API calls use
 * unversioned paths, which every daemon serves at its own version.
 */
import { SetupDindError } from '../engine/errors.js';

/** Negative, 0 or positive as version `a` ("1.9", "29.1.3") is older than, the same as or newer than `b`: numerically, part by part. */
export function compareVersions(a: string, b: string): number {
  const [left, right] = [a, b].map((version) => version.split('.').map(Number));
  for (let i = 0; i < Math.max(left!.length, right!.length); i++) {
    const difference = (left![i] ?? 0) - (right![i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
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
  // Blame a pinned DOCKER_API_VERSION only when it is the version that was refused.
  const pinned = env.DOCKER_API_VERSION?.trim() === refusal.client ? env.DOCKER_API_VERSION.trim() : undefined;
  if (refusal.side === 'client') {
    return new SetupDindError(
      `The docker CLI is too old for ${daemon}: it speaks Engine API ${refusal.client}, and the daemon accepts ${refusal.limit} and newer.`,
      {
        hint:
          pinned !== undefined
            ? `DOCKER_API_VERSION=${pinned} pins the client below the daemon's minimum: unset it, and the CLI negotiates.`
            : 'Use a newer docker CLI (input "docker-version", e.g. latest), or lower the daemon\'s minimum API version: "min-api-version" in its daemon.json (Docker 29+; for the DinD daemon, input "daemon-config").',
      },
    );
  }
  return new SetupDindError(
    `${capitalised(daemon)} is too old for the client's API version: the client asks for ${refusal.client}, and the daemon serves up to ${refusal.limit}.`,
    {
      hint:
        pinned !== undefined
          ? `DOCKER_API_VERSION=${pinned} pins a version this daemon does not serve: unset it, and the CLI negotiates down by itself.`
          : 'Use a newer Docker engine, or a docker CLI that negotiates (any since 1.13 does unless DOCKER_API_VERSION is set).',
    },
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A DOCKER_API_VERSION outside a daemon's range, in the daemon's own words (as apiVersionRefusal reads them), or ''. */
export function pinnedRefusal(pinned: string, min: string, max: string | undefined): string {
  if (compareVersions(pinned, min) < 0) return `client version ${pinned} is too old. Minimum supported API version is ${min}`;
  if (max !== undefined && compareVersions(pinned, max) > 0) return `client version ${pinned} is too new. Maximum supported API version is ${max}`;
  return '';
}
