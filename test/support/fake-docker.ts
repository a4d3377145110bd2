/**
 * A scripted stand-in for the engine's Docker boundary (src/docker/docker.ts):
 * docker commands are answered by rules, first match wins, and every call is
 * recorded with the environment it ran in and the plan saved at that moment,
 * so a test can say "the plan named the container before `docker run`".
 */
import { DockerCli, type CommandOptions, type CommandResult } from '../../src/docker/docker-cli.js';
import type { Clock, Docker } from '../../src/docker/docker.js';
import { NotReadyError, type DaemonVersion, type Endpoint, type WaitOptions, type WaitResult } from '../../src/docker/probe.js';
import type { Background } from '../../src/engine/background.js';
import type { EngineContext, Logger } from '../../src/engine/context.js';
import type { TeardownPlan } from '../../src/teardown/plan.js';

export interface DockerCall {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The last plan saved when the command ran (undefined: none yet). */
  plan: TeardownPlan | undefined;
}

type Answer = Partial<CommandResult> | ((args: string[]) => Partial<CommandResult> | Promise<Partial<CommandResult>>);

export function result(partial: Partial<CommandResult> = {}): CommandResult {
  const stdout = partial.stdout ?? '';
  const stderr = partial.stderr ?? '';
  return { code: partial.code ?? 0, stdout, stderr, output: partial.output ?? stdout + stderr };
}

export class FakeDocker implements Docker {
  readonly binary = '/fake/bin/docker';
  readonly calls: DockerCall[] = [];
  readonly waits: Endpoint[] = [];
  /** What waitUntilReady does: answer at once, never (the deadline passes), or reject with an error. */
  readiness: 'ready' | 'never' | Error = 'ready';
  daemon: DaemonVersion = { version: '28.5.2', apiVersion: '1.51', minApiVersion: '1.24' };
  lastPlan: TeardownPlan | undefined;
  /** Containers `docker run` made: name → its setup-dind.instance label. */
  readonly containers = new Map<string, string>();
  private readonly rules: { match: (args: string[]) => boolean; answer: Answer }[] = [];

  /** Answers docker commands whose arguments start with `prefix` (words) or match the pattern. */
  on(prefix: string | RegExp, answer: Answer): this {
    const match =
      typeof prefix === 'string'
        ? (args: string[]) => prefix.split(' ').every((word, index) => args[index] === word)
        : (args: string[]) => prefix.test(args.join(' '));
    this.rules.unshift({ match, answer });
    return this;
  }

  /** The docker commands run so far, each as one string. */
  commands(): string[] {
    return this.calls.map((call) => call.args.join(' '));
  }

  cli(env: NodeJS.ProcessEnv): DockerCli {
    return new ScriptedCli(env, this);
  }

  async answer(args: string[], env: NodeJS.ProcessEnv, options: CommandOptions): Promise<CommandResult> {
    this.calls.push({ args, env, plan: this.lastPlan });
    const rule = this.rules.find((candidate) => candidate.match(args));
    if (args[0] === 'wait' && rule === undefined) {
      // A container that keeps running: the watch ends only when cancelled.
      return new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    const answer = rule?.answer ?? defaultAnswer.call(this, args);
    return result(typeof answer === 'function' ? await answer(args) : answer);
  }

  async waitUntilReady(endpoint: Endpoint, options: WaitOptions): Promise<WaitResult> {
    this.waits.push(endpoint);
    if (this.readiness instanceof Error) throw this.readiness;
    if (this.readiness === 'never') {
      // Like the real wait: a giveUp that fires first wins, else the deadline passes.
      if (options.giveUp) await Promise.race([options.giveUp, new Promise((resolve) => setTimeout(resolve, 50))]);
      throw new NotReadyError(undefined, options.timeoutMs, 3);
    }
    return { attempts: 1, elapsedMs: 1 };
  }

  async ping(): Promise<void> {}

  async version(): Promise<DaemonVersion> {
    return this.daemon;
  }

  async get(): Promise<never> {
    throw new Error('no such endpoint in the fake');
  }
}

/** The real DockerCli over the fake's answers: run, watchExit and logTail are the real ones. */
class ScriptedCli extends DockerCli {
  constructor(
    private readonly scriptedEnv: NodeJS.ProcessEnv,
    private readonly fake: FakeDocker,
  ) {
    super(scriptedEnv, fake.binary);
  }

  override exec(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return this.fake.answer([...args], this.scriptedEnv, options);
  }
}

/** Containers `docker run` made (by name and id), as `container inspect` and `rm` see them. */
const CONTAINER_ID = 'c'.repeat(64);

function defaultAnswer(this: FakeDocker, args: string[]): Partial<CommandResult> {
  if (args[0] === 'run') {
    const name = args[args.indexOf('--name') + 1] ?? '';
    const instance = args.find((arg) => arg.startsWith('setup-dind.instance='))?.split('=')[1] ?? '';
    this.containers.set(name, instance);
    return { stdout: `${CONTAINER_ID}\n` };
  }
  if (args[0] === 'port') return { stdout: '127.0.0.1:32768\n' };
  if (args[0] === 'container' && args[1] === 'inspect') {
    const name = args.at(-1)!;
    if (args.some((arg) => arg.includes('.NetworkSettings'))) return { stdout: '172.17.0.9 \n' };
    const instance = this.containers.get(name) ?? (name === CONTAINER_ID ? [...this.containers.values()][0] : undefined);
    return instance === undefined ? { code: 1, stderr: `Error: No such container: ${name}` } : { stdout: `${CONTAINER_ID}\trunning\t0\t${instance}\n` };
  }
  if (args[0] === 'rm') {
    const name = args.at(-1)!;
    const known = this.containers.has(name) || (name === CONTAINER_ID && this.containers.size > 0);
    this.containers.clear();
    return known ? { stdout: `${name}\n` } : { stderr: `Error: No such container: ${name}` };
  }
  if (args[0] === 'context' && args[1] === 'inspect') return { code: 1, stderr: 'context "x" does not exist' };
  return {};
}

/** A clock that never waits: sleeps advance it. */
export function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 1_000;
  return {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new Error('aborted');
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface RecordingLogger extends Logger {
  lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
    block: (title, body) => lines.push(`block: ${title}`, ...body),
  };
}

/** An engine context over the fake: plans saved are kept in order (and told to the fake). */
export function fakeContext(docker: FakeDocker, tempDir: string, env: NodeJS.ProcessEnv = { PATH: '/usr/bin' }) {
  const saved: TeardownPlan[] = [];
  /** The background processes the set-up started (none runs: a pid that is no process). */
  const started: Background[] = [];
  const logger = recordingLogger();
  const context: EngineContext = {
    logger,
    env,
    tempDir,
    docker,
    clock: fakeClock(),
    background: async (process) => {
      started.push(process);
      return 2 ** 22 + started.length;
    },
    plans: {
      save(plan) {
        saved.push(structuredClone(plan));
        docker.lastPlan = structuredClone(plan);
      },
    },
  };
  return { context, saved, logger, started };
}
