import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bindsProblem,
  bindVolumeDevice,
  checkContainerMounts,
  hostPathsOf,
  mountedProblem,
  mountSources,
  parseMountInfo,
  restartPolicyName,
  volumeProblem,
  type MountCheckContext,
  type VolumeLookup,
} from '../../src/dood/mount-check.js';
import type { JsonAnswer } from '../../src/dood/json.js';

/** A container's inspect JSON as dockerd 20.10 answers it (trimmed): Binds and Mounts as sent, Mounts[] as the daemon recorded them. */
function inspectOf(binds: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const mounts = binds.map((spec) => {
    const [source, destination] = spec.split(':') as [string, string];
    return source.startsWith('/')
      ? { Type: 'bind', Source: source.replace(/\/+$/, ''), Destination: destination, Mode: '', RW: true, Propagation: 'rprivate' }
      : { Type: 'volume', Name: source, Source: `/var/lib/docker/volumes/${source}/_data`, Destination: destination, Driver: 'local', Mode: 'z', RW: true };
  });
  return { Id: ID, State: { Status: 'created', Pid: 0 }, HostConfig: { Binds: binds, RestartPolicy: { Name: 'no' } }, Mounts: mounts, ...extra };
}

const ID = '427b45655b5b7fb32eb5ee1f26e728e37da0f72970ab833f74c0ba0028f64922';

function volumes(answers: Record<string, JsonAnswer>): VolumeLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    inspect: async (kind, ref) => {
      asked.push(`${kind} ${ref}`);
      return answers[ref] ?? { status: 404, json: { message: 'no such volume' } };
    },
  };
}

describe('mountSources', () => {
  it('reads Mounts[] (what the daemon will mount) and HostConfig.Binds/Mounts, each source once', () => {
    const inspect = {
      HostConfig: {
        Binds: ['/w/./a/:/a:ro', 'vol:/v', 'anonymous-target-only'],
        Mounts: [
          { Type: 'bind', Source: '/w/b/', Target: '/b' },
          { Type: 'volume', Target: '/anon' },
          { Type: 'tmpfs', Target: '/t' },
        ],
      },
      Mounts: [
        { Type: 'bind', Source: '/w/a', Destination: '/a' },
        { Type: 'volume', Name: 'vol', Source: '/var/lib/docker/volumes/vol/_data', Destination: '/v' },
        { Type: 'bind', Source: '/w/b', Destination: '/b' },
        { Type: 'volume', Name: '5fbc', Source: '/var/lib/docker/volumes/5fbc/_data', Destination: '/anon' },
      ],
    };
    expect(mountSources(inspect)).toEqual([
      { kind: 'bind', source: '/w/a', destination: '/a' },
      { kind: 'volume', source: 'vol', destination: '/v' },
      { kind: 'bind', source: '/w/b', destination: '/b' },
      { kind: 'volume', source: '5fbc', destination: '/anon' },
    ]);
    // Field names in any case, a HostConfig without Mounts[] (an old daemon), and nothing at all.
    expect(mountSources({ hostconfig: { binds: ['/x:/y'] } })).toEqual([{ kind: 'bind', source: '/x' }]);
    expect(mountSources(undefined)).toEqual([]);
  });
});

