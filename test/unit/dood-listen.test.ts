import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listenPrivately, removeStaleSocket } from '../../src/dood/listen.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'setup-dind-listen-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function server(): http.Server {
  const created = http.createServer((_req, res) => res.end('ok'));
  cleanups.push(() => new Promise<void>((resolve) => created.close(() => resolve())));
  return created;
}

/** A socket file nobody serves: left by a process that listened on it and was killed. */
function staleSocket(path: string): void {
  const script = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  spawnSync(process.execPath, ['-e', script], { stdio: 'ignore', timeout: 10_000 });
}

describe('removeStaleSocket', () => {
  it('does nothing when there is no file, and refuses a file that is not a socket', async () => {
    const dir = tempDir();
    await removeStaleSocket(join(dir, 'none.sock'));
    writeFileSync(join(dir, 'file.sock'), 'not a socket');
    await expect(removeStaleSocket(join(dir, 'file.sock'))).rejects.toThrow(/file\.sock exists and is not a socket; not replacing it\./);
  });

  it('refuses a socket another process serves', async () => {
    const path = join(tempDir(), 'live.sock');
    await new Promise<void>((resolve) => server().listen(path, resolve));
    await expect(removeStaleSocket(path)).rejects.toThrow(`Another process serves ${path}; not replacing it.`);
  });

  it('removes a socket nobody serves', async () => {
    const path = join(tempDir(), 'stale.sock');
    staleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    await removeStaleSocket(path);
    expect(() => statSync(path)).toThrow(/ENOENT/);
  });
});

describe('listenPrivately', () => {
  it('listens on a socket only its user may use, replacing a stale one', async () => {
    const path = join(tempDir(), 'proxy.sock');
    staleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    const listening = server();
    await listenPrivately(listening, path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const answer = await new Promise<string>((resolve, reject) => {
      http.get({ socketPath: path, path: '/', agent: false }, (response) => {
        response.setEncoding('utf8');
        let text = '';
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(answer).toBe('ok');
  });

  it('fails when the socket cannot be bound', async () => {
    await expect(listenPrivately(server(), join(tempDir(), 'missing', 'proxy.sock'))).rejects.toThrow(/EACCES|ENOENT/);
  });
});
