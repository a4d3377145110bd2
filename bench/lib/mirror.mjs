// A local stand-in for download.docker.com, for the `cli-download` contender:
// an HTTP server on 127.0.0.1 serving `/<arch>/docker-<version>.tgz`, made
// from this machine's docker CLI as Docker packs it (docker/docker in a
// gzipped tar), and counting requests. As test/support/docker-mirror.ts
// does for the tests; started once per benchmark run, closed at its end.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run } from './proc.mjs';

/**
 * Docker's directory names under linux/static/<channel>/, by Node's
 * process.arch: a copy of DOCKER_ARCH in src/docker/docker-install.ts (the
 * benchmark runs the bundles in dist/, which export only the entries).
 * @type {Record<string, string>}
 */
const DOCKER_ARCH = { x64: 'x86_64', arm64: 'aarch64', arm: 'armhf', s390x: 's390x', ppc64: 'ppc64le' };

/** Docker's name for this machine's architecture in the static download tree. */
export function dockerArch(arch = process.arch) {
  const name = DOCKER_ARCH[arch];
  if (name === undefined) throw new Error(`Docker publishes no static docker CLI for ${arch}`);
  return name;
}

/**
 * The docker CLI on PATH and the release it reports, without a distribution's
 * `+suffix` (what the action compares the downloaded client's version with).
 */
export async function localClient() {
  const which = await run('sh', ['-c', 'command -v docker'], { timeoutMs: 10_000 });
  const found = which.stdout.trim();
  if (which.code !== 0 || found === '') throw new Error('no docker CLI on PATH');
  const binary = await realpath(found);
  const output = (await run(binary, ['--version'], { timeoutMs: 15_000 })).stdout;
  const reported = /^Docker version ([^\s,]+)/m.exec(output)?.[1];
  if (reported === undefined) throw new Error(`${binary} --version says no version: ${output.trim().slice(0, 100)}`);
  return { binary, version: reported.replace(/\+.*$/, '') };
}

/**
 * @typedef {object} Mirror
 * @property {string} url base URL (input `docker-download-url`), no trailing slash
 * @property {string} version the release it serves (input `docker-version`)
 * @property {string} arch
 * @property {number} archiveBytes
 * @property {string[]} requests paths requested so far, in order
 * @property {() => Promise<void>} close
 */

/**
 * Packs the local docker CLI and serves it at `/<arch>/docker-<version>.tgz`
 * on a port of 127.0.0.1 the system picks; anything else is a 404.
 * @returns {Promise<Mirror>}
 */
export async function startMirror() {
  const { binary, version } = await localClient();
  const arch = dockerArch();
  const dir = await mkdtemp(join(tmpdir(), 'setup-dind-bench-mirror-'));
  let archive;
  try {
    await mkdir(join(dir, 'docker'));
    await copyFile(binary, join(dir, 'docker', 'docker'));
    await promisify(execFile)('tar', ['-czf', join(dir, 'docker.tgz'), '-C', dir, 'docker']);
    archive = await readFile(join(dir, 'docker.tgz'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const path = `/${arch}/docker-${version}.tgz`;
  /** @type {string[]} */
  const requests = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '/');
    if (request.url !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': archive.length }).end(archive);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    arch,
    archiveBytes: archive.length,
    requests,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
