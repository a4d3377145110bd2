import { describe, expect, it } from 'vitest';
import { bindSourceProblem, hostSource, parseBind, socketPathVariants, volumeOptionsProblem, type BindContext } from '../../src/dood/binds.js';
import { Refused } from '../../src/dood/refused.js';

const STRICT: BindContext = { policy: 'strict', allowedBindRoots: ['/home/runner/work', '/tmp/job'], socketPaths: ['/var/run/docker.sock'] };

describe('host paths a container may mount', () => {
  it('bindSourceProblem and socketPathVariants', () => {
    expect(socketPathVariants(['/var/run/docker.sock', '/run/user/1000/docker.sock', 'relative'])).toEqual([
      '/var/run/docker.sock',
      '/run/docker.sock',
      '/run/user/1000/docker.sock',
      '/var/run/user/1000/docker.sock',
    ]);
    expect(bindSourceProblem('/tmp/job/x', STRICT)).toBeUndefined();
    expect(bindSourceProblem('/tmp/jobless', STRICT)).toMatch(/only paths under/);
    expect(bindSourceProblem('/x', { ...STRICT, allowedBindRoots: [] })).toBe('no bind roots are allowed');
  });

  it('parseBind tells binds from named and anonymous volumes', () => {
    expect(parseBind('/a:/b:ro')).toEqual({ kind: 'bind', source: '/a', rest: ':/b:ro' });
    expect(parseBind('vol:/b')).toEqual({ kind: 'volume', source: 'vol', rest: ':/b' });
    expect(parseBind('/anonymous')).toBeUndefined();
  });

  it('bindSourceProblem: the socket under an allowed root, a root holding it, relative roots ignored', () => {
    const everywhere = { ...STRICT, allowedBindRoots: ['/', 'relative'] };
    expect(bindSourceProblem('/run/docker.sock', everywhere)).toBe("it is the host's Docker socket: a container holding it controls the host");
    expect(bindSourceProblem('/var', everywhere)).toBe("it holds the host's Docker socket /var/run/docker.sock: a container holding it controls the host");
    expect(bindSourceProblem('/etc', everywhere)).toBeUndefined();
    expect(bindSourceProblem('/x', { ...STRICT, allowedBindRoots: ['relative'] })).toBe('no bind roots are allowed');
  });
});

describe('hostSource', () => {
  it('on the host: cleaned, resolved, and a note when a link leads elsewhere', () => {
    const notes: string[] = [];
    expect(hostSource('/a/./b/', STRICT, notes)).toBe('/a/b');
    expect(hostSource('/link/x', { ...STRICT, resolvePath: (path) => path.replace('/link', '/real') }, notes)).toBe('/real/x');
    expect(notes).toEqual(['bind source /link/x resolves to /real/x']);
  });

  it('in a container: translated through the mounts, and a 400 listing them when none covers the path', () => {
    const notes: string[] = [];
    const inContainer = { ...STRICT, pathMap: [{ containerPath: '/ws', hostPath: '/home/runner/work/r' }] };
    expect(hostSource('/ws/src', inContainer, notes)).toBe('/home/runner/work/r/src');
    expect(notes).toEqual(['translated bind source /ws/src -> /home/runner/work/r/src']);
    expect(() => hostSource('/opt', inContainer, notes)).toThrow(Refused);
    expect(() => hostSource('/opt', { ...inContainer, pathMap: [] }, notes)).toThrow(/can be bound: \(none\)$/);
  });
});

describe('volumeOptionsProblem', () => {
  it('strict only, local driver only, devices that are host paths only', () => {
    const bindEtc = { type: 'none', o: 'bind', device: '/etc' };
    expect(volumeOptionsProblem('local', bindEtc, { ...STRICT, policy: 'no-privileged' }, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem('nfs', bindEtc, STRICT, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem(undefined, { type: 'tmpfs', device: 'tmpfs', o: 'size=64m,uid=1000' }, STRICT, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem(undefined, { size: '1g' }, STRICT, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem('local', 'not an object', STRICT, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem('', bindEtc, STRICT, 'volume v')?.message).toBe(
      'setup-dind dood-policy strict: volume v binding /etc is not allowed (only paths under /home/runner/work, /tmp/job may be bound)',
    );
    expect(volumeOptionsProblem(undefined, { o: 'ro,bind', device: '/tmp/job/d' }, STRICT, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem('local', { device: '/dev/sda1' }, STRICT, 'volume v')?.message).toContain('volume v with device /dev/sda1 is not allowed (it mounts a host device');
  });

  // mount(2) gets type, o and device as they are: what is not allowed is refused, whatever its spelling.
  it.each([
    ['a disk by a relative device', { type: 'ext4', device: 'dev/sda1' }, 'of type ext4 is not allowed (it mounts a host device or file system'],
    ['overlay over host directories', { type: 'overlay', device: 'overlay', o: 'lowerdir=/etc:/root' }, 'of type overlay is not allowed'],
    ['a bind of a relative device (the daemon resolves it from its working directory)', { type: 'none', o: 'bind', device: 'var/run' }, 'binding "var/run" is not allowed (a bind device must be an absolute path'],
    ['an rbind of a host path', { type: 'none', o: 'rbind', device: '/etc' }, 'binding /etc is not allowed (only paths under'],
    ['a device without a type', { device: 'tmpfs' }, 'with device tmpfs is not allowed'],
    ['options without a device or type', { o: 'ro' }, 'with device (none) is not allowed'],
    ['tmpfs with an option naming a host path', { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,x=/etc' }, 'with option x=/etc is not allowed (it names a host path'],
  ])('strict refuses %s', (_, options, says) => {
    expect(volumeOptionsProblem('local', options, STRICT, 'volume v')?.message).toContain(says);
  });

  it('strict allows remote file systems, which name no host path', () => {
    expect(volumeOptionsProblem('local', { type: 'nfs', o: 'addr=10.0.0.1,rw', device: ':/export' }, STRICT, 'volume v')).toBeUndefined();
    expect(volumeOptionsProblem('local', { type: 'cifs', o: 'addr=10.0.0.2,username=u', device: '//10.0.0.2/share' }, STRICT, 'volume v')).toBeUndefined();
  });

  it('follows links on the host, but not in a container (the device is a host path as given)', () => {
    const link = { ...STRICT, resolvePath: (path: string) => path.replace('/tmp/job/link', '/etc') };
    expect(volumeOptionsProblem('local', { o: 'bind', device: '/tmp/job/link' }, link, 'volume v')?.message).toContain('binding /etc is not allowed');
    const inContainer = { ...link, pathMap: [{ containerPath: '/ws', hostPath: '/tmp/job' }] };
    expect(volumeOptionsProblem('local', { o: 'bind', device: '/tmp/job/link' }, inContainer, 'volume v')).toBeUndefined();
  });
});
