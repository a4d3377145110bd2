/**
 * The DinD port forwarding without Docker: the real helper script (run by
 * sh, as dockerd runs it) talks to the real forwarder through a shared
 * directory; a stand-in docker-proxy on PATH answers dockerd's protocol on
 * fd 3 and stays up until killed, as the real one does. The "DinD container"
 * is 127.0.0.2, where a test server listens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import dgram from 'node:dgram';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELPER_NAME, HELPER_SCRIPT } from '../../src/ports/helper-script.js';
import { loopbackFor, parseRequest, startForwarder, type RunningForwarder } from '../../src/ports/forwarder.js';

const TARGET = '127.0.0.2';

let dir: string;
let bin: string;
let forwarder: RunningForwarder;
const log: string[] = [];
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'setup-dind-ports-'));
  bin = await mkdtemp(join(tmpdir(), 'setup-dind-ports-bin-'));
  await writeFile(join(dir, HELPER_NAME), HELPER_SCRIPT, { mode: 0o755 });
  // docker-proxy's contract: "0\n" on fd 3 once it serves, then it runs until dockerd kills it.
  await writeFile(join(bin, 'docker-proxy'), `#!/bin/sh\necho "$*" >> '${bin}/calls'\nprintf "0\\n" >&3\nexec sleep 600\n`, { mode: 0o755 });
  log.length = 0;
  forwarder = startForwarder({ dir, target: TARGET, log: (line) => log.push(line) });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await forwarder.close();
  await rm(dir, { recursive: true, force: true });
  await rm(bin, { recursive: true, force: true });
});

/**
 * The shells the helper must run under: the image's /bin/sh is busybox's in
 * the official (Alpine) docker:dind, dash in Debian's. Those present here.
 */
const SHELLS = [['dash'], ['busybox', 'sh']].filter(([program]) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0);
let shell: string[] = ['sh'];

