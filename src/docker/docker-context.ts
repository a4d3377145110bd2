/**
 * Input `context`: a named docker context for the daemon, in the job's CLI
 * configuration (DOCKER_CONFIG, else ~/.docker), for tools that take a
 * context name (`docker --context`, `docker buildx create NAME`). It is not
 * selected with DOCKER_CONTEXT: SDKs ignore contexts and would silently reach
 * /var/run/docker.sock, so DOCKER_HOST stays what every client follows. Its
 * description names the set-up that made it, so a teardown removes only its
 * own, never a context of the same name made since by someone else.
 */
import { join } from 'node:path';
import type { EngineContext } from '../engine/context.js';
import type { Daemon } from '../engine/daemon.js';
import { SetupDindError } from '../engine/errors.js';
import type { RecordPlan } from '../engine/mode.js';
import { dockerEnvOf, envWithDocker } from '../teardown/plan.js';
import { firstErrorLine, mountField } from './docker-cli.js';
import type { Docker, DockerClient } from './docker.js';

/** What a context's description carries to name the set-up that made it. */
export function contextMarker(instance: string): string {
  return `setup-dind set-up ${instance}`;
}

/** The docker CLI for contexts: the job's CLI configuration (DOCKER_CONFIG), no daemon selected. */
export function contextCli(docker: Docker, env: NodeJS.ProcessEnv): DockerClient {
  const { DOCKER_CONFIG } = dockerEnvOf(env);
  return docker.cli(envWithDocker(env, DOCKER_CONFIG === undefined ? {} : { DOCKER_CONFIG }));
}

/**
 * A context's description; 'gone' when there is no such context. Read from
 * `docker context inspect`'s JSON rather than a --format template, whose
 * field paths follow the CLI's internal types.
 */
export async function contextDescription(docker: DockerClient, name: string, signal?: AbortSignal): Promise<string | 'gone'> {
  const inspect = await docker.exec(['context', 'inspect', name], { timeoutMs: 30_000, signal });
  if (inspect.code !== 0) {
    if (/not found|does not exist/i.test(inspect.stderr)) return 'gone';
    throw new SetupDindError(`docker context inspect ${name} failed: ${firstErrorLine(inspect.stderr)}`);
  }
  try {
    const [found] = JSON.parse(inspect.stdout) as [{ Metadata?: { Description?: unknown } }?];
    const description = found?.Metadata?.Description;
    return typeof description === 'string' ? description : '';
  } catch {
    return '';
  }
}

/** Input `context` must not name an existing context: it may be someone's, and post would remove it. */
export async function checkContextFree(name: string, context: EngineContext): Promise<void> {
  const description = await contextDescription(contextCli(context.docker, context.env), name, context.signal);
  if (description === 'gone') return;
  const leftover = description.includes(contextMarker(''));
  throw new SetupDindError(`Input "context": a docker context named ${name} already exists${leftover ? ` (${description})` : ''}.`, {
    hint: leftover
      ? `It was made by an earlier set-up: a job still running on this machine, or one that died before its teardown (then remove it: docker context rm ${name}). Concurrent jobs sharing a docker configuration need different names (e.g. with the runner name).`
      : `Choose another name, or remove it first (docker context rm ${name}); the action only removes contexts it created.`,
  });
}

/** Creates the context and records it in the plan; the daemon's variables stay as they are. */
export async function withContext(daemon: Daemon, name: string, instance: string, record: RecordPlan, context: EngineContext): Promise<Daemon> {
  // In the plan before it exists; teardown removes it only if its description names this set-up.
  record({ contexts: [name] });
  // The CLI reads --docker as CSV, like --mount.
  const endpoint = [mountField('host', daemon.endpoint.dockerHost)];
  if (daemon.certPath !== undefined && daemon.env.DOCKER_TLS_VERIFY) {
    for (const [key, file] of [['ca', 'ca.pem'], ['cert', 'cert.pem'], ['key', 'key.pem']] as const) endpoint.push(mountField(key, join(daemon.certPath, file)));
  }
  const description = `${daemon.mode} daemon of ${contextMarker(instance)}`;
  const create = await contextCli(context.docker, context.env).exec(['context', 'create', name, '--description', description, '--docker', endpoint.join(',')], {
    timeoutMs: 30_000,
    signal: context.signal,
  });
  if (create.code !== 0) {
    // Not ours to remove: a context of this name that exists now is another job's (the engine tears down the rest).
    record({ contexts: [] });
    const taken = /already exists/i.test(create.stderr);
    throw new SetupDindError(`Input "context": creating docker context ${name} failed: ${firstErrorLine(create.stderr)}`, {
      hint: taken
        ? 'Another job sharing this docker configuration created it meanwhile: give concurrent jobs different names (e.g. with the runner name).'
        : 'Check that the docker CLI supports contexts (19.03+) and that its configuration directory (DOCKER_CONFIG, else ~/.docker) is writable.',
    });
  }
  context.logger.info(`Created docker context ${name} for ${daemon.endpoint.dockerHost} (docker --context ${name}, docker buildx create ${name}).`);
  return { ...daemon, context: name };
}

/** Removes a context this set-up created; leaves one that another set-up (or someone) made under the name. */
export async function removeContext(docker: DockerClient, name: string, instance: string): Promise<'removed' | 'gone' | 'not ours'> {
  const description = await contextDescription(docker, name);
  if (description === 'gone') return 'gone';
  if (!description.includes(contextMarker(instance))) return 'not ours';
  // --force: it may be the current context.
  const removal = await docker.exec(['context', 'rm', '--force', name], { timeoutMs: 30_000 });
  if (removal.code === 0) return 'removed';
  if (/not found|does not exist/i.test(removal.stderr)) return 'gone';
  throw new SetupDindError(firstErrorLine(removal.stderr));
}
