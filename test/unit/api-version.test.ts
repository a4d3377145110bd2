import { describe, expect, it } from 'vitest';
import { apiVersionError, apiVersionRefusal, compareVersions, pinnedRefusal } from '../../src/docker/api-version.js';
import { DockerCommandError } from '../../src/docker/docker-cli.js';

// The daemon's own words (moby's api/server/middleware/version.go), 20.10 through 29.
const TOO_OLD = 'Error response from daemon: client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version';
const TOO_NEW = 'Error response from daemon: client version 1.52 is too new. Maximum supported API version is 1.41';

describe('compareVersions', () => {
  it('compares numerically, not as text', () => {
    expect(compareVersions('1.9', '1.44')).toBe(-1);
    expect(compareVersions('1.44', '1.44')).toBe(0);
    expect(compareVersions('1.52', '1.41')).toBe(1);
    expect(compareVersions('2.0', '1.99')).toBe(1);
    expect(compareVersions('29.1.3', '29.1')).toBe(1);
  });
});

describe('apiVersionRefusal', () => {
  it('tells a too-old client from a too-old daemon', () => {
    expect(apiVersionRefusal(TOO_OLD)).toEqual({ client: '1.41', limit: '1.44', side: 'client' });
    expect(apiVersionRefusal(TOO_NEW)).toEqual({ client: '1.52', limit: '1.41', side: 'daemon' });
    expect(apiVersionRefusal('Error response from daemon: No such container: x')).toBeUndefined();
  });
});

describe('apiVersionError', () => {
  it('names the client as too old, with both versions and the ways out', () => {
    const error = apiVersionError(TOO_OLD, 'the DinD daemon')!;
    expect(error.message).toBe('The docker CLI is too old for the DinD daemon: it speaks Engine API 1.41, and the daemon accepts 1.44 and newer.');
    expect(error.hint).toMatch(/input "docker-version".*"min-api-version"/);
  });

  it('names the daemon as too old, and a pinned DOCKER_API_VERSION as the cause when it is set', () => {
    const error = apiVersionError(TOO_NEW, "the runner's Docker daemon", { DOCKER_API_VERSION: '1.52' })!;
    expect(error.message).toBe("The runner's Docker daemon is too old for the client's API version: the client asks for 1.52, and the daemon serves up to 1.41.");
    expect(error.hint).toMatch(/^DOCKER_API_VERSION=1\.52 pins a version this daemon does not serve/);
    expect(apiVersionError(TOO_OLD, 'x', { DOCKER_API_VERSION: '1.41' })!.hint).toMatch(/^DOCKER_API_VERSION=1\.41 pins the client below/);
  });

  it('is what any failing docker command reports, whichever command met the refusal', () => {
    const error = new DockerCommandError(['volume', 'ls'], { code: 1, stdout: '', stderr: TOO_OLD, output: TOO_OLD }, { DOCKER_HOST: 'tcp://127.0.0.1:2375' });
    expect(error.message).toMatch(/^The docker CLI is too old for the Docker daemon at tcp:\/\/127\.0\.0\.1:2375: it speaks Engine API 1\.41/);
    expect(error.hint).toBeDefined();
    const other = new DockerCommandError(['volume', 'ls'], { code: 1, stdout: '', stderr: 'Error: boom', output: '' });
    expect(other.message).toBe('docker volume ls failed (exit code 1): Error: boom');
  });
});

describe('pinnedRefusal', () => {
  it('words a DOCKER_API_VERSION outside the daemon\'s range as the daemon would, so the same error follows', () => {
    expect(apiVersionRefusal(pinnedRefusal('1.41', '1.44', '1.52'))).toEqual({ client: '1.41', limit: '1.44', side: 'client' });
    expect(apiVersionRefusal(pinnedRefusal('1.47', '1.24', '1.41'))).toEqual({ client: '1.47', limit: '1.41', side: 'daemon' });
    expect(pinnedRefusal('1.44', '1.24', '1.51')).toBe('');
  });

  it('blames the pin only when it is the refused version', () => {
    expect(apiVersionError(TOO_OLD, 'x', { DOCKER_API_VERSION: '' })!.hint).toMatch(/^Use a newer docker CLI/);
    expect(apiVersionError(TOO_OLD, 'x', { DOCKER_API_VERSION: '1.50' })!.hint).toMatch(/^Use a newer docker CLI/);
  });
});
