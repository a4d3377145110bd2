import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bindSourceProblem,
  conflictingPort,
  explainPortConflict,
  inspectContainerCreate,
  inspectExecCreate,
  inspectNetworkCreate,
  inspectStartBody,
  inspectVolumeCreate,
  parseBind,
  scopePruneFilters,
  socketPathVariants,
  type InspectionContext,
} from '../../src/dood/proxy.js';
import { Refused } from '../../src/dood/refused.js';
import { resolveExisting, translateHostPath, type PathMapping } from '../../src/dood/paths.js';

const OURS = { 'setup-dind.owner': 'github:o/r/run/1', 'setup-dind.instance': 'abc' };

function context(overrides: Partial<InspectionContext> = {}): InspectionContext {
  return {
    labels: OURS,
    policy: 'none',
    allowedBindRoots: ['/home/runner/work', '/tmp/job'],
    socketPaths: ['/var/run/docker.sock'],
    ...overrides,
  };
}

/** The message of the Refused that `run` throws, with its status. */
function refusal(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof Refused) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

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

describe('labels', () => {
  it('adds the job labels to containers, networks and volumes, keeping the request labels, ours winning', () => {
    const container = inspectContainerCreate({ Image: 'busybox', Labels: { mine: '1', 'setup-dind.owner': 'spoofed' } }, context()).body;
    expect(container).toEqual({ Image: 'busybox', Labels: { mine: '1', ...OURS } });
    expect(inspectNetworkCreate({ Name: 'n' }, context()).body).toEqual({ Name: 'n', Labels: OURS });
    expect(inspectVolumeCreate({ Name: 'v', Labels: null }, context()).body).toEqual({ Name: 'v', Labels: OURS });
  });

  it('merges every spelling of Labels, as the daemon (case-insensitive, merging maps) would read them', () => {
    const body = inspectContainerCreate({ labels: { a: '1' }, LABELS: { b: '2', 'setup-dind.instance': 'x' } }, context()).body;
    expect(body).toEqual({ Labels: { a: '1', b: '2', ...OURS } });
  });

  it('labels volumes the container creates: anonymous and named --mount volumes, and named -v volumes to pre-create', () => {
    const inspected = inspectContainerCreate(
      {
        HostConfig: {
          Binds: ['cache:/cache', '/data'],
          VolumeDriver: 'local',
          Mounts: [
            { Type: 'volume', Target: '/anon' },
            { Type: 'volume', Source: 'named', Target: '/named', VolumeOptions: { Labels: { x: 'y' } } },
          ],
        },
      },
      context(),
    );
    const mounts = (inspected.body as { HostConfig: { Mounts: Array<{ VolumeOptions: { Labels: unknown } }> } }).HostConfig.Mounts;
    expect(mounts[0]!.VolumeOptions.Labels).toEqual(OURS);
    expect(mounts[1]!.VolumeOptions.Labels).toEqual({ x: 'y', ...OURS });
    expect(inspected.volumes).toEqual([
      { name: 'cache', driver: 'local' },
      { name: 'named', labels: { x: 'y', ...OURS } },
    ]);
  });

  it('leaves bodies that are not objects alone', () => {
    expect(inspectContainerCreate(null, context()).body).toBeNull();
    expect(inspectNetworkCreate([1], context()).body).toEqual([1]);
  });
});

