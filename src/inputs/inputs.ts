/**
 * The action's inputs, defined once. action.yml, the README table and (later)
 * the CLI flags are checked against this table by the unit tests, so the
 * front ends cannot drift apart.
 *
 * Every value is validated here, before anything touches Docker: a bad value
 * fails with an InputError that names the input and what it accepts.
 */
import { isIP } from 'node:net';
import { daemonJson, parseDaemonConfig, parseInsecureRegistries, parseRegistryMirrors } from '../modes/dind/daemon-config.js';
import { InputError } from '../engine/errors.js';

export const MODES = ['dind', 'dood', 'attach'] as const;
export type Mode = (typeof MODES)[number];
/** Modes accepted by name whose engine is not built yet. */

export const PULL_POLICIES = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export const DOOD_POLICIES = ['none', 'no-privileged', 'strict'] as const;
export type DoodPolicy = (typeof DOOD_POLICIES)[number];

export const TRANSPORTS = ['tcp', 'unix'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface Options {
  mode: Mode;
  image: string;
  /** Host port for the daemon's API; 0 lets Docker pick a free one. */
  port: number;
  /** Seconds until the daemon must answer. */
  timeoutSeconds: number;
  pull: PullPolicy;
  /** Extra dockerd arguments, already split into an argument vector. */
  daemonArgs: string[];
  /** How a client reaches a DinD daemon: TCP on the host, or a unix socket in a per-job directory. */
  transport: Transport;
  /** TCP with mutual TLS, certificates made by the action. */
  tls: boolean;
  /** Extra subject alternative names for the server certificate (DNS names or IP addresses). */
  tlsSans: string[];
  /** Host address the TCP port is published on. */
  bindAddress: string;
  /** Mode attach: the daemon's endpoint, when given (else found from the environment). */
  dockerHost: string | undefined;
  /** Mode attach: directory with the client certificates (ca.pem, cert.pem, key.pem), when given. */
  certPath: string | undefined;
  /** DinD: remove leftovers of earlier runs older than this many seconds; 0 disables. */
  staleAfterSeconds: number;
  /** DooD: the host daemon's socket. */
  socket: string;
  /** DooD: what the job may ask the host daemon for. */
  doodPolicy: DoodPolicy;
  /** DinD: images copied from the host daemon into the new one before the job. */
  loadImages: string[];
  /** DinD: the inner daemon's daemon.json, or undefined for none. */
  daemonJson: string | undefined;
  /** The docker CLI to download, or undefined: use the one on PATH, download only when there is none. */
  dockerVersion: string | undefined;
  /** Base URL of the static client downloads (`<url>/<arch>/docker-<version>.tgz`). */
  dockerDownloadUrl: string;
  /** DinD: the inner daemon's network MTU. */
  mtu: Mtu;
  /** DinD: a named volume kept across jobs for the inner daemon's /var/lib/docker, or undefined. */
  cacheVolume: string | undefined;
  /** A docker context to create for the endpoint and select for the next steps, or undefined. */
  context: string | undefined;
}

/** `auto` follows the host's default-route interface, `off` leaves dockerd's default, a number forces it. */
export type Mtu = 'auto' | 'off' | number;

export const DEFAULT_DOCKER_DOWNLOAD_URL = 'https://download.docker.com/linux/static/stable';

export interface InputSpec {
  name: string;
  description: string;
  default: string;
}

export const INPUTS: readonly InputSpec[] = [
  {
    name: 'mode',
    description:
      'How the job gets a daemon: `dind` starts a Docker-in-Docker container; `dood` gives the job the host daemon through its socket, with the job\'s containers labelled and removed after it; `attach` waits for a daemon someone else runs (a GitLab service, a Kubernetes sidecar) and sets the job up for it.',
    default: 'dind',
  },
  { name: 'image', description: 'Image of the DinD daemon container.', default: 'docker:dind' },
  {
    name: 'port',
    description:
      'Host port (on `bind-address`) for the daemon API. `0` lets Docker pick a free port, so concurrent jobs never collide.',
    default: '0',
  },
  {
    name: 'timeout',
    description: 'Seconds to wait for the daemon to answer `GET /_ping` before failing (1-3600).',
    default: '60',
  },
  {
    name: 'pull',
    description: 'When to pull `image`: `missing` (only if not present), `always`, or `never`.',
    default: 'missing',
  },
  {
    name: 'daemon-args',
    description:
      'Extra dockerd arguments, separated by spaces or new lines (use `--flag=value`). Passed as an argument vector, never through a shell.',
    default: '',
  },
  {
    name: 'transport',
    description:
      'How later steps reach a DinD daemon: `tcp` (a port on `bind-address`) or `unix` (a socket in a per-job directory under RUNNER_TEMP; no TCP port at all).',
    default: 'tcp',
  },
  {
    name: 'tls',
    description:
      '`true` protects the TCP endpoint with mutual TLS: the action makes a CA, a server and a client certificate for this job and exports DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.',
    default: 'false',
  },
  {
    name: 'tls-san',
    description:
      'Extra names for the server certificate (DNS names or IP addresses, separated by commas, spaces or new lines), on top of localhost, 127.0.0.1, ::1 and docker.',
    default: '',
  },
  {
    name: 'bind-address',
    description:
      'Host address the TCP port is published on. Anything but a loopback address exposes the daemon to the network: the action warns in the log and the job summary.',
    default: '127.0.0.1',
  },
  {
    name: 'docker-host',
    description:
      'Mode `attach`: the daemon to wait for, as `tcp://HOST:PORT` or `unix:///PATH`. Default: DOCKER_HOST, else `tcp://docker:2376` when client certificates are found (DOCKER_CERT_PATH or $DOCKER_TLS_CERTDIR/client), else `tcp://docker:2375`.',
    default: '',
  },
  {
    name: 'cert-path',
    description:
      'Mode `attach`: directory with the client certificates (`ca.pem`, `cert.pem`, `key.pem`) for a TLS endpoint. Default: DOCKER_CERT_PATH, else $DOCKER_TLS_CERTDIR/client.',
    default: '',
  },
  {
    name: 'stale-after',
    description:
      'DinD and DooD: at start, remove leftovers of earlier runs that never reached their teardown (a runner that died), found by label, when older than this: a number with a unit (`90m`, `6h`, `2d`; at least 10m), or `0` to disable.',
    default: '6h',
  },
  {
    name: 'socket',
    description: 'DooD: the host daemon\'s socket, as mounted into the job.',
    default: '/var/run/docker.sock',
  },
  {
    name: 'dood-policy',
    description:
      'DooD: what the job may ask of the host daemon: `none`; `no-privileged` (no privileged containers); `strict` (also no host namespaces, no bind mounts outside the workspace and temp dirs, no mounting the socket again). Refusals reach the docker CLI as API errors.',
    default: 'none',
  },
  {
    name: 'load-images',
    description:
      'DinD: images to copy from the runner\'s Docker daemon into the new one before the job (streamed `docker save | docker load`, no registry, no rate limits), separated by commas, spaces or new lines.',
    default: '',
  },
  {
    name: 'registry-mirrors',
    description: 'DinD: registry mirrors for the inner daemon (http:// or https:// URLs, separated by commas, spaces or new lines), written to its daemon.json.',
    default: '',
  },
  {
    name: 'insecure-registries',
    description: 'DinD: registries the inner daemon may reach without TLS verification (host, host:port or CIDR), written to its daemon.json.',
    default: '',
  },
  {
    name: 'daemon-config',
    description:
      'DinD: more daemon.json for the inner daemon, as a JSON object, merged with registry-mirrors and insecure-registries and mounted read-only. Keys the action sets itself (hosts, tls*, group, data-root) are refused.',
    default: '',
  },
  {
    name: 'mtu',
    description:
      'DinD: MTU of the inner daemon\'s networks. `auto` uses the MTU of this host\'s default-route interface when it is below 1500 (Kubernetes overlays, VPNs), `off` leaves dockerd\'s 1500, a number (576-65535) forces it. Applied to the default bridge (`--mtu`) and, on Docker 24+, to networks the job creates.',
    default: 'auto',
  },
  {
    name: 'cache-volume',
    description:
      'DinD: keep the inner daemon\'s /var/lib/docker (images, build cache) in this named volume, so the next job on this runner starts with them. Post keeps the volume. One daemon at a time: a job that finds the volume in use waits up to `timeout`, then fails.',
    default: '',
  },
  {
    name: 'context',
    description:
      'Create a docker context of this name for the daemon (with the TLS material when the endpoint uses TLS) and select it for the next steps with DOCKER_CONTEXT instead of DOCKER_HOST; post removes it. It must not exist yet.',
    default: '',
  },
  {
    name: 'docker-version',
    description:
      'The docker CLI for this and later steps. Empty: use the `docker` on PATH, and download the static client only when there is none. A version (`29.1.3`) or `latest`: download that client from `docker-download-url`, cache it in the tool cache and put it first on PATH. `none`: never download (jobs that need no docker CLI, e.g. only an SDK, on a network without the download site).',
    default: '',
  },
  {
    name: 'docker-download-url',
    description:
      'Base URL of the static docker client downloads, as `<url>/<arch>/docker-<version>.tgz` (x86_64, aarch64, armhf): a mirror for air-gapped networks.',
    default: DEFAULT_DOCKER_DOWNLOAD_URL,
  },
];

/** The modes in which each input means something; the others apply to every mode. */
const INPUT_MODES: Record<string, readonly Mode[]> = {
  image: ['dind'],
  port: ['dind'],
  pull: ['dind'],
  'daemon-args': ['dind'],
  transport: ['dind'],
  tls: ['dind'],
  'tls-san': ['dind'],
  'bind-address': ['dind'],
  'stale-after': ['dind', 'dood'],
  'docker-host': ['attach'],
  'cert-path': ['attach'],
  socket: ['dood'],
  'dood-policy': ['dood'],
  'load-images': ['dind'],
  'registry-mirrors': ['dind'],
  'insecure-registries': ['dind'],
  'daemon-config': ['dind'],
  mtu: ['dind'],
  'cache-volume': ['dind'],
};

/** Reads one raw input value; `undefined` or '' means "not given". */
export type InputSource = (name: string) => string | undefined;

const MAX_TIMEOUT_SECONDS = 3600;

export function readOptions(source: InputSource): Options {
  // Given = set to something other than its default (the Actions runner passes every default explicitly).
  const given = (name: string): boolean => {
    const value = source(name)?.trim();
    return value !== undefined && value !== '' && value.toLowerCase() !== spec(name).default.toLowerCase();
  };
  const raw = (name: string): string => {
    const value = source(name)?.trim();
    return value === undefined || value === '' ? spec(name).default : value;
  };

  const mode = parseEnum('mode', raw('mode'), MODES);
  const options: Options = {
    mode,
    image: parseImageReference('image', raw('image')),
    port: parseInteger('port', raw('port'), 0, 65535, 'a whole number from 0 to 65535 (0 picks a free port)'),
    timeoutSeconds: parseInteger('timeout', raw('timeout'), 1, MAX_TIMEOUT_SECONDS, `whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`),
    pull: parseEnum('pull', raw('pull'), PULL_POLICIES),
    daemonArgs: parseDaemonArgs('daemon-args', raw('daemon-args')),
    transport: parseEnum('transport', raw('transport'), TRANSPORTS),
    tls: parseBoolean('tls', raw('tls')),
    tlsSans: parseSans('tls-san', raw('tls-san')),
    bindAddress: parseBindAddress('bind-address', raw('bind-address')),
    dockerHost: given('docker-host') ? parseDockerHostInput('docker-host', raw('docker-host')) : undefined,
    certPath: given('cert-path') ? parsePath('cert-path', raw('cert-path')) : undefined,
    staleAfterSeconds: parseDuration('stale-after', raw('stale-after'), MIN_STALE_AFTER_SECONDS, MAX_STALE_AFTER_SECONDS),
    socket: parseAbsolutePath('socket', raw('socket')),
    doodPolicy: parseEnum('dood-policy', raw('dood-policy'), DOOD_POLICIES),
    loadImages: [...new Set(raw('load-images').split(/[\s,]+/).filter((name) => name !== ''))].map((name) =>
      parseImageReference('load-images', name),
    ),
    daemonJson: daemonJson(
      parseDaemonConfig('daemon-config', raw('daemon-config')),
      parseRegistryMirrors('registry-mirrors', raw('registry-mirrors')),
      parseInsecureRegistries('insecure-registries', raw('insecure-registries')),
    ),
    dockerVersion: given('docker-version') ? parseDockerVersion('docker-version', raw('docker-version')) : undefined,
    dockerDownloadUrl: parseHttpUrl('docker-download-url', raw('docker-download-url')),
    mtu: parseMtu('mtu', raw('mtu')),
    cacheVolume: given('cache-volume') ? parseObjectName('cache-volume', raw('cache-volume'), 'a Docker volume name: letters, digits, _ . - (starting with a letter or digit), e.g. dind-cache') : undefined,
    context: given('context') ? parseContextName('context', raw('context')) : undefined,
  };

  // An input that has no effect in the chosen mode is a mistake worth stopping for.
  for (const [name, modes] of Object.entries(INPUT_MODES)) {
    if (!modes.includes(mode) && given(name)) {
      const owners = modes.length === 1 ? `mode ${modes[0]} only` : `modes ${modes.join(' and ')} only`;
      throw new InputError(name, `applies to ${owners}, and mode is ${mode}`, `no value in mode ${mode} (remove the input)`);
    }
  }
  if (options.transport === 'unix') {
    if (options.tls) throw new InputError('tls', 'cannot be combined with transport "unix" (a unix socket needs no TLS; file permissions guard it)', 'false with transport unix');
    for (const name of ['port', 'bind-address', 'tls-san'].filter(given)) {
      throw new InputError(name, 'only applies to transport "tcp"', 'no value with transport unix (remove the input)');
    }
  }
  if (options.mtu !== 'auto' && options.mtu !== 'off') {
    const clash = mtuClash(options);
    if (clash) throw new InputError('mtu', `${options.mtu} clashes with ${clash}`, 'auto, off or a number, with no MTU in daemon-args or daemon-config');
  }
  if (!options.tls && given('tls-san')) {
    throw new InputError('tls-san', 'only applies with tls: true', 'no value unless tls is true');
  }
  return options;
}

function spec(name: string): InputSpec {
  const found = INPUTS.find((input) => input.name === name);
  if (!found) throw new Error(`BUG: unknown input ${name}`);
  return found;
}

/** Below this, a sweep could take a live job's daemon for a leftover. */
const MIN_STALE_AFTER_SECONDS = 10 * 60;
const MAX_STALE_AFTER_SECONDS = 365 * 86_400;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `0`, or a number with a unit: 90s, 30m, 6h, 1.5d. */
export function parseDuration(input: string, value: string, min: number, max: number): number {
  const accepted = `0 (off), or a number with a unit s, m, h or d (e.g. 90m, 6h, 2d) from ${min / 60}m to ${max / 86_400}d`;
  singleLine(input, value, accepted);
  if (value === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
  if (!match) throw new InputError(input, `${quote(value)} is not a duration`, accepted);
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  if (seconds < min || seconds > max) throw new InputError(input, `${value} is out of range`, accepted);
  return seconds;
}

const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };

/** YAML 1.2 core schema booleans, as @actions/core's getBooleanInput reads them. */
export function parseBoolean(input: string, value: string): boolean {
  const accepted = 'true or false';
  singleLine(input, value, accepted);
  const result = BOOLEANS[value];
  if (result === undefined) throw new InputError(input, `${quote(value)} is not a boolean`, accepted);
  return result;
}

const DNS_NAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function parseSans(input: string, value: string): string[] {
  const accepted = 'DNS names or IP addresses separated by commas, spaces or new lines, e.g. docker, dind.internal, 10.0.0.5';
  const names = value.split(/[\s,]+/).filter((name) => name !== '');
  for (const name of names) {
    if (isIP(name) === 0 && !DNS_NAME.test(name)) throw new InputError(input, `${quote(name)} is neither a DNS name nor an IP address`, accepted);
  }
  return names;
}

export function parseBindAddress(input: string, value: string): string {
  const accepted = 'an IP address of this host, e.g. 127.0.0.1 (default), ::1, or 0.0.0.0 for every interface';
  singleLine(input, value, accepted);
  const address = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(address) === 0) throw new InputError(input, `${quote(value)} is not an IP address`, accepted);
  return address;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

export function parseDockerHostInput(input: string, value: string): string {
  const accepted = 'tcp://HOST:PORT or unix:///ABSOLUTE/PATH (ssh:// and npipe:// are not supported)';
  singleLine(input, value, accepted);
  if (/^unix:\/\/\/[^\0]*$/.test(value)) return value;
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})\/?$/.exec(value);
  if (tcp && Number(tcp[2]) >= 1 && Number(tcp[2]) <= 65535) return value.replace(/\/$/, '');
  throw new InputError(input, `${quote(value)} is not a supported Docker endpoint`, accepted);
}

