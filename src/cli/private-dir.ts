/**
 * A directory of the current user's own in a shared one (the system temp
 * dir), for the CLI's state: `down` follows the plan recorded there, so no one
 * else may be able to plant or change it. The directory is made with mkdir
 * mode 0700, which is atomic; one that exists is used only when it is ours,
 * no symbolic link and not writable by others, and so is every directory on
 * the way to it (root's are trusted too, also a sticky one like /tmp, where
 * others cannot remove or rename what is ours). It is never chmod-ed: a
 * directory that fails the check is someone's to look at.
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SetupDindError } from '../engine/errors.js';

const ROOT_UID = 0;
const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;

/** `name` in `parent` (its real path), made when missing; throws a SetupDindError naming what is wrong. */
export async function privateDir(parent: string, name: string, uid: number): Promise<string> {
  // The real path: the symbolic links of the system's own (macOS: /tmp, /var) are followed once, then every real component is checked.
  const base = await realpath(parent).catch((error: NodeJS.ErrnoException) => {
    throw new SetupDindError(`The temporary directory ${parent} cannot be used for the state file: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}.`, {
      hint: 'Set TMPDIR to a directory of your own, or pass --state FILE.',
    });
  });
  for (const component of ancestry(base)) {
    const problem = untrusted(await lstat(component), uid, false);
    if (problem !== undefined) {
      throw new SetupDindError(`The state directory ${join(base, name)} is not safe to use: ${component} ${problem}, so someone else could plant the state "setup-dind down" follows.`, {
        hint: 'Set TMPDIR to a directory of your own, or pass --state FILE.',
      });
    }
  }
  const dir = join(base, name);
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') return; // checked below, like one just made
    throw new SetupDindError(`Could not make the state directory ${dir}: ${error.message}.`, { hint: 'Set TMPDIR to a directory of your own, or pass --state FILE.' });
  });
  const stats = await lstat(dir);
  const problem = stats.isSymbolicLink() ? `is a symbolic link (to ${await readlink(dir)})` : untrusted(stats, uid, true);
  if (problem !== undefined) {
    throw new SetupDindError(`The state directory ${dir} ${problem}: someone else may have made it, to read or plant the state "setup-dind down" follows.`, {
      hint: `If you do not know it, remove it (it may take its owner or root): setup-dind makes it again, mode 0700. Or pass --state FILE.`,
    });
  }
  return dir;
}

/** `/`, then each directory down to `path`. */
function ancestry(path: string): string[] {
  const parents = [];
  for (let dir = path; ; dir = dirname(dir)) {
    parents.unshift(dir);
    if (dirname(dir) === dir) return parents;
  }
}

/** What is wrong with a directory the state relies on (undefined: nothing); `own`: the state directory itself, which must be the user's alone. */
function untrusted(stats: Stats, uid: number, own: boolean): string | undefined {
  const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  if (!stats.isDirectory()) return 'is not a directory';
  if (stats.uid !== uid && (own || stats.uid !== ROOT_UID)) return `is owned by uid ${stats.uid}, not by you (uid ${uid})${own ? '' : ' or root'}`;
  if ((stats.mode & WRITABLE_BY_OTHERS) !== 0 && (own || (stats.mode & STICKY) === 0)) return `can be written by others (mode ${mode})${own ? '' : ' and is not sticky'}`;
  return undefined;
}
