/**
 * Our background processes (the DooD proxy, the DinD port forwarder): node
 * bundles beside the running entry (dist/), started detached so that they
 * outlive the step that starts them, and stopped by the teardown (the plan
 * names them by pid and a marker in their command line).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SetupDindError } from './errors.js';

const START_TIMEOUT_MS = 15_000;

export interface Background {
  /** Its bundle in dist/, e.g. dood-proxy.js. */
  bundle: string;
  /** In words, for errors: "The DooD proxy". */
  what: string;
  /** A unique argument, so a teardown never signals a process that reused the pid. */
  marker: string;
  /** Its options, as JSON in this environment variable. */
  optionsVariable: string;
  options: unknown;
  /** Where its stderr goes (a file in the set-up's own directory). */
  stderrPath: string;
}

/** Where a bundle is: beside the script that runs (dist/main.js, dist/cli.js). */
function bundlePath(bundle: string): string {
  return join(dirname(realpathSync(process.argv[1] ?? '')), bundle);
}

/** Starts it detached; resolves with its pid once it printed "ready". */
export function startBackground(process_: Background): Promise<number> {
  return new Promise((resolve, reject) => {
    const errors = openSync(process_.stderrPath, 'a', 0o600);
    const child = spawn(process.execPath, [bundlePath(process_.bundle), process_.marker], {
      detached: true,
      stdio: ['ignore', 'pipe', errors],
      env: { ...process.env, [process_.optionsVariable]: JSON.stringify(process_.options) },
    });
    closeSync(errors);
    let output = '';
    const fail = async (why: string) => {
      clearTimeout(timer);
      const stderr = await readFile(process_.stderrPath, 'utf8').catch(() => '');
      reject(new SetupDindError(`${process_.what} did not start: ${why}`, { details: stderr.split('\n').filter(Boolean).slice(-20) }));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      void fail(`no "ready" within ${START_TIMEOUT_MS / 1000} s`);
    }, START_TIMEOUT_MS);
    child.on('error', (error) => void fail(error.message));
    child.on('exit', (code) => void fail(`it exited with code ${code}`));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout!.destroy();
        child.unref();
        resolve(child.pid!);
      }
    });
  });
}
