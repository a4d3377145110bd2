#!/usr/bin/env node
// Bundles each entry point with @vercel/ncc into one file under dist/.
// `--check` builds into a temporary folder and fails if dist/ differs: the
// committed dist/ must always be a fresh build of src/.
import ncc from '@vercel/ncc';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = {
  'main.js': 'src/github/main.ts',
  'post.js': 'src/github/post.ts',
  'cli.js': 'src/cli/main.ts',
  // The DooD proxy's background process, started by main.js and cli.js from beside them.
  'dood-proxy.js': 'src/dood/proxy-main.ts',
};
/** Entries run as commands (package.json "bin"). */
const executables = new Set(['cli.js']);
const check = process.argv.includes('--check');
const out = check ? await mkdtemp(join(tmpdir(), 'setup-dind-dist-')) : join(root, 'dist');

if (!check) await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const licenses = new Map();
for (const [file, entry] of Object.entries(entries)) {
  const { code, assets } = await ncc(join(root, entry), {
    minify: true,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  });
  // Chunks (code loaded on demand with import()) are named after their content,
  // chunk-<sha256>.js: two bundles that need the same code share one file, and
  // two different chunks with the same webpack id can never collide.
  const chunkFiles = {};
  for (const [name, asset] of Object.entries(assets ?? {})) {
    const id = /^(\d+)\.index\.js$/.exec(name)?.[1];
    if (id === undefined) continue;
    const source = String(asset.source);
    chunkFiles[id] = `chunk-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`;
    await writeFile(join(out, chunkFiles[id]), source);
  }
  const loader = '__nccwpck_require__.u=e=>""+e+".index.js"';
  const renamed = code.replace(loader, `__nccwpck_require__.u=e=>(${JSON.stringify(chunkFiles)})[e]`);
  if (Object.keys(chunkFiles).length > 0 && renamed === code) {
    throw new Error(`could not rename the chunks of ${file}: ncc's chunk loader changed`);
  }
  await writeFile(join(out, file), executables.has(file) ? `#!/usr/bin/env node\n${renamed}` : renamed, {
    mode: executables.has(file) ? 0o755 : 0o644,
  });
  for (const [name, asset] of Object.entries(assets ?? {})) {
    if (name === 'licenses.txt') {
      // One notice file for all bundles: the same package appears once.
      for (const section of String(asset.source).split(/\n\n(?=\S+\n\S+\n)/)) licenses.set(section.split('\n')[0], section.trim());
    } else if (/^\d+\.index\.js$/.test(name)) {
      // written above
    } else if (name !== 'package.json') {
      throw new Error(`ncc emitted an unexpected asset ${name} for ${entry}; bundle it or ship it explicitly`);
    }
  }
}
await writeFile(join(out, 'licenses.txt'), [...licenses.keys()].sort().map((key) => licenses.get(key)).join('\n\n') + '\n');

if (check) {
  const built = (await readdir(out)).sort();
  const committed = (await readdir(join(root, 'dist'))).sort();
  const problems = [];
  if (built.join() !== committed.join()) problems.push(`files differ: built [${built}] vs dist/ [${committed}]`);
  for (const file of built) {
    const fresh = await readFile(join(out, file), 'utf8');
    const current = await readFile(join(root, 'dist', file), 'utf8').catch(() => undefined);
    if (fresh !== current) problems.push(`dist/${file} is not a fresh build of src/`);
  }
  await rm(out, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(`check-dist failed:\n- ${problems.join('\n- ')}\nRun "npm run build" and commit dist/.`);
    process.exit(1);
  }
  console.log('dist/ is a fresh build of src/.');
}
