/**
 * strict's value checks, on the allowlist principle: each accepts the forms
 * known to stay inside the container and refuses the rest, saying why and
 * what it accepts. network-values.ts has the checks of networks.
 */
import { field, isObject } from '../json.js';
import { eachEntry, eachString, shown, type Check, type Problem } from './rules.js';

export const VOLUME_PLUGIN = "a volume plugin runs with the host's privileges and mounts what it likes";

/** Go's strconv.ParseBool spellings. */
const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** A security option as the daemon splits it (parseSecurityOpt: '=' first, then the deprecated ':'). */
function splitOption(option: string): [key: string, value: string | undefined] {
  const separator = option.includes('=') ? '=' : option.includes(':') ? ':' : undefined;
  if (separator === undefined) return [option, undefined];
  const at = option.indexOf(separator);
  return [option.slice(0, at), option.slice(at + 1)];
}

const SECURITY_OPTS_ACCEPTED = 'strict accepts no-new-privileges[=true|false], apparmor=docker-default and writable-cgroups=false';

/** Why a security option (other than the accepted ones) is refused. */
function securityOptReason(key: string, value: string | undefined): string {
  switch (key) {
    case 'seccomp':
      return value === 'unconfined'
        ? 'it turns off the syscall filter'
        : "a profile of the job's own can allow any syscall, and builtin replaces a stricter profile the daemon may be configured with";
    case 'label':
    case 'disable':
      return "SELinux label options pick the container's context: disable turns labelling off, type: can pick an unconfined type such as spc_t, level: can span other containers' categories";
    case 'apparmor':
      return "it picks an AppArmor profile other than docker-default: unconfined, or one of the host's looser profiles";
    case 'writable-cgroups':
      return "it makes the container's cgroup files writable: the container could lift its own limits";
    case 'systempaths':
      return 'it unmasks /proc and /sys paths that show and change the host';
    default:
      return 'the proxy does not know the option';
  }
}

/** HostConfig.SecurityOpt: only options that keep or tighten the default confinement. */
export function securityOptProblem(option: string): Problem | undefined {
  const [key, value] = splitOption(option);
  if (key === 'no-new-privileges' && (value === undefined || TRUE.includes(value) || FALSE.includes(value))) return undefined;
  if (key === 'apparmor' && value === 'docker-default') return undefined;
  if (key === 'writable-cgroups' && value !== undefined && FALSE.includes(value)) return undefined;
  return { what: `${shown(option)} (--security-opt ${option})`, why: `${securityOptReason(key, value)}; ${SECURITY_OPTS_ACCEPTED}` };
}

/** Docker's default capabilities: adding one again changes nothing. */
const DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/**
 * Capabilities whose power stays in the container's own namespaces (network,
 * IPC) or files: NET_ADMIN configures the container's network namespace only,
 * IPC_LOCK's locked memory is charged to the container's memory cgroup.
 */
const CONTAINED_CAPABILITIES = ['NET_ADMIN', 'NET_BROADCAST', 'IPC_LOCK', 'IPC_OWNER', 'LEASE', 'CHECKPOINT_RESTORE'];

export const ADDABLE_CAPABILITIES = [...DEFAULT_CAPABILITIES, ...CONTAINED_CAPABILITIES];

/** Why the capabilities most asked for are refused; others: not known to stay inside. */
const CAPABILITY_REASONS: Record<string, string> = {
  ALL: 'it grants every capability, including those that reach the host',
  SYS_ADMIN: 'it allows mounts and much else that escapes the container',
  SYS_MODULE: 'it loads kernel modules into the host kernel',
  SYS_RAWIO: 'it gives raw access to host I/O ports and memory',
  SYS_PTRACE: 'it traces processes it can see, and bypasses the syscall filter on old kernels',
  DAC_READ_SEARCH: "it opens host files by handle (open_by_handle_at), outside the container's file system",
  SYS_TIME: "it sets the host's clock",
  SYS_BOOT: 'it reboots the host',
  SYS_NICE: "it gives the container's processes real-time priority over the host's",
  SYS_RESOURCE: "it overrides host-wide limits (reserved disk blocks, message queues, pipe sizes)",
  LINUX_IMMUTABLE: 'it makes bound host files immutable: the host cannot delete them after the job',
  WAKE_ALARM: 'it sets alarms that wake the host from suspend',
  BLOCK_SUSPEND: 'it keeps the host from suspending',
  AUDIT_CONTROL: "it changes the host's audit rules",
  AUDIT_READ: "it reads the host's audit log",
  SYS_PACCT: 'it turns on process accounting for the whole host',
  SYS_TTY_CONFIG: "it reconfigures the host's terminals",
  MAC_ADMIN: "it changes the host's mandatory access control (AppArmor, SELinux)",
  MAC_OVERRIDE: "it overrides the host's mandatory access control",
  BPF: 'it loads BPF programs into the host kernel',
  PERFMON: 'it watches every process on the host through performance monitoring',
  SYSLOG: "it reads and clears the host kernel's log",
};

