#!/usr/bin/env node
// Builds dist/ from src/ with @vercel/ncc: readable (not minified), with
// source maps, each library once.
//
//   main.js, post.js, cli.js  tiny entries written here (action.yml runs.main and
//                             runs.post; package.json "bin"): they turn source maps
//                             on and run runMain, runPost or runCli of entries.js
//   entries.js                src/entries.ts bundled: the engine and the CLI; the
//                             action's two steps are a chunk it loads on demand. One
//                             build for the three, so what they share is there once
//   dood-proxy.js             entry of the DooD proxy's background process (spawned
//                             from beside main.js and cli.js); its code is
//   proxy-main.js             src/dood/proxy-main.ts bundled on its own: it shares
//                             nothing with the engine and must start fast
//   port-forwarder.js,        the same for the DinD port forwarder's process
//   ports-main.js             (src/ports/forwarder-main.ts)
//   chunk-<sha256>.js         code loaded on demand with import(), named after its
//                             content (x509 for TLS, tool-cache and http-client for
//                             the docker CLI download, the action's two steps)
//   *.js.map                  source maps; sources relative to dist/ (../src/…,
//                             ../node_modules/…), without their content
//   licenses.txt              the licenses of the bundled packages
//   package.json              {"type": "module"}: the files are ES modules, also
//                             where dist/ is copied or mounted on its own
//   source.sha256             the build inputs (scripts/source-hash.mjs); the
//                             end-to-end tests refuse a dist/ built from other ones
//
// `--check` builds into a temporary folder and fails if dist/ differs: the
// committed dist/ must always be a fresh build of src/.
import ncc from '@vercel/ncc';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST, manifestDifference, sourceManifest } from './source-hash.mjs';

// Real paths throughout: webpack resolves links, and names modules by what they resolve to.
const root = await realpath(join(dirname(fileURLToPath(import.meta.url)), '..'));
/** What ncc bundles: output name → entry module. */
const bundles = {
  'entries.js': 'src/entries.ts',
  'proxy-main.js': 'src/dood/proxy-main.ts',
  'ports-main.js': 'src/ports/forwarder-main.ts',
};
/** The files that are run: name → [bundle, its export to run (none: the bundle runs when imported), what it is]. */
const entries = {
  'main.js': ['entries.js', 'runMain', "The action's main step (action.yml runs.main): src/github/main.ts."],
  'post.js': ['entries.js', 'runPost', "The action's post step (action.yml runs.post): src/github/post.ts."],
  'cli.js': ['entries.js', 'runCli', 'The setup-dind command (package.json "bin"): src/cli/main.ts.'],
  'dood-proxy.js': ['proxy-main.js', undefined, "The DooD proxy's background process, started by main.js and cli.js: src/dood/proxy-main.ts."],
  'port-forwarder.js': ['ports-main.js', undefined, "The DinD port forwarder's background process, started by main.js and cli.js: src/ports/forwarder-main.ts."],
};
/** Entries run as commands (package.json "bin"). */
const executables = new Set(['cli.js']);
const check = process.argv.includes('--check');
const out = check ? await mkdtemp(join(tmpdir(), 'setup-dind-dist-')) : join(root, 'dist');

// webpack names modules relative to the working directory: make that the
// repository, wherever the build was started from.
process.chdir(root);
const nodeModules = await realpath(join(root, 'node_modules'));
if (nodeModules !== join(root, 'node_modules')) {
  // webpack names modules (ids, comments) by their real paths relative to the
  // repository: the source maps stay portable, the code does not.
  console.warn(`node_modules is a link to ${nodeModules}: this build will differ from one with its own node_modules (npm ci).`);
}

/**
 * A source map's source as a path relative to dist/, the same in every clone:
 * files of the tree as ../src/…, packages as ../node_modules/… (also when
 * node_modules is a symlink to elsewhere); webpack's own modules and Node's
 * built-ins as webpack:///… names.
 */
function portableSource(source) {
  if (!source.startsWith('./') && !source.startsWith('../')) return `webpack:///${source}`;
  const absolute = resolve(root, source);
  const inRepo = absolute.startsWith(nodeModules + sep) ? join('node_modules', relative(nodeModules, absolute)) : relative(root, absolute);
  if (inRepo.startsWith('..')) throw new Error(`source map source ${source} is outside the repository`);
  return `../${inRepo.split(sep).join('/')}`;
}

/** The map as written: portable sources, no sourcesContent (src/ is beside dist/), named after `file`. */
function portableMap(map, file) {
  const parsed = JSON.parse(map);
  return `${JSON.stringify({
    version: parsed.version,
    file,
    sources: parsed.sources.map(portableSource),
    names: parsed.names,
    mappings: parsed.mappings,
  })}\n`;
}

const mapComment = (file) => `//# sourceMappingURL=${file}.map`;

/** Replaces the last line of `code`, ncc's sourceMappingURL comment for `from`, with one for `to`. */
function withMapComment(code, from, to) {
  const comment = mapComment(from);
  const at = code.lastIndexOf(comment);
  if (at < 0 || code.slice(at + comment.length).trim() !== '') throw new Error(`ncc's output for ${from} does not end with ${comment}`);
  return `${code.slice(0, at)}${mapComment(to)}\n`;
}

