import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
} from '../../src/core/docker-install.js';
import { silentLogger } from '../../src/core/context.js';
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

  it('refuses other systems than Linux, naming the input', () => {
    expect(() => dockerArch('arm64', 'darwin')).toThrow(/input "docker-download-url".*this runner is darwin/);
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

  it('prepends a downloaded CLI to the eval\'ing shell\'s PATH, and reads it back from the state file', () => {
    const dir = "/home/o'brien/.cache/setup-dind/tool-cache/docker/29.1.3/x64";
    const lines = exportLines({ DOCKER_HOST: 'unix:///var/run/docker.sock' }, [dir]);
    expect(lines).toBe(`export PATH='/home/o'\\''brien/.cache/setup-dind/tool-cache/docker/29.1.3/x64'":$PATH"\nexport DOCKER_HOST='unix:///var/run/docker.sock'\n`);
    const state = { exports: { DOCKER_HOST: 'unix:///var/run/docker.sock' }, plan: undefined, path: [dir] };
    expect(parseState(formatState(state))).toEqual(state);
  });
});
