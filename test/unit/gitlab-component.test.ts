/**
 * The shell of the GitLab component templates/dind.yml, run here with the
 * shells and tools of the images it meets (dash and GNU tools as in Debian's
 * docker:dind, busybox as in the official Alpine one):
 *
 * - the service's entrypoint, which turns SETUP_DIND_MTU into dockerd flags:
 *   `auto` reads the MTU of the default-route interface, in a network
 *   namespace of the test's own with a veth at a chosen MTU and routes;
 * - the job's check of SETUP_DIND_MTU before its wait.
 *
 * The image's dockerd-entrypoint.sh is a stub that prints its arguments. The
 * pipeline itself (gitlab-ci-local, a real service) is in test/e2e/gitlab.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const TEMPLATE = new URL('../../templates/dind.yml', import.meta.url);
const MTU_OPTION = 'com.docker.network.driver.mtu';

interface DindJob {
  services: Array<{ entrypoint: string[] }>;
  before_script: string[];
}

const jobs = parseAllDocuments(readFileSync(TEMPLATE, 'utf8'))[1]!.toJS() as Record<string, DindJob>;
const dind = jobs['.dind']!;
/** The service's `sh -c SCRIPT dockerd-entrypoint.sh`. */
const [, , SERVICE_SCRIPT, SCRIPT_NAME] = dind.services[0]!.entrypoint as [string, string, string, string];

const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const bin = mkdtempSync(join(tmpdir(), 'setup-dind-component-'));
writeFileSync(join(bin, 'dockerd-entrypoint.sh'), '#!/bin/sh\nfor arg in "$@"; do printf "arg %s\\n" "$arg"; done\n', { mode: 0o755 });
// busybox's own applets, as in the Alpine image.
const busyboxBin = join(bin, 'busybox-bin');
if (has('busybox')) {
  spawnSync('mkdir', [busyboxBin]);
  for (const applet of ['sh', 'awk', 'sort', 'sed', 'cat']) symlinkSync(spawnSync('sh', ['-c', 'command -v busybox']).stdout.toString().trim(), join(busyboxBin, applet));
}
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** A shell with the tools beside it: PATH entries first, the shell program. */
const SHELLS = [
  { name: 'dash', shell: 'dash', path: [bin] },
  { name: 'busybox', shell: join(busyboxBin, 'sh'), path: [busyboxBin, bin] },
].filter(({ name }) => has(name));

interface Run {
  code: number | null;
  args: string[];
  log: string[];
  stderr: string;
}

/**
 * Runs the service script; `net` (commands run as root in a new network and
 * mount namespace, with sysfs remounted so /sys/class/net shows its interfaces)
 * sets up the namespace first.
 */
function service(shell: (typeof SHELLS)[number], env: Record<string, string | undefined>, net?: string): Run {
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const command = [shell.shell, '-c', SERVICE_SCRIPT, SCRIPT_NAME];
  const spawned =
    net === undefined
      ? spawnSync(command[0]!, command.slice(1), { env: { PATH: [...shell.path, process.env.PATH].join(':'), ...vars }, encoding: 'utf8' })
      : spawnSync('unshare', ['-n', '-m', '/bin/sh', '-c', `set -e; mount -t sysfs sysfs /sys; ${net}; exec "$@"`, 'netns', ...command], {
          env: { PATH: [...shell.path, process.env.PATH].join(':'), ...vars },
          encoding: 'utf8',
        });
  const lines = spawned.stdout.split('\n').filter(Boolean);
  return {
    code: spawned.status,
    args: lines.filter((line) => line.startsWith('arg ')).map((line) => line.slice(4)),
    log: lines.filter((line) => line.startsWith('setup-dind: ')),
    stderr: spawned.stderr,
  };
}

/** Whether this machine lets a test make its own network namespace (root, and unshare). */
const NETNS = spawnSync('unshare', ['-n', '-m', 'sh', '-c', 'mount -t sysfs sysfs /sys && ip link add v0 type veth peer name v1'], { encoding: 'utf8' });
const NETNS_MISSING = NETNS.status === 0 ? undefined : `no network namespace of our own here (${(NETNS.stderr || String(NETNS.error)).trim()})`;
if (NETNS_MISSING && process.env.CI === 'true') throw new Error(`CI=true: ${NETNS_MISSING}`);

