/**
 * The inner daemon's daemon.json: `daemon-config` (JSON) merged with the
 * lists `registry-mirrors` and `insecure-registries`. It is mounted read-only
 * at /etc/docker/daemon.json. Keys the action sets itself (the listeners,
 * their TLS, the data root on its volume) are refused: dockerd would stop at
 * a directive given both as a flag and in the file, or the action's promises
 * (loopback, TLS, teardown of the data) would no longer hold.
 */
import { InputError } from '../../engine/errors.js';
import { quote } from '../../inputs/inputs.js';

/** Where the image's dockerd reads its configuration by default. */
export const CONTAINER_DAEMON_JSON = '/etc/docker/daemon.json';

const RESERVED_KEYS = ['hosts', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey', 'group', 'data-root', 'graph', 'pidfile'];

export type DaemonConfig = Record<string, unknown>;

export function parseDaemonConfig(input: string, value: string): DaemonConfig {
  const accepted = 'a JSON object of dockerd options, e.g. {"log-level": "warn", "features": {"containerd-snapshotter": true}}';
  if (value.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InputError(input, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`, accepted);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(input, `${quote(value)} is not a JSON object`, accepted);
  }
  for (const key of Object.keys(parsed)) {
    if (RESERVED_KEYS.includes(key)) {
      throw new InputError(input, `"${key}" is set by the action itself (listeners, their security and the data volume)`, `${accepted}, without ${RESERVED_KEYS.join(', ')}`);
    }
  }
  return parsed as DaemonConfig;
}

export function parseRegistryMirrors(input: string, value: string): string[] {
  const accepted = 'http:// or https:// URLs, separated by commas, spaces or new lines';
  return splitList(value).map((mirror) => {
    let url: URL | undefined;
    try {
      url = new URL(mirror);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.hostname === '') {
      throw new InputError(input, `${quote(mirror)} is not an http:// or https:// URL`, accepted);
    }
    return mirror;
  });
}

export function parseInsecureRegistries(input: string, value: string): string[] {
  const accepted = 'registry hosts (host or host:port) or CIDR ranges, e.g. registry.internal:5000, 10.0.0.0/8';
  return splitList(value).map((registry) => {
    if (!/^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?|\[[0-9a-fA-F:]+\](?::\d{1,5})?|[0-9a-fA-F:.]+\/\d{1,3})$/.test(registry)) {
      throw new InputError(input, `${quote(registry)} is neither a registry host nor a CIDR range`, accepted);
    }
    return registry;
  });
}

function splitList(value: string): string[] {
  return [...new Set(value.split(/[\s,]+/).filter((item) => item !== ''))];
}

/** The file's content, or undefined when there is nothing to configure. */
export function daemonJson(config: DaemonConfig, mirrors: string[], insecure: string[]): string | undefined {
  const merged: DaemonConfig = { ...config };
  const union = (key: string, extra: string[]) => {
    const existing = Array.isArray(merged[key]) ? (merged[key] as unknown[]).map(String) : [];
    const all = [...new Set([...existing, ...extra])];
    if (all.length > 0) merged[key] = all;
  };
  union('registry-mirrors', mirrors);
  union('insecure-registries', insecure);
  return Object.keys(merged).length === 0 ? undefined : `${JSON.stringify(merged, null, 2)}\n`;
}
