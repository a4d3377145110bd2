/**
 * A local stand-in for download.docker.com: an HTTP server on 127.0.0.1 that
 * serves static-client archives made from this machine's docker CLI and
 * counts the requests, plus a PATH without docker for the job.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, parseVersionOutput } from '../../src/docker/docker-install.js';
import type { ActionsJob } from '../../scripts/actions-runner.mjs';

/** The docker CLI of this machine and the release it reports (without a distribution's +suffix). */
export function localClient(): { binary: string; version: string } {
  const found = findOnPath('docker', process.env);
  if (!found) throw new Error('no docker CLI on PATH');
  const binary = realpathSync(found);
  const reported = parseVersionOutput(execFileSync(binary, ['--version'], { encoding: 'utf8' }));
  if (!reported) throw new Error(`${binary} --version says no version`);
  return { binary, version: reported.replace(/\+.*$/, '') };
}

/** A docker-<version>.tgz as Docker packs it: docker/docker (and here nothing else). */
export function clientArchive(binary: string, scratch: string): Buffer {
  const dir = mkdtempSync(join(scratch, 'archive-'));
  try {
    mkdirSync(join(dir, 'docker'));
    copyFileSync(binary, join(dir, 'docker', 'docker'));
    execFileSync('tar', ['-czf', join(dir, 'docker.tgz'), '-C', dir, 'docker']);
    return readFileSync(join(dir, 'docker.tgz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An archive whose docker/docker is a script: `body` after the shebang. */
export function scriptArchive(body: string, scratch: string): Buffer {
  const script = join(scratch, `script-${Math.random().toString(16).slice(2)}`);
  writeFileSync(script, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  try {
    return clientArchive(script, scratch);
  } finally {
    rmSync(script, { force: true });
  }
}

export interface Mirror {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `files` (path -> body) on 127.0.0.1; anything else is a 404. */
export function startMirror(files: Record<string, Buffer | string>): Promise<Mirror> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const body = files[path];
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    response.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

export interface Blackhole {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Connections still open. */
  open(): number;
  close(): Promise<void>;
}

/** A mirror that accepts connections and never answers (a hung server, a proxy that lost its upstream). */
export function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    hole.connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    // Read (and ignore) the request, so that the client's closing is seen.
    socket.resume();
  });
  const hole: Blackhole = {
    url: '',
    connections: 0,
    open: () => sockets.size,
    close: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      hole.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(hole);
    });
  });
}

/** A directory to use as the whole PATH: tar, gzip and sh (what the action and a job's shell need), no docker. */
export function pathWithoutDocker(scratch: string): string {
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['tar', 'gzip', 'sh']) {
    const found = findOnPath(tool, process.env);
    if (!found) throw new Error(`${tool} is not on PATH`);
    symlinkSync(realpathSync(found), join(bin, tool));
  }
  return bin;
}

/** The directories a job's steps added with GITHUB_PATH (the runner prepends them for later steps). */
export function pathAdditions(job: ActionsJob): string[] {
  if (!job.dir) return [];
  const dir = job.dir;
  return readdirSync(dir)
    .filter((name) => name.includes('.github_path.'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line !== '');
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'setup-dind-docker-cli-test-'));
}
