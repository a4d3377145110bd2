/**
 * POST /containers/create: the container's Config at the top level, with
 * HostConfig and NetworkingConfig beside it; and the exec and volume bodies.
 */
import { hostConfigTable } from './host-config.js';
import { endpointSettingsTable } from './network.js';
import { any, check, elsewhere, map, object, oneOf, row, unlessEmpty, unlessNull, type Row, type Table } from './rules.js';
import { VOLUME_PLUGIN } from './values.js';

const healthcheck: Table = {
  name: 'Healthcheck',
  rows: [
    row('Test', any),
    row('Interval', any),
    row('Timeout', any),
    row('Retries', any),
    row('StartPeriod', any),
    row('StartInterval', any, { since: '1.44' }),
  ],
};

const networkingConfig: Table = {
  name: 'NetworkingConfig',
  rows: [row('EndpointsConfig', map(endpointSettingsTable, 'network names: their ownership is for the wiring to check'))],
};

/**
 * Daemons before 28.0 read HostConfig fields from the top level too (the
 * deprecated ContainerConfigWrapper form, for any request version). The
 * docker CLI never sends them there, so strict takes them under HostConfig
 * only: one place to check.
 */
const TOP_LEVEL_HOST_CONFIG =
  'a HostConfig field at the top level of the create body, which daemons before 28.0 still read (a deprecated form the docker CLI never sends); strict takes it under HostConfig only';

const topLevelHostConfigRows: Row[] = hostConfigTable.rows.map((hostRow) =>
  row(hostRow.name, unlessNull(TOP_LEVEL_HOST_CONFIG), { note: 'the deprecated top-level form of the HostConfig field' }),
);

export const containerCreateTable: Table = {
  name: 'container create',
  rows: [
    row('Hostname', any),
    row('Domainname', any),
    row('User', any),
    row('AttachStdin', any),
    row('AttachStdout', any),
    row('AttachStderr', any),
    row('ExposedPorts', any),
    row('Tty', any),
    row('OpenStdin', any),
    row('StdinOnce', any),
    row('Env', any),
    row('Cmd', any),
    row('Healthcheck', object(healthcheck)),
    row('ArgsEscaped', any),
    row('Image', any),
    row('Volumes', any, { note: 'anonymous volumes: container paths only' }),
    row('WorkingDir', any),
    row('Entrypoint', any),
    row('NetworkDisabled', any),
    row('MacAddress', any),
    row('OnBuild', any),
    row('Labels', elsewhere("inspect.ts inspectContainerCreate (the job's labels added)")),
    row('StopSignal', any),
    row('StopTimeout', any),
    row('Shell', any),
    row('HostConfig', object(hostConfigTable)),
    row('NetworkingConfig', object(networkingConfig)),
    // dockerode (testcontainers) sends its query parameters in the body too; no daemon type has these fields.
    row('name', any, { note: 'dockerode sends the name query parameter in the body too; the daemon ignores it' }),
    row('platform', any, { note: 'dockerode sends the platform query parameter in the body too; the daemon ignores it' }),
    row('Cpuset', unlessEmpty(TOP_LEVEL_HOST_CONFIG), { note: "the wrapper's deprecated name for HostConfig.CpusetCpus, read before 28.0; not in the reference" }),
    ...topLevelHostConfigRows,
  ],
};

export const execCreateTable: Table = {
  name: 'exec create',
  rows: [
    row('AttachStdin', any),
    row('AttachStdout', any),
    row('AttachStderr', any),
    row('ConsoleSize', any, { since: '1.42' }),
    row('DetachKeys', any),
    row('Tty', any),
    row('Env', any),
    row('Cmd', any),
    row('Privileged', elsewhere('inspect.ts inspectExecCreate (every policy but none)')),
    row('User', any, { note: "any user of the container's own, root included: the container's confinement applies" }),
    row('WorkingDir', any),
    row('Detach', any, { note: "in the daemon's Go type (deprecated), not in the reference" }),
  ],
};

export const execStartTable: Table = {
  name: 'exec start',
  rows: [
    row('Detach', any),
    row('Tty', any),
    row('ConsoleSize', any, { since: '1.42' }),
    // dockerode (testcontainers) sends its own start options in the body too; the daemon ignores them.
    row('hijack', any, { note: 'not in the API: dockerode sends it' }),
    row('stdin', any, { note: 'not in the API: dockerode sends it' }),
  ],
};

export const volumeCreateTable: Table = {
  name: 'volume create',
  rows: [
    row('Name', any),
    row('Driver', check(oneOf(['', 'local'], VOLUME_PLUGIN, '--driver'))),
    row('DriverOpts', elsewhere('binds.ts volumeOptionsProblem (from inspect.ts inspectVolumeCreate)')),
    row('Labels', elsewhere("inspect.ts inspectVolumeCreate (the job's labels added)")),
    row('ClusterVolumeSpec', unlessNull('cluster volumes are swarm objects (CSI plugins) the proxy does not inspect'), { since: '1.42' }),
  ],
};
