/**
 * End-to-end tests need a Docker engine. Without one they are skipped with a
 * loud notice, except in CI (CI=true), where a missing daemon fails the run
 * (see docker-available.test.ts): CI must never pass by skipping. And they
 * run dist/: a dist/ that is not a build of this tree's sources fails them
 * all at once.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dockerUnavailableReason } from '../support/docker.js';
import { MANIFEST, manifestDifference, sourceManifest } from '../../scripts/source-hash.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The tests run the bundles in dist/: refuse a dist/ built from other
 * sources than this tree's (src/ edited, no `npm run build` since), which
 * would test old code and pass or fail for nothing. dist/source.sha256 lists
 * what the build read (scripts/source-hash.mjs).
 */
async function refuseStaleDist(): Promise<void> {
  const built = await readFile(`${ROOT}${MANIFEST}`, 'utf8').catch(() => '');
  const current = await sourceManifest(ROOT);
  if (built === current) return;
  const paths = manifestDifference(built, current);
  const differing = built === '' ? `${MANIFEST} is missing` : `differing: ${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ` and ${paths.length - 10} more` : ''}`;
  throw new Error(`dist/ was built from other sources than src/: run npm run build (${differing})`);
}

export default async function setup(): Promise<void> {
  await refuseStaleDist();
  const reason = dockerUnavailableReason();
  if (reason === undefined) return;
  const line = '='.repeat(78);
  const verdict = process.env.CI === 'true' ? 'CI=true: this is a FAILURE.' : 'They are SKIPPED; only unit tests ran.';
  process.stderr.write(`\n${line}\nEnd-to-end tests need a Docker engine: ${reason}.\n${verdict}\nSee CONTRIBUTING.md, "Test".\n${line}\n\n`);
}
