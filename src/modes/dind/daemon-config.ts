/**
 * The inner daemon's own configuration: extra dockerd flags (`daemon-args`)
 * and its daemon.json, `daemon-config` (JSON) merged with the lists
 * `registry-mirrors` and `insecure-registries`, mounted read-only at
 * /etc/docker/daemon.json. Flags and keys the action sets itself (the
 * listeners, their TLS, the data root on its volume) are refused: dockerd
 * would stop at a directive given both as a flag and in the file, or the
 * action's promises (loopback, TLS, teardown of the data) would no longer hold.
 */
import { InvalidValue, listOf, parser, quote, type Parser } from '../../inputs/parsers.js';

/** Where the image's dockerd reads its configuration by default. */
export const CONTAINER_DAEMON_JSON = '/etc/docker/daemon.json';

const RESERVED_KEYS = ['hosts', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey', 'group', 'data-root', 'graph', 'pidfile'];

export type DaemonConfig = Record<string, unknown>;

/** A JSON object of dockerd options; '' and {} are undefined (no daemon.json). */
export const daemonConfigParser: Parser<DaemonConfig | undefined> = parser(
  'a JSON object of dockerd options, e.g. {"log-level": "warn", "features": {"containerd-snapshotter": true}}',
  (value) => {
    const { accepted } = daemonConfigParser;
    if (value.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new InvalidValue(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`, accepted);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InvalidValue(`${quote(value)} is not a JSON object`, accepted);
    }
    for (const key of Object.keys(parsed)) {
      if (RESERVED_KEYS.includes(key)) {
        throw new InvalidValue(`"${key}" is set by the action itself (listeners, their security and the data volume)`, `${accepted}, without ${RESERVED_KEYS.join(', ')}`);
      }
    }
    return Object.keys(parsed).length === 0 ? undefined : (parsed as DaemonConfig);
  },
);

export const registryMirrorsParser: Parser<string[]> = listOf(
  parser('http:// or https:// URLs, separated by commas, spaces or new lines', (mirror) => {
    let url: URL | undefined;
    try {
      url = new URL(mirror);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.hostname === '') {
      throw new InvalidValue(`${quote(mirror)} is not an http:// or https:// URL`, registryMirrorsParser.accepted);
    }
    return mirror;
  }),
);

export const insecureRegistriesParser: Parser<string[]> = listOf(
  parser('registry hosts (host or host:port) or CIDR ranges, e.g. registry.internal:5000, 10.0.0.0/8', (registry) => {
    if (!/^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?|\[[0-9a-fA-F:]+\](?::\d{1,5})?|[0-9a-fA-F:.]+\/\d{1,3})$/.test(registry)) {
      throw new InvalidValue(`${quote(registry)} is neither a registry host nor a CIDR range`, insecureRegistriesParser.accepted);
    }
    return registry;
  }),
);

/**
 * Adds a list input (registry-mirrors, insecure-registries) to the daemon.json
 * list of that name, after the entries daemon-config has; undefined when
 * nothing is left to configure.
 */
export function mergeList(key: string): (config: DaemonConfig | undefined, items: string[]) => DaemonConfig | undefined {
  return (config, items) => {
    const merged: DaemonConfig = { ...config };
    const existing = Array.isArray(merged[key]) ? (merged[key] as unknown[]).map(String) : [];
    const all = [...new Set([...existing, ...items])];
    if (all.length > 0) merged[key] = all;
    return Object.keys(merged).length === 0 ? undefined : merged;
  };
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

/** dockerd flags separated by whitespace, as an argument vector. */
export const daemonArgsParser: Parser<string[]> = parser(
  'dockerd flags such as --mtu=1400 --registry-mirror=https://mirror.example, separated by spaces or new lines',
  (value) => {
    const { accepted } = daemonArgsParser;
    const args = value.split(/\s+/).filter((arg) => arg !== '');
    if (args.length > 0 && !args[0]!.startsWith('-')) {
      throw new InvalidValue(`${quote(args[0]!)} is not a dockerd flag (flags start with -)`, accepted);
    }
    for (const arg of args) {
      const flag = arg.split('=', 1)[0]!;
      if (RESERVED_DAEMON_FLAGS.includes(flag) || setsHostShorthand(arg)) {
        throw new InvalidValue(`${flag.startsWith('--') ? flag : '-H'} is set by the action itself (it chooses the daemon's listener and its security)`, accepted);
      }
      if (/[\0]/.test(arg)) throw new InvalidValue('contains a NUL character', accepted);
    }
    return args;
  },
);