/** Runs the helper as dockerd does; resolves with its status line on fd 3 and the process. */
function publish(port: number, proto = 'tcp', hostIp = '0.0.0.0'): Promise<{ status: string; helper: ChildProcess }> {
  const [program, ...shellArgs] = shell as [string, ...string[]];
  const helper = spawn(program, [...shellArgs, join(dir, HELPER_NAME), '-proto', proto, '-host-ip', hostIp, '-host-port', String(port), '-container-ip', '172.18.0.2', '-container-port', '80'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
  cleanups.push(() => helper.kill('SIGKILL'));
  return new Promise((resolve) => {
    let status = '';
    helper.stdio[3]!.on('data', (chunk: Buffer) => {
      status += chunk.toString();
      if (status.startsWith('0\n') || (status.startsWith('1\n') && status.length > 2)) resolve({ status, helper });
    });
    helper.on('exit', () => resolve({ status, helper }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A server on the "DinD container" that answers with `reply`. */
async function target(port: number, reply: string): Promise<void> {
  const server = net.createServer((socket) => socket.end(reply));
  await new Promise<void>((resolve) => server.listen(port, TARGET, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
}

function fetchFrom(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(SHELLS.map((candidate) => [candidate.join(' '), candidate] as const))('published ports on the runner (helper under %s)', (_name, candidate) => {
  beforeEach(() => {
    shell = [...candidate];
  });

  it('answers on 127.0.0.1 as soon as the helper told dockerd it serves, and closes when its proxy ends', async () => {
    const port = await freePort();
    await target(port, 'hello from the container');
    const { status, helper } = await publish(port);
    expect(status).toBe('0\n');
    expect(await fetchFrom(port)).toBe('hello from the container');
    expect(forwarder.ports()).toEqual([`tcp/${port}`]);
    helper.kill('SIGKILL');
    await until(() => forwarder.ports().length === 0);
    await expect(fetchFrom(port)).rejects.toThrow(/ECONNREFUSED/);
    // Nothing of the exchange is left in the shared directory but the helper.
    expect(await readdir(dir)).toEqual([HELPER_NAME]);
  });

  it('refuses a port taken on the runner, in docker-proxy\'s words, so the container start fails with it', async () => {
    const port = await freePort();
    const holder = net.createServer().listen(port, '127.0.0.1');
    cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
    const { status, helper } = await publish(port);
    expect(status).toMatch(new RegExp(`^1\\nsetup-dind: port ${port}/tcp is already in use on the runner \\(127\\.0\\.0\\.1\\); choose another host port`));
    await until(() => helper.exitCode !== null);
    expect(helper.exitCode).toBe(1);
    expect(await readdir(dir)).toEqual([HELPER_NAME]);
  });

  it('takes a port over when the same host port is asked again (a restarted container)', async () => {
    const port = await freePort();
    await target(port, 'again');
    const first = await publish(port);
    const second = await publish(port);
    expect(second.status).toBe('0\n');
    first.helper.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The first proxy's end does not close the port the second one holds.
    expect(forwarder.ports()).toEqual([`tcp/${port}`]);
    expect(await fetchFrom(port)).toBe('again');
  });

  it('relays UDP both ways', async () => {
    const port = await freePort();
    const echo = dgram.createSocket('udp4');
    echo.on('message', (message, from) => echo.send(Buffer.concat([Buffer.from('echo: '), message]), from.port, from.address));
    await new Promise<void>((resolve) => echo.bind(port, TARGET, resolve));
    cleanups.push(() => new Promise<void>((resolve) => echo.close(() => resolve())));
    expect((await publish(port, 'udp')).status).toBe('0\n');
    const client = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((resolve) => client.close(() => resolve())));
    const reply = new Promise<string>((resolve) => client.on('message', (message) => resolve(message.toString())));
    client.send('ping', port, '127.0.0.1');
    expect(await reply).toBe('echo: ping');
  });

  it('relays a publish on the DinD container\'s loopback through a second docker-proxy on its address, and ends both', async () => {
    const port = await freePort();
    await target(port, 'relayed');
    const { status, helper } = await publish(port, 'tcp', '127.0.0.1');
    expect(status).toBe('0\n');
    expect(await fetchFrom(port)).toBe('relayed');
    await until(() => readFileSync(join(bin, 'calls'), 'utf8').split('\n').filter(Boolean).length === 2);
    const calls = readFileSync(join(bin, 'calls'), 'utf8').split('\n').filter(Boolean);
    expect(calls).toContain(`-proto tcp -host-ip ${TARGET} -host-port ${port} -container-ip 172.18.0.2 -container-port 80`);
    expect(calls).toContain(`-proto tcp -host-ip 127.0.0.1 -host-port ${port} -container-ip 172.18.0.2 -container-port 80`);
    // dockerd stops its proxy with a signal: the helper ends both, and the runner's port closes.
    helper.kill('SIGTERM');
    await until(() => forwarder.ports().length === 0);
  });

  it('leaves a publish on a specific address of the DinD container alone', async () => {
    const port = await freePort();
    expect((await publish(port, 'tcp', '10.0.0.5')).status).toBe('0\n');
    expect(forwarder.ports()).toEqual([]);
  });
});

describe('the request format', () => {
  it('parses the helper\'s line and maps wildcard addresses to loopback only', () => {
    expect(parseRequest('x', 'tcp 0.0.0.0 8080\n')).toEqual({ id: 'x', proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 });
    expect(parseRequest('x', 'sctp 0.0.0.0 8080')).toBeUndefined();
    expect(parseRequest('x', 'tcp 0.0.0.0 0')).toBeUndefined();
    expect(loopbackFor('0.0.0.0')).toEqual({ address: '127.0.0.1', relay: false });
    expect(loopbackFor('')).toEqual({ address: '127.0.0.1', relay: false });
    expect(loopbackFor('::')).toEqual({ address: '::1', relay: false });
    expect(loopbackFor('127.0.0.1')).toEqual({ address: '127.0.0.1', relay: true });
    expect(loopbackFor('192.168.1.5')).toBeUndefined();
  });
});
