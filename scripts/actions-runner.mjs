// Runs the bundled action the way the GitHub Actions runner does: inputs as
// INPUT_* variables (defaults from action.yml), file commands through
// GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY, and the
// saved state handed to post as STATE_*. Variables exported by main reach
// post, as they reach every later step of a real job.
// Used by the end-to-end tests and by `npm run quickstart`; no dependencies
// beyond Node itself (action.yml defaults are read when `yaml` is installed).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** action.yml's input defaults, or {} when the `yaml` package is not installed. */
export async function actionDefaults(actionFile = join(ROOT, 'action.yml')) {
  let parse;
  try {
    ({ parse } = await import('yaml'));
  } catch {
    return {};
  }
  const action = parse(await readFile(actionFile, 'utf8'));
  const defaults = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec && spec.default !== undefined) defaults[name] = String(spec.default);
  }
  return defaults;
}

/** Parses a file-command file: `NAME=VALUE` lines and `NAME<<DELIMITER` blocks. */
export function parseFileCommands(text) {
  const values = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]);
      values[name] = body.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return values;
}

/** `::error::message` and `::warning ...::message` lines of a step's stdout. */
function annotations(stdout, kind) {
  const unescape = (text) => text.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
  return stdout
    .split('\n')
    .map((line) => new RegExp(`^::${kind}(?: [^:]*)?::(.*)$`).exec(line))
    .filter(Boolean)
    .map((match) => unescape(match[1]));
}

/**
 * One job: its steps share the workspace, RUNNER_TEMP and the environment
 * that earlier steps exported.
 */
export class ActionsJob {
  /**
   * @param {object} [options]
   * @param {Record<string, string>} [options.env] variables of the job (on top of process.env)
   * @param {string} [options.distDir] where main.js and post.js are
   * @param {(entry: string, env: Record<string, string>) => {command: string, args: string[], env?: Record<string, string>}} [options.launcher]
   *   how to start a step's process (default: this Node on the host); e.g. `docker exec` into a job container
   */
  constructor(options = {}) {
    this.distDir = options.distDir ?? join(ROOT, 'dist');
    this.launcher = options.launcher ?? ((entry, env) => ({ command: process.execPath, args: [entry], env }));
    this.baseEnv = { ...process.env, ...(options.env ?? {}) };
    this.runId = String(Date.now()) + randomBytes(2).readUInt16BE().toString();
    this.exported = {};
    /** Directories earlier steps added with GITHUB_PATH, the latest first (the runner prepends them to PATH). */
    this.paths = [];
    this.state = {};
    this.inputs = {};
    this.dir = undefined;
  }

  /** Creates the job's directory (runner files, RUNNER_TEMP); main() does it when needed. */
  async prepare() {
    if (this.dir) return;
    this.dir = await mkdtemp(join(tmpdir(), 'setup-dind-job-'));
    this.runnerTemp = join(this.dir, 'runner-temp');
    await mkdir(this.runnerTemp);
  }

  /** Runs dist/main.js with the given inputs (merged over action.yml's defaults). */
  async main(inputs = {}, options = {}) {
    this.inputs = { ...(await actionDefaults()), ...inputs };
    const result = await this.#step('main.js', options);
    this.state = { ...this.state, ...result.savedState };
    return result;
  }

  /** Runs dist/post.js with the state main saved, as the runner does. */
  post(options = {}) {
    return this.#step('post.js', options);
  }

  /** Starts main without waiting, for tests that signal it; `done` resolves like main(). */
  async startMain(inputs = {}, options = {}) {
    this.inputs = { ...(await actionDefaults()), ...inputs };
    const started = await this.#start('main.js', options);
    return {
      child: started.child,
      done: started.done.then((result) => {
        this.state = { ...this.state, ...result.savedState };
        return result;
      }),
    };
  }

  async #step(entry, options) {
    const started = await this.#start(entry, options);
    return started.done;
  }

  async #start(entry, options) {
    await this.prepare();
    const files = {};
    for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH']) {
      files[name] = join(this.dir, `${entry}.${name.toLowerCase()}.${randomBytes(3).toString('hex')}`);
      await writeFile(files[name], '');
    }
    const env = {
      ...this.baseEnv,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_RUN_ID: this.runId,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'e2e',
      GITHUB_REPOSITORY: 'setup-dind/setup-dind',
      GITHUB_ACTION: 'docker',
      RUNNER_TEMP: this.runnerTemp,
      ...this.exported,
      ...this.#pathEnv(),
      ...files,
      ...(options.env ?? {}),
    };
    for (const [name, value] of Object.entries(this.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    if (entry === 'post.js') {
      for (const [name, value] of Object.entries(this.state)) env[`STATE_${name}`] = value;
    }
    const started = performance.now();
    const launch = this.launcher(join(this.distDir, entry), env);
    const child = spawn(launch.command, launch.args, { env: launch.env ?? env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const done = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', async (code, signal) => {
        try {
          const read = async (name) => parseFileCommands(await readFile(files[name], 'utf8'));
          const exportedEnv = await read('GITHUB_ENV');
          this.exported = { ...this.exported, ...exportedEnv };
          const added = (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter((line) => line.trim() !== '');
          this.paths = [...added.reverse(), ...this.paths];
          resolve({
            code: code ?? 128,
            signal,
            seconds: (performance.now() - started) / 1000,
            stdout,
            stderr,
            outputs: await read('GITHUB_OUTPUT'),
            exportedEnv,
            savedState: await read('GITHUB_STATE'),
            summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
            errors: annotations(stdout, 'error'),
            warnings: annotations(stdout, 'warning'),
          });
        } catch (error) {
          reject(error);
        }
      });
    });
    return { child, done };
  }

  /** The environment a later `run:` step of this job would have. */
  stepEnv() {
    return { ...this.baseEnv, ...this.exported, ...this.#pathEnv() };
  }

  /** PATH with the directories steps added first, as the runner builds it for later steps (post too). */
  #pathEnv() {
    if (this.paths.length === 0) return {};
    const base = this.exported.PATH ?? this.baseEnv.PATH ?? '';
    return { PATH: [...this.paths, base].filter((part) => part !== '').join(':') };
  }

  async cleanup() {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
