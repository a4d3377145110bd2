/** Real client programs (test/support/*-client.mjs), run as a job runs them: their own process, the job's environment. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs test/support/<name>-client.mjs with Node in the repository root. */
export function runClient(name: 'testcontainers' | 'sdk', env: NodeJS.ProcessEnv, args: string[] = []): Promise<ClientRun> {
  const file = fileURLToPath(new URL(`./${name}-client.mjs`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { env, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The last line of a client's output, as JSON. */
export function lastJson<T>(run: ClientRun): T {
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}
