/**
 * The composite action example (examples/github/composite-build/action.yml)
 * run for real, by a small composite runner written here: `uses:` of
 * setup-dind runs the bundled action as the Actions runner does (ActionsJob:
 * dist/main.js now, dist/post.js at the end of the job), `run:` steps run
 * with bash in the job's environment (what setup-dind exported included),
 * and `${{ inputs.X }}` / `${{ steps.ID.outputs.Y }}` are substituted. The
 * runner supports just what the composite uses and refuses anything else,
 * so a change to the composite cannot pass here by being skipped.
 *
 * The DinD daemon has no images and no registry: busybox is copied into it
 * from the host before the build step.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFileCommands, type ActionsJob } from '../../scripts/actions-runner.mjs';
import { DOCKER_MISSING, copyImage, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSITE = join(ROOT, 'examples/github/composite-build/action.yml');

interface CompositeStep {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  shell?: string;
  env?: Record<string, unknown>;
}

interface CompositeAction {
  inputs?: Record<string, { required?: boolean; default?: unknown }>;
  outputs?: Record<string, { value?: unknown }>;
  runs: { using: string; steps: CompositeStep[] };
}

interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

interface CompositeRun {
  /** The action's outputs; empty when a step failed. */
  outputs: Record<string, string>;
  steps: Record<string, StepResult>;
  /** The step that failed (the runner stops there, as GitHub's does). */
  failed?: string;
}

/** Step keys the runner below implements. */
const SUPPORTED_KEYS = new Set(['id', 'name', 'uses', 'with', 'run', 'shell', 'env']);

/** A `run:` step as the Actions runner runs `shell: bash`: bash --noprofile --norc -eo pipefail FILE. */
async function runBash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<StepResult> {
  const dir = await mkdtemp(join(tmpdir(), 'setup-dind-composite-step-'));
  try {
    const file = join(dir, 'step.sh');
    const outputFile = join(dir, 'output');
    const envFile = join(dir, 'env');
    await Promise.all([writeFile(file, script), writeFile(outputFile, ''), writeFile(envFile, '')]);
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      cwd,
      env: { ...env, GITHUB_OUTPUT: outputFile, GITHUB_ENV: envFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode) => resolve(exitCode ?? 128));
    });
    if ((await readFile(envFile, 'utf8')) !== '') throw new Error('the composite writes GITHUB_ENV, which this runner does not implement');
    return { code, stdout, stderr, outputs: parseFileCommands(await readFile(outputFile, 'utf8')) as Record<string, string> };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a composite action's steps in `job`, in `workspace`. `beforeStep`
 * runs before each step (the test loads images into the daemon there).
 * setup-dind's post step is left to the caller: `job.post()`, at the end of
 * the "job", as on GitHub.
 */
async function runComposite(
  actionFile: string,
  given: Record<string, string>,
  job: ActionsJob,
  workspace: string,
  beforeStep: (step: CompositeStep) => Promise<void> = async () => {},
): Promise<CompositeRun> {
  const action = parse(await readFile(actionFile, 'utf8')) as CompositeAction;
  if (action.runs.using !== 'composite') throw new Error(`${actionFile} is not a composite action`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const value = given[name] ?? (spec.default === undefined ? undefined : String(spec.default));
    if (value === undefined && spec.required) throw new Error(`Input required and not supplied: ${name}`);
    inputs[name] = value ?? '';
  }
  for (const name of Object.keys(given)) if (!(name in inputs)) throw new Error(`Unexpected input: ${name}`);

  const steps: Record<string, StepResult> = {};
  const evaluate = (text: string): string =>
    text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_match, expression: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expression);
      if (input) {
        if (!(input[1]! in inputs)) throw new Error(`${expression}: no such input`);
        return inputs[input[1]!]!;
      }
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
      if (output) {
        const step = steps[output[1]!];
        if (!step) throw new Error(`${expression}: step ${output[1]} has not run`);
        return step.outputs[output[2]!] ?? '';
      }
      throw new Error(`the test's composite runner does not evaluate \${{ ${expression} }}`);
    });
  const evaluateAll = (map: Record<string, unknown> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(map ?? {}).map(([name, value]) => [name, evaluate(String(value))]));

  for (const [index, step] of action.runs.steps.entries()) {
    for (const key of Object.keys(step)) if (!SUPPORTED_KEYS.has(key)) throw new Error(`step ${index + 1}: the test's runner does not support "${key}"`);
    await beforeStep(step);
    let result: StepResult;
    if (step.uses !== undefined) {
      if (!/^setup-dind\/setup-dind@/.test(step.uses) && step.uses !== './') throw new Error(`step ${index + 1}: cannot run ${step.uses}`);
      const main = await job.main(evaluateAll(step.with));
      result = { code: main.code, stdout: main.stdout, stderr: main.stderr, outputs: main.outputs as Record<string, string> };
    } else {
      if (step.shell !== 'bash') throw new Error(`step ${index + 1}: shell ${String(step.shell)} is not supported`);
      const env = { ...job.stepEnv(), ...evaluateAll(step.env), GITHUB_ACTION_PATH: dirname(actionFile), RUNNER_TEMP: job.runnerTemp };
      result = await runBash(evaluate(step.run ?? ''), env, workspace);
    }
    const id = step.id ?? `step-${index + 1}`;
    steps[id] = result;
    if (result.code !== 0) return { outputs: {}, steps, failed: id };
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([name, spec]) => [name, evaluate(String(spec.value ?? ''))]));
  return { outputs, steps };
}

