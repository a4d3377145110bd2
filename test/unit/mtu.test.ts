import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult, DockerCli } from '../../src/docker/docker-cli.js';
import {
  chooseMtu,
  defaultRouteInterface,
  hostMtu,
  userNetworkDefault,
  type HostFiles,
  type MtuOptions,
} from '../../src/modes/dind/mtu.js';
import { daemonImage, dockerMajor, engineVersionOf } from '../../src/modes/dind/image.js';
import { options } from '../support/options.js';

/** chooseMtu with the daemon image read through `docker`. */
function choose(mtuOptions: MtuOptions, docker: Pick<DockerCli, 'exec'>, host?: HostFiles) {
  return chooseMtu(mtuOptions, daemonImage(mtuOptions, docker), host);
}

const ROUTE_HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
// This machine's own table: a default route via eth0 and two on-link routes.
const ROUTE = [
  ROUTE_HEADER,
  'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  '',
].join('\n');
const IPV6_ROUTE = [
  'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0',
  '00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo',
  '',
].join('\n');

function route(iface: string, destination: string, flags: string, metric: number, mask = '00000000'): string {
  return `${iface}\t${destination}\t010200C0\t${flags}\t0\t0\t${metric}\t${mask}\t0\t0\t0`;
}

function ipv6Default(iface: string, metric: number, flags = '00000003'): string {
  return `${'0'.repeat(32)} 00 ${'0'.repeat(32)} 00 fd000000000000000000000000000001 ${metric.toString(16).padStart(8, '0')} 00000001 00000000 ${flags} ${iface}`;
}

describe('defaultRouteInterface', () => {
  it('finds the IPv4 default route of a real table', () => {
    expect(defaultRouteInterface(ROUTE, IPV6_ROUTE)).toBe('eth0');
  });

  it('takes the default route with the lowest metric', () => {
    const table = [ROUTE_HEADER, route('wlan0', '00000000', '0003', 600), route('tun0', '00000000', '0003', 50), route('eth0', '00000000', '0003', 100)].join('\n');
    expect(defaultRouteInterface(table, undefined)).toBe('tun0');
  });

  it('skips routes that are down, reject routes, loopback and non-default routes', () => {
    const table = [
      ROUTE_HEADER,
      route('eth1', '00000000', '0002', 0), // not RTF_UP
      route('lo', '00000000', '0201', 0), // reject, on lo
      route('eth2', '00000000', '0203', 1), // reject
      route('eth3', '0000000A', '0001', 0, '000000FF'), // 10.0.0.0/8
      route('eth4', '00000000', '0001', 0, '000000FF'), // 0.0.0.0/8, not a default
    ].join('\n');
    expect(defaultRouteInterface(table, '')).toBeUndefined();
  });

  it('falls back to the IPv6 default route when there is no IPv4 one', () => {
    expect(defaultRouteInterface(ROUTE_HEADER, IPV6_ROUTE)).toBe('eth0');
    expect(defaultRouteInterface(undefined, [ipv6Default('wg0', 0x400), ipv6Default('eth0', 0x100)].join('\n'))).toBe('eth0');
  });

  it('ignores the kernel\'s IPv6 unreachable default on lo', () => {
    const unreachable = `${'0'.repeat(32)} 00 ${'0'.repeat(32)} 00 ${'0'.repeat(32)} ffffffff 00000001 00000000 00200200 lo`;
    expect(defaultRouteInterface(undefined, unreachable)).toBeUndefined();
    expect(defaultRouteInterface(undefined, ipv6Default('eth0', 1, '00000201'))).toBeUndefined();
  });

  it('is undefined for empty or garbled tables', () => {
    expect(defaultRouteInterface(undefined, undefined)).toBeUndefined();
    expect(defaultRouteInterface('garbage\nmore garbage', 'nope')).toBeUndefined();
  });
});

