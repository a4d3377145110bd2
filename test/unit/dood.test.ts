import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownContainerMounts } from '../../src/docker/own-container.js';
import { bindRoots, checkSocket } from '../../src/modes/dood.js';
import { realDocker } from '../../src/docker/docker.js';

const ID = 'a'.repeat(64);
const MOUNTINFO = `610 590 0:55 / / rw,relatime master:1 - overlay overlay rw
620 610 254:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw
`;

describe('ownContainerMounts', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('is undefined outside a container', async () => {
    expect(await ownContainerMounts(realDocker(), { dockerHost: 'unix:///nonexistent.sock' }, '1 0 0:1 / / rw - ext4 /dev/vda rw\n')).toBeUndefined();
  });

  it('finds the container from its /etc/hostname mount and maps its mounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'setup-dind-unit-'));
    const socket = join(dir, 'docker.sock');
    const server = http.createServer((request, response) => {
      if (request.url === `/containers/${ID}/json`) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ Mounts: [{ Type: 'bind', Source: '/home/runner/work', Destination: '/__w' }, { Type: 'volume', Name: 'v' }] }));
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    expect(await ownContainerMounts(realDocker(), { dockerHost: `unix://${socket}` }, MOUNTINFO)).toEqual({
      id: ID,
      mounts: [{ containerPath: '/__w', hostPath: '/home/runner/work' }],
    });
    // A container this daemon does not know (e.g. a Kubernetes pod's): no mapping.
    expect(await ownContainerMounts(realDocker(), { dockerHost: `unix://${socket}` }, MOUNTINFO.replace(ID, 'b'.repeat(64)))).toBeUndefined();
  });
});

describe('checkSocket', () => {
  it('says how to mount a missing socket', async () => {
    await expect(checkSocket('/nonexistent/docker.sock', 1000, realDocker())).rejects.toThrow(/Input "socket": \/nonexistent\/docker\.sock does not exist/);
  });

  it('refuses a path that is not a socket', async () => {
    await expect(checkSocket('/etc/hostname', 1000, realDocker())).rejects.toThrow(/is not a unix socket/);
  });
});

describe('bindRoots (strict: where bind sources may come from)', () => {
  const workDir = '/tmp/setup-dind-abc123';

  it("is the job's own: workspace, RUNNER_TEMP, CI_PROJECT_DIR and its per-job directory", () => {
    expect(bindRoots({ GITHUB_WORKSPACE: '/home/runner/work/r/r', RUNNER_TEMP: '/home/runner/work/_temp' }, '/home/runner/work/_temp/setup-dind-x', '/tmp')).toEqual([
      '/home/runner/work/r/r',
      '/home/runner/work/_temp',
      '/home/runner/work/_temp/setup-dind-x',
    ]);
    expect(bindRoots({ CI_PROJECT_DIR: '/builds/g/p', CI_BUILDS_DIR: '/builds' }, workDir, '/tmp')).toEqual(['/builds/g/p', workDir]);
  });

  it('never the system temp dir, nor a directory that holds it, nor CI_BUILDS_DIR: other jobs keep their directories there', () => {
    expect(bindRoots({ RUNNER_TEMP: '/tmp', GITHUB_WORKSPACE: '/', CI_BUILDS_DIR: '/builds' }, workDir, '/tmp')).toEqual([workDir]);
    expect(bindRoots({ RUNNER_TEMP: '/tmp/./', CI_PROJECT_DIR: '/var/tmp' }, workDir, '/tmp')).toEqual([workDir]);
    expect(bindRoots({ GITHUB_WORKSPACE: '/dev' }, workDir, '/tmp')).toEqual([workDir]);
    expect(bindRoots({ GITHUB_WORKSPACE: '/var' }, '/var/tmp/setup-dind-x', '/var/tmp')).toEqual(['/var/tmp/setup-dind-x']);
    // A sibling whose name merely starts like the temp dir is not it.
    expect(bindRoots({ GITHUB_WORKSPACE: '/tmpwork' }, workDir, '/tmp')).toEqual(['/tmpwork', workDir]);
  });
});
