/**
 * Every input and output, once: name, default, description, the modes (and
 * transports) an input applies to, its parser (with what it accepts), where
 * its value goes in Options, the rules it has with other inputs, and its
 * GitLab component counterpart where one exists. action.yml's inputs and
 * outputs, the README's tables, the CLI's flags and help and the components'
 * shared `spec: inputs` are made from it (render.ts, `npm run generate`).
 */
import { isIP } from 'node:net';
import { InputError } from '../engine/errors.js';
import { daemonArgsParser, daemonConfigParser, insecureRegistriesParser, mergeList, registryMirrorsParser } from '../modes/dind/daemon-config.js';
import { mtuClash } from '../modes/dind/mtu.js';
import { DOOD_POLICIES } from '../dood/policy.js';
import { MODES, PULL_POLICIES, TRANSPORTS, type Mode, type Options, type Transport } from './options.js';
import {
  InvalidValue,
  absolutePath,
  boolean,
  duration,
  enumOf,
  httpUrl,
  imageReference,
  integer,
  listOf,
  objectName,
  optional,
  parser,
  path,
  quote,
  singleLine,
  type Parser,
  type ValueType,
} from './parsers.js';

export const DEFAULT_DOCKER_DOWNLOAD_URL = 'https://download.docker.com/linux/static/stable';
export const MAX_TIMEOUT_SECONDS = 3600;
/** Below this, a sweep could take a live job's daemon for a leftover. */
export const MIN_STALE_AFTER_SECONDS = 10 * 60;
export const MAX_STALE_AFTER_SECONDS = 365 * 86_400;

/** Whether an input was set to something other than its default. */
export type Given = (name: string) => boolean;

export type Component = 'dind' | 'dood';

/** The input's counterpart in GitLab components: same name, their own meaning in detail. */
export interface ComponentInput {
  components: readonly Component[];
  /** The component's text: its inputs steer a shell job, not the action. */
  description: string;
  /** Default: the input's, as `type`. */
  default?: string | number | boolean;
  /** Default: the parser's type. */
  type?: ValueType;
  regex?: string;
}

interface Common {
  name: string;
  /** As action.yml gives it: '' means "not given". */
  default: string;
  /** Markdown, shared by action.yml, the README and `--help`; after the scope ("DinD over TCP: "), which comes from modes and transports. */
  description: string;
  /** The modes in which it means something; undefined: every mode. */
  modes?: readonly Mode[];
  /** The DinD transports in which it means something; undefined: both. */
  transports?: readonly Transport[];
  /** The error when given with another transport, if not the generic one. */
  otherTransport?: { problem: string; accepted: string };
  /** Rules with other inputs, checked once every input is read. */
  check?: (options: Options, given: Given) => void;
  /** The README's default column when the default is '' but not "empty". */
  defaultText?: string;
  /** A link to more, in the README only. */
  docs?: string;
  gitlab?: ComponentInput;
}

export interface InputSpec extends Common {
  /** Where the value goes in Options. */
  option: keyof Options;
  parser: Parser<unknown>;
  /** For inputs that add to an option another input sets (the daemon.json lists). */
  merge?: (current: unknown, value: unknown) => unknown;
}

function input<K extends keyof Options>(spec: Common & { option: K; parser: Parser<Options[K]> }): InputSpec {
  return spec;
}

function mergedInput<K extends keyof Options, T>(
  spec: Common & { option: K; parser: Parser<T>; merge: (current: Options[K], value: T) => Options[K] },
): InputSpec {
  return spec as unknown as InputSpec;
}

const DNS_NAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const sans = parser('DNS names or IP addresses separated by commas, spaces or new lines, e.g. docker, dind.internal, 10.0.0.5', (value) => {
  const names = value.split(/[\s,]+/).filter((name) => name !== '');
  for (const name of names) {
    if (isIP(name) === 0 && !DNS_NAME.test(name)) throw new InvalidValue(`${quote(name)} is neither a DNS name nor an IP address`, sans.accepted);
  }
  return names;
});

const bindAddress = parser('an IP address of this host, e.g. 127.0.0.1 (default), ::1, or 0.0.0.0 for every interface', (value) => {
  singleLine(value, bindAddress.accepted);
  const address = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(address) === 0) throw new InvalidValue(`${quote(value)} is not an IP address`, bindAddress.accepted);
  return address;
});

