import { cp, mkdir, mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_FILES, manifestDifference, sourceHash, sourceManifest } from '../../scripts/source-hash.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];

/** A small tree with every build input. */
async function tree(files: Record<string, string> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'source-hash-'));
  dirs.push(root);
  const contents: Record<string, string> = {
    'src/entries.ts': "export { runCli } from './cli/main.js';\n",
    'src/cli/main.ts': 'export async function runCli() {}\n',
    ...Object.fromEntries(SOURCE_FILES.map((file) => [file, `${file}\n`])),
    'README.md': 'not a build input\n',
    ...files,
  };
  for (const [path, text] of Object.entries(contents)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('sourceHash', () => {
  it('is the same for the same tree', async () => {
    const root = await tree();
    expect(await sourceHash(root)).toBe(await sourceHash(root));
    expect(await sourceHash(root)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the directory the tree is in', async () => {
    const root = await tree();
    const elsewhere = join(await mkdtemp(join(tmpdir(), 'source-hash-other-')), 'deeper', 'clone');
    dirs.push(dirname(dirname(elsewhere)));
    await cp(root, elsewhere, { recursive: true });
    expect(await sourceHash(elsewhere)).toBe(await sourceHash(root));
  });

  it('does not depend on mtimes', async () => {
    const root = await tree();
    const before = await sourceHash(root);
    await utimes(join(root, 'src/cli/main.ts'), new Date(0), new Date(0));
    await utimes(join(root, 'package-lock.json'), new Date(), new Date(Date.now() + 86_400_000));
    expect(await sourceHash(root)).toBe(before);
  });

  it('changes when a file under src/ changes, even by one byte', async () => {
    const root = await tree();
    const before = await sourceHash(root);
    await writeFile(join(root, 'src/cli/main.ts'), 'export async function runCli() {} \n');
    expect(await sourceHash(root)).not.toBe(before);
  });

  it('changes when a file is added to src/ or renamed in it', async () => {
    const root = await tree();
    const before = await sourceHash(root);
    await writeFile(join(root, 'src/cli/extra.ts'), '');
    const added = await sourceHash(root);
    expect(added).not.toBe(before);
    await rename(join(root, 'src/cli/extra.ts'), join(root, 'src/cli/other.ts'));
    expect(await sourceHash(root)).not.toBe(added);
  });

  it.each(SOURCE_FILES)('changes with %s', async (file) => {
    const root = await tree();
    const before = await sourceHash(root);
    await writeFile(join(root, file), 'changed\n');
    expect(await sourceHash(root)).not.toBe(before);
  });

  it('ignores files that are not build inputs', async () => {
    const root = await tree();
    const before = await sourceHash(root);
    await writeFile(join(root, 'README.md'), 'rewritten\n');
    await mkdir(join(root, 'test'));
    await writeFile(join(root, 'test/a.test.ts'), '');
    expect(await sourceHash(root)).toBe(before);
  });
});

describe('sourceManifest', () => {
  it('lists each input once, sorted, as sha256sum does', async () => {
    const root = await tree({ 'src/B.ts': 'b', 'src/a.ts': 'a' });
    const paths = (await sourceManifest(root)).trimEnd().split('\n').map((line) => line.slice(66));
    expect(paths).toEqual(['package-lock.json', 'scripts/build.mjs', 'scripts/source-hash.mjs', 'src/B.ts', 'src/a.ts', 'src/cli/main.ts', 'src/entries.ts', 'tsconfig.json']);
    expect(await sourceManifest(root)).toContain('ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  src/a.ts\n');
  });

  it('covers the build inputs of this repository', async () => {
    const paths = (await sourceManifest(ROOT)).split('\n').map((line) => line.slice(66));
    expect(paths).toEqual(expect.arrayContaining(['src/entries.ts', 'src/dood/proxy-main.ts', 'package-lock.json', 'scripts/build.mjs', 'tsconfig.json']));
  });

  it('names what differs between two manifests', async () => {
    const root = await tree();
    const before = await sourceManifest(root);
    await writeFile(join(root, 'src/cli/main.ts'), 'changed\n');
    await writeFile(join(root, 'src/new.ts'), '');
    await rm(join(root, 'src/entries.ts'));
    expect(manifestDifference(before, await sourceManifest(root))).toEqual(['src/cli/main.ts', 'src/entries.ts', 'src/new.ts']);
    expect(manifestDifference(before, before)).toEqual([]);
  });
});
