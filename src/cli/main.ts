/**
 * setup-dind for any CI (GitLab, Jenkins, Buildkite) and for laptops: the
 * same engine as the GitHub Action, driven from a shell.
 *
 *   env="$(setup-dind up --tls)"      # before_script (two lines: eval "$(…)"
 *   eval "$env"                       # would hide a failed up)
 *   setup-dind down                   # after_script, in a fresh shell
 *   setup-dind run -- make test       # up, run, down, exit with make's code
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { onCancel } from '../engine/cancel.js';
import type { EngineContext, Logger, PlanStore } from '../engine/context.js';
import { realDocker, systemClock } from '../docker/docker.js';
import { startBackground } from '../engine/background.js';
import { addsToPath, defaultToolCache, ensureDockerCli } from '../docker/docker-install.js';
import { setUp } from '../engine/engine.js';
import { describeError, InputError } from '../engine/errors.js';
import { readOptions } from '../inputs/inputs.js';
import { isEmptyPlan, type TeardownPlan } from '../teardown/plan.js';
import { tearDown } from '../teardown/teardown.js';
import { exitWhenFlushed } from '../exit.js';
import { VERSION } from '../version.js';
import { inputSource, parseCommandLine, UsageError, type Command, type ParsedArgs } from './args.js';
import { helpText } from './help.js';
import { cliLogger, flavourOf } from './log.js';
import { defaultStatePath, exportLines, readState, refuseLineBreaks, refuseLineBreaksInEnv, removeState, writeState, type State } from './state.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const logger = cliLogger(flavourOf(process.env), undefined, process.env.SETUP_DIND_DEBUG === 'true');

async function main(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`setup-dind: ${error.message}\nRun "setup-dind --help" for usage.\n`);
    return EXIT_USAGE;
  }
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.help || args.command === undefined) {
    // Asked for: stdout, exit 0. A missing command is a usage error: stderr, exit 2.
    (args.help ? process.stdout : process.stderr).write(helpText(args.command));
    return args.help ? 0 : EXIT_USAGE;
  }
  try {
    // Checked (and made) before anything starts; `run` keeps its state in a directory of its own.
    const statePath = args.statePath ?? (args.command === 'run' ? '' : await defaultStatePath(process.env));
    return await commands[args.command](args, statePath);
  } catch (error) {
    const { message, hint, details } = describeError(error);
    if (details.length > 0) logger.block('Daemon log (last lines)', details);
    process.stderr.write(`setup-dind: ${message}\n${hint ? `Hint: ${hint}\n` : ''}`);
    return error instanceof InputError ? EXIT_USAGE : EXIT_FAILURE;
  }
}

/** Sets up a daemon recording its plan in `statePath`; resolves with the state. */
async function up(args: ParsedArgs, statePath: string, signal: AbortSignal): Promise<State> {
  const options = readOptions(inputSource(args.flags, process.env));
  refuseLineBreaksInEnv(process.env);
  const existing = await readState(statePath);
  if (existing?.plan && existing.plan.stage !== 'done' && !isEmptyPlan(existing.plan)) {
    throw new UsageError(`a set-up is already recorded in ${statePath}: run "setup-dind down" first, or pass --state FILE for a second one`);
  }
  // Before the daemon: a bad docker-version or mirror must fail with nothing started.
  const cli = await stdoutToLog(logger, () =>
    withToolCache(() =>
      ensureDockerCli({ dockerVersion: options.dockerVersion, dockerDownloadUrl: options.dockerDownloadUrl, logger, env: process.env, tempDir: tmpdir(), signal }),
    ),
  );
  // A downloaded CLI goes first on PATH for `run`'s command, the eval'ing shell (an export line)
  // and `down` in a later shell (the state file); the engine runs it by its path.
  const path = addsToPath(cli) ? [cli.dir] : undefined;
  refuseLineBreaks({ "The docker CLI's directory (under RUNNER_TOOL_CACHE, XDG_CACHE_HOME or HOME)": path?.[0] });
  let plan: TeardownPlan | undefined;
  let pendingWrite: Promise<void> = Promise.resolve();
  // Every save rewrites the file, so a `down` after a crash finds what exists.
  const plans: PlanStore = {
    save(next) {
      plan = next;
      pendingWrite = pendingWrite.then(() => writeState(statePath, { exports: {}, plan: next, path }));
    },
  };
  const context: EngineContext = { logger, plans, env: process.env, tempDir: tmpdir(), signal, docker: realDocker(cli.path || 'docker'), clock: systemClock, background: startBackground };
  try {
    const daemon = await setUp(options, context);
    await cli.version; // its log line, before the ready line
    await pendingWrite;
    const state: State = { exports: daemon.env, plan, path };
    await writeState(statePath, state);
    logger.info(`Docker ${daemon.serverVersion} is ready at ${daemon.endpoint.dockerHost} after ${daemon.readySeconds.toFixed(2)} s (${daemon.transport}); state in ${statePath}`);
    return state;
  } catch (error) {
    await pendingWrite;
    // A failed set-up removes what it started; then there is nothing to record.
    if (!plan || isEmptyPlan(plan)) await removeState(statePath);
    throw error;
  }
}

