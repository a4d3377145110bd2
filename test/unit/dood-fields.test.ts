import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BODY_TABLES, fieldPaths, fieldProblems, type BodyObject } from '../../src/dood/fields.js';
import type { Table } from '../../src/dood/fields/rules.js';
import { parseFirstJsonValue, type Json } from '../../src/dood/json.js';

const FIXTURES = 'test/fixtures/dood-bodies';

/** The refusal's message, or undefined when strict allows the body. */
function verdict(object: BodyObject, body: unknown): string | undefined {
  return fieldProblems(object, body)?.message;
}

function create(hostConfig: Json, top: Json = {}): Json {
  return { Image: 'busybox', ...top, HostConfig: hostConfig };
}

function expectRefused(object: BodyObject, body: unknown, ...parts: string[]): void {
  const message = verdict(object, body);
  expect(message, JSON.stringify(body)).toBeDefined();
  expect(message).toMatch(/^setup-dind dood-policy strict: .* is not allowed \(.*\)$/);
  for (const part of parts) expect(message).toContain(part);
}

function expectAllowed(object: BodyObject, body: unknown): void {
  expect(verdict(object, body), JSON.stringify(body)).toBeUndefined();
}

describe('the tables', () => {
  it('name each field once per object', () => {
    const seen = new Set<Table>();
    const visit = (table: Table) => {
      if (seen.has(table)) return;
      seen.add(table);
      const names = table.rows.map((row) => row.name.toLowerCase());
      expect(names.filter((name, index) => names.indexOf(name) !== index), table.name).toEqual([]);
      for (const { rule } of table.rows) if (rule.kind === 'object' || rule.kind === 'list' || rule.kind === 'map') visit(rule.table);
    };
    for (const table of Object.values(BODY_TABLES)) visit(table);
  });

  it('match the Engine API reference 1.41-1.51: every field, with the versions it exists in', () => {
    const api = JSON.parse(readFileSync('test/fixtures/dood-api-fields.json', 'utf8')) as {
      versions: string[];
      fields: Record<string, Record<string, { since?: string; until?: string }>>;
    };
    expect(api.versions[0]).toBe('1.41');
    expect(api.versions.at(-1)).toBe('1.51');
    for (const [object, reference] of Object.entries(api.fields)) {
      const rows = new Map(fieldPaths(object as BodyObject).map(({ path, row }) => [path, row]));
      /** A field under a row the tables do not walk into (refused-unless-empty, any, ...) is covered by it. */
      const coveredBy = (path: string) => [...rows.entries()].find(([prefix, row]) => path.startsWith(prefix) && /^[[{.]/.test(path.slice(prefix.length)) && !['object', 'list', 'map'].includes(row.rule.kind));
      for (const [path, versions] of Object.entries(reference)) {
        const row = rows.get(path);
        if (row) expect({ path, since: row.since, until: row.until }).toEqual({ path, ...versions });
        else expect(coveredBy(path), `${object} ${path}`).toBeDefined();
      }
      for (const [path, row] of rows) {
        if (!(path in reference)) expect(row.note, `${object} ${path} is not in the reference: say why in a note`).toBeDefined();
      }
    }
  });

  it('give every refusal a reason and every elsewhere a name', () => {
    for (const object of Object.keys(BODY_TABLES) as BodyObject[]) {
      for (const { path, row } of fieldPaths(object)) {
        if (row.rule.kind === 'checked-elsewhere') expect(row.rule.by, path).toMatch(/\w/);
        if (row.rule.kind === 'refused-unless-empty' || row.rule.kind === 'refused-unless-null') expect(row.rule.why, path).toMatch(/\w/);
      }
    }
  });
});

describe('fieldProblems', () => {
  it('refuses a field no table names, with its path', () => {
    expectRefused('container-create', { Image: 'busybox', Foo: 1 }, 'the field Foo', 'container create');
    expectRefused('container-create', create({ Foo: 1 }), 'the field HostConfig.Foo');
    expectRefused('container-create', create({ Mounts: [{ Type: 'tmpfs', Target: '/t' }, { Type: 'tmpfs', Target: '/u', Foo: 1 }] }), 'HostConfig.Mounts[1].Foo');
    expectRefused('container-create', { NetworkingConfig: { EndpointsConfig: { mynet: { Foo: 1 } } } }, 'NetworkingConfig.EndpointsConfig["mynet"].Foo');
    expectRefused('exec-create', { Cmd: ['ls'], Foo: true }, 'exec create');
    expectRefused('container-update', { Memory: 1, Privileged: true }, 'the field Privileged');
    expectRefused('container-start', { Binds: [], Image: 'x' }, 'the field Image');
  });

  it('matches field names as Go does: in any case, with K and ſ folding', () => {
    expectAllowed('container-create', { image: 'busybox', HOSTCONFIG: { ſecurityOpt: ['no-new-privileges'], \u212Aernelmemory: 0 } });
    expectRefused('container-create', { hostconfig: { securityopt: ['seccomp=unconfined'] } }, 'HostConfig.SecurityOpt');
  });

  it('refuses a field named twice (Go would merge them) with a 400', () => {
    const refused = fieldProblems('container-create', create({ Privileged: false, privileged: true }));
    expect(refused?.status).toBe(400);
    expect(refused?.message).toContain('more than once');
  });

  it('takes null and absent values as Go does: the zero value', () => {
    expectAllowed('container-create', { Image: 'x', HostConfig: null, NetworkingConfig: null, Healthcheck: null });
    expectAllowed('container-create', create({ Mounts: null, Ulimits: [null], LogConfig: null, SecurityOpt: null, CapAdd: null }));
    expectAllowed('container-create', null);
  });

  it('refuses a body or nested object of the wrong JSON type', () => {
    expectRefused('container-create', [], 'it must be a JSON object');
    expectRefused('container-create', { HostConfig: 'privileged' }, 'HostConfig', 'it must be an object');
    expectRefused('container-create', create({ Mounts: { Type: 'bind' } }), 'HostConfig.Mounts', 'list of mount objects');
    expectRefused('container-create', create({ Mounts: ['type=bind'] }), 'HostConfig.Mounts[0]');
    expectRefused('container-create', create({ SecurityOpt: 'seccomp=unconfined' }), 'HostConfig.SecurityOpt', 'list of strings');
    expectRefused('container-create', create({ Sysctls: [['kernel.core_pattern', '|/x']] }), 'object of strings');
  });

  it('does not change the body', () => {
    const body = create({ CapAdd: 'NET_ADMIN', Mounts: [{ Type: 'volume', Source: 'v', Target: '/v' }] });
    const before = JSON.stringify(body);
    fieldProblems('container-create', body);
    expect(JSON.stringify(body)).toBe(before);
  });
});

describe('HostConfig', () => {
  it.each([
    'no-new-privileges',
    'no-new-privileges:true',
    'no-new-privileges=false',
    'no-new-privileges=1',
    'apparmor=docker-default',
    'apparmor:docker-default',
    'writable-cgroups=false',
  ])('SecurityOpt %s is allowed', (option) => {
    expectAllowed('container-create', create({ SecurityOpt: [option] }));
  });

  it.each([
    ['seccomp=unconfined', 'turns off the syscall filter'],
    ['seccomp:unconfined', 'turns off the syscall filter'],
    ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}', 'can allow any syscall'],
    ['seccomp=builtin', 'stricter profile'],
    ['label=disable', 'SELinux'],
    ['label:disable', 'SELinux'],
    ['disable', 'SELinux'],
    ['label=type:spc_t', 'spc_t'],
    ['label=level:s0-s0:c0.c1023', 'categories'],
    ['apparmor=unconfined', 'AppArmor'],
    ['apparmor:lxc-container-default-with-nesting', 'AppArmor'],
    ['systempaths=unconfined', 'unmasks'],
    ['writable-cgroups', 'cgroup files writable'],
    ['writable-cgroups=true', 'cgroup files writable'],
    ['no-new-privileges=maybe', 'does not know'],
    ['no-new-privileges=true:x', 'does not know'],
    ['something', 'does not know'],
  ])('SecurityOpt %s is refused', (option, why) => {
    expectRefused('container-create', create({ SecurityOpt: ['no-new-privileges', option] }), `--security-opt ${option}`, why, 'strict accepts no-new-privileges');
  });

  it.each(['NET_ADMIN', 'cap_net_admin', 'CAP_CHOWN', 'ipc_lock', 'NET_RAW', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SETPCAP', 'SETFCAP', 'LEASE', 'IPC_OWNER', 'CHECKPOINT_RESTORE'])(
    'CapAdd %s is allowed',
    (capability) => {
      expectAllowed('container-create', create({ CapAdd: [capability] }));
    },
  );

  it.each([
    ['SYS_ADMIN', 'mounts'],
    ['ALL', 'every capability'],
    ['all', 'every capability'],
    ['SYS_PTRACE', 'traces'],
    ['SYS_NICE', 'real-time'],
    ['SYS_RESOURCE', 'host-wide limits'],
    ['LINUX_IMMUTABLE', 'immutable'],
    ['WAKE_ALARM', 'suspend'],
    ['BLOCK_SUSPEND', 'suspend'],
    ['DAC_READ_SEARCH', 'open_by_handle_at'],
    ['CAP_SYS_MODULE', 'kernel modules'],
    ['AUDIT_CONTROL', 'audit'],
    ['NOT_A_CAP', 'does not know'],
  ])('CapAdd %s is refused', (capability, why) => {
    expectRefused('container-create', create({ CapAdd: ['NET_ADMIN', capability] }), '--cap-add', why);
  });

  it('reads CapAdd as Go reads a StrSlice: one string is a list of one', () => {
    expectRefused('container-create', create({ CapAdd: 'SYS_ADMIN' }), '--cap-add SYS_ADMIN');
    expectAllowed('container-create', create({ CapAdd: 'NET_ADMIN', CapDrop: 'ALL' }));
  });

  it('upper-cases CapAdd as the daemon does (Go maps the long s to S too)', () => {
    expectRefused('container-create', create({ CapAdd: ['\u017fys_admin'] }), '--cap-add SYS_ADMIN');
    expectRefused('container-create', create({ CapAdd: ['Cap_Sys_Admin'] }), '--cap-add SYS_ADMIN');
  });

  it('allows only the default MaskedPaths and ReadonlyPaths (absent or null)', () => {
    expectAllowed('container-create', create({ MaskedPaths: null, ReadonlyPaths: null }));
    expectRefused('container-create', create({ MaskedPaths: [] }), 'HostConfig.MaskedPaths', '--security-opt systempaths=unconfined', '/proc/kcore');
    expectRefused('container-create', create({ MaskedPaths: ['/proc/kcore'] }), 'HostConfig.MaskedPaths');
    expectRefused('container-create', create({ ReadonlyPaths: [] }), 'HostConfig.ReadonlyPaths', 'writable');
  });

  it.each([
    ['Runtime', 'runc', 'confine less'],
    ['Runtime', 'sysbox-runc', 'confine less'],
    ['CgroupParent', '/', 'cgroup of the host'],
    ['Cgroup', 'container:other', "another container's cgroup"],
    ['Annotations', { 'io.katacontainers.config.hypervisor.path': '/x' }, 'OCI runtime'],
    ['DeviceRequests', [{ Count: -1, Capabilities: [['gpu']] }], '--gpus'],
    ['DeviceCgroupRules', ['c 1:3 mr'], '--device-cgroup-rule'],
    ['KernelMemory', 1 << 20, '--kernel-memory'],
    ['OomKillDisable', true, '--oom-kill-disable'],
    ['CpuRealtimeRuntime', 950000, '--cpu-rt-runtime'],
    ['CpuRealtimePeriod', 1000000, '--cpu-rt-period'],
    ['Isolation', 'hyperv', 'Windows'],
    ['VolumeDriver', 'rexray', 'volume plugin'],
  ])('%s %j is refused', (name, value, why) => {
    expectRefused('container-create', create({ [name]: value }), `HostConfig.${name}`, why);
  });

  it.each([
    ['Runtime', ''],
    ['CgroupParent', ''],
    ['Annotations', {}],
    ['DeviceRequests', []],
    ['KernelMemory', 0],
    ['OomKillDisable', false],
    ['Isolation', 'default'],
    ['VolumeDriver', 'local'],
    ['OomScoreAdj', 500],
    ['PidsLimit', -1],
    ['ShmSize', 1 << 30],
    ['Tmpfs', { '/run': 'rw,exec' }],
    ['GroupAdd', ['0']],
    ['ExtraHosts', ['host.docker.internal:host-gateway']],
    ['Dns', ['1.1.1.1']],
    ['PortBindings', { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] }],
    ['Links', ['db:db']],
    ['Init', true],
    ['StorageOpt', { size: '10G' }],
  ])('%s %j is allowed', (name, value) => {
    expectAllowed('container-create', create({ [name]: value }));
  });

  it('allows Binds modes but shared propagation (the sources are for checkBinds)', () => {
    expectAllowed('container-create', create({ Binds: ['/w:/w', '/w:/x:ro,rslave', 'v:/v:nocopy', '/w:/z:Z', '/anon'] }));
    expectRefused('container-create', create({ Binds: ['/w:/w:rshared'] }), '-v ...:rshared', 'appear on the host');
    expectRefused('container-create', create({ Binds: ['/w:/w:shared,ro'] }), '-v ...:shared');
    expectRefused('container-create', create({ Binds: ['/w:/w:bogus'] }), 'does not know the mode');
  });

  it('refuses Devices, naming the host device', () => {
    expectRefused('container-create', create({ Devices: [{ PathOnHost: '/dev/kmsg', PathInContainer: '/dev/kmsg', CgroupPermissions: 'rwm' }] }), '--device /dev/kmsg', 'host device');
    expectAllowed('container-create', create({ Devices: [] }));
  });

  it('refuses a negative OomScoreAdj', () => {
    expectRefused('container-create', create({ OomScoreAdj: -500 }), '--oom-score-adj -500', 'OOM killer');
    expectRefused('container-create', create({ OomScoreAdj: '-1' }), 'HostConfig.OomScoreAdj');
  });

  it.each(['net.ipv4.ip_forward', 'net.core.somaxconn', 'net.ipv6.conf.all.disable_ipv6', 'kernel.shmmax', 'kernel.sem', 'fs.mqueue.msg_max'])('Sysctls %s is allowed', (key) => {
    expectAllowed('container-create', create({ Sysctls: { [key]: '1' } }));
  });

  it.each(['kernel.core_pattern', 'vm.overcommit_memory', 'kernel.domainname', 'fs.file-max', 'net/ipv4/ip_forward', 'net..ipv4', 'net.ipv4.conf.eth0/../x'])('Sysctls %s is refused', (key) => {
    expectRefused('container-create', create({ Sysctls: { 'net.ipv4.ip_forward': '1', [key]: '1' } }), `--sysctl ${key}`, 'host');
  });

  it('allows Ulimits that limit the container only', () => {
    expectAllowed('container-create', create({ Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'memlock', Soft: -1, Hard: -1 }] }));
    expectRefused('container-create', create({ Ulimits: [{ Name: 'rtprio', Soft: 99, Hard: 99 }] }), 'HostConfig.Ulimits[0].Name', 'scheduling priority');
    expectRefused('container-create', create({ Ulimits: [{ Name: 'nice', Soft: 40, Hard: 40 }] }), '--ulimit nice');
    expectRefused('container-create', create({ Ulimits: [{ Name: 'bogus' }] }), 'does not know');
  });

  it('allows StorageOpt size only', () => {
    expectRefused('container-create', create({ StorageOpt: { 'dm.basesize': '20G' } }), '--storage-opt dm.basesize');
  });

  it('allows log drivers that write to the daemon\'s own files, with their options', () => {
    expectAllowed('container-create', create({ LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } } }));
    expectAllowed('container-create', create({ LogConfig: { Type: 'local', Config: { compress: 'true' } } }));
    expectAllowed('container-create', create({ LogConfig: { Type: 'none', Config: null } }));
    expectAllowed('container-create', create({ LogConfig: { Type: '', Config: { tag: '{{.Name}}', mode: 'non-blocking' } } }));
    for (const driver of ['syslog', 'journald', 'fluentd', 'gelf', 'awslogs', 'splunk', 'gcplogs', 'etwlogs', 'vendor/plugin:latest']) {
      expectRefused('container-create', create({ LogConfig: { Type: driver, Config: {} } }), `--log-driver ${driver}`, 'host sockets');
    }
    expectRefused('container-create', create({ LogConfig: { Type: 'json-file', Config: { 'syslog-address': 'unix:///var/run/docker.sock' } } }), '--log-opt syslog-address');
  });

  it('refuses Blkio device paths outside /dev', () => {
    expectAllowed('container-create', create({ BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 100 }], BlkioDeviceReadBps: [{ Path: '/dev/nvme0n1', Rate: 1 }] }));
    expectRefused('container-create', create({ BlkioDeviceWriteIOps: [{ Path: '/etc/shadow', Rate: 1 }] }), 'HostConfig.BlkioDeviceWriteIOps[0].Path');
    expectRefused('container-create', create({ BlkioWeightDevice: [{ Path: '/dev/../etc/shadow', Weight: 1 }] }), '/dev/');
  });

  it.each([
    ['NetworkMode', 'host', '--network host'],
    ['NetworkMode', ' HOST', '--network host'],
    ['PidMode', 'host', '--pid host'],
    ['PidMode', 'private', 'does not know the mode'],
    ['IpcMode', 'host', '--ipc host'],
    ['UTSMode', 'host', '--uts host'],
    ['UsernsMode', 'host', '--userns host'],
    ['UsernsMode', 'private', 'does not know the mode'],
    ['CgroupnsMode', 'host', '--cgroupns host'],
    ['NetworkMode', 7, 'must be a string'],
  ])('%s %j is refused', (name, value, part) => {
    expectRefused('container-create', create({ [name]: value }), `HostConfig.${name}`, part);
  });

  it.each([
    ['NetworkMode', 'bridge'],
    ['NetworkMode', 'none'],
    ['NetworkMode', 'default'],
    ['NetworkMode', 'mynet'],
    ['NetworkMode', 'container:abc'],
    ['PidMode', 'container:abc'],
    ['IpcMode', 'shareable'],
    ['IpcMode', 'private'],
    ['IpcMode', 'none'],
    ['IpcMode', 'container:abc'],
    ['CgroupnsMode', 'private'],
    ['UTSMode', ''],
  ])('%s %j is allowed (joins are for checkJoins)', (name, value) => {
    expectAllowed('container-create', create({ [name]: value }));
  });
});

