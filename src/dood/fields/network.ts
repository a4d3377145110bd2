/**
 * Networks: EndpointSettings (a container's place on a network, at create
 * and connect), POST /networks/create, and the connect and disconnect bodies.
 */
import { any, check, elsewhere, list, object, oneOf, row, unlessEmpty, unlessNull, type Table } from './rules.js';
import { checkAddress, checkAddressMap, checkBridgeOptions, checkEndpointDriverOpts } from './network-values.js';

const endpointIpamConfig: Table = {
  name: 'IPAMConfig',
  rows: [row('IPv4Address', any), row('IPv6Address', any), row('LinkLocalIPs', any)],
};

export const endpointSettingsTable: Table = {
  name: 'EndpointSettings',
  rows: [
    row('IPAMConfig', object(endpointIpamConfig)),
    row('Links', any, { note: "on a user-defined network a link is an alias for a container on the same network, which is the job's own" }),
    row('MacAddress', any),
    row('Aliases', any),
    row('DriverOpts', check(checkEndpointDriverOpts)),
    row('GwPriority', any, { since: '1.48' }),
    row('NetworkID', any),
    row('EndpointID', any),
    row('Gateway', any),
    row('IPAddress', any),
    row('IPPrefixLen', any),
    row('IPv6Gateway', any),
    row('GlobalIPv6Address', any),
    row('GlobalIPv6PrefixLen', any),
    row('DNSNames', any, { since: '1.44' }),
  ],
};

const ipamConfig: Table = {
  name: 'IPAM config',
  rows: [
    row('Subnet', check(checkAddress), { flag: '--subnet' }),
    row('IPRange', check(checkAddress), { flag: '--ip-range' }),
    row('Gateway', check(checkAddress), { flag: '--gateway' }),
    row('AuxiliaryAddresses', check(checkAddressMap), { flag: '--aux-address' }),
  ],
};

const ipam: Table = {
  name: 'IPAM',
  rows: [
    row('Driver', check(oneOf(['', 'default'], "an IPAM plugin runs with the host's privileges", '--ipam-driver'))),
    row('Config', list(ipamConfig)),
    row('Options', unlessEmpty('the default IPAM driver takes no options the proxy knows'), { flag: '--ipam-opt' }),
  ],
};

const SWARM = 'swarm networks are not for the job';

export const networkCreateTable: Table = {
  name: 'network create',
  rows: [
    row('Name', any),
    row('CheckDuplicate', any, { until: '1.45', note: 'the daemon ignores it from 1.44' }),
    row('Driver', check(oneOf(['', 'bridge'], "macvlan and ipvlan attach to the host's interfaces, overlay needs swarm, host and none exist once, others are plugins", '--driver'))),
    row('Scope', check(oneOf(['', 'local'], SWARM, '--scope'))),
    row('Internal', any),
    row('Attachable', any),
    row('Ingress', unlessEmpty(SWARM), { flag: '--ingress' }),
    row('ConfigOnly', unlessEmpty('a configuration-only network is a template for networks the proxy would not see'), { flag: '--config-only' }),
    row('ConfigFrom', unlessNull('the network would take its configuration from a network the proxy did not inspect'), { flag: '--config-from' }),
    row('IPAM', object(ipam)),
    row('EnableIPv4', any, { since: '1.47' }),
    row('EnableIPv6', any),
    row('Options', check(checkBridgeOptions)),
    row('Labels', elsewhere("inspect.ts inspectNetworkCreate (the job's labels added)")),
  ],
};

const containerRef = elsewhere('ownership.ts pinNetworkMembership (the job\'s own container)');

export const networkConnectTable: Table = {
  name: 'network connect',
  rows: [row('Container', containerRef), row('EndpointConfig', object(endpointSettingsTable))],
};

export const networkDisconnectTable: Table = {
  name: 'network disconnect',
  rows: [row('Container', containerRef), row('Force', any)],
};