/** A fake host root: /proc/net/route, /proc/net/ipv6_route and /sys/class/net/<if>/mtu. */
const roots: string[] = [];
async function hostRoot(files: { route?: string; ipv6?: string; mtus?: Record<string, string> }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'setup-dind-mtu-'));
  roots.push(root);
  const put = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  if (files.route !== undefined) await put('proc/net/route', files.route);
  if (files.ipv6 !== undefined) await put('proc/net/ipv6_route', files.ipv6);
  for (const [iface, mtu] of Object.entries(files.mtus ?? {})) await put(`sys/class/net/${iface}/mtu`, mtu);
  return root;
}
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('hostMtu', () => {
  it('reads the MTU of the default-route interface', async () => {
    const root = await hostRoot({ route: ROUTE, mtus: { eth0: '1450\n', docker0: '1500\n' } });
    expect(await hostMtu(root)).toEqual({ iface: 'eth0', mtu: 1450 });
  });

  it('says why when there is no default route, no route table or no MTU file', async () => {
    expect(await hostMtu(await hostRoot({ route: ROUTE_HEADER, ipv6: '' }))).toEqual({ reason: 'this host has no default route' });
    expect(await hostMtu(await hostRoot({}))).toEqual({ reason: 'cannot read /proc/net/route' });
    expect(await hostMtu(await hostRoot({ route: ROUTE }))).toEqual({ reason: 'cannot read the MTU of eth0 (/sys/class/net/eth0/mtu)' });
    expect(await hostMtu(await hostRoot({ route: ROUTE, mtus: { eth0: 'x' } }))).toMatchObject({ reason: expect.stringContaining('eth0') });
  });

  it('reads this machine\'s own table without failing', async () => {
    const found = await hostMtu();
    expect('mtu' in found ? found.mtu : found.reason).toBeTruthy();
  });
});

describe('engine version of the DinD image', () => {
  it('reads DOCKER_VERSION from the image environment, as the official docker images set it', () => {
    expect(engineVersionOf('["PATH=/usr/bin","DOCKER_VERSION=29.1.3","DOCKER_TLS_CERTDIR=/certs"]\nnull')).toEqual({ version: '29.1.3', major: 29 });
    expect(engineVersionOf('["DOCKER_VERSION=24.0.0-rc.1"]\n{}')).toEqual({ version: '24.0.0-rc.1', major: 24 });
    expect(engineVersionOf('["DOCKER_VERSION=20.10.24"]\nnull')).toEqual({ version: '20.10.24', major: 20 });
  });

  it('falls back to the OCI version label, and says why when neither is there', () => {
    expect(engineVersionOf('["DOCKER_TLS_CERTDIR=/certs"]\n{"org.opencontainers.image.version":"v25.0.5"}')).toEqual({ version: '25.0.5', major: 25 });
    expect(engineVersionOf('["DOCKER_TLS_CERTDIR=/certs"]\n{"standin":"docker-host"}')).toEqual({ why: 'no DOCKER_VERSION in its environment' });
    expect(engineVersionOf('["DOCKER_VERSION=dev"]\nnull')).toEqual({ why: 'DOCKER_VERSION=dev is not a release number' });
    expect(engineVersionOf('not json')).toEqual({ why: 'no DOCKER_VERSION in its environment' });
  });

  it('takes the major number of release strings', () => {
    expect(dockerMajor('29.1.3')).toBe(29);
    expect(dockerMajor('v24.0.0')).toBe(24);
    expect(dockerMajor('20.10.24+dfsg1')).toBe(20);
    expect(dockerMajor('latest')).toBeUndefined();
    expect(dockerMajor(undefined)).toBeUndefined();
  });
});