export function parseAbsolutePath(input: string, value: string): string {
  const accepted = 'an absolute path, e.g. /var/run/docker.sock';
  const path = parsePath(input, value);
  if (!path.startsWith('/')) throw new InputError(input, `${quote(value)} is not an absolute path`, accepted);
  return path;
}

export function parsePath(input: string, value: string): string {
  const accepted = 'a directory path';
  singleLine(input, value, accepted);
  if (value.includes('\0')) throw new InputError(input, 'contains a NUL character', accepted);
  return value;
}

/** Shows a value in an error message without letting it break the message. */
export function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

function singleLine(input: string, value: string, accepted: string): void {
  if (/[\r\n]/.test(value)) throw new InputError(input, `expected one value, got several lines (${quote(value)})`, accepted);
}

export function parseEnum<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const accepted = allowed.join(', ');
  singleLine(input, value, accepted);
  const normalized = value.toLowerCase();
  const match = allowed.find((candidate) => candidate === normalized);
  if (!match) throw new InputError(input, `${quote(value)} is not a valid value`, accepted);
  return match;
}

export function parseInteger(input: string, value: string, min: number, max: number, accepted: string): number {
  singleLine(input, value, accepted);
  if (!/^\d+$/.test(value)) throw new InputError(input, `${quote(value)} is not a whole number`, accepted);
  const number = Number(value);
  if (number < min || number > max) throw new InputError(input, `${value} is out of range`, accepted);
  return number;
}

