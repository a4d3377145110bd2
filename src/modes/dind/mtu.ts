/**
 * The inner daemon's MTU (input `mtu`).
 *
 * On overlays (Kubernetes CNIs, VPNs) the job's interface has an MTU below
 * 1500 while dockerd's bridges default to 1500: small packets pass, large
 * ones (TLS handshakes, layer downloads) vanish, and pulls stall silently.
 * `auto` reads the MTU of the interface that carries this host's default
 * route ("host" being where the action runs: the job's network namespace,
 * e.g. the pod) and hands it to the inner daemon when it is below 1500:
 *
 * - `--mtu=N` for the default bridge (every dockerd);
 * - `--default-network-opt=bridge=com.docker.network.driver.mtu=N` for the
 *   bridge networks the job creates (`docker network create`, compose):
 *   dockerd 24+ only, and an older dockerd exits on the unknown flag, so the
 *   engine version is read from the image (its DOCKER_VERSION variable, as
 *   the official docker images set it) before the daemon starts.
 *
 * Flags rather than daemon.json: daemon.json is the user's (daemon-config),
 * and dockerd refuses an option given both ways.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DaemonImage } from './image.js';
import type { Options } from '../../inputs/options.js';

export interface MtuChoice {
  /** The MTU given to the inner daemon, or undefined when left at dockerd's default. */
  mtu: number | undefined;
  /** dockerd flags that apply it (`--mtu=N`, and on Docker 24+ `--default-network-opt=bridge=com.docker.network.driver.mtu=N`). */
  daemonArgs: string[];
  /** Where the value came from, for the log: e.g. "eth0 of this host has MTU 1450". */
  reason: string;
  /** Things the user should know (e.g. an engine too old for default-network-opt). */
  warnings: string[];
}

/** dockerd's own default, and the MTU `auto` leaves alone. */
export const DOCKER_DEFAULT_MTU = 1500;
/** The first Docker release whose dockerd knows `--default-network-opt` / `default-network-opts`. */
export const NETWORK_OPTS_SINCE_MAJOR = 24;
/** The bridge driver's option that sets a network's MTU. */
export const MTU_OPTION = 'com.docker.network.driver.mtu';

export type MtuOptions = Pick<Options, 'mtu' | 'image' | 'pull' | 'daemonArgs' | 'daemonConfig'>;

/** Where else the MTU may already be set: then `mtu: auto` stands back, and a number is a contradiction (input mtu refuses it). */
export function mtuClash(options: Pick<Options, 'daemonArgs' | 'daemonConfig'>): string | undefined {
  if (options.daemonArgs.some((arg) => /^--mtu(=|$)/.test(arg))) return '--mtu in daemon-args';
  if (options.daemonConfig !== undefined && 'mtu' in options.daemonConfig) return '"mtu" in daemon-config';
  return undefined;
}

/** Where the host's network files are read; tests point `root` at a fixture tree. */
export interface HostFiles {
  root: string;
}

export async function chooseMtu(options: MtuOptions, image: Pick<DaemonImage, 'engineVersion'>, host: HostFiles = { root: '/' }): Promise<MtuChoice> {
  if (options.mtu === 'off') return leave('input mtu is off: dockerd keeps its default');
  let mtu: number;
  let source: string;
  if (options.mtu === 'auto') {
    // The user's own --mtu or "mtu" wins over a guess.
    const clash = mtuClash(options);
    if (clash) return leave(`mtu auto stands back: ${clash} sets it`);
    const found = await hostMtu(host.root);
    if ('reason' in found) return leave(`${found.reason}; dockerd keeps its default`);
    if (found.mtu >= DOCKER_DEFAULT_MTU) return leave(`${found.iface} of this host has MTU ${found.mtu}: dockerd's default ${DOCKER_DEFAULT_MTU} fits`);
    mtu = found.mtu;
    source = `${found.iface} of this host has MTU ${found.mtu}`;
  } else {
    mtu = options.mtu;
    source = 'input mtu';
  }

  const daemonArgs = [`--mtu=${mtu}`];
  const warnings: string[] = [];
  const networks = await networkDefault(options, mtu, image);
  if (networks.apply) daemonArgs.push(`--default-network-opt=bridge=${MTU_OPTION}=${mtu}`);
  if (networks.warning) warnings.push(networks.warning);
  return { mtu, daemonArgs, reason: `${source}; ${networks.note}`, warnings };
}

function leave(reason: string): MtuChoice {
  return { mtu: undefined, daemonArgs: [], reason, warnings: [] };
}

