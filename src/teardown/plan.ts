/**
 * A teardown plan names everything a set-up created, and the daemon that
 * created it, so that a later process (the post step, `setup-dind down`) can
 * remove exactly that and nothing else. It is saved before each resource is
 * created, so a set-up killed half way can still be torn down.
 */
import type { Mode } from '../inputs/inputs.js';

/** The environment variables that select the Docker daemon the docker CLI talks to. */
export const DOCKER_ENV_KEYS = [
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
  'DOCKER_CONFIG',
  'DOCKER_API_VERSION',
] as const;

export type DockerEnv = Partial<Record<(typeof DOCKER_ENV_KEYS)[number], string>>;

export interface TeardownPlan {
  version: 1;
  mode: Mode;
  /** Random id of this set-up; also a label on everything it created. */
  instance: string;
  /** `starting` until the daemon answered, then `ready`; `done` once torn down. */
  stage: 'starting' | 'ready' | 'done';
  /** How the set-up reached the daemon that created the resources below. */
  dockerEnv: DockerEnv;
  /** Containers to remove (with their anonymous volumes), by name or id. */
  containers: string[];
  /** Volumes to remove. */
  volumes: string[];
  /** Local files and directories to delete. */
  paths: string[];
  /**
   * DooD: everything labelled `setup-dind.instance=<this>` on the daemon
   * (the job's containers, networks and volumes, labelled by the proxy).
   */
  labelled?: string;
  /** Background processes to stop (the DooD proxy); `marker` must be in their command line. */
  processes?: { pid: number; marker: string }[];
  /**
   * Stop the containers with this grace period before removing them, so the
   * daemon in them shuts down cleanly (a cache volume's data root must stay
   * consistent for the next job); absent: removed at once.
   */
  stopSeconds?: number;
  /** Docker contexts to remove (input `context`), from the CLI config that DOCKER_CONFIG in dockerEnv names. */
  contexts?: string[];
}

/** A set-up's first plan: what it will create (`parts`), through the daemon `dockerEnv` selects; nothing else. */
export function startingPlan(
  mode: Mode,
  instance: string,
  dockerEnv: DockerEnv,
  parts: Partial<Pick<TeardownPlan, 'containers' | 'volumes' | 'paths' | 'labelled' | 'processes' | 'stopSeconds'>> = {},
): TeardownPlan {
  return { version: 1, mode, instance, stage: 'starting', dockerEnv, containers: [], volumes: [], paths: [], ...parts };
}

export function dockerEnvOf(env: NodeJS.ProcessEnv): DockerEnv {
  const picked: DockerEnv = {};
  for (const key of DOCKER_ENV_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  return picked;
}

/**
 * The job's environment with the Docker variables replaced by those of the
 * plan: post runs with the DOCKER_HOST that main exported (the DinD daemon),
 * but must talk to the daemon that started the DinD container.
 */
export function envWithDocker(env: NodeJS.ProcessEnv, dockerEnv: DockerEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const key of DOCKER_ENV_KEYS) delete result[key];
  return { ...result, ...dockerEnv };
}

export function isEmptyPlan(plan: TeardownPlan): boolean {
  return (
    plan.containers.length === 0 &&
    plan.volumes.length === 0 &&
    plan.paths.length === 0 &&
    plan.labelled === undefined &&
    (plan.processes?.length ?? 0) === 0 &&
    (plan.contexts?.length ?? 0) === 0
  );
}

/** Parses a saved plan; '' (nothing saved) gives undefined, garbage throws. */
export function parsePlan(text: string): TeardownPlan | undefined {
  if (text.trim() === '') return undefined;
  const value: unknown = JSON.parse(text);
  if (!isPlan(value)) throw new Error('the saved teardown plan has an unexpected shape');
  return value;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isPlan(value: unknown): value is TeardownPlan {
  if (typeof value !== 'object' || value === null) return false;
  const plan = value as Record<string, unknown>;
  return (
    plan.version === 1 &&
    typeof plan.mode === 'string' &&
    typeof plan.instance === 'string' &&
    typeof plan.dockerEnv === 'object' &&
    plan.dockerEnv !== null &&
    isStringArray(plan.containers) &&
    isStringArray(plan.volumes) &&
    isStringArray(plan.paths) &&
    (plan.labelled === undefined || typeof plan.labelled === 'string') &&
    (plan.stopSeconds === undefined || typeof plan.stopSeconds === 'number') &&
    (plan.contexts === undefined || isStringArray(plan.contexts)) &&
    (plan.processes === undefined ||
      (Array.isArray(plan.processes) &&
        plan.processes.every((entry: unknown) => {
          const process = entry as Record<string, unknown> | null;
          return typeof process?.pid === 'number' && typeof process.marker === 'string';
        })))
  );
}