describe('bindsProblem: bind sources resolved now, on real directories and links', () => {
  let dir: string;
  let root: string;
  let context: MountCheckContext;

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'setup-dind-mount-check-')));
    root = join(dir, 'work');
    mkdirSync(join(root, 'a', 'deeper'), { recursive: true });
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'docker.sock'), '');
    context = { policy: 'strict', allowedBindRoots: [root], socketPaths: [join(dir, 'docker.sock')] };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes directories under the roots, and links that stay there (relative, in the middle of the path)', () => {
    symlinkSync('a', join(root, 'rel'));
    symlinkSync(join(root, 'a'), join(root, 'abs'));
    const inspect = inspectOf([`${root}/a:/a`, `${root}/rel/deeper:/b`, `${root}/abs/deeper:/c`, `${root}/missing/x:/d`, 'vol:/v']);
    expect(bindsProblem(inspect, context)).toBeUndefined();
  });

  it('refuses a source swapped for a link out of the roots after a first check, naming where it leads now', () => {
    const inspect = inspectOf([`${root}/a:/a`]);
    expect(bindsProblem(inspect, context)).toBeUndefined();
    renameSync(join(root, 'a'), join(root, 'a.moved'));
    symlinkSync('/', join(root, 'a'));
    const refusal = bindsProblem(inspect, context);
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toBe(
      `setup-dind dood-policy strict: bind mount of ${root}/a (which now resolves to /) is not allowed (it holds the host's Docker socket ${dir}/docker.sock: a container holding it controls the host)`,
    );
  });

  it('refuses a link in the middle of the path, a relative one climbing out, and one onto the socket', () => {
    symlinkSync(join(dir, 'outside'), join(root, 'mid'));
    expect(bindsProblem(inspectOf([`${root}/mid/x:/x`]), context)?.message).toMatch(`bind mount of ${root}/mid/x (which now resolves to ${dir}/outside/x)`);
    symlinkSync('../outside', join(root, 'up'));
    expect(bindsProblem(inspectOf([`${root}/up:/x`]), context)?.message).toMatch(/only paths under/);
    symlinkSync('../docker.sock', join(root, 'sock'));
    expect(bindsProblem(inspectOf([`${root}/sock:/var/run/docker.sock`]), { ...context, allowedBindRoots: [dir] })?.message).toMatch(
      /is the host's Docker socket/,
    );
  });

  it('checks HostConfig.Mounts binds too, and nothing outside strict', () => {
    symlinkSync('/etc', join(root, 'etc'));
    const inspect = { HostConfig: { Mounts: [{ Type: 'bind', Source: `${root}/etc`, Target: '/e' }] } };
    expect(bindsProblem(inspect, context)?.message).toMatch(`${root}/etc (which now resolves to /etc)`);
    expect(bindsProblem(inspect, { ...context, policy: 'no-privileged' })).toBeUndefined();
    expect(bindsProblem({ Mounts: [{ Type: 'bind', Source: 'relative', Destination: '/r' }] }, context)?.message).toMatch(/must be an absolute path/);
  });

  it('in a job container: resolved through its mounts, an absolute link meaning the host path', () => {
    // The proxy sees the job's container: the host's /home/runner/work is at `root` for it.
    const inContainer: MountCheckContext = {
      policy: 'strict',
      allowedBindRoots: ['/home/runner/work/repo'],
      socketPaths: ['/var/run/docker.sock'],
      pathMap: [{ containerPath: root, hostPath: '/home/runner/work' }],
    };
    mkdirSync(join(root, 'repo', 'src'), { recursive: true });
    symlinkSync('/home/runner/work/repo/src', join(root, 'repo', 'host-link'));
    expect(bindsProblem(inspectOf(['/home/runner/work/repo/host-link:/s']), inContainer)).toBeUndefined();
    // A link to the job container's view of the same directory is, on the host, a path outside the roots.
    symlinkSync(join(root, 'repo', 'src'), join(root, 'repo', 'view-link'));
    expect(bindsProblem(inspectOf(['/home/runner/work/repo/view-link:/s']), inContainer)?.message).toMatch(/only paths under \/home\/runner\/work\/repo/);
    symlinkSync('/var/run', join(root, 'repo', 'run'));
    expect(bindsProblem(inspectOf(['/home/runner/work/repo/run/docker.sock:/s']), inContainer)?.message).toMatch(/is the host's Docker socket/);
    // Under the roots lexically, but the proxy cannot see what is there: refused, not guessed.
    const blind = { ...inContainer, allowedBindRoots: ['/home/runner/work/repo', '/srv/cache'] };
    expect(bindsProblem(inspectOf(['/srv/cache/x:/s']), blind)?.message).toMatch(/the proxy cannot see \/srv on the host/);
  });

  it('volumes that are local binds: their device resolved now; others as at create; fail closed when the daemon cannot say', async () => {
    const lookup = volumes({
      cache: { status: 200, json: { Name: 'cache', Driver: 'local', Options: { type: 'none', o: 'bind', device: `${root}/a` } } },
      plain: { status: 200, json: { Name: 'plain', Driver: 'local', Options: null } },
      mem: { status: 200, json: { Name: 'mem', Driver: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } } },
      disk: { status: 200, json: { Name: 'disk', Driver: 'local', Options: { type: 'ext4', device: '/dev/sda1' } } },
      odd: { status: 500, json: { message: 'boom' } },
      rel: { status: 200, json: { Name: 'rel', Driver: 'local', Options: { o: 'bind', device: 'etc' } } },
    });
    const volumeInspect = (...names: string[]) => inspectOf(names.map((name) => `${name}:/${name}`));
    expect(await checkContainerMounts(volumeInspect('cache', 'plain', 'mem', 'gone'), context, lookup)).toBeUndefined();
    expect(lookup.asked).toEqual(['volume cache', 'volume plain', 'volume mem', 'volume gone']);
    expect((await checkContainerMounts(volumeInspect('disk'), context, lookup))?.message).toMatch(/volume disk of type ext4/);
    expect((await checkContainerMounts(volumeInspect('odd'), context, lookup))?.message).toMatch(/did not describe it \(status 500\)/);
    expect((await volumeProblem('rel', context, lookup))?.message).toMatch(/must be an absolute path/);
    renameSync(join(root, 'a'), join(root, 'a.moved'));
    symlinkSync(join(dir, 'outside'), join(root, 'a'));
    expect((await checkContainerMounts(volumeInspect('cache'), context, lookup))?.message).toBe(
      `setup-dind dood-policy strict: volume cache binding ${root}/a (which now resolves to ${dir}/outside) is not allowed (only paths under ${root} may be bound)`,
    );
    // A bind is refused before any volume is looked up.
    expect((await checkContainerMounts(inspectOf([`${root}/a:/a`, 'odd:/o']), context, lookup))?.message).toMatch(/bind mount of/);
    expect(await checkContainerMounts(volumeInspect('disk'), { ...context, policy: 'none' }, lookup)).toBeUndefined();
  });

  it('bindVolumeDevice: only the local driver with o=bind or rbind', () => {
    expect(bindVolumeDevice('local', { o: 'rbind,ro', device: '/d' })).toBe('/d');
    expect(bindVolumeDevice(undefined, { o: 'bind', device: '/d' })).toBe('/d');
    expect(bindVolumeDevice('nfs', { o: 'bind', device: '/d' })).toBeUndefined();
    expect(bindVolumeDevice('local', { type: 'tmpfs', device: 'tmpfs' })).toBeUndefined();
  });
});

