/**
 * A docker CLI for jobs that have none: the `docker` on PATH, or Docker's
 * static client (`<url>/<arch>/docker-<version>.tgz`), downloaded once,
 * checked to run, and kept in the tool cache (@actions/tool-cache's layout,
 * RUNNER_TOOL_CACHE), so later jobs on the runner find it without a download.
 *
 * CI-agnostic: the front ends put the returned directory on PATH their own
 * way, and see to RUNNER_TOOL_CACHE in their process's environment (the
 * Actions runner sets it; the CLI defaults it to defaultToolCache), as
 * @actions/tool-cache reads it from there. @actions/tool-cache (cache lookup
 * and layout) and @actions/http-client (the download, in download.ts) are
 * imported only when needed: most jobs have a docker CLI, and the action's
 * start-up time counts.
 */
import { compareVersions } from './api-version.js';
import { download, DownloadError, HttpStatusError, type DownloadPolicy } from './download.js';
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Logger } from '../engine/context.js';
import { CancelledError, errorMessage, SetupDindError } from '../engine/errors.js';

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
  /** The job's environment: PATH to search, and the environment docker --version runs in. Not mutated. */
  env: NodeJS.ProcessEnv;
  /** Where the download is unpacked (and removed again): RUNNER_TEMP or the system temp dir. */
  tempDir: string;
  signal?: AbortSignal;
  /** How hard to try a download; DOWNLOAD_POLICY (download.ts) unless a test says otherwise. */
  downloadPolicy?: DownloadPolicy;
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
  /** `none`: no docker CLI, and none was to be downloaded (docker-version: none). */
  source: 'path' | 'cache' | 'download' | 'none';
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
    // Reached with no docker on PATH, or with input "docker-version" given (which skips PATH): right for both.
    throw new SetupDindError(`Cannot download a docker CLI here: Docker's static client (input "docker-download-url") is for Linux, and this runner is ${platform}.`, {
      hint: 'Install the docker CLI on the runner (e.g. Docker Desktop, or a package manager) and leave input "docker-version" empty, so that the docker on PATH is used.',
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
  let best: string | undefined;
  for (const match of html.matchAll(/(?<![\w.-])docker-(\d+)\.(\d+)\.(\d+)\.tgz/g)) {
    const version = `${match[1]}.${match[2]}.${match[3]}`;
    if (best === undefined || compareVersions(version, best) > 0) best = version;
  }
  return best;
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

/** Whether the front end must put the client's directory on PATH: it was not there already. */
export function addsToPath(cli: InstalledDockerCli): boolean {
  return cli.source === 'cache' || cli.source === 'download';
}

export async function ensureDockerCli(options: DockerCliOptions): Promise<InstalledDockerCli> {
  if (options.dockerVersion === undefined || options.dockerVersion === 'none') {
    const onPath = dockerOnPath(options);
    if (onPath !== undefined) return onPath;
    if (options.dockerVersion === 'none') return noDockerCli(options.logger);
  }
  const arch = dockerArch();
  checkCancelled(options.signal);
  const tc = await loadToolCache();
  const work = await mkdtemp(join(options.tempDir, 'setup-dind-docker-cli-'));
  try {
    const version = await resolveVersion(options, arch, work);
    return (await fromToolCache(tc, version, options)) ?? (await downloadClient(tc, arch, version, work, options));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The docker on PATH, if any; its version is asked for in the background. */
function dockerOnPath({ logger, env }: DockerCliOptions): InstalledDockerCli | undefined {
  const found = findOnPath('docker', env);
  if (found === undefined) return undefined;
  const version = reportedVersion(found, env).then(
    (reported) => {
      logger.info(`Docker CLI ${reported}: ${found} (found on PATH).`);
      return reported;
    },
    (error: unknown) => {
      logger.warn(`The docker CLI on PATH (${found}) does not report its version (${errorMessage(error)}); using it anyway.`);
      return '';
    },
  );
  return { path: found, dir: dirname(found), version, source: 'path' };
}

function noDockerCli(logger: Logger): InstalledDockerCli {
  // Mode dind still needs one for itself: its docker calls say so then, with a hint.
  logger.info('No docker CLI on PATH, and docker-version is none: none is downloaded.');
  return { path: '', dir: '', version: Promise.resolve(''), source: 'none' };
}

type ToolCache = typeof import('@actions/tool-cache');

/** @actions/tool-cache, once RUNNER_TOOL_CACHE is known to be set: it reads it from process.env at each call. */
async function loadToolCache(): Promise<ToolCache> {
  if (!process.env.RUNNER_TOOL_CACHE) {
    // The front ends set it (the runner for the action, the CLI's `up` otherwise); without it tool-cache fails an assertion.
    throw new SetupDindError('Cannot keep a downloaded docker CLI: RUNNER_TOOL_CACHE is not set.', {
      hint: 'Run setup-dind as a GitHub Action on a runner (which sets RUNNER_TOOL_CACHE) or through its CLI, or set RUNNER_TOOL_CACHE to a directory for downloaded tools.',
    });
  }
  return import('@actions/tool-cache');
}

/** The cached client of `version`, if it is there and runs. */
async function fromToolCache(tc: ToolCache, version: string, { logger, env }: DockerCliOptions): Promise<InstalledDockerCli | undefined> {
  const cached = tc.find(TOOL_NAME, version, process.arch);
  if (!cached) return undefined;
  const path = join(cached, 'docker');
  const reported = await reportedVersion(path, env).catch(() => undefined);
  if (reported === undefined) {
    logger.warn(`The cached docker CLI ${version} (${path}) does not run; downloading it again.`);
    return undefined;
  }
  logger.info(`Docker CLI ${reported}: ${path} (from the tool cache).`);
  return { path, dir: cached, version: Promise.resolve(reported), source: 'cache' };
}

/** Downloads and unpacks the client of `version` in `work`, checks it, and caches it. */
async function downloadClient(tc: ToolCache, arch: string, version: string, work: string, options: DockerCliOptions): Promise<InstalledDockerCli> {
  const url = archiveUrl(options.dockerDownloadUrl, arch, version);
  options.logger.info(`Downloading the docker CLI ${version} from ${url}`);
  const started = performance.now();
  const archive = join(work, `docker-${version}.tgz`);
  await fetchFile(url, archive, options, version);
  checkCancelled(options.signal);
  const binary = await unpackClient(archive, work, url, options.signal);
  const reported = await checkedVersion(binary, url, arch, version, options.env);
  const dir = await tc.cacheFile(binary, 'docker', TOOL_NAME, version, process.arch);
  const seconds = (performance.now() - started) / 1000;
  const path = join(dir, 'docker');
  options.logger.info(`Docker CLI ${reported}: ${path} (downloaded in ${seconds.toFixed(2)} s, cached for later jobs).`);
  return { path, dir, version: Promise.resolve(reported), source: 'download', url, seconds };
}

/** The version a downloaded client reports, when it runs and is the release asked for. */
async function checkedVersion(binary: string, url: string, arch: string, version: string, env: NodeJS.ProcessEnv): Promise<string> {
  const reported = await reportedVersion(binary, env).catch((error: unknown) => {
    throw new SetupDindError(`The docker CLI from ${url} does not run on this machine: ${errorMessage(error)}`, {
      hint: `A mirror at input "docker-download-url" must serve Docker's own archives for ${arch}, unchanged.`,
      cause: error,
    });
  });
  if (!sameRelease(reported, version)) {
    throw new SetupDindError(`The docker CLI from ${url} reports version ${reported}, not ${version}.`, {
      hint: 'The mirror at input "docker-download-url" serves a different file under this name; it must keep Docker\'s names and contents.',
    });
  }
  return reported;
}

async function resolveVersion(options: DockerCliOptions, arch: string, work: string): Promise<string> {
  if (options.dockerVersion === undefined) {
    options.logger.info(`No docker CLI on PATH: using Docker's static client ${DEFAULT_DOCKER_VERSION} (set input "docker-version" to choose another).`);
    return DEFAULT_DOCKER_VERSION;
  }
  if (options.dockerVersion !== 'latest') return options.dockerVersion;
  const indexUrl = `${options.dockerDownloadUrl}/${arch}/`;
  const indexFile = join(work, 'index.html');
  await fetchFile(indexUrl, indexFile, options, 'latest');
  const latest = latestFromIndex(await readFile(indexFile, 'utf8'));
  if (latest === undefined) {
    throw new SetupDindError(`docker-version latest: the listing at ${indexUrl} names no docker-X.Y.Z.tgz.`, {
      hint: 'Give input "docker-version" a release (e.g. 29.1.3), or point input "docker-download-url" at a directory tree with Docker\'s listing.',
    });
  }
  options.logger.info(`docker-version latest is ${latest} (from ${indexUrl}).`);
  return latest;
}

/** Downloads `url` to `file`; a failure says which input to fix. */
async function fetchFile(url: string, file: string, options: DockerCliOptions, version: string): Promise<void> {
  await download(url, file, { logger: options.logger, signal: options.signal, policy: options.downloadPolicy }).catch((error: unknown) => {
    throw downloadError(error, url, options, version);
  });
}

/** What a failed download means, naming the input to fix. */
function downloadError(error: unknown, url: string, options: DockerCliOptions, version: string): SetupDindError {
  // Cancelled, or the file could not be written: said already.
  if (error instanceof SetupDindError) return error;
  const status = error instanceof HttpStatusError ? error.httpStatusCode : undefined;
  const tried = error instanceof DownloadError && error.tries > 1 ? `${error.tries} tries` : undefined;
  const inputs = `Check input "docker-version" and input "docker-download-url" (${options.dockerDownloadUrl}); a mirror must keep Docker's layout, <url>/<arch>/docker-<version>.tgz.`;
  const what = options.dockerVersion === undefined ? `The docker CLI ${version} (the default docker-version)` : `docker-version ${version}`;
  if (status === 404) {
    return new SetupDindError(`${what} is not at ${url} (HTTP 404).`, { hint: inputs, cause: error });
  }
  if (status !== undefined) {
    return new SetupDindError(`Downloading ${url} (input "docker-download-url") failed: HTTP ${status}${tried ? ` (${tried})` : ''}.`, { hint: inputs, cause: error });
  }
  return new SetupDindError(`Could not download ${url}: input "docker-download-url" (${options.dockerDownloadUrl}) cannot be reached (${errorMessage(error)}${tried ? `; ${tried}` : ''}).`, {
    hint: 'Check the URL and the network (proxies are taken from https_proxy/no_proxy). On an air-gapped network, point docker-download-url at a mirror of https://download.docker.com/linux/static/stable, or put a docker CLI on PATH; a job that needs none (mode attach or dood with an SDK) can set docker-version to none.',
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
    throw new SetupDindError(`The file at ${url} is not a docker static client archive (tar: ${errorMessage(error)}).`, {
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

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('getting the docker CLI');
}
