import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanAbsolute, isWithin, resolveExisting, translateHostPath, type PathMapping } from '../../src/dood/paths.js';

describe('translateHostPath', () => {
  const map: PathMapping[] = [
    { containerPath: '/__w', hostPath: '/home/runner/work' },
    { containerPath: '/__w/_temp', hostPath: '/home/runner/tmp' },
    { containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' },
  ];

  it('maps a path under a mount, the longest containerPath winning', () => {
    expect(translateHostPath('/__w/repo/src', map)).toBe('/home/runner/work/repo/src');
    expect(translateHostPath('/__w/_temp/x', map)).toBe('/home/runner/tmp/x');
    expect(translateHostPath('/__w', map)).toBe('/home/runner/work');
    expect(translateHostPath('/var/run/docker.sock', map)).toBe('/var/run/docker.sock');
  });

  it('is undefined when no mount covers the path, for prefixes that are not whole components, and for relative paths', () => {
    expect(translateHostPath('/etc/passwd', map)).toBeUndefined();
    expect(translateHostPath('/__work', map)).toBeUndefined();
    expect(translateHostPath('__w/x', map)).toBeUndefined();
    expect(translateHostPath('/var/run', map)).toBeUndefined();
  });

  it('cleans the path first, so .. cannot climb out of a mount', () => {
    expect(translateHostPath('/__w/repo/../../etc', map)).toBeUndefined();
    expect(translateHostPath('/__w/repo/./a//b/', map)).toBe('/home/runner/work/repo/a/b');
    expect(translateHostPath('/__w/_temp/../repo', map)).toBe('/home/runner/work/repo');
  });

  it('handles a mount of / and trailing slashes in the map', () => {
    expect(translateHostPath('/data/x', [{ containerPath: '/', hostPath: '/srv/root/' }])).toBe('/srv/root/data/x');
    expect(translateHostPath('/ws/a', [{ containerPath: '/ws/', hostPath: '/h/ws' }])).toBe('/h/ws/a');
  });
});

describe('paths on this machine', () => {
  it('resolveExisting follows links in the existing prefix and keeps the missing rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'setup-dind-proxy-unit-'));
    try {
      mkdirSync(join(dir, 'real'));
      symlinkSync(join(dir, 'real'), join(dir, 'link'));
      symlinkSync('/etc', join(dir, 'etc'));
      const real = resolveExisting(dir);
      expect(resolveExisting(join(dir, 'link', 'missing', 'deeper'))).toBe(join(real, 'real', 'missing', 'deeper'));
      expect(resolveExisting(join(dir, 'etc', 'passwd'))).toBe(`${resolveExisting('/etc')}/passwd`);
      expect(resolveExisting(join(dir, 'real', '..', 'link'))).toBe(join(real, 'real'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cleanAbsolute and isWithin', () => {
  it('cleanAbsolute cleans like the daemon does bind sources, and is undefined for a relative path', () => {
    expect(cleanAbsolute('/a/./b//c/../d/')).toBe('/a/b/d');
    expect(cleanAbsolute('/')).toBe('/');
    expect(cleanAbsolute('//')).toBe('/');
    expect(cleanAbsolute('a/b')).toBeUndefined();
  });

  it('isWithin compares whole path components', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/a', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/anything', '/')).toBe(true);
  });
});