// The grammar of github.com/distribution/reference: [domain/]path[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const MAX_NAME_LENGTH = 255;

export function parseImageReference(input: string, value: string): string {
  const accepted = 'an image reference such as docker:dind, docker:29-dind or registry.example.com/team/dind:1.2@sha256:<digest>';
  singleLine(input, value, accepted);
  const match = REFERENCE.exec(value);
  if (!match) throw new InputError(input, `${quote(value)} is not a valid image reference`, accepted);
  if ((match[1] ?? '').length > MAX_NAME_LENGTH) {
    throw new InputError(input, `the repository name is longer than ${MAX_NAME_LENGTH} characters`, accepted);
  }
  return value;
}

/** dockerd flags the action sets itself: the listeners and their transport security. */
const RESERVED_DAEMON_FLAGS = ['-H', '--host', '--tls', '--tlsverify', '--tlscacert', '--tlscert', '--tlskey'];

/** dockerd's one-letter flags that take a value: the rest of a cluster such as `-lwarn` is that value. */
const VALUE_SHORTHANDS = new Set(['l', 'G', 'b', 'p', 's', 'g', 'e']);

/** Whether a cluster of one-letter flags (`-H…`, `-DH…`) sets -H, as dockerd's flag parser reads it. */
function setsHostShorthand(arg: string): boolean {
  if (!/^-[^-]/.test(arg)) return false;
  for (const letter of arg.slice(1)) {
    if (letter === 'H') return true;
    if (VALUE_SHORTHANDS.has(letter) || letter === '=') return false;
  }
  return false;
}