// The mount tables of a busybox container (dockerd 20.10, cgroup v1) and of the host, as read on the test machine, trimmed.
const HOST_TABLE = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw',
  '40 27 0:27 / /run rw,nosuid shared:5 - tmpfs tmpfs rw',
  '33 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '45 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw',
  '51 45 254:0 /work/cache /var/lib/docker/volumes/cache/_data rw,relatime shared:3 - ext4 /dev/vda rw',
  `60 45 0:40 / /var/lib/docker/overlay2/9b9f/merged rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/S`,
  `61 45 0:48 / /var/lib/docker/containers/${ID}/mounts/shm rw - tmpfs shm rw`,
].join('\n');

function containerTable(binds: string[]): string {
  return [
    '79 53 0:40 / / rw,relatime master:2 - overlay overlay rw,lowerdir=x',
    '80 79 0:43 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
    '81 79 0:44 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
    `84 83 0:29 /docker/${ID} /sys/fs/cgroup/cpu ro,nosuid - cgroup cgroup rw,cpu`,
    '85 81 0:48 / /dev/shm rw,nosuid - tmpfs shm rw',
    ...binds,
    `96 79 254:0 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw`,
    `97 79 254:0 /var/lib/docker/containers/${ID}/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw`,
    '98 80 0:43 /bus /proc/bus ro,nosuid - proc proc rw',
    '99 80 0:44 /null /proc/keys rw,nosuid - tmpfs tmpfs rw',
  ].join('\n');
}