const dockerHost = parser('tcp://HOST:PORT or unix:///ABSOLUTE/PATH (ssh:// and npipe:// are not supported)', (value) => {
  singleLine(value, dockerHost.accepted);
  if (/^unix:\/\/\/[^\0]*$/.test(value)) return value;
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})\/?$/.exec(value);
  if (tcp && Number(tcp[2]) >= 1 && Number(tcp[2]) <= 65535) return value.replace(/\/$/, '');
  throw new InvalidValue(`${quote(value)} is not a supported Docker endpoint`, dockerHost.accepted);
});

const mtu = parser('auto, off, or a whole number from 576 to 65535', (value): Options['mtu'] => {
  singleLine(value, mtu.accepted);
  const lower = value.toLowerCase();
  if (lower === 'auto' || lower === 'off') return lower;
  return integer(576, 65535, mtu.accepted).parse(value);
});

const contextName = parser('a docker context name: letters, digits, _ . + - (starting with a letter or digit), not "default", e.g. ci-dind', (value) => {
  singleLine(value, contextName.accepted);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/.test(value) || value.length > 200) throw new InvalidValue(`${quote(value)} is not a valid context name`, contextName.accepted);
  if (value === 'default') throw new InvalidValue('"default" is the docker CLI\'s own context', contextName.accepted);
  return value;
});

const dockerVersion = parser('a docker release such as 29.1.3 (or 29.1.3-rc.1), latest, or none (never download)', (value) => {
  singleLine(value, dockerVersion.accepted);
  const version = value.replace(/^v/, '');
  if (version === 'latest' || version === 'none' || /^\d+\.\d+\.\d+(?:-[a-z]+(?:\.\d+)?)?$/.test(version)) return version;
  throw new InvalidValue(`${quote(value)} is not a docker version`, dockerVersion.accepted);
});

