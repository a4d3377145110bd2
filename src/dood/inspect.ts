/**
 * The checks over request bodies, as pure functions: what the job's labels go
 * on, which bind sources are translated, and what the policy refuses
 * (no-privileged: privileged containers and execs; strict: host namespaces,
 * binds outside the roots, host capabilities and devices, unconfined
 * security options). What needs the daemon (whose containers and volumes
 * these are) is returned in Inspected for the ownership checks.
 */
import { bindSourceProblem, hostSource, parseBind, volumeOptionsProblem, type BindContext } from './binds.js';
import { field, isObject, keyOf, parseFirstJsonValue, setField, strings, withLabels, type Json } from './json.js';
import { policyRefusal } from './refused.js';
import { claimNameProblem } from './tag-claims.js';

export interface InspectionContext extends BindContext {
  /** Added to what the job creates, over the request's own. */
  labels: Record<string, string>;
}

/** A request body after inspection, plus what the proxy must still check or prepare with the daemon. */
export interface Inspected {
  body: unknown;
  /** Log lines (translations). */
  notes: string[];
  /**
   * strict: containers the new one joins (namespaces, volumes-from, links);
   * each must be the job's own, and `pin` puts what was checked in the body:
   * its full ID, or for a link its name (on a user network the daemon makes
   * a link's alias point at the name it is given).
   */
  joins: Array<{ ref: string; what: string; pin: (checked: { id: string; name: string }) => void }>;
  /** strict: networks the container joins (NetworkMode, EndpointsConfig); each must be the job's own or the bridge. */
  networks: Array<{ ref: string; what: string }>;
  /** Named volumes the container uses: created first with the job's labels (or, in strict, must be the job's). */
  volumes: Array<{ name: string; driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> }>;
}

/** A bind mount's source on the host, and as the request named it. */
interface HostBind {
  host: string;
  shown: string;
}

const HOST_NAMESPACES: Array<[field: string, flag: string, shares: string]> = [
  ['NetworkMode', '--network host', "the host's network stack"],
  ['PidMode', '--pid host', "the host's processes"],
  ['IpcMode', '--ipc host', "the host's IPC namespace"],
  ['UTSMode', '--uts host', "the host's hostname"],
  ['UsernsMode', '--userns host', "the host's user namespace"],
  ['CgroupnsMode', '--cgroupns host', "the host's cgroups"],
];

/** Capabilities that reach outside a container (or hand it the host). */
const HOST_CAPABILITIES = new Set([
  'ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'SYS_TIME', 'SYS_BOOT', 'DAC_READ_SEARCH',
  'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON', 'SYSLOG',
]);

/** Bind sources are rewritten when strict checks them or the job's container maps them. */
function touchesBinds(context: InspectionContext): boolean {
  return context.policy === 'strict' || context.pathMap !== undefined;
}

/** HostConfig.Binds: named volumes noted, bind sources replaced by their host paths (returned). */
function inspectBinds(hostConfig: Json, context: InspectionContext, inspected: Inspected): HostBind[] {
  const binds: HostBind[] = [];
  const key = keyOf(hostConfig, 'Binds');
  const list = key === undefined ? undefined : hostConfig[key];
  if (!Array.isArray(list)) return binds;
  const volumeDriver = field(hostConfig, 'VolumeDriver');
  hostConfig[key!] = list.map((entry: unknown) => {
    if (typeof entry !== 'string') return entry;
    const bind = parseBind(entry);
    if (!bind) return entry;
    if (bind.kind === 'volume') {
      inspected.volumes.push({ name: bind.source, ...(typeof volumeDriver === 'string' && volumeDriver !== '' ? { driver: volumeDriver } : {}) });
      return entry;
    }
    if (!touchesBinds(context)) return entry;
    const host = hostSource(bind.source, context, inspected.notes);
    binds.push({ host, shown: bind.source });
    return host + bind.rest;
  });
  return binds;
}

/** A type=volume mount: strict refuses host devices and paths; the volume gets the job's labels and is noted when named. */
function inspectVolumeMount(mount: Json, source: unknown, context: InspectionContext, inspected: Inspected): void {
  let options = field(mount, 'VolumeOptions');
  if (!isObject(options)) {
    options = {};
    setField(mount, 'VolumeOptions', options);
  }
  const volumeOptions = options as Json;
  const driverConfig = field(volumeOptions, 'DriverConfig');
  const driver = isObject(driverConfig) ? field(driverConfig, 'Name') : undefined;
  const driverOpts = isObject(driverConfig) ? field(driverConfig, 'Options') : undefined;
  const refusal = volumeOptionsProblem(driver, driverOpts, context, `volume mount ${typeof source === 'string' && source ? source : '(anonymous)'}`);
  if (refusal) throw refusal;
  // Labels apply when the daemon creates the volume (anonymous ones too).
  withLabels(volumeOptions, 'Labels', context.labels);
  if (typeof source === 'string' && source !== '') {
    inspected.volumes.push({
      name: source,
      ...(typeof driver === 'string' && driver !== '' ? { driver } : {}),
      ...(isObject(driverOpts) ? { driverOpts: driverOpts as Record<string, string> } : {}),
      labels: field(volumeOptions, 'Labels') as Record<string, string>,
    });
  }
}