/** Whether the MTU can also become the default of networks the job creates, and what to tell the user. */
async function networkDefault(options: MtuOptions, mtu: number, image: Pick<DaemonImage, 'engineVersion'>): Promise<{ apply: boolean; note: string; warning?: string }> {
  const perNetwork = `networks the job creates keep ${DOCKER_DEFAULT_MTU} unless created with \`docker network create -o ${MTU_OPTION}=${mtu}\` (compose: \`driver_opts: {${MTU_OPTION}: "${mtu}"}\`)`;
  const user = userNetworkDefault(options);
  if (user === 'mtu') return { apply: false, note: 'networks the job creates get the MTU that daemon-args or daemon-config set for them' };
  if (user === 'config') {
    // A flag beside the file's "default-network-opts" would make dockerd refuse to start.
    return {
      apply: false,
      note: 'default bridge only',
      warning:
        `Input daemon-config sets "default-network-opts" without an MTU for "bridge", so the action cannot add one: ${perNetwork}. ` +
        `Add "${MTU_OPTION}": "${mtu}" under its "bridge" key to cover them.`,
    };
  }
  const engine = await image.engineVersion();
  if (engine.major !== undefined && engine.major >= NETWORK_OPTS_SINCE_MAJOR) {
    return { apply: true, note: `default bridge and networks the job creates (Docker ${engine.version ?? engine.major})` };
  }
  // The image is absent and may not or could not be pulled: the start fails anyway, with its own message.
  if (engine.absent) return { apply: false, note: 'default bridge only' };
  const what = engine.version !== undefined ? `runs Docker ${engine.version}` : `has an engine of unknown version (${engine.why ?? 'no DOCKER_VERSION in its environment'})`;
  return {
    apply: false,
    note: 'default bridge only',
    warning:
      `MTU ${mtu} applies to the inner default bridge only: ${options.image} ${what}, and only Docker ${NETWORK_OPTS_SINCE_MAJOR}+ ` +
      `can make it the default of new networks (--default-network-opt); ${perNetwork}.`,
  };
}

/**
 * Whether daemon-args or daemon-config already set default network options:
 * 'mtu' when they set the bridge MTU (theirs wins), 'config' when
 * daemon-config has default-network-opts without it (no flag may be added).
 */
export function userNetworkDefault(options: Pick<Options, 'daemonArgs' | 'daemonConfig'>): 'mtu' | 'config' | undefined {
  const flagValues = options.daemonArgs.flatMap((arg, index) => {
    if (arg.startsWith('--default-network-opt=')) return [arg.slice('--default-network-opt='.length)];
    if (arg === '--default-network-opt') return [options.daemonArgs[index + 1] ?? ''];
    return [];
  });
  if (flagValues.some((value) => value.startsWith(`bridge=${MTU_OPTION}=`))) return 'mtu';
  const opts = options.daemonConfig?.['default-network-opts'];
  if (opts === undefined) return undefined;
  const bridge = typeof opts === 'object' && opts !== null ? (opts as Record<string, unknown>).bridge : undefined;
  if (typeof bridge === 'object' && bridge !== null && MTU_OPTION in bridge) return 'mtu';
  return 'config';
}

export type HostMtu = { iface: string; mtu: number } | { reason: string };

/** The MTU of the interface that carries this host's default route, or why it is unknown. */
export async function hostMtu(root = '/'): Promise<HostMtu> {
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => undefined);
  const [ipv4, ipv6] = await Promise.all([read('proc/net/route'), read('proc/net/ipv6_route')]);
  if (ipv4 === undefined && ipv6 === undefined) return { reason: 'cannot read /proc/net/route' };
  const iface = defaultRouteInterface(ipv4, ipv6);
  if (iface === undefined) return { reason: 'this host has no default route' };
  // An interface name from the kernel's table, but never let it climb out of /sys/class/net.
  if (!/^[^/\0]+$/.test(iface) || iface === '.' || iface === '..') return { reason: `unexpected interface name ${JSON.stringify(iface)}` };
  const text = await read(`sys/class/net/${iface}/mtu`);
  const mtu = Number.parseInt(text?.trim() ?? '', 10);
  if (!Number.isInteger(mtu) || mtu <= 0) return { reason: `cannot read the MTU of ${iface} (/sys/class/net/${iface}/mtu)` };
  return { iface, mtu };
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/**
 * The interface of the default route: IPv4 first (/proc/net/route: destination
 * and mask 00000000, lowest metric), else IPv6 (/proc/net/ipv6_route: ::/0).
 * Routes that are down, reject routes and loopback are skipped.
 */
export function defaultRouteInterface(ipv4Routes: string | undefined, ipv6Routes: string | undefined): string | undefined {
  return lowestMetric(ipv4Defaults(ipv4Routes ?? '')) ?? lowestMetric(ipv6Defaults(ipv6Routes ?? ''));
}

interface Route {
  iface: string;
  metric: number;
}

function lowestMetric(routes: Route[]): string | undefined {
  return routes.reduce<Route | undefined>((best, route) => (best === undefined || route.metric < best.metric ? route : best), undefined)?.iface;
}

// Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT; hex except RefCnt, Use, Metric.
function ipv4Defaults(text: string): Route[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 8)
    .filter(([iface, destination, , flags, , , , mask]) => {
      const bits = Number.parseInt(flags!, 16);
      return destination === '00000000' && mask === '00000000' && iface !== 'lo' && (bits & RTF_UP) !== 0 && (bits & RTF_REJECT) === 0;
    })
    .map((fields) => ({ iface: fields[0]!, metric: Number.parseInt(fields[6]!, 10) }));
}

// destination prefix-length source prefix-length next-hop metric refcnt use flags iface; all hex, no header.
function ipv6Defaults(text: string): Route[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 10)
    .filter(([destination, prefix, , , , , , , flags, iface]) => {
      const bits = Number.parseInt(flags!, 16);
      return /^0{32}$/.test(destination!) && prefix === '00' && iface !== 'lo' && (bits & RTF_UP) !== 0 && (bits & RTF_REJECT) === 0;
    })
    .map((fields) => ({ iface: fields[9]!, metric: Number.parseInt(fields[5]!, 16) }));
}
