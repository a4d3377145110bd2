#!/usr/bin/env node
// The root package's postinstall: `npm ci` (or `npm install`) in a clone also
// installs the tools the tests use, each from its own lock file in tools/, kept
// apart so that its `node` never shadows the project's Node 20 in npm scripts:
//
//   tools/gitlab   gitlab-ci-local and the Node 22 it needs (GitLab end-to-end tests)
//   tools/node24   Node 24, action.yml's runtime (.ci/run runs the tests again under it)
//
// After the root's `npm ci` each is installed afresh with `npm ci`; after any
// other install (`npm install`, `npm install some-package`) one whose lock file
// has not changed since it was last installed is left as it is.
//
// Nothing happens where nobody runs the tests: when this package is installed
// as a dependency or globally (`npm install --global github:…`, `npx github:…`,
// and npm's preparation of a git dependency), or without devDependencies
// (`--omit=dev`, NODE_ENV=production).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = ['tools/gitlab', 'tools/node24'];
/** Written into a tool's node_modules after a successful install: the hash of the lock file it installed. */
const STAMP = '.setup-dind-lock-sha256';

/** Why this install is not a developer's or CI's install of the clone itself, or undefined when it is. */
function notForTests() {
  const env = process.env;
  if (env._PACOTE_NO_PREPARE_ !== undefined) return 'npm is preparing a git dependency';
  if (env.npm_config_global === 'true') return 'a global install';
  if (env.npm_config_local_prefix && realpathSync(resolve(env.npm_config_local_prefix)) !== realpathSync(ROOT)) return 'installed as a dependency';
  const omitted = (env.npm_config_omit ?? '').split(/[\s,]+/);
  if (omitted.includes('dev') || (env.NODE_ENV === 'production' && env.npm_config_include !== 'dev')) return 'devDependencies omitted';
  return undefined;
}

/** npm itself: the one running this script when there is one, else `npm` on PATH. */
function npm(args, cwd) {
  const execpath = process.env.npm_execpath;
  const [command, prefix] = execpath && /\.[cm]?js$/.test(execpath) ? [process.execPath, [execpath]] : [execpath || 'npm', []];
  return spawnSync(command, [...prefix, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

if (notForTests() !== undefined) process.exit(0);

const clean = process.env.npm_command === 'ci';
let failed = false;
for (const tool of TOOLS) {
  const dir = join(ROOT, tool);
  const lock = join(dir, 'package-lock.json');
  if (!existsSync(lock)) continue;
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  const stamp = join(dir, 'node_modules', STAMP);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const what = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies })
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  if (!clean && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) {
    console.log(`${tool}: up to date (${what})`);
    continue;
  }
  const result = npm(['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], ROOT);
  if (result.error || result.status !== 0) {
    failed = true;
    process.stderr.write(`${tool}: npm ci --prefix ${tool} failed${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}\n${result.stdout ?? ''}${result.stderr ?? ''}\n`);
    continue;
  }
  writeFileSync(stamp, `${hash}\n`);
  const bin = join(dir, 'node_modules', '.bin', 'node');
  // An optional binary (tools/node24) that this platform has no package for.
  const missing = pkg.optionalDependencies && !existsSync(bin) ? ` (no ${Object.keys(pkg.optionalDependencies).join(', ')} for ${process.platform}-${process.arch}: skipped)` : '';
  console.log(`${tool}: installed ${what}${missing}`);
}
process.exit(failed ? 1 : 0);
