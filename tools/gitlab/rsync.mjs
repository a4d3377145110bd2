// A stand-in for the few rsync calls gitlab-ci-local 4.x makes on the host, so
// the GitLab end-to-end tests need no system rsync. Run through bin/rsync,
// which the tests put on gitlab-ci-local's PATH only when no real rsync exists.
//
// Supported: -a (recursive, symlinks kept as symlinks, permissions, mtimes,
// owner and group when root), -r, --delete, --delete-excluded,
// --exclude=PATTERN, --exclude-from=FILE, local SRC... DEST with rsync's
// trailing-slash meaning. Anything else fails with exit code 1 and names the
// option: a copy that silently differs from rsync's would be worse than none.
import {
  chmodSync, copyFileSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readFileSync,
  readlinkSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, symlinkSync, unlinkSync, utimesSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SUBSET = '-a, -r, --delete, --delete-excluded, --exclude, --exclude-from';

export class UsageError extends Error {}

/**
 * One exclude pattern, with rsync's rules: a leading / anchors it at the
 * transfer root, a trailing / matches directories only, otherwise it matches
 * the end of the path at a / boundary (so a pattern without a slash matches a
 * name at any depth). * stops at /, ** does not, ? is one character, [..] a
 * class, dir/*** is dir and everything in it.
 */
export function compilePattern(raw) {
  let pattern = raw;
  const anchored = pattern.startsWith('/');
  const dirOnly = pattern.length > 1 && pattern.endsWith('/');
  pattern = pattern.replace(/^\//, '').replace(/\/+$/, '');
  let tail = '';
  if (pattern.endsWith('/***')) [pattern, tail] = [pattern.slice(0, -4), '(?:/.*)?'];
  // rsync reads a backslash as an escape only in patterns with wildcards.
  const wild = /[*?[]/.test(pattern);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') [source, i] = [source + '.*', i + 1];
    else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[' && classEnd(pattern, i) > 0) {
      const end = classEnd(pattern, i);
      const body = pattern.slice(i + 1, end);
      if (body.includes('[:')) throw new UsageError(`character classes like [:alpha:] are not supported: ${raw}`);
      const negate = /^[!^]/.test(body);
      source += `(?!/)[${negate ? '^' : ''}${body.slice(negate ? 1 : 0).replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else if (c === '\\' && wild && i + 1 < pattern.length) source += escape(pattern[++i]);
    else source += escape(c);
  }
  return { raw, dirOnly, regex: new RegExp(`${anchored ? '^' : '(?:^|/)'}${source}${tail}$`, 's') };
}

/** Where the class opened at `start` closes: a ] right after [ or [! is a member. */
function classEnd(pattern, start) {
  let i = start + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  return pattern.indexOf(']', i + 1);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A line of --exclude or --exclude-from: "- " is an exclude rule too; include rules are not supported. */
function rule(line) {
  if (line.startsWith('- ')) return compilePattern(line.slice(2));
  if (line.startsWith('+ ') || line === '!') throw new UsageError(`unsupported filter rule "${line}" (only excludes)`);
  return compilePattern(line);
}

/** rsync's command line, or a UsageError naming what this stand-in does not do. */
export function parseArgs(argv) {
  const opts = { recursive: false, links: false, perms: false, times: false, owner: false, delete: false, deleteExcluded: false, excludes: [], paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      return argv[++i];
    };
    if ((name === '--delete' || name === '--delete-excluded') && inline === undefined) {
      opts.delete = true;
      if (name === '--delete-excluded') opts.deleteExcluded = true;
    } else if (name === '--exclude') opts.excludes.push(rule(value()));
    else if (name === '--exclude-from') {
      for (const line of readFileSync(value(), 'utf8').split(/\r?\n/)) if (line !== '' && !/^[;#]/.test(line)) opts.excludes.push(rule(line));
    } else if (/^-[^-]/.test(arg)) {
      for (const flag of arg.slice(1)) {
        if (flag === 'a') Object.assign(opts, { recursive: true, links: true, perms: true, times: true, owner: true });
        else if (flag === 'r') opts.recursive = true;
        else throw new UsageError(`unsupported option -${flag} (in ${arg})`);
      }
    } else if (arg.startsWith('-')) throw new UsageError(`unsupported option ${name}`);
    else if (/^[^/]*:/.test(arg)) throw new UsageError(`remote paths are not supported: ${arg}`);
    else opts.paths.push(arg);
  }
  if (opts.paths.length < 2) throw new UsageError('needs a SRC and a DEST');
  return opts;
}

const lstatOrNull = (path) => lstatSync(path, { throwIfNoEntry: false }) ?? null;

/** Copies like `rsync ARGV...`, relative paths from the current directory. */
export function rsync(argv) {
  const opts = parseArgs(argv);
  const sources = opts.paths.slice(0, -1);
  const dest = opts.paths.at(-1);
  const isExcluded = (rel, isDir) => opts.excludes.some((p) => (!p.dirOnly || isDir) && p.regex.test(rel));
  let destRoot;

  /** Sets what -a keeps: owner (root only, as rsync), mode, mtime; without -p a new entry gets the source's mode minus the umask. */
  function finish(path, st, created) {
    if (opts.owner && process.getuid?.() === 0) lchownSync(path, st.uid, st.gid);
    if (!st.isSymbolicLink() && (opts.perms || created)) chmodSync(path, opts.perms ? st.mode & 0o7777 : st.mode & 0o777 & ~process.umask());
    // In seconds: a Date would cut the mtime to the millisecond (down, each copy).
    if (opts.times) (st.isSymbolicLink() ? lutimesSync : utimesSync)(path, Date.now() / 1000, st.mtimeMs / 1000);
  }

  /** Deletes a receiver entry; excluded ones (and the directories holding them) stay unless --delete-excluded. */
  function remove(path, rel) {
    const st = lstatSync(path);
    if (!opts.deleteExcluded && isExcluded(rel, st.isDirectory())) return false;
    if (!st.isDirectory()) {
      unlinkSync(path);
      return true;
    }
    if ((st.mode & 0o700) !== 0o700) chmodSync(path, st.mode | 0o700);
    let empty = true;
    for (const name of readdirSync(path)) empty = remove(join(path, name), `${rel}/${name}`) && empty;
    if (empty) rmdirSync(path);
    return empty;
  }

  function syncDir(src, to, rel) {
    const entries = [];
    for (const name of readdirSync(src).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(src, name));
      if (!isExcluded(path, st.isDirectory())) entries.push({ name, path, st });
    }
    if (opts.delete) {
      const kept = new Set(entries.map((entry) => entry.name));
      for (const name of readdirSync(to)) if (!kept.has(name)) remove(join(to, name), rel ? `${rel}/${name}` : name);
    }
    for (const { name, path, st } of entries) transfer(join(src, name), join(to, name), path, st);
  }

  function transfer(src, to, rel, st) {
    let existing = lstatOrNull(to);
    if (st.isDirectory()) {
      if (!opts.recursive) {
        console.log(`skipping directory ${rel || '.'}`);
        return;
      }
      // A destination inside its source (only an exclude keeps rsync out of it) would never end.
      if (destRoot && st.dev === destRoot.dev && st.ino === destRoot.ino) return;
      if (existing && !existing.isDirectory()) {
        rmSync(to, { force: true });
        existing = null;
      }
      // Writable while it fills; its own mode comes last.
      if (!existing) mkdirSync(to, 0o700);
      else if ((existing.mode & 0o700) !== 0o700) chmodSync(to, existing.mode | 0o700);
      syncDir(src, to, rel);
      return finish(to, st, !existing);
    }
    if (st.isSymbolicLink()) {
      if (!opts.links) {
        console.log(`skipping non-regular file "${rel}"`);
        return;
      }
      const target = readlinkSync(src);
      if (!existing?.isSymbolicLink() || readlinkSync(to) !== target) {
        if (existing) rmSync(to, { recursive: true, force: true });
        symlinkSync(target, to);
      }
      return finish(to, st, !existing);
    }
    if (!st.isFile()) throw new Error(`${rel}: fifos, sockets and devices are not supported`);
    // rsync's quick check: the same size and mtime, in whole seconds (its default --modify-window), is the same file.
    const seconds = (stat) => Math.floor(stat.mtimeMs / 1000);
    const same = opts.times && existing?.isFile() && existing.size === st.size && seconds(existing) === seconds(st);
    if (!same) {
      if (existing?.isDirectory()) rmSync(to, { recursive: true, force: true });
      // Into a temporary file, then renamed over: a read-only or busy destination is replaced, as rsync does.
      const temp = join(dirname(to), `.${basename(to)}.rsync-${process.pid}`);
      rmSync(temp, { force: true });
      copyFileSync(src, temp);
      renameSync(temp, to);
    }
    return finish(to, st, !existing);
  }

  // SRC/ (or SRC/.) copies what is in SRC; SRC copies SRC itself, by name, into DEST.
  const whole = (arg) => arg === '.' || arg.endsWith('/') || arg.endsWith('/.');
  const one = sources.length === 1 && !whole(sources[0]) ? lstatSync(sources[0]) : null;
  if (one && !one.isDirectory() && !dest.endsWith('/') && !statSync(dest, { throwIfNoEntry: false })?.isDirectory()) {
    return transfer(sources[0], dest, basename(sources[0]), one);
  }
  // As rsync: the last component of DEST is made, its parents must exist.
  if (!lstatOrNull(dest)) mkdirSync(dest);
  destRoot = statSync(dest);
  for (const src of sources) {
    if (whole(src)) {
      const st = statSync(src);
      if (!st.isDirectory()) throw new Error(`${src}: not a directory`);
      transfer(src, dest, '', st);
      continue;
    }
    const st = lstatSync(src);
    if (!isExcluded(basename(src), st.isDirectory())) transfer(src, join(dest, basename(src)), basename(src), st);
  }
}

// rsync's exit codes: 1 for a usage error, 23 for a transfer that failed part way.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    rsync(process.argv.slice(2));
  } catch (error) {
    const usage = error instanceof UsageError;
    console.error(`rsync (setup-dind stand-in, tools/gitlab/rsync.mjs): ${error.message}${usage ? `; it supports only ${SUBSET}. Install rsync for more.` : ''}`);
    process.exitCode = usage ? 1 : 23;
  }
}
