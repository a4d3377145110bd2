/**
 * The job's own files inside the DinD daemon (input `mount-workspace`): the
 * workspace and the runner's temp dir are bind-mounted into the DinD
 * container at the same paths, so a path the job names (`-v "$PWD:/src"`,
 * compose's `./data:/data`) means the same directory to the inner daemon as
 * to the job, as with a local engine.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { mountField } from '../../docker/docker-cli.js';

/** Paths of the DinD container's own that a job path must not cover or replace. */
const CONTAINER_OWN = ['/bin', '/certs', '/dev', '/etc', '/lib', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker'];

const within = (path: string, root: string): boolean => path === root || path.startsWith(`${root}${sep}`);

/** The directories to share: the workspace (or the working directory outside CI) and RUNNER_TEMP, outermost only. */
export function workspaceDirs(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const workspace = env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || cwd;
  const candidates = [workspace, env.RUNNER_TEMP]
    .filter((path): path is string => !!path)
    .map((path) => resolve(path))
    .filter((path) => path !== '/' && !CONTAINER_OWN.some((own) => within(path, own) || within(own, path)))
    .filter((path) => existsSync(path) && statSync(path).isDirectory());
  return [...new Set(candidates)].filter((path, _index, all) => !all.some((other) => other !== path && within(path, other)));
}

/**
 * `--mount` values that share them, read and write, at the same paths. The
 * docker:dind entrypoint mounts a tmpfs on /tmp unless /tmp is a mount point
 * already, which would hide a directory under /tmp: then /tmp is a tmpfs of
 * our own, with the job's directories mounted on it.
 */
export function workspaceMounts(dirs: readonly string[]): string[] {
  const binds = dirs.map((dir) => `type=bind,${mountField('src', dir)},${mountField('dst', dir)}`);
  return dirs.some((dir) => within(dir, '/tmp')) ? ['type=tmpfs,dst=/tmp', ...binds] : binds;
}