if (!check) await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const licenses = new Map();
for (const [file, entry] of Object.entries(bundles)) {
  const { code, map, assets = {} } = await ncc(join(root, entry), {
    minify: false,
    sourceMap: true,
    // Node maps stack traces itself (process.setSourceMapsEnabled in the entries).
    sourceMapRegister: false,
    sourceMapBasePrefix: '',
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  }).catch(async (error) => {
    // Uncaught, Node would print the line of ncc's one-line bundle that threw: megabytes.
    console.error(`${entry}: ${error instanceof Error ? error.message : String(error)}`);
    if (check) await rm(out, { recursive: true, force: true });
    process.exit(1);
  });
  if (map === undefined) throw new Error(`ncc made no source map for ${entry}`);
  // Chunks (code loaded on demand with import()) are named after their
  // content, chunk-<sha256>.js: a change shows as a new file, and two
  // bundles that needed the same code would share one file.
  const chunkFiles = {};
  for (const [name, asset] of Object.entries(assets)) {
    const id = /^(\d+)\.index\.js$/.exec(name)?.[1];
    if (id === undefined) continue;
    const source = String(asset.source);
    const chunk = `chunk-${createHash('sha256').update(withMapComment(source, name, '')).digest('hex').slice(0, 16)}.js`;
    chunkFiles[id] = chunk;
    const chunkMap = assets[`${name}.map`];
    if (chunkMap === undefined) throw new Error(`ncc made no source map for chunk ${name} of ${entry}`);
    await writeFile(join(out, chunk), withMapComment(source, name, chunk));
    await writeFile(join(out, `${chunk}.map`), portableMap(String(chunkMap.source), chunk));
  }
  const loader = 'return "" + chunkId + ".index.js";';
  const renamed = code.replace(loader, `return ${JSON.stringify(chunkFiles)}[chunkId];`);
  if (Object.keys(chunkFiles).length > 0 && (renamed === code || renamed.includes(loader))) {
    throw new Error(`could not rename the chunks of ${file}: ncc's chunk loader changed`);
  }
  await writeFile(join(out, file), withMapComment(renamed, 'index.js', file));
  await writeFile(join(out, `${file}.map`), portableMap(map, file));
  for (const [name, asset] of Object.entries(assets)) {
    if (name === 'licenses.txt') {
      // One notice file for all bundles: the same package appears once.
      for (const section of String(asset.source).split(/\n\n(?=\S+\n\S+\n)/)) licenses.set(section.split('\n')[0], section.trim());
    } else if (name === 'package.json') {
      if (JSON.parse(String(asset.source)).type !== 'module') throw new Error(`ncc's package.json for ${entry} is not {"type": "module"}: ${asset.source}`);
    } else if (!/^(\d+\.)?index\.js(\.map)?$/.test(name)) {
      // (chunks and maps are written above)
      throw new Error(`ncc emitted an unexpected asset ${name} for ${entry}; bundle it or ship it explicitly`);
    }
  }
}
await writeFile(join(out, 'package.json'), '{ "type": "module" }\n');
await writeFile(join(out, 'licenses.txt'), [...licenses.keys()].sort().map((key) => licenses.get(key)).join('\n\n') + '\n');

for (const [file, [bundle, run, what]] of Object.entries(entries)) {
  const lines = [
    ...(executables.has(file) ? ['#!/usr/bin/env node'] : []),
    `// ${what} Its code is in ${bundle}.`,
    '// Written by scripts/build.mjs. Source maps first, so that stack traces name the',
    '// files in src/: whoever starts this file (the Actions runner) passes node no flags.',
    'process.setSourceMapsEnabled(true);',
    ...(run === undefined ? [`await import('./${bundle}');`] : [`const { ${run} } = await import('./${bundle}');`, `await ${run}();`]),
    '',
  ];
  await writeFile(join(out, file), lines.join('\n'), { mode: executables.has(file) ? 0o755 : 0o644 });
}
await writeFile(join(out, 'source.sha256'), await sourceManifest(root));

if (check) {
  const built = (await readdir(out)).sort();
  const committed = (await readdir(join(root, 'dist'))).sort();
  const problems = [];
  if (built.join() !== committed.join()) problems.push(`files differ: built [${built}] vs dist/ [${committed}]`);
  for (const file of built) {
    const fresh = await readFile(join(out, file), 'utf8');
    const current = await readFile(join(root, 'dist', file), 'utf8').catch(() => undefined);
    if (fresh === current) continue;
    if (`dist/${file}` === MANIFEST && current !== undefined) {
      problems.push(`${MANIFEST}: dist/ was built from other sources (differing: ${manifestDifference(fresh, current).join(', ')})`);
    } else {
      problems.push(`dist/${file} is not a fresh build of src/`);
    }
  }
  await rm(out, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(`check-dist failed:\n- ${problems.join('\n- ')}\nRun "npm run build" and commit dist/.`);
    process.exit(1);
  }
  console.log('dist/ is a fresh build of src/.');
}
