import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveUrl,
  DEFAULT_DOCKER_VERSION,
  defaultToolCache,
  dockerArch,
  ensureDockerCli,
  findOnPath,
  latestFromIndex,
  parseVersionOutput,
  sameRelease,
} from '../../src/docker/docker-install.js';
import { DOWNLOAD_POLICY, type DownloadPolicy } from '../../src/docker/download.js';
import { silentLogger, type Logger } from '../../src/engine/context.js';
import { CancelledError } from '../../src/engine/errors.js';
import { scriptArchive, startBlackhole } from '../support/docker-mirror.js';
import { exportLines, formatState, parseState } from '../../src/cli/state.js';

describe('dockerArch', () => {
  it.each([
    ['x64', 'x86_64'],
    ['arm64', 'aarch64'],
    ['arm', 'armhf'],
    ['s390x', 's390x'],
    ['ppc64', 'ppc64le'],
  ])('maps %s to %s', (node, docker) => {
    expect(dockerArch(node, 'linux')).toBe(docker);
  });

  it('refuses an architecture Docker builds no static client for', () => {
    expect(() => dockerArch('riscv64', 'linux')).toThrow(/no static docker CLI for this machine's architecture \(riscv64\)/);
  });

  it('refuses other systems than Linux, naming the input, right whether docker-version was given or not', () => {
    expect(() => dockerArch('arm64', 'darwin')).toThrow(/^Cannot download a docker CLI here: .*input "docker-download-url".*this runner is darwin\.$/);
    expect(() => dockerArch('arm64', 'darwin')).not.toThrow(/No docker CLI on PATH/);
  });
});

describe('archiveUrl', () => {
  it('follows Docker\'s layout', () => {
    expect(archiveUrl('https://download.docker.com/linux/static/stable', 'x86_64', '29.1.3')).toBe(
      'https://download.docker.com/linux/static/stable/x86_64/docker-29.1.3.tgz',
    );
    expect(archiveUrl('http://mirror.internal:8080/docker', 'aarch64', '29.0.0-rc.1')).toBe('http://mirror.internal:8080/docker/aarch64/docker-29.0.0-rc.1.tgz');
  });

  it('pins a default of the X.Y.Z form', () => {
    expect(DEFAULT_DOCKER_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('latestFromIndex', () => {
  // The shape of download.docker.com's listing (nginx autoindex style).
  const listing = [
    '<html><head><title>Index of linux/static/stable/x86_64/</title></head><body><h1>Index of linux/static/stable/x86_64/</h1><hr><pre>',
    '<a href="../">../</a>',
    '<a href="docker-17.03.0-ce.tgz">docker-17.03.0-ce.tgz</a>            2017-03-01 12:00  26M',
    '<a href="docker-9.0.0.tgz">docker-9.0.0.tgz</a>',
    '<a href="docker-28.5.2.tgz">docker-28.5.2.tgz</a>',
    '<a href="docker-29.1.3.tgz">docker-29.1.3.tgz</a>',
    '<a href="docker-29.10.0.tgz">docker-29.10.0.tgz</a>',
    '<a href="docker-29.9.3.tgz">docker-29.9.3.tgz</a>',
    '<a href="docker-30.0.0-rc.1.tgz">docker-30.0.0-rc.1.tgz</a>',
    '<a href="docker-rootless-extras-31.0.0.tgz">docker-rootless-extras-31.0.0.tgz</a>',
    '<a href="not-docker-32.0.0.tgz">x</a>',
    '</pre><hr></body></html>',
  ].join('\n');

  it('takes the highest stable release, by number, not by text', () => {
    expect(latestFromIndex(listing)).toBe('29.10.0');
  });

  it('finds nothing in a page without releases', () => {
    expect(latestFromIndex('<html>403 Forbidden</html>')).toBeUndefined();
    expect(latestFromIndex('<a href="docker-30.0.0-rc.1.tgz">')).toBeUndefined();
  });
});

describe('parseVersionOutput and sameRelease', () => {
  it.each([
    ['Docker version 29.1.3, build f52814d\n', '29.1.3'],
    ['Docker version 20.10.24+dfsg1, build 297e128\n', '20.10.24+dfsg1'],
    ['Docker version 17.03.0-ce, build 3a232c8', '17.03.0-ce'],
    ['Docker version 29.0.0-rc.1, build abc', '29.0.0-rc.1'],
  ])('reads %j', (output, version) => {
    expect(parseVersionOutput(output)).toBe(version);
  });

  it('reads nothing from other output', () => {
    expect(parseVersionOutput('podman version 5.0.0')).toBeUndefined();
    expect(parseVersionOutput('')).toBeUndefined();
  });

  it('takes distribution suffixes for the same release, and nothing else', () => {
    expect(sameRelease('20.10.24+dfsg1', '20.10.24')).toBe(true);
    expect(sameRelease('29.1.3', '29.1.3')).toBe(true);
    expect(sameRelease('29.0.0-rc.1', '29.0.0-rc.1')).toBe(true);
    expect(sameRelease('29.1.3', '29.1.30')).toBe(false);
    expect(sameRelease('29.0.0-rc.1', '29.0.0')).toBe(false);
  });
});

describe('finding docker on PATH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-dind-unit-path-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fakeDocker = (where: string, script: string, mode = 0o755): string => {
    mkdirSync(where, { recursive: true });
    const file = join(where, 'docker');
    writeFileSync(file, script);
    chmodSync(file, mode);
    return file;
  };

  it('takes the first executable file, skipping directories, non-executables and empty entries', () => {
    mkdirSync(join(dir, 'a', 'docker'), { recursive: true });
    fakeDocker(join(dir, 'b'), '#!/bin/sh\n', 0o644);
    const good = fakeDocker(join(dir, 'c'), '#!/bin/sh\n');
    expect(findOnPath('docker', { PATH: ['', join(dir, 'a'), join(dir, 'b'), join(dir, 'c')].join(':') })).toBe(good);
    expect(findOnPath('docker', { PATH: join(dir, 'a') })).toBeUndefined();
    expect(findOnPath('docker', {})).toBeUndefined();
  });

  it('uses a docker on PATH without downloading, with the version it reports', async () => {
    const bin = join(dir, 'reports');
    const docker = fakeDocker(bin, '#!/bin/sh\necho "Docker version 27.5.1, build 9f9e405"\n');
    const cli = await ensureDockerCli({ dockerVersion: undefined, dockerDownloadUrl: 'http://127.0.0.1:1', logger: silentLogger, env: { PATH: bin }, tempDir: dir });
    expect({ ...cli, version: await cli.version }).toEqual({ path: docker, dir: bin, version: '27.5.1', source: 'path' });
  });

  it('still uses a docker on PATH that does not report a version, with a warning', async () => {
    const bin = join(dir, 'silent');
    const docker = fakeDocker(bin, '#!/bin/sh\nexit 1\n');
    const warnings: string[] = [];
    const cli = await ensureDockerCli({
      dockerVersion: undefined,
      dockerDownloadUrl: 'http://127.0.0.1:1',
      logger: { ...silentLogger, warn: (message) => warnings.push(message) },
      env: { PATH: bin },
      tempDir: dir,
    });
    expect({ ...cli, version: await cli.version }).toEqual({ path: docker, dir: bin, version: '', source: 'path' });
    expect(warnings.join('\n')).toMatch(/does not report its version/);
  });
});

describe('the CLI\'s tool cache and exports', () => {
  it('keeps downloads in a per-user cache directory', () => {
    expect(defaultToolCache({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/setup-dind/tool-cache');
    expect(defaultToolCache({ HOME: '/home/u' })).toBe('/home/u/.cache/setup-dind/tool-cache');
  });

  it('leaves RUNNER_TOOL_CACHE to the front end: without it, a download fails clearly and the environment is not changed', async () => {
    const saved = process.env.RUNNER_TOOL_CACHE;
    delete process.env.RUNNER_TOOL_CACHE;
    const dir = mkdtempSync(join(tmpdir(), 'setup-dind-unit-no-cache-'));
    try {
      const error = await ensureDockerCli({ dockerVersion: '0.0.1', dockerDownloadUrl: 'http://127.0.0.1:1', logger: silentLogger, env: { PATH: '', HOME: dir }, tempDir: dir }).catch(
        (caught: unknown) => caught,
      );
      expect(String(error)).toMatch(/Cannot keep a downloaded docker CLI: RUNNER_TOOL_CACHE is not set\./);
      expect(process.env.RUNNER_TOOL_CACHE).toBeUndefined();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.RUNNER_TOOL_CACHE = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prepends a downloaded CLI to the eval\'ing shell\'s PATH, and reads it back from the state file', () => {
    const dir = "/home/o'brien/.cache/setup-dind/tool-cache/docker/29.1.3/x64";
    const lines = exportLines({ DOCKER_HOST: 'unix:///var/run/docker.sock' }, [dir]);
    expect(lines).toBe(`export PATH='/home/o'\\''brien/.cache/setup-dind/tool-cache/docker/29.1.3/x64'":$PATH"\nexport DOCKER_HOST='unix:///var/run/docker.sock'\n`);
    const state = { exports: { DOCKER_HOST: 'unix:///var/run/docker.sock' }, plan: undefined, path: [dir] };
    expect(parseState(formatState(state))).toEqual(state);
  });
});

describe('downloading the client: tries, timeouts and cancelling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-dind-unit-download-'));
  const arch = dockerArch();
  /** A release no real tool cache holds. */
  const version = '0.0.7';
  /** Each test a release of its own: one test's download must not be another's cache hit. */
  let next = 10;
  const fresh = () => `0.0.${next++}`;
  const savedToolCache = process.env.RUNNER_TOOL_CACHE;
  let archive: Buffer;

  beforeAll(() => {
    process.env.RUNNER_TOOL_CACHE = join(dir, 'tool-cache');
    archive = scriptArchive(`echo "Docker version ${version}, build unit"`, dir);
  });
  afterAll(() => {
    if (savedToolCache === undefined) delete process.env.RUNNER_TOOL_CACHE;
    else process.env.RUNNER_TOOL_CACHE = savedToolCache;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Quick tries for tests: the same rules, with small numbers. */
  const quick: DownloadPolicy = { attempts: 3, idleTimeoutMs: 300, pauseMs: [100, 100] };

  function fetchCli(url: string, options: { policy?: DownloadPolicy; signal?: AbortSignal; lines?: string[]; dockerVersion?: string } = {}) {
    const logger: Logger = { ...silentLogger, info: (line) => options.lines?.push(line) };
    return ensureDockerCli({
      dockerVersion: options.dockerVersion ?? version,
      dockerDownloadUrl: url,
      logger,
      env: { PATH: process.env.PATH, HOME: dir },
      tempDir: dir,
      signal: options.signal,
      downloadPolicy: options.policy ?? quick,
    });
  }

  /** An HTTP server answering each request with the next of `answers` for its path (the last one repeats). */
  async function server(answers: Record<string, ((response: http.ServerResponse) => void)[]>) {
    const requests: string[] = [];
    const httpServer = http.createServer((request, response) => {
      const path = request.url ?? '/';
      const seen = requests.filter((earlier) => earlier === path).length;
      requests.push(path);
      const list = answers[path];
      if (!list) return void response.writeHead(404).end('not found\n');
      list[Math.min(seen, list.length - 1)]!(response);
    });
    await new Promise<void>((done) => httpServer.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    return { url, requests, close: () => new Promise<void>((done) => httpServer.close(() => done())) };
  }
  const status = (code: number) => (response: http.ServerResponse) => response.writeHead(code).end(`${code}\n`);
  const file = (response: http.ServerResponse) => response.writeHead(200, { 'content-length': archive.length }).end(archive);

  it('gives up on a mirror that accepts and never answers after the idle timeout on each try, naming docker-download-url', async () => {
    const hole = await startBlackhole();
    const lines: string[] = [];
    try {
      const started = performance.now();
      const error = await fetchCli(hole.url, { lines }).catch((caught: unknown) => caught);
      const seconds = (performance.now() - started) / 1000;
      expect(String(error)).toMatch(
        new RegExp(`Could not download ${hole.url}/${arch}/docker-${version}\\.tgz: input "docker-download-url" \\(${hole.url}\\) cannot be reached \\(no data for 0\\.3 s; 3 tries\\)\\.`),
      );
      // 3 × 0.3 s idle + 2 × 0.1 s pauses, and not much more.
      expect(seconds).toBeGreaterThanOrEqual(1.05);
      expect(seconds).toBeLessThan(3);
      expect(hole.connections).toBe(3);
      expect(lines.filter((line) => /failed \(no data for 0\.3 s\); trying again in 0\.1 s \([23] of 3\)/.test(line))).toHaveLength(2);
      // Every try's connection was torn down, not left open.
      await expect.poll(() => hole.open()).toBe(0);
    } finally {
      await hole.close();
    }
  });

  it('tries 5xx, 408 and 429 again (following redirects), then downloads and caches the client', async () => {
    const path = `/${arch}/docker-${version}.tgz`;
    const mirror = await server({
      [`/moved${path}`]: [(response) => response.writeHead(302, { location: path }).end()],
      [path]: [status(503), status(429), file],
      [`/other/${arch}/`]: [status(408), status(500)],
    });
    try {
      const cli = await fetchCli(`${mirror.url}/moved`, { lines: [] });
      expect(cli.source).toBe('download');
      expect(await cli.version).toBe(version);
      expect(cli.path).toBe(join(dir, 'tool-cache', 'docker', version, process.arch, 'docker'));
      expect(mirror.requests).toEqual([`/moved${path}`, path, `/moved${path}`, path, `/moved${path}`, path]);

      // 408 then 500 on every try: the status, after 3 tries.
      const error = await fetchCli(`${mirror.url}/other`, { dockerVersion: 'latest' }).catch((caught: unknown) => caught);
      expect(String(error)).toMatch(new RegExp(`Downloading ${mirror.url}/other/${arch}/ \\(input "docker-download-url"\\) failed: HTTP 500 \\(3 tries\\)\\.`));
    } finally {
      await mirror.close();
    }
  });

  it('counts the idle timeout from the last data: a download that stalls mid-body fails, one that keeps coming does not', async () => {
    const stalls = fresh();
    const slow = fresh();
    const slowArchive = scriptArchive(`echo "Docker version ${slow}, build unit"`, dir);
    const mirror = await server({
      // Half the body, then nothing.
      [`/${arch}/docker-${stalls}.tgz`]: [(response) => response.writeHead(200, { 'content-length': archive.length }).write(archive.subarray(0, archive.length >> 1))],
      // The whole body in 5 parts 0.2 s apart: 0.8 s in all, but never 0.3 s without data.
      [`/${arch}/docker-${slow}.tgz`]: [
        (response) => {
          response.writeHead(200, { 'content-length': slowArchive.length });
          const part = Math.ceil(slowArchive.length / 5);
          let sent = 0;
          const more = () => {
            response.write(slowArchive.subarray(sent, sent + part));
            sent += part;
            if (sent < slowArchive.length) setTimeout(more, 200);
            else response.end();
          };
          more();
        },
      ],
    });
    try {
      const error = await fetchCli(mirror.url, { dockerVersion: stalls }).catch((caught: unknown) => caught);
      expect(String(error)).toMatch(/cannot be reached \(no data for 0\.3 s; 3 tries\)\./);
      const cli = await fetchCli(mirror.url, { dockerVersion: slow });
      expect(await cli.version).toBe(slow);
      expect(mirror.requests.length).toBe(4);
    } finally {
      await mirror.close();
    }
  });

  it('does not try a 404 or another 4xx again', async () => {
    const other = fresh();
    const mirror = await server({ [`/forbidden/${arch}/docker-${other}.tgz`]: [status(403)] });
    try {
      const started = performance.now();
      const missing = await fetchCli(mirror.url, { dockerVersion: '29.9.9', policy: { ...quick, pauseMs: [5_000, 5_000] } }).catch((caught: unknown) => caught);
      expect(String(missing)).toMatch(new RegExp(`docker-version 29\\.9\\.9 is not at ${mirror.url}/${arch}/docker-29\\.9\\.9\\.tgz \\(HTTP 404\\)\\.$`));
      const forbidden = await fetchCli(`${mirror.url}/forbidden`, { dockerVersion: other, policy: { ...quick, pauseMs: [5_000, 5_000] } }).catch((caught: unknown) => caught);
      expect(String(forbidden)).toMatch(/failed: HTTP 403\.$/);
      expect((performance.now() - started) / 1000).toBeLessThan(2);
      expect(mirror.requests).toHaveLength(2);
    } finally {
      await mirror.close();
    }
  });

  it('stops at once when cancelled: mid-request (closing the connection) and in a pause between tries', async () => {
    const hole = await startBlackhole();
    const other = fresh();
    const mirror = await server({ [`/${arch}/docker-${other}.tgz`]: [status(502)] });
    try {
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 200);
      const error = await fetchCli(hole.url, { dockerVersion: other, signal: controller.signal, policy: DOWNLOAD_POLICY }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CancelledError);
      expect(String(error)).toMatch(/Cancelled while downloading the docker CLI\./);
      expect((performance.now() - started) / 1000).toBeLessThan(1);
      await expect.poll(() => hole.open()).toBe(0);

      const pausing = new AbortController();
      const lines: string[] = [];
      const second = performance.now();
      setTimeout(() => pausing.abort(), 300);
      const paused = await fetchCli(mirror.url, { dockerVersion: other, signal: pausing.signal, lines, policy: { ...quick, pauseMs: [20_000, 20_000] } }).catch((caught: unknown) => caught);
      expect(paused).toBeInstanceOf(CancelledError);
      expect((performance.now() - second) / 1000).toBeLessThan(1);
      expect(lines.join('\n')).toMatch(/HTTP 502\); trying again in 20\.0 s/);
      // Nothing left in the temporary directory, nothing cached.
      expect(existsSync(join(dir, 'tool-cache', 'docker', other))).toBe(false);
      expect(readdirSync(dir).filter((name) => name.startsWith('setup-dind-docker-cli-'))).toEqual([]);
    } finally {
      await hole.close();
      await mirror.close();
    }
  });

  it('gives each try 30 s without data, 3 tries, 2-4 s apart', () => {
    expect(DOWNLOAD_POLICY).toEqual({ attempts: 3, idleTimeoutMs: 30_000, pauseMs: [2_000, 4_000] });
  });
});