describe('mountedProblem: what the daemon mounted, judged by the mount tables', () => {
  const context: MountCheckContext = { policy: 'strict', allowedBindRoots: ['/work'], socketPaths: ['/var/run/docker.sock'] };
  const running = (extra: Record<string, unknown> = {}) =>
    inspectOf(['/work/a:/a', 'cache:/c', 'plain:/p'], {
      State: { Status: 'running', Pid: 4242 },
      GraphDriver: { Data: { MergedDir: '/var/lib/docker/overlay2/9b9f/merged' } },
      HostsPath: `/var/lib/docker/containers/${ID}/hosts`,
      HostnamePath: `/var/lib/docker/containers/${ID}/hostname`,
      ResolvConfPath: `/var/lib/docker/containers/${ID}/resolv.conf`,
      ...extra,
    });
  const tables = (binds: string[]) => ({
    container: (pid: number) => (pid === 4242 ? containerTable(binds) : undefined),
    own: () => HOST_TABLE,
  });
  const legit = [
    '90 79 254:0 /work/a /a rw,relatime - ext4 /dev/vda rw',
    '91 79 254:0 /work/cache /c rw,relatime master:3 - ext4 /dev/vda rw',
    '92 79 254:0 /var/lib/docker/volumes/plain/_data /p rw,relatime - ext4 /dev/vda rw',
  ];

  it('parseMountInfo: optional fields, escapes, a deleted root', () => {
    expect(parseMountInfo('90 79 254:0 /work/my\\040dir//deleted /a\\134b rw shared:1 master:2 - ext4 /dev/vda rw\nnot a line')).toEqual([
      { device: '254:0', root: '/work/my dir', mountPoint: '/a\\b', type: 'ext4' },
    ]);
  });

  it('hostPathsOf: every host mount of the file system that holds the root', () => {
    const host = parseMountInfo(HOST_TABLE);
    expect(hostPathsOf({ device: '254:0', root: '/work/cache', mountPoint: '/c', type: 'ext4' }, host)).toEqual([
      '/work/cache',
      '/var/lib/docker/volumes/cache/_data',
    ]);
    expect(hostPathsOf({ device: '254:0', root: '/var/lib/docker/x', mountPoint: '/x', type: 'ext4' }, host)).toEqual(['/var/lib/docker/x']);
    expect(hostPathsOf({ device: '0:43', root: '/', mountPoint: '/proc', type: 'proc' }, host)).toEqual([]);
  });

  it('passes binds under the roots, the daemon’s own mounts, cgroups and file systems the host does not show', () => {
    expect(mountedProblem(running(), context, tables(legit))).toEqual({ ok: true, checked: 8 });
  });

  it('refuses a bind that mounted / (swapped for a link, and back, after the check), whatever its destination', () => {
    const swapped = ['90 79 254:0 / /a rw,relatime - ext4 /dev/vda rw', ...legit.slice(1)];
    const verdict = mountedProblem(running(), context, tables(swapped));
    expect(verdict).toEqual({
      refusal: expect.objectContaining({
        status: 403,
        message:
          "setup-dind dood-policy strict: the mount at /a in the container is not allowed (the daemon mounted the host's / there: a bind source led there when it was mounted, through a link put in after its check; it holds the host's Docker socket /var/run/docker.sock: a container holding it controls the host)",
      }),
    });
    // An image can make /a a link, so the bind lands elsewhere: every entry is judged, not the destinations.
    const elsewhere = ['90 79 254:0 /etc /x/a rw,relatime - ext4 /dev/vda rw', ...legit.slice(1)];
    expect(mountedProblem(running(), context, tables(elsewhere))).toHaveProperty('refusal.message', expect.stringMatching(/mounted the host's \/etc there/));
  });

  it('refuses a bind volume whose device was swapped: its _data directory on the host does not excuse it', () => {
    const swapped = [legit[0]!, '91 79 254:0 /etc /c rw,relatime master:3 - ext4 /dev/vda rw', legit[2]!];
    const host = `${HOST_TABLE}\n52 45 254:0 /etc /var/lib/docker/volumes/cache/_data rw - ext4 /dev/vda rw`;
    expect(mountedProblem(running(), context, { ...tables(swapped), own: () => host })).toHaveProperty('refusal.message', expect.stringMatching(/the host's \/etc there/));
  });

  it('refuses the socket, and the host file system at an unknown spot', () => {
    const socket = [...legit, '93 79 0:27 /docker.sock /s rw - tmpfs tmpfs rw'];
    expect(mountedProblem(running(), context, tables(socket))).toHaveProperty('refusal.message', expect.stringMatching(/the host's \/run\/docker.sock there/));
    const cgroupOfAnother = [...legit, '94 79 0:29 /docker/0123456789abcdef /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu'];
    expect(mountedProblem(running(), context, tables(cgroupOfAnother))).toHaveProperty('refusal');
  });

  it('of the container’s own directory, only the files the daemon mounts pass: not its hostconfig.json', () => {
    const own = [...legit, `93 79 254:0 /var/lib/docker/containers/${ID} /x rw - ext4 /dev/vda rw`];
    expect(mountedProblem(running(), context, tables(own))).toHaveProperty('refusal.message', expect.stringContaining(`the host's /var/lib/docker/containers/${ID} there`));
    const volumes = [...legit, '94 79 254:0 /var/lib/docker/volumes /x rw - ext4 /dev/vda rw'];
    expect(mountedProblem(running(), context, tables(volumes))).toHaveProperty('refusal');
  });

  it('passes the daemon\'s init binary (--init) at /sbin/docker-init, nothing else there or elsewhere', () => {
    const init = [...legit, '95 79 254:0 /usr/bin/tini-static /sbin/docker-init ro,relatime - ext4 /dev/vda rw'];
    expect(mountedProblem(running(), context, tables(init))).toEqual({ ok: true, checked: 9 });
    const shadow = [...legit, '95 79 254:0 /etc/shadow /sbin/docker-init ro,relatime - ext4 /dev/vda rw'];
    expect(mountedProblem(running(), context, tables(shadow))).toHaveProperty('refusal.message', expect.stringContaining("the host's /etc/shadow there"));
    const elsewhere = [...legit, '95 79 254:0 /usr/bin/tini-static /x rw - ext4 /dev/vda rw'];
    expect(mountedProblem(running(), context, tables(elsewhere))).toHaveProperty('refusal');
  });

  it('says when it cannot look: not running, no table, or a job container', () => {
    expect(mountedProblem(inspectOf(['/work/a:/a']), context, tables(legit))).toEqual({ unverified: 'the container does not run' });
    expect(mountedProblem(running({ State: { Pid: 7 } }), context, tables(legit))).toEqual({ unverified: 'cannot read /proc/7/mountinfo' });
    expect(mountedProblem(running(), { ...context, pathMap: [] }, tables(legit))).toHaveProperty('unverified', expect.stringMatching(/job's container/));
    expect(mountedProblem('nothing', context, tables(legit))).toEqual({ unverified: 'no container' });
  });
});

describe('restartPolicyName', () => {
  it('is no unless the HostConfig names another', () => {
    expect(restartPolicyName({ RestartPolicy: { Name: 'always' } })).toBe('always');
    expect(restartPolicyName({ restartpolicy: { name: 'on-failure', MaximumRetryCount: 2 } })).toBe('on-failure');
    expect(restartPolicyName({ RestartPolicy: { Name: '' } })).toBe('no');
    expect(restartPolicyName({})).toBe('no');
  });
});
