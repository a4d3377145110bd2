/**
 * tools/gitlab/rsync.mjs, the rsync stand-in the GitLab end-to-end tests give
 * gitlab-ci-local on machines without rsync: the calls gitlab-ci-local makes,
 * rsync's exclude-pattern and trailing-slash rules, and loud failures outside
 * the subset. Over temporary directories.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { compilePattern, parseArgs, rsync } from '../../tools/gitlab/rsync.mjs';

const BIN = fileURLToPath(new URL('../../tools/gitlab/bin', import.meta.url));
const OLD = new Date('2020-01-02T03:04:05.678Z');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'setup-dind-rsync-'));
  dirs.push(dir);
  return dir;
}

/** What is under `root`: files as "content mode", symlinks as "-> target", directories (with a / ) as their mode. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        out[`${key}/`] = mode;
        walk(path, key);
      } else out[key] = `${readFileSync(path, 'utf8')} ${mode}`;
    }
  };
  walk(root, '');
  return out;
}

/** Entries of `copy` whose mtime is not the one in `source` (Node sets mtimes to about a microsecond). */
function mtimesOff(source: string, copy: string): string[] {
  return Object.keys(tree(copy))
    .map((key) => key.replace(/\/$/, ''))
    .filter((key) => Math.abs(lstatSync(join(copy, key)).mtimeMs - lstatSync(join(source, key)).mtimeMs) > 0.01);
}

function write(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
    utimesSync(join(root, name), OLD, OLD);
  }
}

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

