import { describe, expect, it } from 'vitest';
import {
  inspectContainerCreate,
  inspectExecCreate,
  inspectNetworkCreate,
  inspectStartBody,
  inspectVolumeCreate,
  scopePruneFilters,
  type InspectionContext,
} from '../../src/dood/inspect.js';
import { Refused } from '../../src/dood/refused.js';

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

  it('strict lists the containers a new one joins (namespaces, volumes, links), each pinned in the body to the ID it is checked as', () => {
    const inspected = create({ NetworkMode: 'container:db', PidMode: 'container:app', VolumesFrom: ['data:ro', 'logs'], Links: ['/cache:/me/cache', 'queue'] });
    expect(inspected.joins.map(({ ref, what }) => ({ ref, what }))).toEqual([
      { ref: 'db', what: '--network container:db' },
      { ref: 'app', what: '--pid container:app' },
      { ref: 'data', what: '--volumes-from data:ro' },
      { ref: 'logs', what: '--volumes-from logs' },
      { ref: 'cache', what: '--link /cache:/me/cache' },
      { ref: 'queue', what: '--link queue' },
    ]);
    for (const join of inspected.joins) join.pin({ id: `ID-${join.ref}`, name: `name-${join.ref}` });
    expect((inspected.body as { HostConfig: unknown }).HostConfig).toMatchObject({
      NetworkMode: 'container:ID-db',
      PidMode: 'container:ID-app',
      VolumesFrom: ['ID-data:ro', 'ID-logs'],
      // A link keeps the name: on a user network the daemon points the alias at the name it is given.
      Links: ['name-cache:/me/cache', 'name-queue'],
    });
    expect(inspectContainerCreate({ HostConfig: { NetworkMode: 'container:db' } }, context()).joins).toEqual([]);
  });

  it('strict lists the networks a new container joins: a network mode and the endpoints\' networks', () => {
    const inspected = inspectContainerCreate(
      { HostConfig: { NetworkMode: 'jobnet' }, NetworkingConfig: { EndpointsConfig: { jobnet: {}, other: { Aliases: ['x'] } } } },
      context({ policy: 'strict' }),
    );
    expect(inspected.networks).toEqual([
      { ref: 'jobnet', what: '--network jobnet' },
      { ref: 'jobnet', what: '--network jobnet' },
      { ref: 'other', what: '--network other' },
    ]);
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

describe('a volume device through links, when the job runs in a container', () => {
  // Found while splitting the proxy: a volume's device (a host path) was checked as given, never
  // resolved, while bind sources were resolved in the job's container first. A link the job makes in its
  // workspace (/__w/repo/link -> /) let a bind-type local volume mount any host path.
  it('in a container, strict refuses a volume whose device is a link out of the roots', () => {
    const ctx = context({
      policy: 'strict',
      allowedBindRoots: ['/home/runner/work'],
      pathMap: [{ containerPath: '/__w', hostPath: '/home/runner/work' }],
      resolvePath: (path) => (path === '/__w/repo/link' ? '/' : path),
    });
    expect(refusal(() => inspectContainerCreate({ HostConfig: { Binds: ['/__w/repo/link:/x'] } }, ctx)).status).toBe(400);
    expect(refusal(() => inspectVolumeCreate({ Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/home/runner/work/repo/link' } }, ctx)).message).toContain(
      "through links it leads out of the job container's mounts",
    );
    expect(() => inspectVolumeCreate({ Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/home/runner/work/repo/dir' } }, ctx)).not.toThrow();
  });
});
