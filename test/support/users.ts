/** Steps of an ActionsJob run as another user, as on a runner that does not run jobs as root. */
import { chownSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type Launcher = (entry: string, env: Record<string, string>) => { command: string; args: string[]; env?: Record<string, string> };

/**
 * A launcher (ActionsJob.launcher) that runs each step as `uid`:`gid` with
 * no supplementary groups, through setpriv.
 *
 * That user must be able to read the action and run the Node that runs it
 * wherever the clone lives: a clone in a directory only root may enter (a
 * `mktemp -d` is 0700) hides dist/ from it, and tools/node24's node too. So
 * the step runs a copy of its dist/ directory and of this Node, made once in
 * the job's directory (removed with the job); the job's directory and the
 * files in it are given to the user.
 */
export function launchAs(uid: number, gid: number): Launcher {
  return (entry, env) => {
    const jobDir = dirname(env.RUNNER_TEMP!);
    const copies = join(jobDir, `as-uid-${uid}`);
    if (!existsSync(copies)) {
      mkdirSync(copies, { mode: 0o755 });
      cpSync(dirname(entry), join(copies, 'action'), { recursive: true });
      // A copy, never a hard link: the chown below must not reach the real binary.
      copyFileSync(realpathSync(process.execPath), join(copies, 'node'), constants.COPYFILE_FICLONE);
    }
    for (const path of [jobDir, ...readdirSync(jobDir).map((name) => join(jobDir, name))]) chownSync(path, uid, gid);
    return {
      command: 'setpriv',
      args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', join(copies, 'node'), join(copies, 'action', basename(entry))],
      env: { ...env, HOME: '/tmp' },
    };
  };
}
