/**
 * A docker CLI for jobs that have none: the `docker` on PATH, or Docker's
 * static client (`<url>/<arch>/docker-<version>.tgz`), downloaded once,
 * checked to run, and kept in the tool cache (@actions/tool-cache's layout,
 * RUNNER_TOOL_CACHE), so later jobs on the runner find it without a download.
 *
 * CI-agnostic: the front ends put the returned directory on PATH their own way.
 * @actions/tool-cache (cache lookup and layout) and @actions/http-client (the
 * download, through https_proxy/no_proxy) are imported only when needed: most
 * jobs have a docker CLI, and the action's start-up time counts.
 */
import { compareVersions } from './api-version.js';
import { execFile } from 'node:child_process';
import { accessSync, constants, createWriteStream, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../engine/context.js';
import { CancelledError, SetupDindError } from '../engine/errors.js';

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
  /** How hard to try a download; DOWNLOAD_POLICY unless a test says otherwise. */
  downloadPolicy?: DownloadPolicy;
}

export interface DownloadPolicy {
  /** Tries of one URL: connection errors, timeouts, 5xx, 408 and 429 are tried again; other statuses are not. */
  attempts: number;
  /** A try fails when no data has come for this long (connecting, waiting for the answer, or mid-body). */
  idleTimeoutMs: number;
  /** The pause before another try: a random time in [min, max]. */
  pauseMs: readonly [number, number];
}

/**
 * A job waiting for its daemon should learn of a dead mirror within seconds
 * (a refused connection: ~6 s over 3 tries), and of one that accepts but
 * never answers within the idle timeout per try, not the 3 minutes per try
 * of the toolkit's defaults.
 */
