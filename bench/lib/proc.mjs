// Process, Docker and network helpers for the benchmark. Nothing here starts
// a container on its own; see resources.mjs for what is created and removed.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

/**
 * @typedef {object} RunResult
 * @property {number} code exit code (128 when killed by a signal)
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} seconds wall-clock from spawn to close (performance.now)
 * @property {boolean} timedOut
 */

/**
 * Runs a command without a shell and collects its output.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number, signal?: AbortSignal, cwd?: string }} [options]
 * @returns {Promise<RunResult>}
 */
export function run(command, args, options = {}) {
  const { env = process.env, input, timeoutMs = 300_000, signal, cwd } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const started = performance.now();
    const child = spawn(command, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, killedBy) => {
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(abortError(signal));
      else resolve({ code: code ?? 128, signal: killedBy, stdout, stderr, seconds, timedOut });
    });
  });
}

/** @param {AbortSignal} signal */
export function abortError(signal) {
  const error = new Error(signal.reason instanceof Error ? signal.reason.message : 'aborted');
  error.name = 'AbortError';
  return error;
}

/** The first meaningful line of a command's error output. */
export function firstLine(text) {
  return (
    String(text)
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !/^DEPRECATED|^Install the buildx|^ *BuildKit|^ *Learn more|^ *https?:\/\//i.test(line)) ?? ''
  );
}

/**
 * `docker ARGS`; rejects with the first error line on a non-zero exit.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number, signal?: AbortSignal, cwd?: string }} [options]
 */
export async function docker(args, options = {}) {
  const result = await run('docker', args, { timeoutMs: 120_000, ...options });
  if (result.code !== 0) {
    const why = result.timedOut ? 'timed out' : `exited ${result.code}`;
    throw new Error(`docker ${args.slice(0, 3).join(' ')}… ${why}: ${firstLine(result.stderr) || firstLine(result.stdout)}`);
  }
  return result;
}

/** Non-empty lines. */
export function lines(text) {
  return String(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * One `GET /_ping` on 127.0.0.1:PORT over plain HTTP; true when it answers 200 "OK".
 * @param {number} port
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
export function pingOnce(port, timeoutMs) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/_ping', agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body.trim() === 'OK'));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

/**
 * `docker save IMAGE` on the host piped into `docker load` at `toEnv`'s daemon.
 * @param {string} image
 * @param {NodeJS.ProcessEnv} toEnv
 * @param {AbortSignal} [signal]
 * @returns {Promise<void>}
 */
export function copyImage(image, toEnv, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
    const load = spawn('docker', ['load', '--quiet'], { env: toEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    save.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    load.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    save.on('error', reject);
    load.on('error', reject);
    load.stdin.on('error', () => {}); // reported through load's exit code
    save.stdout.pipe(load.stdin);
    const onAbort = () => {
      save.kill('SIGTERM');
      load.kill('SIGTERM');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    load.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(abortError(signal));
      else if (code === 0) resolve();
      else reject(new Error(`docker save ${image} | docker load failed (${code}): ${firstLine(err)}`));
    });
  });
}
