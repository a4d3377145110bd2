/**
 * HostConfig (POST /containers/create's HostConfig, the pre-1.24 start
 * body) and the Resources inlined into it (also POST /containers/{id}/update),
 * with the objects they hold: Mounts, LogConfig, RestartPolicy, PortBindings,
 * Ulimits, the Blkio device lists.
 */
import { any, atLeast, check, elsewhere, list, map, object, oneOf, row, unlessEmpty, unlessNull, type Row, type Table } from './rules.js';
import {
  checkBindModes,
  checkCapAdd,
  checkDevicePath,
  checkDevices,
  checkLogDriver,
  checkLogOptions,
  checkSecurityOpt,
  checkStorageOpt,
  checkSysctls,
  checkTmpfsOptions,
  checkUlimitName,
  namespaceMode,
  VOLUME_PLUGIN,
} from './values.js';

const weightDevice: Table = { name: 'weight device', rows: [row('Path', check(checkDevicePath)), row('Weight', any)] };
const throttleDevice: Table = { name: 'throttle device', rows: [row('Path', check(checkDevicePath)), row('Rate', any)] };

const ulimit: Table = {
  name: 'ulimit',
  rows: [row('Name', check(checkUlimitName), { flag: '--ulimit' }), row('Soft', any), row('Hard', any)],
};

/** The rows of Resources: limits on the container itself, except where a row says otherwise. */
export const resourceRows: Row[] = [
  row('CpuShares', any),
  row('Memory', any),
  row('NanoCpus', any),
  row('CgroupParent', unlessEmpty('it places the container in any cgroup of the host, outside the limits of the job'), { flag: '--cgroup-parent' }),
  row('BlkioWeight', any),
  row('BlkioWeightDevice', list(weightDevice)),
  row('BlkioDeviceReadBps', list(throttleDevice)),
  row('BlkioDeviceWriteBps', list(throttleDevice)),
  row('BlkioDeviceReadIOps', list(throttleDevice)),
  row('BlkioDeviceWriteIOps', list(throttleDevice)),
  row('CpuPeriod', any),
  row('CpuQuota', any),
  row('CpuRealtimePeriod', unlessEmpty("it grants real-time CPU time out of the host's budget"), { flag: '--cpu-rt-period' }),
  row('CpuRealtimeRuntime', unlessEmpty("it grants real-time CPU time out of the host's budget"), { flag: '--cpu-rt-runtime' }),
  row('CpusetCpus', any),
  row('CpusetMems', any),
  row('Devices', check(checkDevices), { flag: '--device' }),
  row('DeviceCgroupRules', unlessEmpty('it gives the container access to host devices'), { flag: '--device-cgroup-rule' }),
  row('DeviceRequests', unlessEmpty('it gives the container host devices (GPUs) through a device driver'), { flag: '--gpus' }),
  row('KernelMemory', unlessEmpty('kernel memory limits are deprecated and known to destabilise the host kernel (cgroup v1)'), {
    until: '1.41',
    flag: '--kernel-memory',
    note: 'removed from the reference in 1.42; the daemon still decodes it',
  }),
  row('KernelMemoryTCP', any),
  row('MemoryReservation', any),
  row('MemorySwap', any),
  row('MemorySwappiness', any),
  row('OomKillDisable', unlessEmpty('without the OOM killer the memory the container holds can starve the host'), { flag: '--oom-kill-disable' }),
  row('Init', any, { note: "the reference lists it in Resources; the daemon's update body has no such field and ignores it" }),
  row('PidsLimit', any),
  row('Ulimits', list(ulimit)),
  row('CpuCount', any),
  row('CpuPercent', any),
  row('IOMaximumIOps', any),
  row('IOMaximumBandwidth', any),
];

const bindOptions: Table = {
  name: 'BindOptions',
  rows: [
    row('Propagation', check(oneOf(['', 'private', 'rprivate', 'slave', 'rslave'], "shared propagation makes mounts made in the container appear on the host's side of the bind"))),
    row('NonRecursive', any),
    row('CreateMountpoint', unlessEmpty('it creates the bind source directory on the host'), { since: '1.42' }),
    row('ReadOnlyNonRecursive', any, { since: '1.44' }),
    row('ReadOnlyForceRecursive', any, { since: '1.44' }),
  ],
};

const driverConfig: Table = {
  name: 'DriverConfig',
  rows: [
    row('Name', check(oneOf(['', 'local'], VOLUME_PLUGIN))),
    row('Options', elsewhere('binds.ts volumeOptionsProblem (from inspect.ts inspectVolumeMount)')),
  ],
};

const volumeOptions: Table = {
  name: 'VolumeOptions',
  rows: [
    row('NoCopy', any),
    row('Labels', elsewhere("inspect.ts inspectVolumeMount (the job's labels added)")),
    row('DriverConfig', object(driverConfig)),
    row('Subpath', any, { since: '1.45', note: 'the daemon keeps it inside the volume, which is the job\'s own (ownership.ts prepareVolumes)' }),
  ],
};

const imageOptions: Table = { name: 'ImageOptions', rows: [row('Subpath', any, { since: '1.48' })] };

const tmpfsOptions: Table = {
  name: 'TmpfsOptions',
  rows: [row('SizeBytes', any), row('Mode', any), row('Options', check(checkTmpfsOptions), { since: '1.46' })],
};