export function parseDaemonArgs(input: string, value: string): string[] {
  const accepted = 'dockerd flags such as --mtu=1400 --registry-mirror=https://mirror.example, separated by spaces or new lines';
  const args = value.split(/\s+/).filter((arg) => arg !== '');
  if (args.length > 0 && !args[0]!.startsWith('-')) {
    throw new InputError(input, `${quote(args[0]!)} is not a dockerd flag (flags start with -)`, accepted);
  }
  for (const arg of args) {
    const flag = arg.split('=', 1)[0]!;
    if (RESERVED_DAEMON_FLAGS.includes(flag) || setsHostShorthand(arg)) {
      throw new InputError(input, `${flag.startsWith('--') ? flag : '-H'} is set by the action itself (it chooses the daemon's listener and its security)`, accepted);
    }
    if (/[\0]/.test(arg)) throw new InputError(input, 'contains a NUL character', accepted);
  }
  return args;
}

/** Where else the MTU may already be set: then `mtu: auto` stands back, and a number is a contradiction. */
export function mtuClash(options: Pick<Options, 'daemonArgs' | 'daemonJson'>): string | undefined {
  if (options.daemonArgs.some((arg) => /^--mtu(=|$)/.test(arg))) return '--mtu in daemon-args';
  if (options.daemonJson !== undefined && 'mtu' in (JSON.parse(options.daemonJson) as object)) return '"mtu" in daemon-config';
  return undefined;
}

