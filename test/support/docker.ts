/** Helpers for end-to-end tests against the real Docker engine. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import net from 'node:net';
import { LABELS } from '../../src/engine/identity.js';
import type { ActionsJob } from '../../scripts/actions-runner.mjs';

/** Why the end-to-end tests cannot run here, or undefined when a daemon answers. */
export function dockerUnavailableReason(): string | undefined {
  const result = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return `the docker command is not available (${result.error.message})`;
  if (result.status !== 0) return `no Docker daemon answers (${result.stderr.trim().split('\n')[0]})`;
  return undefined;
}

export const DOCKER_MISSING = dockerUnavailableReason();

/** `docker ARGS` in an environment; rejects on a non-zero exit. */
export function docker(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`docker ${args.join(' ')} -> ${code}: ${err}`))));
  });
}

/** `docker save IMAGE` on the host piped into `docker load` at `toEnv`'s daemon. */
export function copyImage(image: string, toEnv: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
    const load = spawn('docker', ['load', '--quiet'], { env: toEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    load.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    save.stdout.pipe(load.stdin);
    load.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker load failed: ${err}`))));
  });
}

/** The owner label value the action gives resources of this job. */
export function ownerOf(job: ActionsJob): string {
  return `github:setup-dind/setup-dind/run/${job.runId}/attempt/1/job/e2e`;
}

/** Containers, volumes and networks on the host daemon labelled as this job's. */
export async function leftovers(job: ActionsJob): Promise<string[]> {
  const filter = `label=${LABELS.owner}=${ownerOf(job)}`;
  const found: string[] = [];
  for (const [kind, args] of [
    ['container', ['ps', '--all', '--quiet', '--filter', filter]],
    ['volume', ['volume', 'ls', '--quiet', '--filter', filter]],
    ['network', ['network', 'ls', '--quiet', '--filter', filter]],
  ] as const) {
    for (const id of (await docker([...args])).split('\n').filter(Boolean)) found.push(`${kind} ${id}`);
  }
  // RUNNER_TEMP is the only place the action may write files.
  if (job.runnerTemp) for (const entry of await readdir(job.runnerTemp)) found.push(`file ${entry} in RUNNER_TEMP`);
  // Our background processes (the DooD proxy, the port forwarder) carry their directory in RUNNER_TEMP in their command line.
  if (job.runnerTemp) for (const args of ourProcesses(job.runnerTemp)) found.push(`process ${args}`);
  return found;
}

/** The command lines of running processes that name `dir` (not this process). */
function ourProcesses(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(dir) && !line.startsWith(`${process.pid} `) && !/\bps -eo\b/.test(line));
}

/**
 * Ends a job whose post never ran as the Actions runner ends every job: the
 * processes it left (ours carry their directory in RUNNER_TEMP in their
 * command line) are killed and RUNNER_TEMP is emptied.
 */
export async function endAsRunner(job: ActionsJob): Promise<void> {
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of listing.split('\n')) {
    const [pid, ...args] = line.trim().split(/\s+/);
    if (job.runnerTemp && args.join(' ').includes(job.runnerTemp) && Number(pid) !== process.pid) process.kill(Number(pid), 'SIGKILL');
  }
  if (job.runnerTemp) for (const entry of await readdir(job.runnerTemp)) await rm(join(job.runnerTemp, entry), { recursive: true, force: true });
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Holds a port on 127.0.0.1 until `close`. */
export function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({ port: address.port, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that forwards to the host's Docker socket: a
 * "host daemon" a test can take away (close) while the action uses it.
 */
export function socketForwarder(port = 0, socketPath = '/var/run/docker.sock'): Promise<{ dockerHost: string; port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as net.AddressInfo).port;
      resolve({
        dockerHost: `tcp://127.0.0.1:${bound}`,
        port: bound,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Polls `check` every 50 ms until it returns true or `ms` pass. */
export async function until(check: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * An image for a CI job that runs in a container: this Node, the host's
 * docker CLI, and busybox's sh and sleep (to keep it running), plus `extra`
 * binaries (path in the image: path on the host). busybox is the host's
 * /bin/busybox, or else the busybox:latest image's, so the host needs none
 * (an `extra` of /bin/busybox names that busybox too).
 */
export async function buildJobImage(tag: string, extra: Record<string, string> = {}): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const { existsSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const scratch = mkdtempSync(join(tmpdir(), 'setup-dind-busybox-'));
  try {
    let busybox = '/bin/busybox';
    if (!existsSync(busybox)) {
      busybox = join(scratch, 'busybox');
      const container = await docker(['create', 'busybox:latest']);
      try {
        await docker(['cp', `${container}:/bin/busybox`, busybox]);
      } finally {
        await docker(['rm', container]);
      }
    }
    await buildToolImage(tag, {
      '/usr/local/bin/node': process.execPath,
      '/usr/local/bin/docker': execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim(),
      '/bin/sh': busybox,
      '/bin/sleep': busybox,
      ...Object.fromEntries(Object.entries(extra).map(([to, from]) => [to, from === '/bin/busybox' ? busybox : from])),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds an image FROM scratch holding host binaries and the shared libraries
 * they load (found with ldd), so a test can run this host's node or docker
 * CLI inside a container whatever images the machine has.
 */
export async function buildToolImage(tag: string, binaries: Record<string, string>): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, mkdirSync, copyFileSync, rmSync, realpathSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { dirname, join } = await import('node:path');
  const context = mkdtempSync(join(tmpdir(), 'setup-dind-tool-image-'));
  try {
    const place = (from: string, to: string) => {
      mkdirSync(join(context, 'root', dirname(to)), { recursive: true });
      copyFileSync(realpathSync(from), join(context, 'root', to));
    };
    for (const [to, from] of Object.entries(binaries)) {
      place(from, to);
      let libraries: string[] = [];
      try {
        libraries = execFileSync('ldd', [realpathSync(from)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n');
      } catch {
        // a static binary: nothing to add
      }
      for (const line of libraries) {
        const path = /(\/\S+) \(0x/.exec(line)?.[1] ?? /^\s*(\/\S+)/.exec(line)?.[1];
        if (path) place(path, path);
      }
    }
    mkdirSync(join(context, 'root', 'tmp'), { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY root/ /\nENV PATH=/bin:/usr/bin:/usr/local/bin\n');
    execFileSync('docker', ['build', '--quiet', '--tag', tag, '--label', 'setup-dind-test=tool-image', context], { stdio: 'ignore' });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Why `docker <plugin>` cannot run here (no CLI, or no such plugin), or undefined. */
export function cliPluginMissing(plugin: 'compose' | 'buildx'): string | undefined {
  const result = spawnSync('docker', [plugin, 'version'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return `the docker command is not available (${result.error.message})`;
  if (result.status !== 0) return `the docker ${plugin} plugin is not installed (${(result.stderr || result.stdout).trim().split('\n')[0]})`;
  return undefined;
}

/** Whether something accepts TCP connections on host:port right now. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