describe('HostConfig.Mounts', () => {
  const mount = (fields: Json) => create({ Mounts: [{ Target: '/m', ...fields }] });

  it.each(['bind', 'volume', 'tmpfs', 'image'])('type %s is allowed', (type) => {
    expectAllowed('container-create', mount({ Type: type, Source: type === 'tmpfs' ? '' : 'x' }));
  });

  it.each(['npipe', 'cluster', 'Bind', ''])('type %j is refused', (type) => {
    expectRefused('container-create', mount({ Type: type }), 'HostConfig.Mounts[0].Type');
  });

  it('allows private and slave bind propagation, not shared', () => {
    for (const propagation of ['', 'private', 'rprivate', 'slave', 'rslave']) expectAllowed('container-create', mount({ Type: 'bind', Source: '/w', BindOptions: { Propagation: propagation } }));
    for (const propagation of ['shared', 'rshared']) {
      expectRefused('container-create', mount({ Type: 'bind', Source: '/w', BindOptions: { Propagation: propagation } }), 'BindOptions.Propagation', 'appear on the host');
    }
  });

  it('refuses CreateMountpoint, allows the recursion options', () => {
    expectRefused('container-create', mount({ Type: 'bind', Source: '/w/new', BindOptions: { CreateMountpoint: true } }), 'BindOptions.CreateMountpoint', 'creates the bind source');
    expectAllowed('container-create', mount({ Type: 'bind', Source: '/w', BindOptions: { NonRecursive: true, ReadOnlyNonRecursive: true, ReadOnlyForceRecursive: false } }));
  });

  it('allows volume subpaths and options, refuses volume plugins', () => {
    expectAllowed('container-create', mount({ Type: 'volume', Source: 'v', VolumeOptions: { Subpath: 'a/b', NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs' } } } }));
    expectRefused('container-create', mount({ Type: 'volume', Source: 'v', VolumeOptions: { DriverConfig: { Name: 'rexray/ebs' } } }), 'VolumeOptions.DriverConfig.Name', 'volume plugin');
  });

  it('allows tmpfs exec and noexec, refuses other tmpfs options', () => {
    expectAllowed('container-create', mount({ Type: 'tmpfs', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777, Options: [['noexec'], ['exec']] } }));
    expectRefused('container-create', mount({ Type: 'tmpfs', TmpfsOptions: { Options: [['dev']] } }), 'TmpfsOptions.Options');
  });

  it('allows image mounts with a subpath', () => {
    expectAllowed('container-create', mount({ Type: 'image', Source: 'busybox', ImageOptions: { Subpath: 'bin' } }));
  });

  it('refuses ClusterOptions, even empty', () => {
    expectRefused('container-create', mount({ Type: 'volume', ClusterOptions: {} }), 'ClusterOptions', 'swarm');
  });
});

describe('the top level of container create', () => {
  it.each([
    ['Privileged', true],
    ['Binds', ['/:/host']],
    ['MaskedPaths', []],
    ['CapAdd', ['NET_ADMIN']],
    ['Memory', 0],
  ])('refuses the HostConfig field %s there (the deprecated form)', (name, value) => {
    expectRefused('container-create', { Image: 'busybox', [name]: value }, name, 'top level', 'under HostConfig only');
  });

  it('refuses the deprecated Cpuset, allows null HostConfig fields', () => {
    expectRefused('container-create', { Image: 'busybox', Cpuset: '0' }, 'Cpuset', 'top level');
    expectAllowed('container-create', { Image: 'busybox', Privileged: null, Cpuset: '' });
  });

  it('allows the container config and the dockerode query parameters', () => {
    expectAllowed('container-create', {
      Hostname: 'h', Domainname: '', User: '0', Env: ['A=1'], Cmd: 'sh', Entrypoint: ['sh', '-c'], Image: 'busybox', Labels: { a: 'b' },
      Volumes: { '/data': {} }, ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGTERM', StopTimeout: 3, Shell: ['/bin/sh'], OnBuild: null,
      Healthcheck: { Test: ['CMD', 'true'], Interval: 1, Timeout: 1, Retries: 1, StartPeriod: 1, StartInterval: 1 }, name: 'x', platform: 'linux/amd64',
    });
    expectRefused('container-create', { Healthcheck: { Test: ['NONE'], Foo: 1 } }, 'Healthcheck.Foo');
  });

  it('walks NetworkingConfig.EndpointsConfig', () => {
    const endpoint = (settings: Json) => ({ Image: 'x', NetworkingConfig: { EndpointsConfig: { mynet: settings } } });
    expectAllowed('container-create', endpoint({ Aliases: ['a'], DNSNames: ['a'], IPAMConfig: { IPv4Address: '172.30.0.5' }, GwPriority: 1, DriverOpts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.forwarding=1' } }));
    expectAllowed('container-create', { Image: 'x', NetworkingConfig: { EndpointsConfig: { mynet: null } } });
    expectRefused('container-create', endpoint({ DriverOpts: { 'com.docker.network.endpoint.sysctls': 'kernel.core_pattern=|/x' } }), 'DriverOpts', 'net.*');
    expectRefused('container-create', endpoint({ DriverOpts: { 'com.docker.network.macvlan.mode': 'bridge' } }), 'NetworkingConfig.EndpointsConfig["mynet"].DriverOpts');
    expectRefused('container-create', { NetworkingConfig: { EndpointsConfig: ['mynet'] } }, 'an object of network names');
  });
});

describe('network create', () => {
  const network = (fields: Json) => ({ Name: 'n', ...fields });

  it('allows bridge networks with harmless options', () => {
    expectAllowed('network-create', network({ Driver: 'bridge', Options: { 'com.docker.network.driver.mtu': '1400', 'com.docker.network.bridge.enable_icc': 'false' }, EnableIPv6: true, EnableIPv4: true, Internal: true, Attachable: true, CheckDuplicate: true }));
  });

  it.each(['macvlan', 'ipvlan', 'overlay', 'host', 'none', 'weave'])('refuses the driver %s', (driver) => {
    expectRefused('network-create', network({ Driver: driver }), `--driver ${driver}`, 'strict accepts (unset), bridge');
  });

  it.each(['com.docker.network.bridge.name', 'com.docker.network.bridge.inhibit_ipv4', 'com.docker.network.bridge.gateway_mode_ipv4', 'parent'])('refuses the option %s', (option) => {
    expectRefused('network-create', network({ Options: { [option]: 'docker0' } }), `--opt ${option}`);
  });

  it('explains why a bridge name is refused', () => {
    expectRefused('network-create', network({ Options: { 'com.docker.network.bridge.name': 'docker0' } }), 'existing one');
  });

  it.each([
    ['Scope', 'swarm'],
    ['Ingress', true],
    ['ConfigOnly', true],
    ['ConfigFrom', { Network: 'other' }],
  ])('refuses %s %j', (name, value) => {
    expectRefused('network-create', network({ [name]: value }), name);
  });

  it('allows the default IPAM driver only, without options', () => {
    expectAllowed('network-create', network({ IPAM: { Driver: 'default', Options: {}, Config: [] } }));
    expectRefused('network-create', network({ IPAM: { Driver: 'infoblox' } }), '--ipam-driver infoblox');
    expectRefused('network-create', network({ IPAM: { Options: { foo: 'bar' } } }), 'IPAM.Options');
  });

  it.each(['172.30.0.0/24', '10.0.0.0/8', '192.168.1.0/24', 'fd00:1::/64', '2001:db8::/64'])('allows the subnet %s', (subnet) => {
    expectAllowed('network-create', network({ IPAM: { Config: [{ Subnet: subnet }] } }));
  });

  it.each([
    ['169.254.169.0/24', 'metadata'],
    ['169.0.0.0/8', '169.254.0.0/16'],
    ['127.0.0.0/16', 'loopback'],
    ['0.0.0.0/0', 'so wide'],
    ['64.0.0.0/2', 'so wide'],
    ['224.0.0.0/8', 'multicast'],
    ['fe80::/64', 'link-local'],
    ['::1/128', 'loopback'],
    ['::/8', 'so wide'],
    ['10.0.0.0/33', 'not an IP'],
    ['bogus', 'not an IP'],
  ])('refuses the subnet %s', (subnet, why) => {
    expectRefused('network-create', network({ IPAM: { Config: [{ Subnet: subnet }] } }), 'IPAM.Config[0].Subnet', why);
  });

  it('checks gateways, ranges and auxiliary addresses too', () => {
    expectRefused('network-create', network({ IPAM: { Config: [{ Subnet: '172.30.0.0/24', Gateway: '169.254.169.254' }] } }), 'Gateway');
    expectRefused('network-create', network({ IPAM: { Config: [{ IPRange: '127.0.0.0/24' }] } }), 'IPRange');
    expectRefused('network-create', network({ IPAM: { Config: [{ AuxiliaryAddresses: { meta: '169.254.169.254' } }] } }), 'AuxiliaryAddresses');
  });
});

describe('volume, exec, update and connect bodies', () => {
  it('volume create: local driver only, no cluster volumes', () => {
    expectAllowed('volume-create', { Name: 'v', Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs' }, Labels: {} });
    expectRefused('volume-create', { Name: 'v', Driver: 'rexray/ebs' }, '--driver rexray/ebs', 'volume plugin');
    expectRefused('volume-create', { Name: 'v', ClusterVolumeSpec: {} }, 'ClusterVolumeSpec', 'swarm');
    expectAllowed('volume-create', { Name: 'v', ClusterVolumeSpec: null });
  });

  it('exec create and start: every field is the container\'s own', () => {
    expectAllowed('exec-create', { User: 'root', Privileged: false, Tty: true, ConsoleSize: [24, 80], AttachStdin: true, AttachStdout: true, AttachStderr: true, Detach: false, DetachKeys: 'ctrl-p', Env: ['A=1'], WorkingDir: '/', Cmd: ['sh'] });
    expectAllowed('exec-start', { Detach: false, Tty: true, ConsoleSize: [24, 80] });
    expectRefused('exec-start', { Detach: false, Foo: 1 }, 'exec start');
  });

  it('container update: resources and restart policy, with the same checks', () => {
    expectAllowed('container-update', { Memory: 1 << 28, NanoCpus: 1e9, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 }, PidsLimit: 100 });
    expectRefused('container-update', { CgroupParent: '/' }, 'CgroupParent');
    expectRefused('container-update', { Devices: [{ PathOnHost: '/dev/mem' }] }, '--device /dev/mem');
    expectRefused('container-update', { Ulimits: [{ Name: 'rtprio', Soft: 1, Hard: 1 }] }, 'Ulimits[0].Name');
  });

  it('the pre-1.24 start body is a HostConfig', () => {
    expectAllowed('container-start', { Binds: ['/w:/w'], PortBindings: {} });
    expectRefused('container-start', { SecurityOpt: ['apparmor=unconfined'] }, 'SecurityOpt');
  });

  it('network connect and disconnect', () => {
    expectAllowed('network-connect', { Container: 'x', EndpointConfig: { Aliases: ['a'], IPAMConfig: { IPv4Address: '172.30.0.9' } } });
    expectRefused('network-connect', { Container: 'x', EndpointConfig: { DriverOpts: { foo: 'bar' } } }, 'EndpointConfig.DriverOpts');
    expectAllowed('network-disconnect', { Container: 'x', Force: true });
  });
});

describe('bodies real clients send', () => {
  interface Fixture {
    command: string;
    requests: Array<{ object: BodyObject; url: string; body: Json }>;
  }
  const fixtures = readdirSync(FIXTURES).map((file) => [file, JSON.parse(readFileSync(`${FIXTURES}/${file}`, 'utf8')) as Fixture] as const);

  it('has the captured commands', () => {
    expect(fixtures.map(([file]) => file).sort()).toEqual([
      'buildx-docker-container.json',
      'docker-cli-misc.json',
      'docker-compose-up.json',
      'docker-run-detached.json',
      'docker-run-many-options.json',
      'docker-run-network-mount.json',
      'testcontainers-node.json',
    ]);
  });

  it.each(fixtures.filter(([file]) => file !== 'buildx-docker-container.json'))('%s: every body is allowed', (_file, fixture) => {
    for (const request of fixture.requests) expect(verdict(request.object, request.body), `${request.url}`).toBeUndefined();
  });

  it('testcontainers: Ryuk binds the Docker socket, which is for checkBinds to refuse', () => {
    const ryuk = fixtures.find(([file]) => file === 'testcontainers-node.json')![1].requests[0]!;
    expect((ryuk.body.HostConfig as Json).Binds).toEqual(['/var/run/docker.sock:/var/run/docker.sock:rw']);
    expectAllowed('container-create', ryuk.body);
  });

  it('buildx docker-container: only its GPU probe and its cgroup parent are refused here (the builder is privileged, refused elsewhere)', () => {
    const [probe, builder] = fixtures.find(([file]) => file === 'buildx-docker-container.json')![1].requests;
    expectRefused('container-create', probe!.body, 'HostConfig.DeviceRequests', '--gpus');
    expectRefused('container-create', builder!.body, 'HostConfig.CgroupParent "/docker/buildx"');
    const hostConfig: Json = { ...(builder!.body.HostConfig as Json), CgroupParent: '', DeviceRequests: null };
    expect(hostConfig.Privileged).toBe(true);
    expectAllowed('container-create', { ...builder!.body, HostConfig: hostConfig });
  });
});

describe('spelling (property)', () => {
  /** A field at a path of struct fields (spelled freely), its value as is (map keys are data, not fields). */
  type Sample = [path: string[], value: unknown];
  const SAMPLES: Sample[] = [
    [['Image'], 'busybox'],
    [['Env'], ['A=1']],
    [['Labels'], { Keep: 'Case' }],
    [['Healthcheck', 'Test'], ['CMD', 'true']],
    [['Healthcheck', 'StartInterval'], 1],
    [['HostConfig', 'SecurityOpt'], ['no-new-privileges']],
    [['HostConfig', 'SecurityOpt'], ['seccomp=unconfined']],
    [['HostConfig', 'CapAdd'], ['NET_ADMIN']],
    [['HostConfig', 'CapAdd'], 'SYS_ADMIN'],
    [['HostConfig', 'KernelMemory'], 0],
    [['HostConfig', 'KernelMemoryTCP'], 5],
    [['HostConfig', 'OomScoreAdj'], -1],
    [['HostConfig', 'MaskedPaths'], []],
    [['HostConfig', 'Sysctls'], { 'kernel.core_pattern': '|/x' }],
    [['HostConfig', 'Sysctls'], { 'net.core.somaxconn': '1' }],
    [['HostConfig', 'LogConfig', 'Type'], 'json-file'],
    [['HostConfig', 'LogConfig', 'Config'], { 'max-size': '1m' }],
    [['HostConfig', 'LogConfig', 'Type'], 'syslog'],
    [['HostConfig', 'RestartPolicy', 'Name'], 'always'],
    [['HostConfig', 'StorageOpt'], { size: '1G' }],
    [['HostConfig', 'DeviceRequests'], [{ Count: 1 }]],
    [['HostConfig', 'Runtime'], 'runc'],
    [['HostConfig', 'ShmSize'], 64],
    [['HostConfig', 'Isolation'], 'default'],
    [['HostConfig', 'NetworkMode'], 'host'],
    [['HostConfig', 'IpcMode'], 'shareable'],
    [['NetworkingConfig', 'EndpointsConfig'], { MyNet: { Aliases: ['a'] } }],
    [['Privileged'], true],
    [['Memory'], 0],
    [['StopTimeout'], 1],
  ];
  const mounts: Json[] = [
    { Type: 'bind', Source: '/w', Target: '/w', BindOptions: { Propagation: 'rslave' } },
    { Type: 'bind', Source: '/w', Target: '/w', BindOptions: { CreateMountpoint: true } },
    { Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { Subpath: 's', DriverConfig: { Name: 'local' } } },
    { Type: 'tmpfs', Target: '/t', TmpfsOptions: { Options: [['exec']] } },
    { Type: 'npipe', Target: '/p' },
  ];

  /** A spelling of `name` that Go reads as `name`: case changed by the seed, k as the Kelvin sign, s as the long s. */
  function spell(name: string, seed: number): string {
    let state = seed;
    for (const char of name) state = (state * 31 + char.charCodeAt(0)) >>> 0;
    return [...name]
      .map((char, index) => {
        const roll = ((state >>> index % 24) + index * 7) % 5;
        if (roll === 4 && /[kK]/.test(char)) return '\u212A';
        if (roll === 4 && /[sS]/.test(char)) return '\u017f';
        return roll % 2 === 0 ? char.toUpperCase() : char.toLowerCase();
      })
      .join('');
  }

  /** Struct field names spelled by `rename`; `mountList` put under HostConfig.Mounts with its struct fields renamed too. */
  function build(samples: Sample[], mountList: Json[], rename: (name: string) => string): Json {
    const body: Json = {};
    const renameStruct = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(renameStruct) : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [rename(key), key === 'Options' && !Array.isArray(inner) ? inner : renameStruct(inner)]))
        : value;
    for (const [path, value] of samples) {
      let at = body;
      for (const name of path.slice(0, -1)) at = (at[rename(name)] ??= {}) as Json;
      at[rename(path.at(-1)!)] = value;
    }
    if (mountList.length > 0) ((body[rename('HostConfig')] ??= {}) as Json)[rename('Mounts')] = renameStruct(mountList);
    return body;
  }

  /** JSON text with some characters of keys as \u escapes (JSON.parse decodes them before the tables see the keys). */
  function escapedJson(value: unknown, seed: number): string {
    if (Array.isArray(value)) return `[${value.map((item) => escapedJson(item, seed)).join(',')}]`;
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    const key = (text: string) => `"${[...text].map((char, index) => ((seed + index) % 3 === 0 ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(char).slice(1, -1))).join('')}"`;
    return `{ ${Object.entries(value).map(([name, inner]) => `${key(name)} : ${escapedJson(inner, seed)}`).join(' ,\n')} }`;
  }

  /** Go keeps one value per field: drop samples that name a field twice (the later wins, as the last key would). */
  function unique(samples: Sample[]): Sample[] {
    const byPath = new Map(samples.map((sample) => [sample[0].join('.'), sample]));
    return [...byPath.values()];
  }

  it('the verdict does not depend on how field names are spelled or escaped', () => {
    fc.assert(
      fc.property(fc.subarray(SAMPLES), fc.subarray(mounts), fc.nat(), (picked, mountList, seed) => {
        const samples = unique(picked);
        const canonical = verdict('container-create', build(samples, mountList, (name) => name));
        const spelled = build(samples, mountList, (name) => spell(name, seed));
        expect(verdict('container-create', spelled)).toBe(canonical);
        const parsed = parseFirstJsonValue(`  ${escapedJson(spelled, seed)} {"HostConfig":{"Privileged":true}}`);
        expect(parsed).toBeDefined();
        expect(verdict('container-create', parsed!.value)).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });

  it('spells names that Go reads as the same field', () => {
    expect(spell('MaskedPaths', 3).toLowerCase().replace(/\u017f/g, 's')).toBe('maskedpaths');
    expectRefused('container-create', { hostconfig: { \u212AERNELMEMORY: 1 } }, 'HostConfig.KernelMemory');
  });
});