export const DOWNLOAD_POLICY: DownloadPolicy = { attempts: 3, idleTimeoutMs: 30_000, pauseMs: [2_000, 4_000] };

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
  const { logger, env } = options;
  if (options.dockerVersion === undefined || options.dockerVersion === 'none') {
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
    if (options.dockerVersion === 'none') {
      // Mode dind still needs one for itself: its docker calls say so then, with a hint.
      logger.info('No docker CLI on PATH, and docker-version is none: none is downloaded.');
      return { path: '', dir: '', version: Promise.resolve(''), source: 'none' };
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
      const version = await resolveVersion(options, arch, work);
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
      await download(url, archive, options).catch((error: unknown) => {
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

function loadToolCache(): Promise<ToolCache> {
  return import('@actions/tool-cache');
}

async function resolveVersion(options: DockerCliOptions, arch: string, work: string): Promise<string> {
  if (options.dockerVersion === undefined) {
    options.logger.info(`No docker CLI on PATH: using Docker's static client ${DEFAULT_DOCKER_VERSION} (set input "docker-version" to choose another).`);
    return DEFAULT_DOCKER_VERSION;
  }
  if (options.dockerVersion !== 'latest') return options.dockerVersion;
  const indexUrl = `${options.dockerDownloadUrl}/${arch}/`;
  const indexFile = join(work, 'index.html');
  await download(indexUrl, indexFile, options).catch((error: unknown) => {
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
  return new SetupDindError(`Could not download ${url}: input "docker-download-url" (${options.dockerDownloadUrl}) cannot be reached (${message(error)}${tried ? `; ${tried}` : ''}).`, {
    hint: 'Check the URL and the network (proxies are taken from https_proxy/no_proxy). On an air-gapped network, point docker-download-url at a mirror of https://download.docker.com/linux/static/stable, or put a docker CLI on PATH; a job that needs none (mode attach or dood with an SDK) can set docker-version to none.',
    cause: error,
  });
}

/** A failed download: `tries` says how often it was tried. */
class DownloadError extends Error {
  tries = 1;
  /** Whether another try may help: a connection error, a timeout, 5xx, 408, 429. */
  readonly retryable: boolean;

  constructor(text: string, options: { retryable: boolean; cause?: unknown }) {
    super(text, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

class HttpStatusError extends DownloadError {
  constructor(readonly httpStatusCode: number) {
    super(`HTTP ${httpStatusCode}`, { retryable: httpStatusCode >= 500 || httpStatusCode === 408 || httpStatusCode === 429 });
  }
}

type HttpClientModule = typeof import('@actions/http-client');

const MAX_REDIRECTS = 10;

/**
 * Downloads `url` to `file` (streamed; replaced on each try), tried as
 * `options.downloadPolicy` says. Rejects with a DownloadError, a
 * CancelledError on the signal (the request is torn down at once, so nothing
 * holds the process), or a SetupDindError when the file cannot be written.
 */
async function download(url: string, file: string, options: DockerCliOptions): Promise<void> {
  const policy = options.downloadPolicy ?? DOWNLOAD_POLICY;
  const { signal } = options;
  const client = await import('@actions/http-client');
  for (let attempt = 1; ; attempt++) {
    checkDownloadCancelled(signal);
    try {
      await downloadOnce(client, url, file, policy.idleTimeoutMs, signal);
      return;
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('downloading the docker CLI');
      if (!(error instanceof DownloadError)) throw error;
      error.tries = attempt;
      if (!error.retryable || attempt >= policy.attempts) throw error;
      const [min, max] = policy.pauseMs;
      const pause = min + Math.random() * (max - min);
      options.logger.info(`Downloading ${url} failed (${error.message}); trying again in ${(pause / 1000).toFixed(1)} s (${attempt + 1} of ${policy.attempts}).`);
      await sleep(pause, signal);
    }
  }
}

/** One try: follows redirects (not from https to http), fails after `idleMs` without data. */
function downloadOnce(client: HttpClientModule, url: string, file: string, idleMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // A fresh client per try: its agent routes through https_proxy unless no_proxy says otherwise.
    const agents = new client.HttpClient('setup-dind', [], { keepAlive: false });
    let request: http.ClientRequest | undefined;
    let response: http.IncomingMessage | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        // Tear the connection down now: a socket left open would hold the process.
        response?.destroy();
        request?.destroy();
      }
      agents.dispose();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(new CancelledError('downloading the docker CLI'));
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new DownloadError(`no data for ${formatSeconds(idleMs)}`, { retryable: true })), idleMs);
    };
    const get = (target: URL, redirects: number): void => {
      let mine: http.ClientRequest;
      try {
        mine = (target.protocol === 'https:' ? https : http).request(target, { agent: agents.getAgent(target.href), headers: { 'user-agent': 'setup-dind' } }, onAnswer);
      } catch (error) {
        // e.g. a malformed https_proxy
        return finish(new DownloadError(message(error), { retryable: false, cause: error }));
      }
      request = mine;
      mine.on('error', (error) => {
        if (request === mine) finish(new DownloadError(message(error), { retryable: true, cause: error }));
      });
      mine.end();

      function onAnswer(answer: http.IncomingMessage): void {
        if (request !== mine || settled) return void answer.destroy();
        response = answer;
        idle();
        const status = answer.statusCode ?? 0;
        const location = answer.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          answer.resume();
          let next: URL;
          try {
            next = new URL(location, target);
          } catch {
            return finish(new DownloadError(`HTTP ${status} to an invalid location ${JSON.stringify(location)}`, { retryable: false }));
          }
          if (target.protocol === 'https:' && next.protocol !== 'https:') {
            return finish(new DownloadError(`redirected from https to ${next.href}, refused`, { retryable: false }));
          }
          if (redirects >= MAX_REDIRECTS) return finish(new DownloadError(`more than ${MAX_REDIRECTS} redirects`, { retryable: false }));
          response = undefined;
          return get(next, redirects + 1);
        }
        if (status !== 200) {
          answer.resume();
          return finish(new HttpStatusError(status));
        }
        const out = createWriteStream(file);
        let writeFailed: Error | undefined;
        out.on('error', (error) => {
          writeFailed ??= error;
        });
        pipeline(
          answer,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              idle();
              yield chunk;
            }
          },
          out,
        ).then(
          () => finish(),
          (error: unknown) => {
            if (writeFailed !== undefined) {
              finish(new SetupDindError(`Could not write the download of ${url} to ${file}: ${writeFailed.message}`, {
                hint: 'Check the free space and permissions of the temporary directory (RUNNER_TEMP, or TMPDIR for the CLI).',
                cause: writeFailed,
              }));
            } else {
              finish(new DownloadError(`the connection broke mid-download (${message(error)})`, { retryable: true, cause: error }));
            }
          },
        );
      }
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    idle();
    get(new URL(url), 0);
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Waits `ms`; rejects with a CancelledError at once on the signal. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('downloading the docker CLI'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkDownloadCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('downloading the docker CLI');
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

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('getting the docker CLI');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