describe('userNetworkDefault', () => {
  it('sees a bridge MTU in daemon-args, as one argument or two', () => {
    expect(userNetworkDefault({ daemonArgs: ['--default-network-opt=bridge=com.docker.network.driver.mtu=1300'], daemonConfig: undefined })).toBe('mtu');
    expect(userNetworkDefault({ daemonArgs: ['--default-network-opt', 'bridge=com.docker.network.driver.mtu=1300'], daemonConfig: undefined })).toBe('mtu');
    expect(userNetworkDefault({ daemonArgs: ['--default-network-opt=bridge=com.docker.network.bridge.enable_icc=false'], daemonConfig: undefined })).toBeUndefined();
  });

  it('sees default-network-opts in daemon-config, with or without a bridge MTU', () => {
    const json = (value: unknown) => ({ 'default-network-opts': value });
    expect(userNetworkDefault({ daemonArgs: [], daemonConfig: json({ bridge: { 'com.docker.network.driver.mtu': '1300' } }) })).toBe('mtu');
    expect(userNetworkDefault({ daemonArgs: [], daemonConfig: json({ bridge: { 'com.docker.network.bridge.enable_icc': 'false' } }) })).toBe('config');
    expect(userNetworkDefault({ daemonArgs: [], daemonConfig: { 'log-level': 'warn' } })).toBeUndefined();
  });
});

/** A DockerCli that answers `image inspect` and `pull` from a script and records every call. */
function fakeDocker(script: { inspect?: CommandResult[]; pull?: CommandResult } = {}) {
  const calls: string[][] = [];
  const inspects = [...(script.inspect ?? [])];
  const docker: Pick<DockerCli, 'exec'> = {
    exec: async (args) => {
      calls.push([...args]);
      if (args[0] === 'image' && args[1] === 'inspect') {
        const next = inspects.shift();
        if (!next) throw new Error('unexpected docker image inspect');
        return next;
      }
      if (args[0] === 'pull' && script.pull) return script.pull;
      throw new Error(`unexpected docker ${args.join(' ')}`);
    },
  };
  return { docker, calls };
}

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '', output: stdout });
const noSuchImage: CommandResult = { code: 1, stdout: '', stderr: 'Error: No such image: docker:dind', output: '' };
const DOCKER_29 = ok('["PATH=/usr/local/bin","DOCKER_VERSION=29.1.3"]\nnull\n');
const DOCKER_20 = ok('["DOCKER_VERSION=20.10.24"]\nnull\n');
const STAND_IN = ok('["DOCKER_TLS_CERTDIR=/certs"]\n{"standin":"docker-host"}\n');
const NETWORK_FLAG = (mtu: number) => `--default-network-opt=bridge=com.docker.network.driver.mtu=${mtu}`;

function mtuOptions(overrides: Partial<MtuOptions>): MtuOptions {
  return { ...options(), ...overrides };
}

