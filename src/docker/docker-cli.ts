/**
 * The docker command-line client, run with an argument vector (never through
 * a shell) against one daemon, chosen by the environment it is given.
 *
 * The CLI rather than the Engine API: it honours everything that selects and
 * authenticates a daemon (DOCKER_HOST, contexts, TLS variables, config
 * files) exactly as the user's own docker commands do.
 * node:child_process rather than @actions/exec: the engine must cancel a
 * command (AbortSignal) and bound its time, and must stay CI-agnostic.
 */
import { spawn } from 'node:child_process';
import { apiVersionError } from './api-version.js';
import { SetupDindError } from '../engine/errors.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order they arrived. */
  output: string;
}

export interface CommandOptions {
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each line the command writes to stderr, as it comes. */
  onStderrLine?: (line: string) => void;
}

/** A docker command that failed; `stderr` holds the engine's own words. */
export class DockerCommandError extends SetupDindError {
  readonly result: CommandResult;
  constructor(args: readonly string[], result: CommandResult, env: NodeJS.ProcessEnv = {}) {
    // A refused API version says which side is too old, whichever command met it.
    const refused = apiVersionError(result.stderr, daemonName(env), env);
    super(refused?.message ?? `docker ${args.slice(0, 2).join(' ')} failed (exit code ${result.code}): ${firstErrorLine(result.stderr)}`, {
      hint: refused?.hint,
    });
    this.name = 'DockerCommandError';
    this.result = result;
  }
}

/** The daemon an environment's docker commands reach, in words. */
export function daemonName(env: NodeJS.ProcessEnv): string {
  // The CLI's own order: DOCKER_HOST wins over DOCKER_CONTEXT.
  if (env.DOCKER_HOST) return `the Docker daemon at ${env.DOCKER_HOST}`;
  return env.DOCKER_CONTEXT ? `the Docker daemon of context ${env.DOCKER_CONTEXT}` : "the runner's Docker daemon";
}

/** One `key=value` field of a CSV option value (`--mount`, `context create --docker`): quoted when it must be. */
export function mountField(key: string, value: string): string {
  const field = `${key}=${value}`;
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** The fields of a CSV option value as mountField writes them (double quotes, `""` for a quote); a bare flag (`readonly`) has no value. */
export function mountFields(spec: string): Array<[key: string, value: string | undefined]> {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < spec.length; index++) {
    const char = spec[index]!;
    if (quoted && char === '"' && spec[index + 1] === '"') {
      field += '"';
      index++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields.map((entry) => {
    const equals = entry.indexOf('=');
    return equals < 0 ? [entry, undefined] : [entry.slice(0, equals), entry.slice(equals + 1)];
  });
}

/** The most telling line of a docker CLI error output. */
export function firstErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith("Run 'docker") && !line.startsWith('See '));
  return lines.find((line) => /error|denied|cannot|failed|no such/i.test(line)) ?? lines[0] ?? '(no error output)';
}

/** How a watched container's wait ended: it stopped, or its daemon stopped answering. */
export type ExitWatch = { kind: 'exited'; code: number } | { kind: 'lost'; message: string };

export class DockerCli {
  constructor(
    /** The environment the CLI runs in; its DOCKER_* variables choose the daemon. */
    private readonly env: NodeJS.ProcessEnv,
    private readonly binary = 'docker',
  ) {}

  /** Runs `docker ARGS`; resolves with the exit code and output, whatever the code. */
  exec(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, {
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: options.signal,
      });
      // Our own timer rather than spawn's `timeout`, whose timer outlives a
      // command that could not start (ENOENT) and keeps the process alive.
      let timedOut = false;
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              child.kill('SIGKILL');
            }, options.timeoutMs);
      let stdout = '';
      let stderr = '';
      let output = '';
      let partial = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        output += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        output += chunk;
        if (!options.onStderrLine) return;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') options.onStderrLine(line);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (error.code === 'ENOENT') {
          reject(
            new SetupDindError(`The docker command was not found (${this.binary.includes('/') ? `no ${this.binary}` : `looked for "${this.binary}" on PATH`}).`, {
              hint: 'Install the Docker CLI on the runner, or run the job on an image that has it.',
            }),
          );
        } else if (error.name === 'AbortError') {
          reject(error);
        } else {
          reject(new SetupDindError(`Could not run docker ${args[0] ?? ''}: ${error.message}`, { cause: error }));
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (options.onStderrLine && partial.trim() !== '') options.onStderrLine(partial);
        if (timedOut) {
          const note = `\ntimed out after ${options.timeoutMs} ms`;
          resolve({ code: 124, stdout, stderr: stderr + note, output: output + note });
          return;
        }
        resolve({ code: code ?? 128, stdout, stderr, output });
      });
    });
  }

  /** The daemon's refusal of this client's API version in a failed result, as a clear error; undefined for any other failure. */
  apiRefusal(result: CommandResult): SetupDindError | undefined {
    return apiVersionError(result.stderr, daemonName(this.env), this.env);
  }

  /** Runs `docker ARGS` and returns its trimmed stdout; a non-zero exit throws DockerCommandError. */
  async run(args: readonly string[], options: CommandOptions = {}): Promise<string> {
    const result = await this.exec(args, options);
    if (result.code !== 0) throw new DockerCommandError(args, result, this.env);
    return result.stdout.trim();
  }

  /**
   * Resolves once the container stops (`docker wait`: one process that
   * blocks, instead of polling), or once the daemon running it can no longer
   * be asked. `cancel` ends the watch.
   */
  watchExit(container: string): { exited: Promise<ExitWatch>; cancel: () => void } {
    const controller = new AbortController();
    const exited = this.exec(['wait', container], { signal: controller.signal }).then(
      (result): ExitWatch => {
        const code = Number.parseInt(result.stdout.trim(), 10);
        if (result.code === 0 && !Number.isNaN(code)) return { kind: 'exited', code };
        return { kind: 'lost', message: firstErrorLine(result.stderr) };
      },
      // Cancelled: the watch just never fires.
      () => new Promise<ExitWatch>(() => {}),
    );
    return { exited, cancel: () => controller.abort() };
  }

  /** The last lines the container wrote (stdout and stderr), or [] if it cannot be read. */
  async logTail(container: string, lines: number): Promise<string[]> {
    const result = await this.exec(['logs', '--tail', String(lines), container], { timeoutMs: 10_000 }).catch(() => undefined);
    if (!result || result.code !== 0) return [];
    return result.output.split('\n').filter((line) => line.trim() !== '');
  }
}

export function isNoSuchObject(result: CommandResult): boolean {
  return /no such (container|volume|object)|not found/i.test(result.stderr);
}