async function down(statePath: string): Promise<number> {
  const state = await readState(statePath);
  if (!state?.plan) {
    logger.info(`Nothing to tear down (no set-up recorded at ${statePath}).`);
    await removeState(statePath);
    return 0;
  }
  // The docker CLI `up` downloaded, for a fresh shell that never eval'ed the exports.
  const recorded = state.path?.[0] === undefined ? undefined : join(state.path[0], 'docker');
  const docker = realDocker(recorded !== undefined && existsSync(recorded) ? recorded : 'docker');
  const result = await tearDown(state.plan, { logger, env: process.env, docker });
  if (result.removed.length > 0) logger.info(`Removed ${result.removed.join(', ')}.`);
  if (result.alreadyGone.length > 0) logger.info(`Already gone: ${result.alreadyGone.join(', ')}.`);
  if (result.publishedPorts.length > 0) logger.info(`Host ports the job's containers had published: ${result.publishedPorts.join('; ')}`);
  if (!result.complete) {
    // Keep what is left for another try.
    await writeState(statePath, { exports: state.exports, plan: result.remaining, path: state.path });
    return EXIT_FAILURE;
  }
  await removeState(statePath);
  return 0;
}

/** Aborts on SIGINT/SIGTERM; a second signal exits at once. */
const cancellation = () => onCancel(logger);

const commands: Record<Command, (args: ParsedArgs, statePath: string) => Promise<number>> = {
  async up(args, statePath) {
    const { signal, dispose } = cancellation();
    try {
      const state = await up(args, statePath, signal);
      process.stdout.write(exportLines(state.exports, state.path));
      return 0;
    } finally {
      dispose();
    }
  },

  down: (_args, statePath) => down(statePath),

  async env(_args, statePath) {
    const state = await readState(statePath);
    if (!state || Object.keys(state.exports).length === 0) {
      process.stderr.write(`setup-dind: no daemon recorded at ${statePath} (run "setup-dind up" first)\n`);
      return EXIT_FAILURE;
    }
    process.stdout.write(exportLines(state.exports, state.path));
    return 0;
  },

  async run(args) {
    // A private state file: `run` cleans up after itself whatever else runs.
    const dir = await mkdtemp(join(tmpdir(), 'setup-dind-run-'));
    const statePath = args.statePath ?? join(dir, 'state.env');
    const { signal, dispose } = cancellation();
    try {
      const state = await up(args, statePath, signal);
      dispose();
      const path = [...(state.path ?? []), process.env.PATH].filter(Boolean).join(delimiter);
      return await runCommand(args.commandLine, { ...process.env, ...state.exports, ...(state.path ? { PATH: path } : {}) });
    } finally {
      dispose();
      await down(statePath).catch((error: unknown) => logger.warn(`Teardown failed: ${String(error)}`));
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Runs `work` with RUNNER_TOOL_CACHE set, as @actions/tool-cache reads it from
 * process.env: the Actions runner sets it for the action; outside a runner the
 * CLI uses a per-user cache, only for the download (not for `run`'s command).
 */
async function withToolCache<T>(work: () => Promise<T>): Promise<T> {
  if (process.env.RUNNER_TOOL_CACHE) return work();
  process.env.RUNNER_TOOL_CACHE = defaultToolCache(process.env);
  try {
    return await work();
  } finally {
    delete process.env.RUNNER_TOOL_CACHE;
  }
}

/**
 * Runs `work` with whatever it writes to stdout sent to the log instead:
 * @actions/tool-cache reports through @actions/core, which writes to stdout,
 * and the CLI's stdout carries only export lines.
 */
async function stdoutToLog<T>(log: Logger, work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    for (const line of (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).split(/\r?\n/)) {
      const debug = /^::debug::(.*)$/.exec(line);
      if (debug) log.debug(debug[1]!);
      else if (line.trim() !== '') log.info(line);
    }
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

/** Runs CMD with signals passed on to it; resolves with its exit code (128+n for a signal). */
function runCommand(commandLine: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...rest] = commandLine as [string, ...string[]];
    const child = spawn(file, rest, { env, stdio: 'inherit' });
    const forward = (name: NodeJS.Signals) => child.kill(name);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code: number) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`setup-dind: cannot run ${file}: ${error.code === 'ENOENT' ? 'command not found' : error.message}\n`);
      done(127);
    });
    child.on('exit', (code, signalName) => done(code ?? 128 + (signalName ? signalNumber(signalName) : 0)));
  });
}

function signalNumber(name: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[name] ?? 0;
}

/** Runs the command line of this process (dist/cli.js, through src/entries.ts). */
export async function runCli(): Promise<void> {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A successful `up` ends on its own: what it leaves running (the DooD proxy) is detached.
  if (code !== 0) exitWhenFlushed(code);
}
