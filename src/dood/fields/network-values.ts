/**
 * strict's value checks of networks: bridge driver options, endpoint driver
 * options and IPAM addresses (values.ts has the container's).
 */
import { BlockList, isIP } from 'node:net';
import { eachEntry, shown, type Check, type Problem } from './rules.js';
import { sysctlProblem } from './values.js';

/** Bridge driver options that name no host interface or bridge and stay on the job's own bridge. */
const BRIDGE_OPTIONS = [
  'com.docker.network.bridge.enable_icc',
  'com.docker.network.bridge.enable_ip_masquerade',
  'com.docker.network.bridge.host_binding_ipv4',
  'com.docker.network.driver.mtu',
  'com.docker.network.container_iface_prefix',
];

const BRIDGE_OPTION_REASONS: Record<string, string> = {
  'com.docker.network.bridge.name': "it names the Linux bridge, which may be an existing one (docker0, another job's br-...): the network would join it",
  'com.docker.network.bridge.inhibit_ipv4': 'it is for a bridge that exists already',
  'com.docker.network.bridge.trusted_host_interfaces': 'it lets host interfaces reach the containers directly',
  'com.docker.network.bridge.gateway_mode_ipv4': 'routed or unprotected modes make the containers reachable from outside without published ports',
  'com.docker.network.bridge.gateway_mode_ipv6': 'routed or unprotected modes make the containers reachable from outside without published ports',
};

/** POST /networks/create Options. */
export const checkBridgeOptions: Check = eachEntry((key) =>
  BRIDGE_OPTIONS.includes(key)
    ? undefined
    : { what: `${shown(key)} (--opt ${key}=...)`, why: `${BRIDGE_OPTION_REASONS[key] ?? 'the proxy does not know the option'}; strict accepts ${BRIDGE_OPTIONS.join(', ')}` },
);

/** EndpointSettings.DriverOpts: the interface's name and sysctls of the container's own interface (net.*), no driver's own options. */
export const checkEndpointDriverOpts: Check = eachEntry((key, text) => {
  if (key === 'com.docker.network.endpoint.ifname') return undefined;
  if (key === 'com.docker.network.endpoint.sysctls') {
    const bad = text.split(',').map((entry) => entry.split('=')[0]!.trim()).find((name) => !name.startsWith('net.') || sysctlProblem(name.replace('IFNAME', 'eth0')) !== undefined);
    return bad === undefined ? undefined : { what: `${shown(bad)} (--network ...,driver-opt=${key}=...)`, why: "strict accepts net.* sysctls of the container's interface" };
  }
  return { what: `${shown(key)} (--network ...,driver-opt=${key}=...)`, why: 'the proxy does not know the endpoint option; strict accepts com.docker.network.endpoint.ifname and com.docker.network.endpoint.sysctls' };
});

/** Address ranges a job network may not claim: the host would route its own traffic there (metadata at 169.254.169.254, loopback) to the job. */
const RESERVED: Array<[address: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], ['127.0.0.0', 8, 'ipv4'], ['169.254.0.0', 16, 'ipv4'], ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
  ['::', 127, 'ipv6'], ['::ffff:0:0', 96, 'ipv6'], ['fe80::', 10, 'ipv6'], ['ff00::', 8, 'ipv6'],
];

/** The shortest prefixes strict accepts: shorter ones would take over routes to much of the internet. */
const SHORTEST_PREFIX = { ipv4: 8, ipv6: 16 };

function ipRange(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const prefix = prefixText === undefined ? (version === 4 ? 32 : 128) : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family };
}

/** Two ranges overlap when one holds the other's first address. */
function overlaps(a: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }, b: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }): boolean {
  if (a.family !== b.family) return false;
  const holds = (outer: typeof a, inner: typeof a) => {
    const list = new BlockList();
    list.addSubnet(outer.address, outer.prefix, outer.family);
    return list.check(inner.address, inner.family);
  };
  return holds(a, b) || holds(b, a);
}

/** IPAM Subnet, IPRange, Gateway, AuxiliaryAddresses: an address or range outside RESERVED, not too wide. */
export function addressProblem(text: string): Problem | undefined {
  const range = ipRange(text);
  if (!range) return { what: shown(text), why: 'it is not an IP address or CIDR range' };
  if (range.prefix < SHORTEST_PREFIX[range.family]) {
    return { what: shown(text), why: `the range is so wide that the host would route much of the internet to the job's network; strict accepts /${SHORTEST_PREFIX[range.family]} or narrower` };
  }
  const reserved = RESERVED.find(([address, prefix, family]) => overlaps(range, { address, prefix, family }));
  if (reserved) {
    return { what: shown(text), why: `it overlaps ${reserved[0]}/${reserved[1]} (loopback, link-local such as the cloud metadata address, multicast or reserved), which the host uses itself` };
  }
  return undefined;
}

export const checkAddress: Check = (value) => {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? addressProblem(value) : { what: shown(value), why: 'it must be a string' };
};

export const checkAddressMap: Check = eachEntry((_name, text) => addressProblem(text));