export const INPUTS: readonly InputSpec[] = [
  input({
    name: 'mode',
    default: 'dind',
    option: 'mode',
    parser: enumOf(MODES),
    description:
      "How the job gets a daemon: `dind` starts a Docker-in-Docker container; `dood` gives the job the host's daemon through its socket, with the job's containers labelled, kept apart and removed after it; `attach` waits for a daemon someone else runs (a GitLab service, a Kubernetes sidecar) and sets the job up for it.",
    docs: 'See [DooD](docs/dood.md) and [Attach](docs/attach.md).',
  }),
  input({
    name: 'image',
    default: 'docker:dind',
    option: 'image',
    parser: imageReference,
    modes: ['dind'],
    description:
      "image of the daemon container: any image reference (`docker:29-dind`, `registry.example.com/team/dind:1.2@sha256:…`) following the official image's contract (a command starting with `dockerd` runs the daemon).",
    gitlab: {
      components: ['dind'],
      description:
        'Image of the Docker-in-Docker service. Any tag or digest that follows the official docker:dind contract (dockerd-entrypoint.sh on the PATH, certificates made in $DOCKER_TLS_CERTDIR), e.g. docker:29-dind.',
    },
  }),
  input({
    name: 'port',
    default: '0',
    option: 'port',
    parser: integer(0, 65535, 'a whole number from 0 to 65535 (0 picks a free port)'),
    modes: ['dind'],
    transports: ['tcp'],
    description: 'host port for the daemon API, on `bind-address`, 0-65535. `0` lets Docker pick a free port, so concurrent jobs never collide.',
  }),
  input({
    name: 'timeout',
    default: '60',
    option: 'timeoutSeconds',
    parser: integer(1, MAX_TIMEOUT_SECONDS, `whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`),
    description: `Seconds to wait for the daemon to answer \`GET /_ping\` before failing, 1-${MAX_TIMEOUT_SECONDS}.`,
    gitlab: {
      components: ['dind', 'dood'],
      description: 'Seconds the job waits, in before_script, for the daemon to answer an API call (docker version) before it fails. Whole seconds, at least 1.',
    },
  }),
  input({
    name: 'pull',
    default: 'missing',
    option: 'pull',
    parser: enumOf(PULL_POLICIES),
    modes: ['dind'],
    description: 'when to pull `image`: `missing` (only if not present), `always` or `never`.',
  }),
  input({
    name: 'daemon-args',
    default: '',
    option: 'daemonArgs',
    parser: daemonArgsParser,
    modes: ['dind'],
    description:
      'extra `dockerd` flags, separated by spaces or new lines; write `--flag=value`. They reach dockerd as an argument vector, never through a shell. `--host`/`-H` and `--tls*` are refused: the action sets the listener and its security.',
  }),
  input({
    name: 'transport',
    default: 'tcp',
    option: 'transport',
    parser: enumOf(TRANSPORTS),
    modes: ['dind'],
    description:
      'how later steps reach the daemon: `tcp` (a port on `bind-address`) or `unix` (a socket in a per-job directory under `RUNNER_TEMP`, and no TCP listener at all).',
  }),
  input({
    name: 'tls',
    default: 'false',
    option: 'tls',
    parser: boolean,
    modes: ['dind'],
    transports: ['tcp'],
    otherTransport: {
      problem: 'cannot be combined with transport "unix" (a unix socket needs no TLS; file permissions guard it)',
      accepted: 'false with transport unix',
    },
    description:
      '`true` serves the API with mutual TLS: the action makes a CA, a server and a client certificate for this job and exports `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.',
    gitlab: {
      components: ['dind'],
      default: true,
      description:
        'true: the daemon serves mutual TLS on tcp://docker:2376 with certificates the service makes at start (the runner must share /certs/client with services: volumes = ["/certs/client"]). false: plain TCP on tcp://docker:2375 with --tls=false, which spares dockerd\'s deliberate 15 s start delay; anyone on the job\'s network can use the daemon.',
    },
  }),
  input({
    name: 'tls-san',
    default: '',
    option: 'tlsSans',
    parser: sans,
    modes: ['dind'],
    transports: ['tcp'],
    check: (options, given) => {
      if (!options.tls && given('tls-san')) throw new InputError('tls-san', 'only applies with tls: true', 'no value unless tls is true');
    },
    description:
      'with `tls: true`, extra names for the server certificate (DNS names or IP addresses, separated by commas, spaces or new lines), besides `localhost`, `127.0.0.1`, `::1` and `docker`.',
  }),
  input({
    name: 'bind-address',
    default: '127.0.0.1',
    option: 'bindAddress',
    parser: bindAddress,
    modes: ['dind'],
    transports: ['tcp'],
    description:
      'host address the port is published on. Anything but a loopback address exposes the daemon to the network; the action then warns in the log and the job summary.',
  }),
  input({
    name: 'docker-host',
    default: '',
    option: 'dockerHost',
    parser: optional(dockerHost),
    modes: ['attach'],
    defaultText: 'from the environment',
    description:
      'the daemon to wait for, `tcp://HOST:PORT` or `unix:///PATH`. Default: `DOCKER_HOST`, else `tcp://docker:2376` when client certificates are found (`DOCKER_CERT_PATH` or `$DOCKER_TLS_CERTDIR/client`), else `tcp://docker:2375`.',
  }),
  input({
    name: 'cert-path',
    default: '',
    option: 'certPath',
    parser: optional(path),
    modes: ['attach'],
    defaultText: 'from the environment',
    description:
      'directory with the client certificates (`ca.pem`, `cert.pem`, `key.pem`) of a TLS endpoint. Default: `DOCKER_CERT_PATH`, else `$DOCKER_TLS_CERTDIR/client`.',
  }),
  input({
    name: 'stale-after',
    default: '6h',
    option: 'staleAfterSeconds',
    parser: duration(MIN_STALE_AFTER_SECONDS, MAX_STALE_AFTER_SECONDS),
    modes: ['dind', 'dood'],
    description:
      "at start, remove leftovers (DinD daemons and their volumes; the containers, networks and volumes of DooD jobs) of earlier runs that never reached their teardown (a runner that died before its post step), found by their `setup-dind.*` labels, when older than this: a number with a unit (`90m`, `6h`, `2d`; at least `10m`, so a live job is never taken for a leftover), or `0` to disable. 6 h is GitHub's longest job.",
  }),
  input({
    name: 'socket',
    default: '/var/run/docker.sock',
    option: 'socket',
    parser: absolutePath,
    modes: ['dood'],
    description: "the host daemon's socket, as mounted into the job.",
  }),
  input({
    name: 'dood-policy',
    default: 'none',
    option: 'doodPolicy',
    parser: enumOf(DOOD_POLICIES),
    modes: ['dood'],
    description:
      'what the job may ask of the host daemon: `none`; `no-privileged` (no privileged containers); `strict` (also no host namespaces (network, pid, ipc, uts, userns, cgroupns), no bind mounts outside the job\'s workspace, RUNNER_TEMP and its own directory, no mounting the socket again, only the job\'s own containers, volumes and networks, only Engine API endpoints and body fields the proxy knows, no replacing or removing image tags another job or the host made, no image or build-cache prune). Refusals reach the docker CLI as API errors (`Error response from daemon: setup-dind dood-policy strict: …`).',
  }),
  input({
    name: 'load-images',
    default: '',
    option: 'loadImages',
    parser: listOf(imageReference),
    modes: ['dind'],
    description:
      "images to copy from the runner's daemon into the new one before the job, separated by commas, spaces or new lines: streamed (`docker save | docker load`, no temporary file), so no pull and no registry rate limit. An image the runner does not have fails the step before anything starts; the copy's duration is in the job summary.",
    docs: 'See [Preloaded images](docs/clusters.md#preloaded-images).',
  }),
  input({
    name: 'mount-workspace',
    default: 'true',
    option: 'mountWorkspace',
    parser: boolean,
    modes: ['dind'],
    description:
      "`true` bind-mounts the job's workspace (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`, else the working directory) and `RUNNER_TEMP` into the DinD container at the same paths, so `-v \"$PWD:/src\"` and compose's relative bind mounts see the job's files, read and write, as on a local engine. `false` keeps the DinD daemon's file system apart from the job's.",
  }),
  mergedInput({
    name: 'registry-mirrors',
    default: '',
    option: 'daemonConfig',
    parser: registryMirrorsParser,
    merge: mergeList('registry-mirrors'),
    modes: ['dind'],
    description: 'registry mirrors for the inner daemon, `http://` or `https://` URLs separated by commas, spaces or new lines; written to its `daemon.json`.',
  }),
  mergedInput({
    name: 'insecure-registries',
    default: '',
    option: 'daemonConfig',
    parser: insecureRegistriesParser,
    merge: mergeList('insecure-registries'),
    modes: ['dind'],
    description:
      'registries the inner daemon may reach without TLS verification (`host`, `host:port` or a CIDR range), separated by commas, spaces or new lines; written to its `daemon.json`.',
  }),
  input({
    name: 'daemon-config',
    default: '',
    option: 'daemonConfig',
    parser: daemonConfigParser,
    modes: ['dind'],
    description:
      'more `daemon.json` for the inner daemon, as a JSON object, merged with `registry-mirrors` and `insecure-registries` and mounted read-only at `/etc/docker/daemon.json`. Invalid JSON, or a key the action sets itself (`hosts`, `tls*`, `group`, `data-root`), fails before anything starts; a configuration the daemon refuses fails at once with the daemon\'s own message.',
    docs: 'See [Registry mirrors and daemon configuration](docs/clusters.md#registry-mirrors-and-daemon-configuration).',
  }),
  input({
    name: 'mtu',
    default: 'auto',
    option: 'mtu',
    parser: mtu,
    modes: ['dind'],
    check: (options) => {
      if (options.mtu === 'auto' || options.mtu === 'off') return;
      const clash = mtuClash(options);
      if (clash) throw new InputError('mtu', `${options.mtu} clashes with ${clash}`, 'auto, off or a number, with no MTU in daemon-args or daemon-config');
    },
    description:
      "MTU of the inner daemon's networks. `auto` uses the MTU of this host's default-route interface when it is below 1500 (Kubernetes overlays, VPNs) and leaves 1500 otherwise; `off` leaves dockerd's default; a number (576-65535) forces it. Applied to the default bridge (`--mtu`) and, on Docker 24+, to the networks the job creates (`--default-network-opt`).",
    docs: 'See [MTU](docs/clusters.md#mtu).',
    gitlab: {
      components: ['dind'],
      type: 'string',
      default: 'auto',
      // auto, off, empty (off, the default before auto) or 576-65535, checked when the pipeline is made.
      regex: '^(auto|off|57[6-9]|5[89][0-9]|[6-9][0-9]{2}|[1-9][0-9]{3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])?$',
      description:
        "MTU of the inner daemon's networks. auto: the service reads the MTU of its default-route interface and, below 1500 (Kubernetes overlays, runners with a smaller bridge MTU), gives it to dockerd for the default bridge and, on Docker 24+ (the image's DOCKER_VERSION), for the networks the job creates. off: dockerd's default (1500). Empty is off. A number from 576 to 65535 (quoted: it is a string input) forces it. The service log says what was chosen and why.",
    },
  }),
  input({
    name: 'cache-volume',
    default: '',
    option: 'cacheVolume',
    parser: optional(objectName('a Docker volume name: letters, digits, _ . - (starting with a letter or digit), e.g. dind-cache')),
    modes: ['dind'],
    description:
      "keep the inner daemon's `/var/lib/docker` (images, layers, build cache) in this named volume, so the next job on this runner starts with them. Post stops the daemon cleanly and keeps the volume. One daemon at a time: a job that finds the volume in use waits up to `timeout`, then fails naming the job that holds it.",
    docs: 'See [Layer cache across jobs](docs/clusters.md#layer-cache-across-jobs).',
  }),
  input({
    name: 'context',
    default: '',
    option: 'context',
    parser: optional(contextName),
    description:
      'Also create a docker context of this name for the daemon (with the TLS material when the endpoint uses TLS), for tools that take a context name (`docker buildx create NAME`, `docker --context NAME`); post removes it. `DOCKER_HOST` is still exported, not `DOCKER_CONTEXT`: SDKs ignore contexts, and every client must reach the same daemon. A context that already exists fails the step before anything starts.',
    docs: 'See [Docker context](docs/clusters.md#docker-context).',
  }),
  input({
    name: 'docker-version',
    default: '',
    option: 'dockerVersion',
    parser: optional(dockerVersion),
    description:
      'The docker CLI for this and later steps. Empty: the `docker` on `PATH`, downloading the static client only when there is none. A version (`29.1.3`) or `latest`: that client, downloaded from `docker-download-url`, cached in the tool cache and put first on `PATH`. `none`: never download, for jobs that need no docker CLI (mode `attach` or `dood` with only an SDK) on a network without the download site.',
    docs: 'See [A docker CLI where the job has none](docs/clusters.md#a-docker-cli-where-the-job-has-none).',
  }),
  input({
    name: 'docker-download-url',
    default: DEFAULT_DOCKER_DOWNLOAD_URL,
    option: 'dockerDownloadUrl',
    parser: httpUrl(DEFAULT_DOCKER_DOWNLOAD_URL),
    description:
      'Base URL of the static docker client downloads, as `<url>/<arch>/docker-<version>.tgz` (`x86_64`, `aarch64`, `armhf`): a mirror for air-gapped networks.',
  }),
];

