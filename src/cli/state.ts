/**
 * The state file: what `up` set up, for `down` and `env` in later shells
 * (GitLab's after_script runs in a fresh one). It is a shell file a user
 * can `source`; the teardown plan rides along on a comment line.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ciJob, type CiJob } from '../engine/ci.js';
import { SetupDindError } from '../engine/errors.js';
import { parsePlan, type TeardownPlan } from '../teardown/plan.js';
import { privateDir } from './private-dir.js';

const PLAN_PREFIX = '# setup-dind plan: ';

export interface State {
  /** Variables that point a client at the daemon. */
  exports: Record<string, string>;
  plan: TeardownPlan | undefined;
  /** Directories to put first on PATH: a docker CLI that `up` downloaded. */
  path?: string[];
}

/**
 * Where `up` records its state when --state is not given: a per-user
 * directory under the system temp dir (mode 0700, made when missing and
 * checked when not, see private-dir.ts: no one else may plant a plan for
 * `down` to follow), one file per CI job so `down` in another shell of the
 * job finds it.
 */
export async function defaultStatePath(env: NodeJS.ProcessEnv, tempDir = tmpdir(), uid = process.getuid?.()): Promise<string> {
  // No owners to check without uids (Windows): the directory is made when the state is written.
  const dir = uid === undefined ? join(tempDir, 'setup-dind-0') : await privateDir(tempDir, `setup-dind-${uid}`, uid);
  return join(dir, stateFileName(env));
}

/** The state file's name for the CI job: one word, whatever the job's variables hold. */
export function stateFileName(env: NodeJS.ProcessEnv): string {
  return `${stateKey(ciJob(env)).replace(/[^a-zA-Z0-9_.-]/g, '_')}.env`;
}

/** The CI job's own name for its state file ('local' outside CI). */
function stateKey(job: CiJob): string {
  switch (job.ci) {
    case 'github':
      return job.runId ? `github-${job.runId}-${job.attempt}-${job.job ?? 'job'}` : 'local';
    case 'gitlab':
      return job.jobId ? `gitlab-${job.jobId}` : 'local';
    case 'buildkite':
      return `buildkite-${job.jobId}`;
    case 'jenkins':
      return `jenkins-${job.buildTag}`;
    case 'local':
      return 'local';
  }
}

/** `NAME='value'` quoted for POSIX shells. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Environment variables whose values can reach the export lines and the
 * state file: the temp dir holds the socket and certificates of a set-up,
 * mode attach passes the endpoint on.
 */
const EXPORTED_FROM_ENV = ['TMPDIR', 'TMP', 'TEMP', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_CERTDIR'];

/**
 * Every value in the export lines and the state file stays on its line: one
 * with a line break is refused (inputs are single-line already), so nothing
 * a value holds can add a line for `eval` or `source` to run, nor a plan line
 * for `down` to follow.
 */
export function refuseLineBreaks(values: Record<string, string | undefined>): void {
  for (const [what, value] of Object.entries(values)) {
    if (value !== undefined && /[\r\n]/.test(value)) {
      throw new SetupDindError(`${what} has a line break (${JSON.stringify(value)}): it would add a line to the export lines and the state file.`, {
        hint: 'Give it without line breaks.',
      });
    }
  }
}

/** Refuses, before anything is set up, environment variables that would break a line of the state. */
export function refuseLineBreaksInEnv(env: NodeJS.ProcessEnv): void {
  refuseLineBreaks(Object.fromEntries(EXPORTED_FROM_ENV.map((name) => [`Environment variable ${name}`, env[name]])));
}

/** Export lines for eval; PATH is prepended to the evaluating shell's own PATH, not replaced. */
export function exportLines(exports: Record<string, string>, path: readonly string[] = []): string {
  refuseLineBreaks(Object.fromEntries(path.map((dir, index) => [`PATH entry ${index + 1}`, dir])));
  refuseLineBreaks(Object.fromEntries(Object.entries(exports).map(([name, value]) => [`The value of ${name}`, value])));
  for (const name of Object.keys(exports)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new SetupDindError(`Cannot export ${JSON.stringify(name)}: not a variable name.`);
  }
  const paths = path.map((dir) => `export PATH=${shellQuote(dir)}":$PATH"\n`).join('');
  return (
    paths +
    Object.entries(exports)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
      .join('')
  );
}

export function formatState(state: State): string {
  // JSON escapes line breaks: the plan is one line.
  const plan = state.plan ? `${PLAN_PREFIX}${JSON.stringify(state.plan)}\n` : '';
  return `# Written by setup-dind up; source it to reach the daemon, remove it with setup-dind down.\n${plan}${exportLines(state.exports, state.path)}`;
}

export function parseState(text: string): State {
  const exports: Record<string, string> = {};
  const path: string[] = [];
  let plan: TeardownPlan | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(PLAN_PREFIX)) plan = parsePlan(line.slice(PLAN_PREFIX.length));
    const match = /^export ([A-Z_][A-Z0-9_]*)='((?:[^']|'\\'')*)'$/.exec(line);
    if (match) exports[match[1]!] = match[2]!.replace(/'\\''/g, "'");
    const dir = /^export PATH='((?:[^']|'\\'')*)'":\$PATH"$/.exec(line);
    if (dir) path.push(dir[1]!.replace(/'\\''/g, "'"));
  }
  return path.length > 0 ? { exports, plan, path } : { exports, plan };
}

export async function readState(path: string): Promise<State | undefined> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : parseState(text);
}

/**
 * Writes atomically: a new file (O_EXCL, mode 0600) beside it, renamed over
 * it. The default path's directory exists and was checked (defaultStatePath);
 * one given with --state is made, private, when missing.
 */
export async function writeState(path: string, state: State): Promise<void> {
  const text = formatState(state);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  await rename(temporary, path).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
}

export async function removeState(path: string): Promise<void> {
  await rm(path, { force: true });
}