describe('bind translation (the job runs in a container)', () => {
  const pathMap = [{ containerPath: '/workspace', hostPath: '/home/runner/work/repo' }];

  it('translates top-level (deprecated) Binds too', () => {
    expect(inspectContainerCreate({ Binds: ['/workspace/x:/x'] }, context({ pathMap })).body).toMatchObject({ Binds: ['/home/runner/work/repo/x:/x'] });
  });

  it('translates Binds and bind Mounts sources and notes each translation', () => {
    const inspected = inspectContainerCreate(
      {
        HostConfig: {
          Binds: ['/workspace/x:/data:ro', 'vol:/vol', '/anon'],
          Mounts: [{ Type: 'bind', Source: '/workspace/y', Target: '/y' }, { Type: 'tmpfs', Target: '/t' }],
        },
      },
      context({ pathMap }),
    );
    expect(inspected.body).toMatchObject({
      HostConfig: {
        Binds: ['/home/runner/work/repo/x:/data:ro', 'vol:/vol', '/anon'],
        Mounts: [{ Type: 'bind', Source: '/home/runner/work/repo/y', Target: '/y' }, { Type: 'tmpfs', Target: '/t' }],
      },
    });
    expect(inspected.notes).toEqual([
      'translated bind source /workspace/x -> /home/runner/work/repo/x',
      'translated bind source /workspace/y -> /home/runner/work/repo/y',
    ]);
  });

  it('refuses a source no mount covers with 400, naming it and the usable mounts', () => {
    const refused = refusal(() => inspectContainerCreate({ HostConfig: { Binds: ['/opt/x:/x'] } }, context({ pathMap })));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('bind source /opt/x is a path inside the job\'s container, which the host\'s Docker daemon cannot see');
    expect(refused.message).toContain('/workspace -> /home/runner/work/repo');
  });

  it('translates where a symbolic link leads, not where it is', () => {
    const inspected = inspectContainerCreate(
      { HostConfig: { Binds: ['/workspace/link:/x'] } },
      context({ pathMap, resolvePath: (path) => (path === '/workspace/link' ? '/workspace/real' : path) }),
    );
    expect(inspected.body).toMatchObject({ HostConfig: { Binds: ['/home/runner/work/repo/real:/x'] } });
    const escaped = refusal(() =>
      inspectContainerCreate({ HostConfig: { Binds: ['/workspace/link:/x'] } }, context({ pathMap, resolvePath: () => '/etc' })),
    );
    expect(escaped.message).toContain('bind source /workspace/link (resolves to /etc) is a path inside the job\'s container');
  });

  it('does not touch binds without a pathMap unless the policy is strict', () => {
    const body = { HostConfig: { Binds: ['/anything:/x'] } };
    expect(inspectContainerCreate(structuredClone(body), context({ policy: 'no-privileged' })).body).toMatchObject(body);
  });
});