describe.skipIf(DOCKER_MISSING !== undefined)('the composite action example, run for real', () => {
  const newJob = useJobs();

  beforeAll(async () => {
    await docker(['image', 'inspect', 'busybox:latest']);
  });

  /** A workspace with a build context `app/` holding `dockerfile`. */
  async function makeWorkspace(dockerfile: string): Promise<string> {
    const workspace = await mkdtemp(join(tmpdir(), 'setup-dind-composite-'));
    await mkdir(join(workspace, 'app'));
    await writeFile(join(workspace, 'app/Dockerfile'), dockerfile);
    return workspace;
  }

  /** The daemon starts with no images: copy busybox in before the build step. */
  const loadBusybox = (job: ActionsJob) => async (step: CompositeStep) => {
    if (step.run !== undefined) await copyImage('busybox:latest', job.stepEnv());
  };

  it('starts DinD, builds the context with the tags and build arguments, outputs the image ID; post leaves nothing', async () => {
    const job = newJob();
    const dir = await makeWorkspace(
      'FROM busybox:latest\nARG GREETING=unset\nARG SECOND=unset\nRUN printf "%s|%s" "$GREETING" "$SECOND" > /greeting\nCMD ["cat", "/greeting"]\n',
    );
    try {
      // Shell syntax in an input must stay a value: inputs reach the script through env.
      const greeting = 'hello $(echo injected) `echo injected`; "quoted"';
      const run = await runComposite(
        COMPOSITE,
        { context: 'app', tags: 'e2e/composite:1\n  e2e/composite:latest  \n', 'build-args': `GREETING=${greeting}\nSECOND=two` },
        job,
        dir,
        loadBusybox(job),
      );
      const failure = run.failed === undefined ? undefined : run.steps[run.failed];
      expect(run.failed, `step ${run.failed}: ${failure?.stdout}\n${failure?.stderr}`).toBeUndefined();

      const env = job.stepEnv() as NodeJS.ProcessEnv;
      expect(run.outputs['docker-host']).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(run.outputs['docker-host']).toBe(env.DOCKER_HOST);
      expect(run.outputs['server-version']).toMatch(/^\d+\.\d+/);
      expect(run.outputs['server-version']).toBe(run.steps.docker?.outputs['server-version']);
      expect(run.outputs['image-id']).toMatch(/^sha256:[0-9a-f]{64}$/);

      // Both tags name the image built, in the DinD daemon only.
      for (const tag of ['e2e/composite:1', 'e2e/composite:latest']) {
        expect(await docker(['image', 'inspect', '--format', '{{.Id}}', tag], env)).toBe(run.outputs['image-id']);
      }
      expect(await docker(['run', '--rm', 'e2e/composite:latest'], env)).toBe(`${greeting}|two`);
      await expect(docker(['image', 'inspect', 'e2e/composite:1'])).rejects.toThrow();

      // The end of the job: setup-dind's post step removes the daemon.
      const post = await job.post();
      expect(post.code).toBe(0);
      expect(post.warnings).toEqual([]);
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failing build fails the step; post still removes the daemon', async () => {
    const job = newJob();
    const dir = await makeWorkspace('FROM busybox:latest\nRUN echo "breaking on purpose" && exit 3\n');
    try {
      const run = await runComposite(COMPOSITE, { context: 'app', tags: 'e2e/composite:broken' }, job, dir, loadBusybox(job));
      expect(run.failed).toBe('build');
      expect(run.steps.build?.code).not.toBe(0);
      expect(run.steps.build?.stdout + run.steps.build!.stderr).toMatch(/breaking on purpose|returned a non-zero code: 3|exit code: 3/);
      expect(run.steps.build?.outputs['image-id']).toBeUndefined();
      // The daemon is still there (a later step could inspect it) until post.
      expect(await docker(['version', '--format', '{{.Server.Version}}'], job.stepEnv())).toMatch(/^\d+\./);

      const post = await job.post();
      expect(post.code).toBe(0);
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses empty tags with a clear error before building', async () => {
    const job = newJob();
    const dir = await makeWorkspace('FROM busybox:latest\n');
    try {
      const run = await runComposite(COMPOSITE, { context: 'app', tags: ' \n ' }, job, dir, loadBusybox(job));
      expect(run.failed).toBe('build');
      expect(run.steps.build?.stdout).toContain('::error::input tags is empty');
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
