/**
 * The DinD daemon's image, as one step: pulled when the pull policy allows
 * and read without being started, once, and only when something must know
 * what it runs (the MTU choice asks for its Docker release). Otherwise
 * `docker run --pull` fetches it as it starts.
 */
import type { DockerClient } from '../../docker/docker.js';
import type { Options } from '../../inputs/options.js';

export interface DaemonImage {
  /** The Docker release of the image's dockerd (pulls the image first if it must and may). */
  engineVersion(): Promise<EngineVersion>;
}

export function daemonImage(options: Pick<Options, 'image' | 'pull'>, docker: Pick<DockerClient, 'exec'>, signal?: AbortSignal): DaemonImage {
  let read: Promise<EngineVersion> | undefined;
  return { engineVersion: () => (read ??= imageEngineVersion(options, docker, signal)) };
}

export interface EngineVersion {
  /** The Docker release the image declares, e.g. "29.1.3". */
  version?: string;
  major?: number;
  /** The image is not on the runner's daemon (and could not be pulled). */
  absent?: boolean;
  /** Why the version is unknown. */
  why?: string;
}

/**
 * The Docker release of the image's dockerd, read from the image's
 * configuration without starting it: the official docker images declare it
 * as DOCKER_VERSION (inherited by images built FROM them). An image that is
 * not there yet is pulled first when the pull policy allows, as `docker run
 * --pull` would pull it a moment later anyway.
 */
export async function imageEngineVersion(
  options: Pick<Options, 'image' | 'pull'>,
  docker: Pick<DockerClient, 'exec'>,
  signal?: AbortSignal,
): Promise<EngineVersion> {
  const inspect = () =>
    docker.exec(['image', 'inspect', '--format', '{{json .Config.Env}}\n{{json .Config.Labels}}', options.image], { signal, timeoutMs: 30_000 });
  // pull: always may bring a newer image than the local one: read the one that will run.
  let result = options.pull === 'always' ? { code: 1, stdout: '', stderr: '', output: '' } : await inspect();
  if (result.code !== 0 && options.pull !== 'never') {
    const pull = await docker.exec(['pull', '--quiet', options.image], { signal });
    if (pull.code !== 0) return { absent: true, why: 'the image could not be pulled to read it' };
    result = await inspect();
  }
  if (result.code !== 0) return { absent: true, why: 'the image is not on the runner\'s daemon' };
  return engineVersionOf(result.stdout);
}

/** Parses `{{json .Config.Env}}` and `{{json .Config.Labels}}` output, one a line. */
export function engineVersionOf(inspectOutput: string): EngineVersion {
  const [envJson = 'null', labelsJson = 'null'] = inspectOutput.trim().split('\n');
  const env = parseJson(envJson);
  const labels = parseJson(labelsJson);
  const fromEnv = Array.isArray(env)
    ? env.map(String).find((entry) => entry.startsWith('DOCKER_VERSION='))?.slice('DOCKER_VERSION='.length)
    : undefined;
  // An image of another make may say it with the OCI label instead.
  const fromLabel =
    typeof labels === 'object' && labels !== null ? (labels as Record<string, unknown>)['org.opencontainers.image.version'] : undefined;
  for (const candidate of [fromEnv, typeof fromLabel === 'string' ? fromLabel : undefined]) {
    const major = dockerMajor(candidate);
    if (major !== undefined) return { version: candidate!.replace(/^v/, ''), major };
  }
  return { why: fromEnv === undefined ? 'no DOCKER_VERSION in its environment' : `DOCKER_VERSION=${fromEnv} is not a release number` };
}

/** The major number of a Docker release such as 29.1.3, v24.0.0-rc.1 or 20.10.24+dfsg1. */
export function dockerMajor(version: string | undefined): number | undefined {
  const match = /^v?(\d+)\.\d+/.exec(version ?? '');
  return match ? Number(match[1]) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