/** HostConfig.CapAdd (a StrSlice: one string or a list), named with or without CAP_, in any case. */
export function capabilityProblem(capability: string): Problem | undefined {
  const name = capability.trim().toUpperCase().replace(/^CAP_/, '');
  if (ADDABLE_CAPABILITIES.includes(name)) return undefined;
  const why = CAPABILITY_REASONS[name] ?? 'the proxy does not know it to stay inside the container';
  return { what: `${shown(capability)} (--cap-add ${name})`, why: `${why}; strict accepts ${CONTAINED_CAPABILITIES.join(', ')} and the default ones` };
}

/** Sysctls of the container's IPC namespace (the daemon's and runc's list). */
const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];

/**
 * HostConfig.Sysctls: those of the container's own IPC namespace
 * (IPC_SYSCTLS, fs.mqueue.*) and network namespace (net.*: the kernel shows
 * a network namespace only its own, and strict refuses --network host), in
 * plain dotted form (no '/' or '..' that the runtime would turn into another
 * path under /proc/sys). Others (kernel.core_pattern, vm.*) are the host's.
 */
export function sysctlProblem(key: string): Problem | undefined {
  const plain = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(key);
  if (plain && (IPC_SYSCTLS.includes(key) || key.startsWith('fs.mqueue.') || key.startsWith('net.'))) return undefined;
  return {
    what: `${shown(key)} (--sysctl ${key}=...)`,
    why: `it is not a sysctl of the container's own namespaces: it would change the host; strict accepts net.*, fs.mqueue.* and ${IPC_SYSCTLS.join(', ')}`,
  };
}

export const checkSysctls: Check = eachEntry((key) => sysctlProblem(key));

/** Ulimit names the container may set: limits on itself. nice and rtprio would rank it above the host's processes. */
const ULIMITS = ['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nofile', 'nproc', 'rss', 'rttime', 'sigpending', 'stack'];

export const checkUlimitName: Check = (value) => {
  if (typeof value === 'string' && ULIMITS.includes(value)) return undefined;
  const why = value === 'nice' || value === 'rtprio' ? "it lets the container's processes take scheduling priority over the host's" : 'the proxy does not know the limit';
  return { what: `${shown(value)} (--ulimit ${String(value)}=...)`, why: `${why}; strict accepts ${ULIMITS.join(', ')}` };
};

/** Log drivers that write to the daemon's own log files (or nowhere): others send to host sockets, the network or the host's cloud account. */
export const LOG_DRIVERS = ['', 'json-file', 'local', 'none'];

/** Log options of LOG_DRIVERS and of every driver (buffering, dual-logging cache, metadata): none names a host path or address. */
const LOG_OPTIONS = [
  'max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag', 'mode', 'max-buffer-size',
  'cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress',
];

/** LogConfig.Config: only LOG_OPTIONS (also under the daemon's default driver, whose own options may name host places). */
export const checkLogOptions: Check = eachEntry((key) =>
  LOG_OPTIONS.includes(key)
    ? undefined
    : { what: `${shown(key)} (--log-opt ${key}=...)`, why: `the proxy does not know it to stay within the daemon's log files; strict accepts ${LOG_OPTIONS.join(', ')}` },
);

/** HostConfig.StorageOpt: only size (of the container's writable layer). */
export const checkStorageOpt: Check = eachEntry((key) =>
  key === 'size' ? undefined : { what: `${shown(key)} (--storage-opt ${key}=...)`, why: 'storage driver options other than size are not known to the proxy; strict accepts size' },
);

