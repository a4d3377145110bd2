/**
 * A docker CLI for jobs that have none: the `docker` on PATH, or Docker's
 * static client (`<url>/<arch>/docker-<version>.tgz`), downloaded once,
 * checked to run, and kept in the tool cache (@actions/tool-cache's layout,
 * RUNNER_TOOL_CACHE), so later jobs on the runner find it without a download.
 *
 * CI-agnostic: the front ends put the returned directory on PATH their own way.
 * @actions/tool-cache is imported only when a download or cache lookup is
 * needed: most jobs have a docker CLI, and the action's start-up time counts.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Logger } from './context.js';
import { CancelledError, SetupDindError } from './errors.js';

/** The client used when docker-version is empty and PATH has no docker: a stable release. */
export const DEFAULT_DOCKER_VERSION = '29.1.3';

/** The name under which the client is kept in the tool cache. */
const TOOL_NAME = 'docker';

export interface DockerCliOptions {
  /** undefined: the docker on PATH, else DEFAULT_DOCKER_VERSION; 'latest'; or X.Y.Z[-rc.N]. */
  dockerVersion: string | undefined;
  /** Base URL, no trailing slash. */
  dockerDownloadUrl: string;
  logger: Logger;
  /** The job's environment: PATH to search, XDG_CACHE_HOME/HOME for the CLI's tool cache. Not mutated. */
  env: NodeJS.ProcessEnv;
  /** Where the download is unpacked (and removed again): RUNNER_TEMP or the system temp dir. */
  tempDir: string;
  signal?: AbortSignal;
}

export interface InstalledDockerCli {
  /** The docker binary. */
  path: string;
  /** Its directory: what goes on PATH. */
  dir: string;
  /**
   * As the binary reports it ('' when a docker found on PATH does not say).
   * A promise: for a docker found on PATH, asking it runs alongside the
   * daemon's start instead of before it. Never rejects.
   */
  version: Promise<string>;
  source: 'path' | 'cache' | 'download';
  /** The archive's URL when one was downloaded. */
  url?: string;
  /** Time of the download, unpacking and caching. */
  seconds?: number;
}

/** Docker's directory names under linux/static/<channel>/, by Node's process.arch. */
const DOCKER_ARCH: Record<string, string> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  arm: 'armhf',
  s390x: 's390x',
  ppc64: 'ppc64le',
};

/** Docker's name for this machine's architecture in the static download tree. */
export function dockerArch(arch: string = process.arch, platform: string = process.platform): string {
  if (platform !== 'linux') {
    throw new SetupDindError(`No docker CLI on PATH, and Docker's static client download (input "docker-download-url") is for Linux; this runner is ${platform}.`, {
      hint: 'Install the docker CLI on the runner (e.g. Docker Desktop, or a package manager).',
    });
  }
  const name = DOCKER_ARCH[arch];
  if (name === undefined) {
    throw new SetupDindError(`Docker publishes no static docker CLI for this machine's architecture (${arch}).`, {
      hint: `Install the docker CLI on the runner. Static clients exist for ${Object.keys(DOCKER_ARCH).join(', ')}.`,
    });
  }
  return name;
}

export function archiveUrl(baseUrl: string, arch: string, version: string): string {
  return `${baseUrl}/${arch}/docker-${version}.tgz`;
}

/** The highest stable release named in a directory listing (docker-X.Y.Z.tgz; rc and -ce names are skipped). */
export function latestFromIndex(html: string): string | undefined {
  let best: number[] | undefined;
  for (const match of html.matchAll(/(?<![\w.-])docker-(\d+)\.(\d+)\.(\d+)\.tgz/g)) {
    const parts = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (best === undefined || compareVersions(parts, best) > 0) best = parts;
  }
  return best?.join('.');
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The version in `docker --version` output (`Docker version 29.1.3, build f52814d`), as printed. */
export function parseVersionOutput(text: string): string | undefined {
  return /^Docker version ([^\s,]+)/m.exec(text)?.[1];
}

/** Whether a client reporting `reported` is release `wanted`: distributions append +build or -ce. */
export function sameRelease(reported: string, wanted: string): boolean {
  return reported.replace(/^v/, '').replace(/\+.*$/, '').replace(/-ce$/, '') === wanted;
}

/** The first executable `name` on the environment's PATH (empty entries skipped: they mean the working directory). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where the CLI keeps downloads when RUNNER_TOOL_CACHE is not set: a per-user cache directory. */
export function defaultToolCache(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'setup-dind', 'tool-cache');
}

