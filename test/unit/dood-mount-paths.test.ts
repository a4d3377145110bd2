import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerPathOf, resolveExisting, resolveThroughMounts, translateHostPath, type PathMapping } from '../../src/dood/paths.js';

describe('containerPathOf', () => {
  const map: PathMapping[] = [
    { containerPath: '/__w', hostPath: '/home/runner/work' },
    { containerPath: '/__w/_temp', hostPath: '/home/runner/tmp' },
    { containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' },
  ];

  it('reverses translateHostPath, the longest hostPath first', () => {
    expect(containerPathOf('/home/runner/work/repo/src', map)).toBe('/__w/repo/src');
    expect(containerPathOf('/home/runner/tmp/x', map)).toBe('/__w/_temp/x');
    expect(containerPathOf('/home/runner/work', map)).toBe('/__w');
    expect(containerPathOf('/var/run/docker.sock', map)).toBe('/var/run/docker.sock');
    for (const path of ['/home/runner/work/repo/src', '/home/runner/tmp/x']) expect(translateHostPath(containerPathOf(path, map)!, map)).toBe(path);
  });

  it('is undefined for host paths the container does not see, also where a deeper mount of the container covers the spot', () => {
    expect(containerPathOf('/etc', map)).toBeUndefined();
    expect(containerPathOf('/home/runner', map)).toBeUndefined();
    expect(containerPathOf('relative', map)).toBeUndefined();
    // /__w/_temp in the container is /home/runner/tmp, not the host's /home/runner/work/_temp.
    expect(containerPathOf('/home/runner/work/_temp/x', map)).toBeUndefined();
  });
});

describe('resolveThroughMounts: links followed as the host kernel will, seen through the job container mounts', () => {
  let dir: string;
  let view: string; // what the proxy sees as the job container's /__w
  let map: PathMapping[];
  const H = '/home/runner/work';

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'setup-dind-mount-paths-')));
    view = join(dir, 'view');
    mkdirSync(join(view, 'repo', 'real', 'sub'), { recursive: true });
    // The proxy sees the job container's file system: /__w is at `view` for it, /home/runner/work on the host.
    map = [{ containerPath: view, hostPath: H }];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory resolves to itself, missing components are kept as they are', () => {
    expect(resolveThroughMounts(`${H}/repo/real`, map)).toEqual({ path: `${H}/repo/real` });
    expect(resolveThroughMounts(`${H}/repo/./real/missing/deeper/`, map)).toEqual({ path: `${H}/repo/real/missing/deeper` });
    expect(resolveThroughMounts(H, map)).toEqual({ path: H });
  });

  it('a relative link in the middle of the path, and .. after a link goes up from its target', () => {
    symlinkSync('real', join(view, 'repo', 'mid'));
    symlinkSync('real/sub', join(view, 'repo', 'deep'));
    expect(resolveThroughMounts(`${H}/repo/mid/sub/x`, map)).toEqual({ path: `${H}/repo/real/sub/x` });
    // The daemon cleans a source lexically first: this .. never sees the link.
    expect(resolveThroughMounts(`${H}/repo/deep/../x`, map)).toEqual({ path: `${H}/repo/x` });
    // In a link's target, .. goes up from what the kernel reached.
    symlinkSync('deep/..', join(view, 'repo', 'updeep'));
    expect(resolveThroughMounts(`${H}/repo/updeep/x`, map)).toEqual({ path: `${H}/repo/real/x` });
    symlinkSync('../../../..', join(view, 'repo', 'real', 'up'));
    expect(resolveThroughMounts(`${H}/repo/real/up/etc`, map).path).toBe('/home/etc');
  });

  it('an absolute target is a host path: translated again, never followed inside the container', () => {
    symlinkSync(`${H}/repo/real`, join(view, 'repo', 'abs'));
    expect(resolveThroughMounts(`${H}/repo/abs/sub`, map)).toEqual({ path: `${H}/repo/real/sub` });
    // A link to /etc means the host's /etc at mount time.
    symlinkSync('/etc', join(view, 'repo', 'etc'));
    expect(resolveThroughMounts(`${H}/repo/etc/passwd`, map)).toEqual({ path: '/etc/passwd', unseen: '/etc' });
    // A link to the path as the proxy sees it (the container's view) is not that directory on the host.
    symlinkSync(join(view, 'repo', 'real'), join(view, 'repo', 'viewpath'));
    const viaView = resolveThroughMounts(`${H}/repo/viewpath`, map);
    expect(viaView.path).toBe(join(view, 'repo', 'real'));
    expect(viaView.unseen).toBeDefined();
    // resolveExisting, which follows links where the proxy runs, would call it the workspace: the wrong namespace.
    expect(resolveExisting(join(view, 'repo', 'viewpath'))).toBe(join(view, 'repo', 'real'));
  });

  it('a chain of links through host paths, ending outside', () => {
    symlinkSync(`${H}/repo/hop2`, join(view, 'repo', 'hop1'));
    symlinkSync('/', join(view, 'repo', 'hop2'));
    expect(resolveThroughMounts(`${H}/repo/hop1/root/.ssh`, map)).toEqual({ path: '/root/.ssh', unseen: '/root' });
    expect(resolveThroughMounts(`${H}/repo/hop1`, map)).toEqual({ path: '/' });
  });

  it('directories above every mount are taken as they are; a loop of links gives up like the kernel', () => {
    expect(resolveThroughMounts('/home/runner', map)).toEqual({ path: '/home/runner' });
    expect(resolveThroughMounts('/opt/x', map)).toEqual({ path: '/opt/x', unseen: '/opt' });
    symlinkSync('b', join(view, 'repo', 'a'));
    symlinkSync('a', join(view, 'repo', 'b'));
    expect(resolveThroughMounts(`${H}/repo/a/x`, map).loop).toBe(true);
  });

  it('the reader is a seam: a link reader that fails means missing', () => {
    const reader = { readLink: (path: string) => (path.endsWith('/x') ? '/etc' : undefined) };
    expect(resolveThroughMounts(`${H}/x/y`, map, reader)).toEqual({ path: '/etc/y', unseen: '/etc' });
  });
});