/** HostConfig.Mounts: bind sources replaced by their host paths (returned), volume mounts inspected. */
function inspectMounts(hostConfig: Json, context: InspectionContext, inspected: Inspected): HostBind[] {
  const binds: HostBind[] = [];
  const mounts = field(hostConfig, 'Mounts');
  if (!Array.isArray(mounts)) return binds;
  for (const mount of mounts) {
    if (!isObject(mount)) continue;
    const type = field(mount, 'Type');
    const source = field(mount, 'Source');
    if (type === 'bind' && typeof source === 'string' && touchesBinds(context)) {
      const host = hostSource(source, context, inspected.notes);
      setField(mount, 'Source', host);
      binds.push({ host, shown: source });
    } else if (type === 'volume') {
      inspectVolumeMount(mount, source, context, inspected);
    }
  }
  return binds;
}

/** strict: host namespaces refused; containers whose namespaces, volumes or environment (links) are joined noted. */
function checkJoins(hostConfig: Json, inspected: Inspected): void {
  for (const [name, flag, shares] of HOST_NAMESPACES) {
    const mode = field(hostConfig, name);
    if (typeof mode !== 'string') continue;
    if (mode.trim().toLowerCase() === 'host') throw policyRefusal('strict', flag, `it shares ${shares} with the job's containers`);
    const joined = /^container:(.+)$/.exec(mode.trim());
    if (joined) {
      inspected.joins.push({ ref: joined[1]!, what: `${flag.replace(' host', '')} ${mode.trim()}`, pin: ({ id }) => setField(hostConfig, name, `container:${id}`) });
    } else if (name === 'NetworkMode') {
      inspected.networks.push({ ref: mode.trim(), what: `--network ${mode.trim()}` });
    }
  }
  pinEach(hostConfig, 'VolumesFrom', /^(.*?)((?::(?:ro|rw))?)$/, '--volumes-from', 'id', inspected);
  // A legacy link (NAME:ALIAS) copies the linked container's environment into the new one.
  pinEach(hostConfig, 'Links', /^([^:]*)((?::.*)?)$/, '--link', 'name', inspected);
}