const mount: Table = {
  name: 'mount',
  rows: [
    row('Target', any),
    row('Source', elsewhere('inspect.ts inspectMounts and checkBinds (bind sources), ownership.ts prepareVolumes (volumes)')),
    row(
      'Type',
      check(oneOf(['bind', 'volume', 'tmpfs', 'image'], 'npipe mounts a host named pipe and cluster a swarm cluster volume', '--mount type=')),
      { note: 'image since 1.48' },
    ),
    row('ReadOnly', any),
    row('Consistency', any),
    row('BindOptions', object(bindOptions)),
    row('VolumeOptions', object(volumeOptions)),
    row('ImageOptions', object(imageOptions), { since: '1.48' }),
    row('TmpfsOptions', object(tmpfsOptions)),
    row('ClusterOptions', unlessNull('cluster volumes are swarm objects the proxy does not inspect'), { note: 'in the daemon\'s Go type, not in the reference' }),
  ],
};

const logConfig: Table = {
  name: 'LogConfig',
  rows: [row('Type', check(checkLogDriver)), row('Config', check(checkLogOptions))],
};

const restartPolicy: Table = { name: 'RestartPolicy', rows: [row('Name', any), row('MaximumRetryCount', any)] };

const portBinding: Table = { name: 'port binding', rows: [row('HostIp', any), row('HostPort', any)] };

const UNMASKS = 'an empty list unmasks /proc and /sys paths that show and change the host (/proc/kcore, /proc/sysrq-trigger, ...)';

/** HostConfig: its own rows, then Resources' (inlined in Go). */
export const hostConfigTable: Table = {
  name: 'HostConfig',
  rows: [
    row('Binds', check(checkBindModes), { note: 'the modes here; the sources: inspect.ts inspectBinds and checkBinds (binds), ownership.ts prepareVolumes (volumes)' }),
    row('ContainerIDFile', any, { note: 'the CLI writes the file; the daemon ignores it' }),
    row('LogConfig', object(logConfig)),
    row('NetworkMode', check(namespaceMode('--network', "the host's network stack", ['', 'default', 'bridge', 'none'], { joins: true, names: true })), {
      note: 'container:<id> joins: inspect.ts checkJoins; a network by name: its ownership is for the wiring to check',
    }),
    row('PortBindings', map(portBinding, 'container ports, such as 80/tcp', { lists: true })),
    row('RestartPolicy', object(restartPolicy)),
    row('AutoRemove', any),
    row('VolumeDriver', check(oneOf(['', 'local'], VOLUME_PLUGIN, '--volume-driver'))),
    row('VolumesFrom', elsewhere('inspect.ts checkJoins (the job\'s own containers only)')),
    row('ConsoleSize', any),
    row('Annotations', unlessEmpty('annotations go to the OCI runtime, which may act on them (runtime options, hypervisor paths)'), { since: '1.43', flag: '--annotation' }),
    row('CapAdd', check(checkCapAdd)),
    row('CapDrop', any),
    row('CgroupnsMode', check(namespaceMode('--cgroupns', "the host's cgroups", ['', 'private']))),
    row('Dns', any),
    row('DnsOptions', any),
    row('DnsSearch', any),
    row('ExtraHosts', any),
    row('GroupAdd', any),
    row('IpcMode', check(namespaceMode('--ipc', "the host's IPC namespace", ['', 'none', 'private', 'shareable'], { joins: true }))),
    row('Cgroup', unlessEmpty("it puts the container in another container's cgroup"), { flag: '--cgroup' }),
    row('Links', elsewhere('ownership of the linked containers: not yet checked (a link reads the linked container\'s environment); the wiring must add it to checkJoins')),
    row('OomScoreAdj', check(atLeast(0, "a negative score makes the host's OOM killer pick host processes before the container", '--oom-score-adj'))),
    row('PidMode', check(namespaceMode('--pid', "the host's processes", [''], { joins: true }))),
    row('Privileged', elsewhere('inspect.ts inspectHostConfig (every policy but none)')),
    row('PublishAllPorts', any),
    row('ReadonlyRootfs', any),
    row('SecurityOpt', check(checkSecurityOpt)),
    row('StorageOpt', check(checkStorageOpt)),
    row('Tmpfs', any),
    row('UTSMode', check(namespaceMode('--uts', "the host's hostname", ['']))),
    row('UsernsMode', check(namespaceMode('--userns', "the host's user namespace", ['']))),
    row('ShmSize', any),
    row('Sysctls', check(checkSysctls)),
    row('Runtime', unlessEmpty("another runtime than the daemon's default may confine less (or not at all)"), { flag: '--runtime' }),
    row('Isolation', check(oneOf(['', 'default'], 'hyperv and process are for Windows daemons', '--isolation'))),
    row('Mounts', list(mount)),
    row('MaskedPaths', unlessNull(UNMASKS), { flag: '--security-opt systempaths=unconfined' }),
    row('ReadonlyPaths', unlessNull(UNMASKS.replace('unmasks', 'makes writable')), { flag: '--security-opt systempaths=unconfined' }),
    ...resourceRows,
  ],
};

/** POST /containers/{id}/update: Resources and RestartPolicy. */
export const updateTable: Table = {
  name: 'container update',
  rows: [...resourceRows, row('RestartPolicy', object(restartPolicy))],
};