describe('dood-policy', () => {
  const strict = context({ policy: 'strict' });
  const create = (hostConfig: Record<string, unknown>, ctx = strict) => inspectContainerCreate({ Image: 'busybox', HostConfig: hostConfig }, ctx);

  it('none allows everything; no-privileged refuses --privileged only', () => {
    expect(() => create({ Privileged: true, NetworkMode: 'host', Binds: ['/etc:/x'] }, context())).not.toThrow();
    expect(refusal(() => create({ Privileged: true }, context({ policy: 'no-privileged' })))).toEqual({
      status: 403,
      message: 'setup-dind dood-policy no-privileged: --privileged is not allowed (a privileged container has full access to the host)',
    });
    expect(() => create({ NetworkMode: 'host', Binds: ['/etc:/x'] }, context({ policy: 'no-privileged' }))).not.toThrow();
  });

  it('strict refuses host namespaces', () => {
    for (const [field, flag] of [
      ['NetworkMode', '--network host'],
      ['PidMode', '--pid host'],
      ['IpcMode', '--ipc host'],
      ['UTSMode', '--uts host'],
      ['UsernsMode', '--userns host'],
      ['CgroupnsMode', '--cgroupns host'],
    ] as const) {
      const refused = refusal(() => create({ [field]: 'host' }));
      expect(refused.status).toBe(403);
      expect(refused.message).toMatch(new RegExp(`^setup-dind dood-policy strict: ${flag} is not allowed \\(it shares `));
    }
    expect(() => create({ NetworkMode: 'bridge', PidMode: '', IpcMode: 'private' })).not.toThrow();
  });

  it('strict refuses binds outside the roots and of the socket or a directory holding it, after cleaning', () => {
    expect(refusal(() => create({ Binds: ['/etc:/x'] })).message).toBe(
      'setup-dind dood-policy strict: bind mount of /etc is not allowed (only paths under /home/runner/work, /tmp/job may be bound)',
    );
    expect(refusal(() => create({ Binds: ['/home/runner/work/../../../etc:/x'] })).message).toContain('bind mount of /home/runner/work/../../../etc (which resolves to /etc) is not allowed');
    expect(refusal(() => create({ Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] })).message).toContain('bind mount of / is not allowed');
    for (const source of ['/var/run/docker.sock', '/var/run', '/run', '/run/docker.sock', '/var']) {
      expect(refusal(() => create({ Binds: [`${source}:/x`] })).message, source).toMatch(/the host's Docker socket/);
    }
    // The socket inside an allowed root is still refused.
    const rooted = context({ policy: 'strict', allowedBindRoots: ['/'], socketPaths: ['/var/run/docker.sock'] });
    expect(refusal(() => create({ Binds: ['/var/run:/x'] }, rooted)).message).toMatch(/it holds the host's Docker socket/);
    expect(() => create({ Binds: ['/home/runner/work/repo:/src', 'named:/v'], Mounts: [{ Type: 'bind', Source: '/tmp/job/x', Target: '/x' }] })).not.toThrow();
  });

  it('strict checks where a symbolic link leads', () => {
    const ctx = context({ policy: 'strict', resolvePath: (path) => path.replace('/home/runner/work/link', '/etc') });
    expect(refusal(() => create({ Binds: ['/home/runner/work/link/ssl:/x'] }, ctx)).message).toContain(
      'bind mount of /home/runner/work/link/ssl (which resolves to /etc/ssl) is not allowed',
    );
  });

  it('strict checks translated host paths', () => {
    const ctx = context({ policy: 'strict', pathMap: [{ containerPath: '/ws', hostPath: '/home/runner/work/repo' }, { containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' }] });
    expect(() => create({ Binds: ['/ws/src:/src'] }, ctx)).not.toThrow();
    expect(refusal(() => create({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }, ctx)).message).toContain("it is the host's Docker socket");
  });

  it('strict refuses host capabilities, devices and unconfined security options', () => {
    expect(refusal(() => create({ CapAdd: ['NET_ADMIN', 'CAP_SYS_ADMIN'] })).message).toContain('--cap-add SYS_ADMIN is not allowed');
    expect(refusal(() => create({ CapAdd: ['all'] })).message).toContain('--cap-add ALL');
    expect(refusal(() => create({ Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' }] })).message).toContain('--device /dev/sda');
    expect(refusal(() => create({ DeviceCgroupRules: ['b *:* rwm'] })).message).toContain('--device-cgroup-rule');
    expect(refusal(() => create({ SecurityOpt: ['seccomp=unconfined'] })).message).toContain('--security-opt seccomp=unconfined');
    expect(refusal(() => create({ SecurityOpt: ['label=disable'] })).message).toContain('--security-opt label=disable');
    expect(() => create({ CapAdd: ['NET_ADMIN'], SecurityOpt: ['no-new-privileges'], Devices: [] })).not.toThrow();
  });

  it('strict lists the containers a new one joins, to check they are the job\'s own', () => {
    const inspected = create({ NetworkMode: 'container:db', PidMode: 'container:app', VolumesFrom: ['data:ro'] });
    expect(inspected.joins).toEqual([
      { ref: 'db', what: '--network container:db' },
      { ref: 'app', what: '--pid container:app' },
      { ref: 'data', what: '--volumes-from data:ro' },
    ]);
    expect(inspectContainerCreate({ HostConfig: { NetworkMode: 'container:db' } }, context()).joins).toEqual([]);
  });

  it('strict refuses volumes over host paths outside the roots and host devices', () => {
    expect(refusal(() => inspectVolumeCreate({ Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/etc' } }, strict)).message).toBe(
      'setup-dind dood-policy strict: volume v binding /etc is not allowed (only paths under /home/runner/work, /tmp/job may be bound)',
    );
    expect(refusal(() => inspectVolumeCreate({ Name: 'v', DriverOpts: { type: 'ext4', device: '/dev/sda1' } }, strict)).message).toContain('it mounts a host device');
    expect(() => inspectVolumeCreate({ Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/tmp/job/d' } }, strict)).not.toThrow();
    expect(() => inspectVolumeCreate({ Name: 'v', DriverOpts: { type: 'nfs', o: 'addr=10.0.0.1', device: ':/export' } }, strict)).not.toThrow();
    expect(
      refusal(() => create({ Mounts: [{ Type: 'volume', Target: '/x', VolumeOptions: { DriverConfig: { Name: 'local', Options: { o: 'bind', device: '/' } } } }] })).message,
    ).toContain('volume mount (anonymous) binding / is not allowed');
  });

  it('refuses privileged exec unless the policy is none', () => {
    expect(refusal(() => inspectExecCreate({ Cmd: ['sh'], Privileged: true }, context({ policy: 'no-privileged' }))).message).toBe(
      'setup-dind dood-policy no-privileged: exec --privileged is not allowed (a privileged process has full access to the host)',
    );
    expect(refusal(() => inspectExecCreate({ Privileged: true }, strict)).status).toBe(403);
    expect(() => inspectExecCreate({ Privileged: true }, context())).not.toThrow();
    expect(() => inspectExecCreate({ Privileged: false }, strict)).not.toThrow();
  });

  it('inspects a HostConfig sent to /start (old API versions still take one there)', () => {
    expect(refusal(() => inspectStartBody({ Privileged: true }, strict)).status).toBe(403);
    expect(() => inspectStartBody({}, strict)).not.toThrow();
  });

  it('reads field names case-insensitively like the daemon, and refuses a field named twice', () => {
    expect(refusal(() => inspectContainerCreate({ hostconfig: { privileged: true } }, strict)).status).toBe(403);
    expect(refusal(() => inspectContainerCreate({ HostConfig: { ſecurityOpt: ['apparmor=unconfined'] } }, strict)).status).toBe(403);
    expect(refusal(() => inspectContainerCreate({ HostConfig: { 'Networ\u212AMode': 'host' } }, strict)).status).toBe(403);
    // Daemons before API 1.44 take HostConfig fields from the top level too.
    expect(refusal(() => inspectContainerCreate({ Image: 'busybox', Privileged: true }, context({ policy: 'no-privileged' }))).status).toBe(403);
    expect(refusal(() => inspectContainerCreate({ Image: 'busybox', HostConfig: {}, Binds: ['/etc:/x'] }, strict)).message).toContain('bind mount of /etc');
    const twice = refusal(() => inspectContainerCreate({ HostConfig: {}, hostConfig: { Privileged: true } }, strict));
    expect(twice).toEqual({ status: 400, message: expect.stringContaining('names the field HostConfig more than once') });
  });
});

describe('prune', () => {
  it('strict scopes prune to the job\'s labels', () => {
    const query = new URLSearchParams(scopePruneFilters(`filters=${encodeURIComponent('{"until":{"1h":true},"label":{"a=b":true}}')}`, OURS));
    expect(JSON.parse(query.get('filters')!)).toEqual({
      until: { '1h': true },
      label: { 'a=b': true, 'setup-dind.owner=github:o/r/run/1': true, 'setup-dind.instance=abc': true },
    });
    expect(JSON.parse(new URLSearchParams(scopePruneFilters('', OURS)).get('filters')!).label).toEqual({
      'setup-dind.owner=github:o/r/run/1': true,
      'setup-dind.instance=abc': true,
    });
  });
});

describe('port conflicts', () => {
  const listed = [
    { Id: 'a'.repeat(64), Names: ['/web'], Ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }] },
    { Id: 'b'.repeat(64), Names: ['/dns'], Ports: [{ IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' }] },
  ];

  it('finds the address and port in the daemon\'s messages', () => {
    expect(conflictingPort('driver failed programming external connectivity on endpoint x (y): Bind for 127.0.0.1:8080 failed: port is already allocated')).toEqual({
      ip: '127.0.0.1',
      port: 8080,
      protocol: '',
    });
    expect(conflictingPort('Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use')).toEqual({ ip: '0.0.0.0', port: 8080, protocol: 'tcp' });
    expect(conflictingPort('Bind for [::]:9000 failed: port is already allocated')).toEqual({ ip: '::', port: 9000, protocol: '' });
    expect(conflictingPort('No such container: x')).toBeUndefined();
  });

  it('names the container publishing the port, or says none does', () => {
    expect(explainPortConflict('Bind for 127.0.0.1:8080 failed: port is already allocated', listed)).toBe(
      'Bind for 127.0.0.1:8080 failed: port is already allocated (the port is held by container web)',
    );
    expect(explainPortConflict('Bind for 0.0.0.0:8080 failed: port is already allocated', listed)).toMatch(/held by container web\)$/);
    expect(explainPortConflict('listen udp4 0.0.0.0:5353: bind: address already in use', listed)).toMatch(/held by container dns\)$/);
    expect(explainPortConflict('listen tcp4 10.0.0.1:8080: bind: address already in use', listed)).toMatch(/no container publishes host port 8080/);
    expect(explainPortConflict('something else', listed)).toBeUndefined();
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

  it('bindSourceProblem and socketPathVariants', () => {
    expect(socketPathVariants(['/var/run/docker.sock', '/run/user/1000/docker.sock', 'relative'])).toEqual([
      '/var/run/docker.sock',
      '/run/docker.sock',
      '/run/user/1000/docker.sock',
      '/var/run/user/1000/docker.sock',
    ]);
    expect(bindSourceProblem('/tmp/job/x', context({ policy: 'strict' }))).toBeUndefined();
    expect(bindSourceProblem('/tmp/jobless', context({ policy: 'strict' }))).toMatch(/only paths under/);
    expect(bindSourceProblem('/x', context({ policy: 'strict', allowedBindRoots: [] }))).toBe('no bind roots are allowed');
  });

  it('parseBind tells binds from named and anonymous volumes', () => {
    expect(parseBind('/a:/b:ro')).toEqual({ kind: 'bind', source: '/a', rest: ':/b:ro' });
    expect(parseBind('vol:/b')).toEqual({ kind: 'volume', source: 'vol', rest: ':/b' });
    expect(parseBind('/anonymous')).toBeUndefined();
  });
});