/** rsyncTrackedFiles of gitlab-ci-local 4.75, through bin/rsync: untracked paths, anchored, as excludes. */
function rsyncTrackedFiles(repo: string, target: string) {
  mkdirSync(join(repo, '.gitlab-ci-local/builds', target), { recursive: true });
  const untracked = git(repo, 'ls-files', '-o', '--directory').split('\n').filter(Boolean);
  const excludeFile = join(repo, '.gitlab-ci-local', `rsync-exclude-${target}`);
  writeFileSync(excludeFile, untracked.map((line) => `/${line}`).join('\n'));
  const command = `rsync -a --delete-excluded --delete --exclude-from='${excludeFile}' --exclude .git/lfs --exclude .gitlab-ci-local/ ./ .gitlab-ci-local/builds/${target}/`;
  const env = { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH}` };
  return spawnSync('bash', ['-c', command], { cwd: repo, env, encoding: 'utf8' });
}

describe('rsync stand-in (tools/gitlab/rsync.mjs)', () => {
  it('copies the tracked files as gitlab-ci-local does, keeping modes, symlinks and mtimes, then deletes what went away', () => {
    const repo = tempDir();
    git(repo, 'init', '--quiet');
    write(repo, { 'run.sh': 'tracked', 'src/app.txt': 'app', 'src/deep/build': 'a file named build', 'gone.txt': 'soon deleted' });
    chmodSync(join(repo, 'run.sh'), 0o755);
    chmodSync(join(repo, 'src/app.txt'), 0o444);
    symlinkSync('src/app.txt', join(repo, 'link'));
    git(repo, 'add', '--all');
    git(repo, 'commit', '--quiet', '--message', 'tracked');
    write(repo, { 'notes.txt': 'untracked', 'build/out.o': 'untracked dir', 'src/tmp.log': 'untracked, nested', '.git/lfs/objects/x': 'lfs' });

    const first = rsyncTrackedFiles(repo, '.docker');
    expect(first.status, first.stderr).toBe(0);
    const dest = join(repo, '.gitlab-ci-local/builds/.docker');
    const copied = tree(dest);
    const tracked = Object.keys(copied).filter((name) => !name.startsWith('.git/'));
    expect(tracked).toEqual(['gone.txt', 'link', 'run.sh', 'src/', 'src/app.txt', 'src/deep/', 'src/deep/build']);
    expect(copied['run.sh']).toBe('tracked 755');
    expect(copied['src/app.txt']).toBe('app 444');
    expect(copied.link).toBe('-> src/app.txt');
    expect(mtimesOff(repo, dest)).toEqual([]);
    expect(copied['.git/HEAD']).toBeDefined();
    expect(copied['.git/lfs/']).toBeUndefined();

    // Second run: a deleted file, a changed read-only file, stale and excluded files in the destination.
    rmSync(join(repo, 'gone.txt'));
    chmodSync(join(repo, 'src/app.txt'), 0o644);
    write(repo, { 'src/app.txt': 'app v2' });
    write(dest, { 'stale.txt': 'not in the source', 'notes.txt': 'excluded, so deleted too (--delete-excluded)' });
    const second = rsyncTrackedFiles(repo, '.docker');
    expect(second.status, second.stderr).toBe(0);
    const again = tree(dest);
    expect(Object.keys(again).filter((name) => !name.startsWith('.git/'))).toEqual(['link', 'run.sh', 'src/', 'src/app.txt', 'src/deep/', 'src/deep/build']);
    expect(again['src/app.txt']).toBe('app v2 644');
    expect(mtimesOff(repo, dest)).toEqual([]);
  });

  it.each([
    // [pattern, path from the transfer root, is a directory, matches]
    ['/build/', 'build', true, true],
    ['/build/', 'build', false, false], // trailing /: directories only
    ['/build/', 'src/build', true, false], // leading /: at the transfer root only
    ['build', 'src/deep/build', false, true], // no slash: a name at any depth
    ['.gitlab-ci-local/', 'x/.gitlab-ci-local', true, true],
    ['.git/lfs', '.git/lfs', true, true], // inner slash: the end of the path, at a / boundary
    ['.git/lfs', 'sub/.git/lfs', true, true],
    ['.git/lfs', 'x.git/lfs', true, false],
    ['/src/tmp.log', 'src/tmp.log', false, true],
    ['/src/tmp.log', 'a/src/tmp.log', false, false],
    ['*.log', 'src/tmp.log', false, true],
    ['src/*', 'src/a/b', false, false], // * stops at /
    ['src/**', 'src/a/b', false, true],
    ['/out/***', 'out', true, true],
    ['/out/***', 'out/a/b', false, true],
    ['file?.[ch]', 'dir/file1.c', false, true],
    ['file[!0-9]', 'fileA', false, true],
    ['file[!0-9]', 'file1', false, false],
    ['a+b (1).txt', 'a+b (1).txt', false, true], // regex characters are literal
  ])('pattern %s against %s (dir: %s) -> %s', (pattern, path, isDir, matches) => {
    const compiled = compilePattern(pattern);
    expect((!compiled.dirOnly || isDir) && compiled.regex.test(path)).toBe(matches);
  });

  it('gives SRC/ and SRC/. their contents, SRC itself by name, and a single file its new name', () => {
    const root = tempDir();
    write(root, { 'src/a.txt': 'a', 'src/sub/b.txt': 'b', 'one.txt': '1' });
    rsync(['-a', join(root, 'src/'), join(root, 'slash')]);
    rsync(['-a', `${root}/src/.`, join(root, 'dot')]); // not join(): it drops the /.
    rsync(['-a', join(root, 'src'), join(root, 'bare')]);
    rsync(['-a', join(root, 'one.txt'), join(root, 'renamed.txt')]);
    rsync(['-a', join(root, 'one.txt'), join(root, 'src/sub'), join(root, 'many')]);
    const names = (dir: string) => Object.keys(tree(join(root, dir)));
    expect(names('slash')).toEqual(['a.txt', 'sub/', 'sub/b.txt']);
    expect(names('dot')).toEqual(['a.txt', 'sub/', 'sub/b.txt']);
    expect(names('bare')).toEqual(['src/', 'src/a.txt', 'src/sub/', 'src/sub/b.txt']);
    expect(readFileSync(join(root, 'renamed.txt'), 'utf8')).toBe('1');
    expect(names('many')).toEqual(['one.txt', 'sub/', 'sub/b.txt']);
  });

  it('--delete alone keeps excluded files on the receiver; --delete-excluded removes them', () => {
    const root = tempDir();
    write(root, { 'src/keep.txt': 'k', 'src/cache/x': 'source cache' });
    write(root, { 'dest/stale.txt': 's', 'dest/cache/y': 'receiver cache' });
    rsync(['-a', '--delete', '--exclude=cache/', join(root, 'src/'), join(root, 'dest/')]);
    expect(Object.keys(tree(join(root, 'dest')))).toEqual(['cache/', 'cache/y', 'keep.txt']);
    rsync(['-a', '--delete', '--delete-excluded', '--exclude', 'cache/', join(root, 'src/'), join(root, 'dest/')]);
    expect(Object.keys(tree(join(root, 'dest')))).toEqual(['keep.txt']);
  });

  it.each([
    [['-rRa', 'a', 'b'], '-R'],
    [['-az', 'a', 'b'], '-z'],
    [['--files-from=list', 'a', 'b'], '--files-from'],
    [['-a', '--checksum', 'a', 'b'], '--checksum'],
    [['--delete=yes', 'a', 'b'], '--delete'],
    [['-a', '--exclude', '+ keep', 'a', 'b'], '+ keep'],
    [['-a', 'host:path', 'b'], 'host:path'],
    [['-a', 'only-one'], 'SRC and a DEST'],
  ])('refuses %j, naming %s', (argv, named) => {
    expect(() => parseArgs(argv)).toThrow(named);
  });

  it('fails loudly from the command line: exit code 1 and the option in the message', () => {
    const result = spawnSync(join(BIN, 'rsync'), ['-a', '--info=progress2', 'a/', 'b/'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/stand-in.*unsupported option --info; it supports only -a, -r,/);
  });
});
