// What dist/ is built from, as a manifest in `sha256sum` format: one line
// per build input, `<sha256 of its content>  <path>`, sorted by path. Built
// into dist/source.sha256 by scripts/build.mjs (so `npm run check-dist`
// compares it too) and recomputed by the end-to-end tests' global setup,
// which refuses to run a dist/ built from other sources than the tree's.
// Content and relative paths only: mtimes (meaningless in a git clone) and
// the directory the tree lives in play no part. `sha256sum -c
// dist/source.sha256` in the repository checks it by hand.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** The build inputs: every file under these directories, and these files. */
export const SOURCE_DIRS = ['src'];
export const SOURCE_FILES = ['package-lock.json', 'scripts/build.mjs', 'scripts/source-hash.mjs', 'tsconfig.json'];

/** Where the manifest goes, relative to the repository. */
export const MANIFEST = 'dist/source.sha256';

async function filesUnder(root, dir) {
  const found = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(root, path)));
    else found.push(path);
  }
  return found;
}

/**
 * The manifest of the build inputs of the tree at `root`.
 * @param {string} root the repository's directory
 * @returns {Promise<string>}
 */
export async function sourceManifest(root) {
  const paths = [...SOURCE_FILES];
  for (const dir of SOURCE_DIRS) paths.push(...(await filesUnder(root, dir)));
  const posix = paths.map((path) => relative(root, join(root, path)).split(sep).join('/'));
  // Sorted by code unit, not by locale: the same order everywhere.
  posix.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = [];
  for (const path of posix) {
    const digest = createHash('sha256')
      .update(await readFile(join(root, path)))
      .digest('hex');
    lines.push(`${digest}  ${path}\n`);
  }
  return lines.join('');
}

/**
 * One digest for the whole tree: the sha256 of its manifest.
 * @param {string} root
 * @returns {Promise<string>}
 */
export async function sourceHash(root) {
  return createHash('sha256')
    .update(await sourceManifest(root))
    .digest('hex');
}

/**
 * The paths whose line differs between two manifests (changed, added or removed).
 * @param {string} a
 * @param {string} b
 * @returns {string[]}
 */
export function manifestDifference(a, b) {
  const parse = (text) => new Map(text.split('\n').filter(Boolean).map((line) => [line.slice(66), line.slice(0, 64)]));
  const left = parse(a);
  const right = parse(b);
  return [...new Set([...left.keys(), ...right.keys()])].filter((path) => left.get(path) !== right.get(path)).sort();
}