/** Blkio*Device*.Path: the daemon stats the path on the host, so only a device under /dev (no '..'). */
export const checkDevicePath: Check = (value) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.startsWith('/dev/') && !value.split('/').includes('..')) return undefined;
  return { what: shown(value), why: 'the daemon looks the path up on the host; strict accepts devices under /dev/' };
};

/** HostConfig.Devices: none (a host device inside the container). */
export const checkDevices: Check = (value) => {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  const path = isObject(first) ? field(first, 'PathOnHost') : undefined;
  return { what: `(--device ${typeof path === 'string' ? path : shown(first)})`, why: 'it gives the container a host device' };
};

/** Binds modes the daemon knows (linuxValidMountMode), less shared and rshared propagation. */
const BIND_MODES = ['rw', 'ro', 'z', 'Z', 'nocopy', 'private', 'rprivate', 'slave', 'rslave', 'consistent', 'cached', 'delegated', 'default'];

/** HostConfig.Binds: SOURCE:TARGET[:MODES]; the sources are inspect.ts's (inspectBinds, checkBinds), the modes are checked here. */
export const checkBindModes: Check = eachString((spec) => {
  const parts = spec.split(':');
  const modes = parts.length === 3 ? parts[2]!.split(',') : [];
  const bad = modes.find((mode) => !BIND_MODES.includes(mode));
  if (bad === undefined) return undefined;
  const why = bad === 'shared' || bad === 'rshared' ? "shared propagation makes mounts made in the container appear on the host's side of the bind" : 'the proxy does not know the mode';
  return { what: `${shown(spec)} (-v ...:${bad})`, why: `${why}; strict accepts ${BIND_MODES.join(', ')}` };
});

/** TmpfsOptions.Options: [["exec"]] or [["noexec"]], the daemon's own list (validTmpfsOptions). */
export const checkTmpfsOptions: Check = (value) => {
  if (value === undefined || value === null) return undefined;
  const ok = Array.isArray(value) && value.every((option) => Array.isArray(option) && option.length === 1 && (option[0] === 'exec' || option[0] === 'noexec'));
  return ok ? undefined : { what: shown(value), why: 'strict accepts the tmpfs options exec and noexec' };
};

/** One namespace mode (NetworkMode, PidMode, ...): `host` refused; container:<id> joins are for checkJoins to check. */
export function namespaceMode(flag: string, shares: string, allowed: string[], options: { joins?: boolean; names?: boolean } = {}): Check {
  return (value) => {
    const mode = value === undefined || value === null ? '' : value;
    if (typeof mode !== 'string') return { what: shown(value), why: 'it must be a string' };
    if (mode === 'host' || mode.trim().toLowerCase() === 'host') {
      return { what: `(${flag} host)`, why: `it shares ${shares} with the job's containers` };
    }
    if (allowed.includes(mode)) return undefined;
    if (options.joins && /^container:.+$/.test(mode)) return undefined; // inspect.ts checkJoins: the job's own container
    if (options.names && !mode.includes(':')) return undefined; // a network by name: its ownership is checked elsewhere
    const accepted = [...allowed.map((item) => (item === '' ? '(unset)' : item)), ...(options.joins ? ['container:<id>'] : []), ...(options.names ? ['<network>'] : [])];
    return { what: `${shown(value)} (${flag} ${mode})`, why: `the proxy does not know the mode; strict accepts ${accepted.join(', ')}` };
  };
}

export const checkSecurityOpt: Check = eachString(securityOptProblem);
export const checkCapAdd: Check = eachString(capabilityProblem, true);

/** LogConfig.Type: LOG_DRIVERS only. */
export const checkLogDriver: Check = (type) => {
  if (type === undefined || type === null || (typeof type === 'string' && LOG_DRIVERS.includes(type))) return undefined;
  return {
    what: `${shown(type)} (--log-driver ${String(type)})`,
    why: "other drivers send the logs to host sockets (syslog, journald, fluentd: any unix socket on the host), to addresses the host can reach (gelf, splunk) or with the host's cloud credentials (awslogs, gcplogs), and plugins run with the host's privileges; strict accepts json-file, local and none",
  };
};
