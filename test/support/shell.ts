/** Shell scripts run the way a CI job's script lines run: a fresh shell, output captured. */
import { spawn } from 'node:child_process';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` with `sh -c` (or the given shell binary) and resolves with its exit code and output. */
export function sh(script: string, env: NodeJS.ProcessEnv, shell = 'sh'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}