/** A veth pair, its first end up at `mtu` with an address and a route. */
const veth = (name: string, mtu: number, net: number) =>
  `ip link add ${name} mtu ${mtu} type veth peer name ${name}p mtu ${mtu}; ip link set ${name} up; ip link set ${name}p up; ip addr add 10.${net}.0.1/24 dev ${name}`;

describe.each(SHELLS)('the service entrypoint under $name', (shell) => {
  it('a forced MTU: --mtu, and --default-network-opt on Docker 24+', () => {
    const run = service(shell, { SETUP_DIND_MTU: '1400', DOCKER_VERSION: '28.5.0', DOCKER_TLS_CERTDIR: '/certs' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.args).toEqual(['--mtu=1400', `--default-network-opt=bridge=${MTU_OPTION}=1400`]);
    expect(run.log).toContain('setup-dind: inner networks get MTU 1400 (input mtu; default bridge and networks the job creates, Docker 28.5.0)');
    expect(run.log.at(-1)).toBe(`setup-dind: dockerd-entrypoint.sh --mtu=1400 --default-network-opt=bridge=${MTU_OPTION}=1400`);
  });

  it.each([
    ['20.10.24', 'the image runs Docker 20.10.24'],
    [undefined, 'the image runs Docker of unknown version'],
    ['unknown', 'the image runs Docker unknown'],
  ])('Docker %s: the default bridge only, and the log says how to cover new networks', (version, says) => {
    const run = service(shell, { SETUP_DIND_MTU: '1400', DOCKER_VERSION: version, DOCKER_TLS_CERTDIR: '/certs' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.args).toEqual(['--mtu=1400']);
    expect(run.log[0]).toContain(`default bridge only: ${says}`);
    expect(run.log[0]).toContain(`docker network create -o ${MTU_OPTION}=1400`);
  });

  it.each([['off'], ['']])('mtu %j: no flag, and the log says so', (value) => {
    const run = service(shell, { SETUP_DIND_MTU: value, DOCKER_VERSION: '28.5.0', DOCKER_TLS_CERTDIR: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.args).toEqual(['--tls=false']);
    expect(run.log[0]).toBe("setup-dind: MTU left at dockerd's default (mtu is off: dockerd keeps its default)");
  });

  it.each([['1400x'], ['575'], ['65536'], ['-1'], ['auto ']])('mtu %j: refused, nothing started', (value) => {
    const run = service(shell, { SETUP_DIND_MTU: value, DOCKER_VERSION: '28.5.0' });
    expect(run.code).toBe(2);
    expect(run.args).toEqual([]);
    expect(run.stderr).toContain(`SETUP_DIND_MTU must be auto, off or a whole number from 576 to 65535; it is '${value}'`);
  });

  it('the registry mirror and --tls=false stay single arguments beside the MTU flags', () => {
    const run = service(shell, { SETUP_DIND_MTU: '1400', DOCKER_VERSION: '24.0.0', DOCKER_TLS_CERTDIR: '', SETUP_DIND_REGISTRY_MIRROR: 'https://mirror.example/a b' });
    expect(run.args).toEqual(['--tls=false', '--mtu=1400', `--default-network-opt=bridge=${MTU_OPTION}=1400`, '--registry-mirror=https://mirror.example/a b']);
  });

  describe.skipIf(NETNS_MISSING !== undefined)('auto, in a network namespace of its own', () => {
    const auto = (net: string, version = '28.5.0') => service(shell, { SETUP_DIND_MTU: undefined, DOCKER_VERSION: version, DOCKER_TLS_CERTDIR: '/certs' }, net);

    it('unset means auto: the default-route interface below 1500 gives its MTU to both flags', () => {
      const run = auto(`${veth('v0', 1300, 9)}; ip route add default via 10.9.0.2 dev v0`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.args).toEqual(['--mtu=1300', `--default-network-opt=bridge=${MTU_OPTION}=1300`]);
      expect(run.log[0]).toBe('setup-dind: inner networks get MTU 1300 (v0 of this service has MTU 1300; default bridge and networks the job creates, Docker 28.5.0)');
    });

    it('1500 and above: dockerd keeps its default', () => {
      const run = auto(`${veth('v0', 9000, 9)}; ip route add default via 10.9.0.2 dev v0`);
      expect(run.args).toEqual([]);
      expect(run.log[0]).toBe("setup-dind: MTU left at dockerd's default (v0 of this service has MTU 9000: dockerd's default 1500 fits)");
    });

    it('two default routes: the lower metric wins, whatever the order', () => {
      const run = auto(
        `${veth('v0', 1450, 9)}; ${veth('v1', 1300, 8)}; ip route add default via 10.9.0.2 dev v0 metric 200; ip route add default via 10.8.0.2 dev v1 metric 100`,
      );
      expect(run.args[0]).toBe('--mtu=1300');
      const other = auto(
        `${veth('v0', 1450, 9)}; ${veth('v1', 1300, 8)}; ip route add default via 10.9.0.2 dev v0 metric 50; ip route add default via 10.8.0.2 dev v1 metric 100`,
      );
      expect(other.args[0]).toBe('--mtu=1450');
    });

    it('a reject (unreachable) default route is passed over', () => {
      const run = auto(`${veth('v0', 1400, 9)}; ip route add unreachable default metric 10; ip route add default via 10.9.0.2 dev v0 metric 100`);
      expect(run.args[0]).toBe('--mtu=1400');
    });

    it('IPv6 only: its default route counts', () => {
      const run = auto(`${veth('v0', 1280, 9)}; ip -6 addr add fd00:9::1/64 dev v0 nodad; ip -6 route add default via fd00:9::2 dev v0`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.args[0]).toBe('--mtu=1280');
    });

    it('no default route: dockerd keeps its default, and the log says why', () => {
      const run = auto('ip link set lo up');
      expect(run.args).toEqual([]);
      expect(run.log[0]).toBe("setup-dind: MTU left at dockerd's default (this service has no default route: dockerd keeps its default)");
    });

    it('Docker 20.10: --mtu only', () => {
      const run = auto(`${veth('v0', 1300, 9)}; ip route add default via 10.9.0.2 dev v0`, '20.10.24');
      expect(run.args).toEqual(['--mtu=1300']);
      expect(run.log[0]).toContain('v0 of this service has MTU 1300; default bridge only');
    });
  });
});

describe.each(SHELLS)("the job's check of SETUP_DIND_MTU under $name", (shell) => {
  // A daemon that answers at once: `docker version` is a stub.
  const dockerBin = join(bin, 'answering-docker');
  spawnSync('mkdir', ['-p', dockerBin]);
  writeFileSync(join(dockerBin, 'docker'), '#!/bin/sh\necho 28.5.0\n', { mode: 0o755 });
  const wait = (mtu: string | undefined) =>
    spawnSync(shell.shell, ['-c', dind.before_script[0]!], {
      env: { PATH: [dockerBin, ...shell.path, process.env.PATH].join(':'), SETUP_DIND_TIMEOUT: '5', ...(mtu === undefined ? {} : { SETUP_DIND_MTU: mtu }), DOCKER_HOST: 'tcp://docker:2375' },
      encoding: 'utf8',
    });

  it.each([['1400x'], ['100'], ['70000']])('%j fails at once, naming the input', (value) => {
    const run = wait(value);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`SETUP_DIND_MTU (input mtu) must be auto, off or a whole number from 576 to 65535; it is '${value}'`);
  });

  it.each([['auto'], ['off'], [''], ['1400'], [undefined]])('%j passes the check, and the wait goes on', (value) => {
    const run = wait(value);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/setup-dind: Docker 28\.5\.0 is ready at tcp:\/\/docker:2375/);
  });
});