/** Each entry of a list field whose first group names a container: a join pinned in place. */
function pinEach(hostConfig: Json, name: string, pattern: RegExp, flag: string, by: 'id' | 'name', inspected: Inspected): void {
  const list = field(hostConfig, name);
  if (!Array.isArray(list)) return;
  list.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string') return;
    const [, ref, rest] = pattern.exec(entry)!;
    inspected.joins.push({ ref: ref!.replace(/^\//, ''), what: `${flag} ${entry}`, pin: (checked) => (list[index] = `${checked[by]}${rest}`) });
  });
}

/** strict: the networks a new container is connected to at create (NetworkingConfig.EndpointsConfig's keys). */
function checkEndpoints(body: Json, inspected: Inspected): void {
  const networking = field(body, 'NetworkingConfig');
  const endpoints = isObject(networking) ? field(networking, 'EndpointsConfig') : undefined;
  if (!isObject(endpoints)) return;
  for (const name of Object.keys(endpoints)) inspected.networks.push({ ref: name, what: `--network ${name}` });
}

/** strict: each bind's host path under the roots, and not the Docker socket. */
function checkBinds(binds: HostBind[], context: InspectionContext): void {
  for (const { host, shown } of binds) {
    const problem = bindSourceProblem(host, context);
    const described = host === shown ? host : `${shown} (${context.pathMap ? `${host} on the host` : `which resolves to ${host}`})`;
    if (problem) throw policyRefusal('strict', `bind mount of ${described}`, problem);
  }
}

/** strict: capabilities, devices and security options that reach the host. */
function checkHostAccess(hostConfig: Json): void {
  for (const capability of strings(field(hostConfig, 'CapAdd'))) {
    const name = capability.toUpperCase().replace(/^CAP_/, '');
    if (HOST_CAPABILITIES.has(name)) throw policyRefusal('strict', `--cap-add ${name}`, 'the capability reaches outside the container');
  }
  const devices = field(hostConfig, 'Devices');
  if (Array.isArray(devices) && devices.length > 0) {
    const first = devices[0];
    const path = isObject(first) ? field(first, 'PathOnHost') : undefined;
    throw policyRefusal('strict', `--device ${typeof path === 'string' ? path : ''}`.trim(), 'it gives the container a host device');
  }
  const rules = strings(field(hostConfig, 'DeviceCgroupRules'));
  if (rules.length > 0) throw policyRefusal('strict', `--device-cgroup-rule ${rules[0]}`, 'it gives the container access to host devices');
  for (const option of strings(field(hostConfig, 'SecurityOpt'))) {
    if (/unconfined|label[:=]disable/i.test(option)) throw policyRefusal('strict', `--security-opt ${option}`, "it turns off the container's confinement");
  }
}

/**
 * A HostConfig (of POST /containers/create, or the body of a pre-1.24
 * POST /containers/{id}/start): bind sources translated and resolved, then
 * dood-policy applied on the host paths. Mutates `hostConfig`; throws Refused.
 */
export function inspectHostConfig(hostConfig: Json, context: InspectionContext, inspected: Inspected): void {
  const binds = [...inspectBinds(hostConfig, context, inspected), ...inspectMounts(hostConfig, context, inspected)];
  const { policy } = context;
  if (policy === 'none') return;
  if (field(hostConfig, 'Privileged') === true) {
    throw policyRefusal(policy, '--privileged', 'a privileged container has full access to the host');
  }
  if (policy !== 'strict') return;
  checkJoins(hostConfig, inspected);
  checkBinds(binds, context);
  checkHostAccess(hostConfig);
}

/** A body with nothing to add, translate or check with the daemon. */
export function emptyInspection(body: unknown): Inspected {
  return { body, notes: [], joins: [], networks: [], volumes: [] };
}

/**
 * POST /containers/create: the job's labels, then the HostConfig inspected.
 * Daemons before API 1.44 also read HostConfig fields from the top level of
 * the body (a deprecated form they use when "HostConfig" is absent), so the
 * top level is inspected as a HostConfig too. Throws Refused.
 */
export function inspectContainerCreate(body: unknown, context: InspectionContext): Inspected {
  const inspected = emptyInspection(body);
  if (!isObject(body)) return inspected;
  withLabels(body, 'Labels', context.labels);
  const hostConfig = field(body, 'HostConfig');
  if (isObject(hostConfig)) inspectHostConfig(hostConfig, context, inspected);
  inspectHostConfig(body, context, inspected);
  if (context.policy === 'strict') checkEndpoints(body, inspected);
  return inspected;
}

/** POST /networks/create: the job's labels. */
export function inspectNetworkCreate(body: unknown, context: InspectionContext): Inspected {
  if (isObject(body)) withLabels(body, 'Labels', context.labels);
  return emptyInspection(body);
}

/** POST /volumes/create: the job's labels; strict refuses local volumes over host paths outside the roots or devices. */
export function inspectVolumeCreate(body: unknown, context: InspectionContext): Inspected {
  if (!isObject(body)) return emptyInspection(body);
  const name = field(body, 'Name');
  const reserved = context.policy === 'strict' && typeof name === 'string' ? claimNameProblem(name) : undefined;
  if (reserved) throw policyRefusal('strict', `creating volume ${name}`, reserved);
  const refusal = volumeOptionsProblem(field(body, 'Driver'), field(body, 'DriverOpts'), context, `volume ${typeof name === 'string' && name ? name : '(unnamed)'}`);
  if (refusal) throw refusal;
  withLabels(body, 'Labels', context.labels);
  return emptyInspection(body);
}

/** POST /containers/{id}/exec: no privileged exec unless the policy is none. */
export function inspectExecCreate(body: unknown, context: InspectionContext): Inspected {
  if (context.policy !== 'none' && isObject(body) && field(body, 'Privileged') === true) {
    throw policyRefusal(context.policy, 'exec --privileged', 'a privileged process has full access to the host');
  }
  return emptyInspection(body);
}

/** POST /containers/{id}/start with a body: API < 1.24 still takes a HostConfig there, so it gets the same inspection. */
export function inspectStartBody(body: unknown, context: InspectionContext): Inspected {
  const inspected = emptyInspection(body);
  if (isObject(body)) inspectHostConfig(body, context, inspected);
  return inspected;
}

/** strict: prune only what the job created (label filters added). Returns the new query string. */
export function scopePruneFilters(query: string, labels: Record<string, string>): string {
  const params = new URLSearchParams(query.replace(/;/g, '&'));
  const parsed = parseFirstJsonValue(params.get('filters') ?? '{}')?.value;
  const filters: Json = isObject(parsed) ? parsed : {};
  const existing = filters.label;
  const label: Record<string, boolean> = Array.isArray(existing)
    ? Object.fromEntries(strings(existing).map((entry) => [entry, true]))
    : isObject(existing)
      ? Object.fromEntries(Object.entries(existing).map(([key, value]) => [key, value === true]))
      : {};
  for (const [key, value] of Object.entries(labels)) label[`${key}=${value}`] = true;
  filters.label = label;
  params.set('filters', JSON.stringify(filters));
  return params.toString();
}