export function parseMtu(input: string, value: string): Mtu {
  const accepted = 'auto, off, or a whole number from 576 to 65535';
  singleLine(input, value, accepted);
  const lower = value.toLowerCase();
  if (lower === 'auto' || lower === 'off') return lower;
  return parseInteger(input, value, 576, 65535, accepted);
}

// Docker's own rule for volume and container names.
const OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function parseObjectName(input: string, value: string, accepted: string): string {
  singleLine(input, value, accepted);
  if (!OBJECT_NAME.test(value) || value.length > 200) throw new InputError(input, `${quote(value)} is not a valid name`, accepted);
  return value;
}

export function parseContextName(input: string, value: string): string {
  const accepted = 'a docker context name: letters, digits, _ . + - (starting with a letter or digit), not "default", e.g. ci-dind';
  singleLine(input, value, accepted);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/.test(value) || value.length > 200) throw new InputError(input, `${quote(value)} is not a valid context name`, accepted);
  if (value === 'default') throw new InputError(input, '"default" is the docker CLI\'s own context', accepted);
  return value;
}

export function parseDockerVersion(input: string, value: string): string {
  const accepted = 'a docker release such as 29.1.3 (or 29.1.3-rc.1), latest, or none (never download)';
  singleLine(input, value, accepted);
  const version = value.replace(/^v/, '');
  if (version === 'latest' || version === 'none' || /^\d+\.\d+\.\d+(?:-[a-z]+(?:\.\d+)?)?$/.test(version)) return version;
  throw new InputError(input, `${quote(value)} is not a docker version`, accepted);
}

export function parseHttpUrl(input: string, value: string): string {
  const accepted = 'an http:// or https:// URL, e.g. https://download.docker.com/linux/static/stable';
  singleLine(input, value, accepted);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, `${quote(value)} is not a URL`, accepted);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(input, `${quote(value)} is not an http(s) URL`, accepted);
  if (url.search !== '' || url.hash !== '') throw new InputError(input, `${quote(value)} carries a query or fragment`, accepted);
  if (url.username !== '' || url.password !== '') {
    // Not echoed: the value holds a secret.
    throw new InputError(input, 'credentials in the URL (user:password@) are not supported: they would be logged with every download; use a mirror reachable without them', `${accepted}, without user:password@`);
  }
  return value.replace(/\/+$/, '');
}