export async function ensureDockerCli(options: DockerCliOptions): Promise<InstalledDockerCli> {
  const { logger, env } = options;
  if (options.dockerVersion === undefined) {
    const found = findOnPath('docker', env);
    if (found !== undefined) {
      const version = reportedVersion(found, env).then(
        (reported) => {
          logger.info(`Docker CLI ${reported}: ${found} (found on PATH).`);
          return reported;
        },
        (error: unknown) => {
          logger.warn(`The docker CLI on PATH (${found}) does not report its version (${message(error)}); using it anyway.`);
          return '';
        },
      );
      return { path: found, dir: dirname(found), version, source: 'path' };
    }
  }
  const arch = dockerArch();
  const baseUrl = options.dockerDownloadUrl;
  checkCancelled(options.signal);
  // tool-cache reads RUNNER_TOOL_CACHE from process.env; the runner sets it, the CLI gets a per-user default.
  const toolCache = process.env.RUNNER_TOOL_CACHE;
  if (!toolCache) process.env.RUNNER_TOOL_CACHE = defaultToolCache(env);
  try {
    const tc = await loadToolCache();
    const work = await mkdtemp(join(options.tempDir, 'setup-dind-docker-cli-'));
    try {
      const version = await resolveVersion(options, tc, arch, work);
      const cached = tc.find(TOOL_NAME, version, process.arch);
      if (cached) {
        const path = join(cached, 'docker');
        const reported = await reportedVersion(path, env).catch(() => undefined);
        if (reported !== undefined) {
          logger.info(`Docker CLI ${reported}: ${path} (from the tool cache).`);
          return { path, dir: cached, version: Promise.resolve(reported), source: 'cache' };
        }
        logger.warn(`The cached docker CLI ${version} (${path}) does not run; downloading it again.`);
      }
      const url = archiveUrl(baseUrl, arch, version);
      logger.info(`Downloading the docker CLI ${version} from ${url}`);
      const started = performance.now();
      const archive = join(work, `docker-${version}.tgz`);
      await abortable(tc.downloadTool(url, archive), options.signal).catch((error: unknown) => {
        throw downloadError(error, url, options, version);
      });
      checkCancelled(options.signal);
      const binary = await unpackClient(archive, work, url, options.signal);
      const reported = await reportedVersion(binary, env).catch((error: unknown) => {
        throw new SetupDindError(`The docker CLI from ${url} does not run on this machine: ${message(error)}`, {
          hint: `A mirror at input "docker-download-url" must serve Docker's own archives for ${arch}, unchanged.`,
          cause: error,
        });
      });
      if (!sameRelease(reported, version)) {
        throw new SetupDindError(`The docker CLI from ${url} reports version ${reported}, not ${version}.`, {
          hint: 'The mirror at input "docker-download-url" serves a different file under this name; it must keep Docker\'s names and contents.',
        });
      }
      const dir = await tc.cacheFile(binary, 'docker', TOOL_NAME, version, process.arch);
      const seconds = (performance.now() - started) / 1000;
      const path = join(dir, 'docker');
      logger.info(`Docker CLI ${reported}: ${path} (downloaded in ${seconds.toFixed(2)} s, cached for later jobs).`);
      return { path, dir, version: Promise.resolve(reported), source: 'download', url, seconds };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } finally {
    if (!toolCache) delete process.env.RUNNER_TOOL_CACHE;
  }
}

type ToolCache = typeof import('@actions/tool-cache');

let retriesTuned = false;

async function loadToolCache(): Promise<ToolCache> {
  if (!retriesTuned) {
    // downloadTool tries 3 times with 10-20 s pauses, made for big toolchains
    // on flaky links; a job waiting for its daemon should learn of a dead
    // mirror within seconds. These globals are the library's only knob.
    const globals = globalThis as Record<string, unknown>;
    globals.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS ??= 2;
    globals.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS ??= 4;
    retriesTuned = true;
  }
  return import('@actions/tool-cache');
}

async function resolveVersion(options: DockerCliOptions, tc: ToolCache, arch: string, work: string): Promise<string> {
  if (options.dockerVersion === undefined) {
    options.logger.info(`No docker CLI on PATH: using Docker's static client ${DEFAULT_DOCKER_VERSION} (set input "docker-version" to choose another).`);
    return DEFAULT_DOCKER_VERSION;
  }
  if (options.dockerVersion !== 'latest') return options.dockerVersion;
  const indexUrl = `${options.dockerDownloadUrl}/${arch}/`;
  const indexFile = join(work, 'index.html');
  await abortable(tc.downloadTool(indexUrl, indexFile), options.signal).catch((error: unknown) => {
    throw downloadError(error, indexUrl, options, 'latest');
  });
  const latest = latestFromIndex(await readFile(indexFile, 'utf8'));
  if (latest === undefined) {
    throw new SetupDindError(`docker-version latest: the listing at ${indexUrl} names no docker-X.Y.Z.tgz.`, {
      hint: 'Give input "docker-version" a release (e.g. 29.1.3), or point input "docker-download-url" at a directory tree with Docker\'s listing.',
    });
  }
  options.logger.info(`docker-version latest is ${latest} (from ${indexUrl}).`);
  return latest;
}

/** What a failed download means, naming the input to fix. */
function downloadError(error: unknown, url: string, options: DockerCliOptions, version: string): SetupDindError {
  if (error instanceof CancelledError) return error;
  const status = (error as { httpStatusCode?: unknown }).httpStatusCode;
  const inputs = `Check input "docker-version" and input "docker-download-url" (${options.dockerDownloadUrl}); a mirror must keep Docker's layout, <url>/<arch>/docker-<version>.tgz.`;
  const what = options.dockerVersion === undefined ? `The docker CLI ${version} (the default docker-version)` : `docker-version ${version}`;
  if (status === 404) {
    return new SetupDindError(`${what} is not at ${url} (HTTP 404).`, { hint: inputs, cause: error });
  }
  if (typeof status === 'number') {
    return new SetupDindError(`Downloading ${url} (input "docker-download-url") failed: HTTP ${status}.`, { hint: inputs, cause: error });
  }
  return new SetupDindError(`Could not download ${url}: input "docker-download-url" (${options.dockerDownloadUrl}) cannot be reached (${message(error)}).`, {
    hint: 'Check the URL and the network (proxies are taken from https_proxy/no_proxy). On an air-gapped network, point docker-download-url at a mirror of https://download.docker.com/linux/static/stable, or put a docker CLI on PATH.',
    cause: error,
  });
}

/** Extracts docker/docker from the archive; resolves with its path. */
async function unpackClient(archive: string, work: string, url: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    await run('tar', ['-xzf', archive, '-C', work, 'docker/docker'], signal, 120_000);
  } catch (error) {
    if (signal?.aborted) throw new CancelledError('unpacking the docker CLI');
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SetupDindError('tar is needed to unpack the docker CLI and is not on PATH.', { hint: 'Install tar (and gzip) on the runner, or put a docker CLI on PATH.' });
    }
    throw new SetupDindError(`The file at ${url} is not a docker static client archive (tar: ${message(error)}).`, {
      hint: 'A mirror at input "docker-download-url" must serve Docker\'s own docker-<version>.tgz files unchanged (a gzipped tar holding docker/docker).',
      cause: error,
    });
  }
  return join(work, 'docker', 'docker');
}

/** The version a docker binary reports; works without a daemon. */
async function reportedVersion(binary: string, env: NodeJS.ProcessEnv): Promise<string> {
  const output = await run(binary, ['--version'], undefined, 15_000, env);
  const version = parseVersionOutput(output);
  if (version === undefined) throw new Error(`unexpected output of docker --version: ${JSON.stringify(output.trim().slice(0, 100))}`);
  return version;
}

function run(file: string, args: string[], signal: AbortSignal | undefined, timeout: number, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { signal, timeout, env, encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as { code?: unknown }).code;
      const line = stderr.split('\n').map((text) => text.trim()).find((text) => text !== '');
      const said = line ?? (error.killed ? `killed (${error.signal ?? 'timeout'})` : typeof code === 'number' ? `exit code ${code}, no error output` : error.message.split('\n')[0]);
      const failure = Object.assign(new Error(said), { code });
      reject(failure);
    });
  });
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new CancelledError('downloading the docker CLI'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('getting the docker CLI');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