export interface OutputSpec {
  name: string;
  description: string;
  /** A value as the README shows it. */
  example: string;
}

export const OUTPUTS: readonly OutputSpec[] = [
  {
    name: 'docker-host',
    example: 'tcp://127.0.0.1:32768',
    description: "The daemon's endpoint (`tcp://127.0.0.1:PORT` or `unix:///PATH`); also exported as `DOCKER_HOST` for later steps.",
  },
  { name: 'container-id', example: '3f2a…', description: 'ID of the DinD container (empty in modes `attach` and `dood`).' },
  {
    name: 'container-name',
    example: 'setup-dind-1234567890-6ebba19f9c',
    description: 'Name of the DinD container: the run id plus a random part, unique per job and step (empty in modes `attach` and `dood`).',
  },
  { name: 'server-version', example: '29.0.1', description: 'Version of the Docker engine that answers at `docker-host`.' },
  {
    name: 'ready-seconds',
    example: '1.70',
    description: 'Seconds from the start of the work (`docker run`, or the first probe in mode `attach`) until the daemon answered `GET /_ping`.',
  },
  {
    name: 'cert-path',
    example: '/home/runner/work/_temp/setup-dind-…/client',
    description: 'The client certificate directory when the endpoint uses TLS, else empty; also exported as `DOCKER_CERT_PATH`, with `DOCKER_TLS_VERIFY=1`.',
  },
  {
    name: 'docker-cli-path',
    example: '/opt/hostedtoolcache/docker/29.1.3/x64/docker',
    description: 'Path of the docker CLI later steps run: downloaded (see `docker-version`) or found on `PATH`.',
  },
  { name: 'docker-cli-version', example: '29.1.3', description: 'Version of that docker CLI.' },
];

const MODE_TITLES: Record<Mode, string> = { dind: 'DinD', dood: 'DooD', attach: 'Attach' };

/** "DinD over TCP: ", "DinD and DooD: ", or '' for an input of every mode. */
export function scopeOf(spec: Pick<InputSpec, 'modes' | 'transports'>): string {
  if (spec.modes === undefined) return '';
  const transports = spec.transports ? ` over ${spec.transports.map((transport) => transport.toUpperCase()).join(' or ')}` : '';
  return `${spec.modes.map((mode) => MODE_TITLES[mode]).join(' and ')}${transports}: `;
}

/** The description with its scope, as every front end shows it (Markdown). */
export function describeInput(spec: InputSpec): string {
  return `${scopeOf(spec)}${spec.description}`;
}

export function inputSpec(name: string): InputSpec {
  const found = INPUTS.find((spec) => spec.name === name);
  if (!found) throw new Error(`BUG: unknown input ${name}`);
  return found;
}