describe('chooseMtu', () => {
  it('off: passes nothing and asks nothing', async () => {
    const { docker, calls } = fakeDocker();
    const choice = await choose(mtuOptions({ mtu: 'off' }), docker, { root: '/nonexistent' });
    expect(choice).toEqual({ mtu: undefined, daemonArgs: [], reason: expect.stringMatching(/off/), warnings: [] });
    expect(calls).toEqual([]);
  });

  it('auto at 1500 (or more): passes nothing and costs no docker call', async () => {
    for (const mtu of ['1500', '9001']) {
      const { docker, calls } = fakeDocker();
      const root = await hostRoot({ route: ROUTE, mtus: { eth0: mtu } });
      const choice = await choose(mtuOptions({ mtu: 'auto' }), docker, { root });
      expect(choice.mtu).toBeUndefined();
      expect(choice.daemonArgs).toEqual([]);
      expect(choice.reason).toBe(`eth0 of this host has MTU ${mtu}: dockerd's default 1500 fits`);
      expect(calls).toEqual([]);
    }
  });

  it('auto below 1500 on Docker 24+: the default bridge and new networks get the host\'s MTU', async () => {
    const { docker, calls } = fakeDocker({ inspect: [DOCKER_29] });
    const root = await hostRoot({ route: ROUTE, mtus: { eth0: '1450' } });
    const choice = await choose(mtuOptions({ mtu: 'auto' }), docker, { root });
    expect(choice).toEqual({
      mtu: 1450,
      daemonArgs: ['--mtu=1450', NETWORK_FLAG(1450)],
      reason: 'eth0 of this host has MTU 1450; default bridge and networks the job creates (Docker 29.1.3)',
      warnings: [],
    });
    expect(calls).toEqual([['image', 'inspect', '--format', '{{json .Config.Env}}\n{{json .Config.Labels}}', 'docker:dind']]);
  });

  it('auto below 1500 over IPv6 only', async () => {
    const { docker } = fakeDocker({ inspect: [DOCKER_29] });
    const root = await hostRoot({ route: ROUTE_HEADER, ipv6: ipv6Default('net1', 0x400), mtus: { net1: '1380' } });
    expect((await choose(mtuOptions({ mtu: 'auto' }), docker, { root })).daemonArgs).toEqual(['--mtu=1380', NETWORK_FLAG(1380)]);
  });

  it('auto with no default route or unreadable files: stays at the default, with the reason', async () => {
    const { docker, calls } = fakeDocker();
    const none = await choose(mtuOptions({ mtu: 'auto' }), docker, { root: await hostRoot({ route: ROUTE_HEADER }) });
    expect(none).toEqual({ mtu: undefined, daemonArgs: [], reason: 'this host has no default route; dockerd keeps its default', warnings: [] });
    const unreadable = await choose(mtuOptions({ mtu: 'auto' }), docker, { root: '/nonexistent' });
    expect(unreadable.mtu).toBeUndefined();
    expect(unreadable.reason).toMatch(/cannot read \/proc\/net\/route/);
    expect(calls).toEqual([]);
  });

  it('auto stands back when daemon-args or daemon-config set the MTU', async () => {
    const root = await hostRoot({ route: ROUTE, mtus: { eth0: '1450' } });
    const { docker, calls } = fakeDocker();
    const byArgs = await choose(mtuOptions({ mtu: 'auto', daemonArgs: ['--mtu=1300'] }), docker, { root });
    expect(byArgs).toEqual({ mtu: undefined, daemonArgs: [], reason: 'mtu auto stands back: --mtu in daemon-args sets it', warnings: [] });
    const byConfig = await choose(mtuOptions({ mtu: 'auto', daemonConfig: { mtu: 1300 } }), docker, { root });
    expect(byConfig.reason).toBe('mtu auto stands back: "mtu" in daemon-config sets it');
    expect(byConfig.daemonArgs).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('a number forces the MTU whatever the host has, even above 1500', async () => {
    const root = await hostRoot({ route: ROUTE, mtus: { eth0: '1500' } });
    const { docker } = fakeDocker({ inspect: [DOCKER_29, DOCKER_29] });
    const forced = await choose(mtuOptions({ mtu: 1400 }), docker, { root });
    expect(forced).toMatchObject({ mtu: 1400, daemonArgs: ['--mtu=1400', NETWORK_FLAG(1400)], warnings: [] });
    expect(forced.reason).toMatch(/^input mtu; /);
    expect((await choose(mtuOptions({ mtu: 9000 }), docker, { root })).daemonArgs).toEqual(['--mtu=9000', NETWORK_FLAG(9000)]);
  });

  it('an engine older than 24 gets --mtu only, and a warning that says how to set it per network', async () => {
    const { docker } = fakeDocker({ inspect: [DOCKER_20] });
    const choice = await choose(mtuOptions({ mtu: 1400 }), docker);
    expect(choice.daemonArgs).toEqual(['--mtu=1400']);
    expect(choice.reason).toBe('input mtu; default bridge only');
    expect(choice.warnings).toHaveLength(1);
    expect(choice.warnings[0]).toMatch(/MTU 1400 applies to the inner default bridge only: docker:dind runs Docker 20\.10\.24, and only Docker 24\+/);
    expect(choice.warnings[0]).toContain('docker network create -o com.docker.network.driver.mtu=1400');
  });

  it('an engine of unknown version (no DOCKER_VERSION) is treated as old', async () => {
    const { docker } = fakeDocker({ inspect: [STAND_IN] });
    const choice = await choose(mtuOptions({ mtu: 1400 }), docker);
    expect(choice.daemonArgs).toEqual(['--mtu=1400']);
    expect(choice.warnings[0]).toMatch(/docker:dind has an engine of unknown version \(no DOCKER_VERSION in its environment\)/);
  });

  it('pulls an absent image first (as docker run --pull would) to read its version', async () => {
    const { docker, calls } = fakeDocker({ inspect: [noSuchImage, DOCKER_29], pull: ok('docker.io/library/docker:dind\n') });
    const choice = await choose(mtuOptions({ mtu: 1400, pull: 'missing' }), docker);
    expect(choice.daemonArgs).toEqual(['--mtu=1400', NETWORK_FLAG(1400)]);
    expect(calls.map((call) => call.slice(0, 2).join(' '))).toEqual(['image inspect', 'pull --quiet', 'image inspect']);
  });

  it('falls back to --mtu only, silently, when the pull fails (the start fails with its own message), and does not pull with pull: never', async () => {
    const failedPull = fakeDocker({ inspect: [noSuchImage], pull: { code: 1, stdout: '', stderr: 'Error response from daemon: dial tcp: i/o timeout', output: '' } });
    const choice = await choose(mtuOptions({ mtu: 1400, pull: 'missing' }), failedPull.docker);
    expect(choice).toMatchObject({ daemonArgs: ['--mtu=1400'], warnings: [] });
    expect(failedPull.calls.map((call) => call[0])).toEqual(['image', 'pull']);

    // The start fails anyway ("not present and pull is never"): no pull, no warning.
    const never = fakeDocker({ inspect: [noSuchImage] });
    const refused = await choose(mtuOptions({ mtu: 1400, pull: 'never' }), never.docker);
    expect(refused).toMatchObject({ mtu: 1400, daemonArgs: ['--mtu=1400'], warnings: [] });
    expect(never.calls.map((call) => call[0])).toEqual(['image']);
  });

  it('with pull: always, pulls before reading the version: the image that will run may be newer than the local one', async () => {
    const pulled = fakeDocker({ inspect: [DOCKER_29], pull: { code: 0, stdout: '', stderr: '', output: '' } });
    await choose(mtuOptions({ mtu: 1400, pull: 'always' }), pulled.docker);
    expect(pulled.calls.map((call) => call[0])).toEqual(['pull', 'image']);
  });

  it('leaves networks to a bridge MTU the user set, and never adds the flag beside daemon-config\'s default-network-opts', async () => {
    const { docker, calls } = fakeDocker();
    const byArgs = await choose(mtuOptions({ mtu: 1400, daemonArgs: ['--default-network-opt=bridge=com.docker.network.driver.mtu=1300'] }), docker);
    expect(byArgs).toMatchObject({ mtu: 1400, daemonArgs: ['--mtu=1400'], warnings: [] });
    const withMtu = { 'default-network-opts': { bridge: { 'com.docker.network.driver.mtu': '1300' } } };
    expect((await choose(mtuOptions({ mtu: 1400, daemonConfig: withMtu }), docker)).warnings).toEqual([]);
    const without = { 'default-network-opts': { bridge: { 'com.docker.network.bridge.enable_icc': 'false' } } };
    const choice = await choose(mtuOptions({ mtu: 1400, daemonConfig: without }), docker);
    expect(choice.daemonArgs).toEqual(['--mtu=1400']);
    expect(choice.warnings[0]).toMatch(/daemon-config sets "default-network-opts" without an MTU for "bridge"/);
    expect(calls).toEqual([]);
  });
});
