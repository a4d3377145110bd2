/**
 * examples/github/service-dind.yml for real: its `docker` service started the
 * way the Actions runner starts a service container (actions/runner,
 * DockerCommandManager: a job network, `docker create` with the service's
 * ports, options, env, volumes, entrypoint and command, `docker start`, no
 * wait, as docker:dind has no health check), then the example's setup-dind
 * step with its inputs (mode attach), its `run:` steps with bash in the
 * workspace, post, and the runner's clean-up (`docker rm --force`, without
 * `--volumes`, then the network).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/actions-runner.mjs';
import { serviceCreateArgs, type ServiceSpec } from '../../scripts/service-container.mjs';
import { DOCKER_MISSING, copyImage, docker, freePort, leftovers, listening } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

const EXAMPLE = join(ROOT, 'examples/github/service-dind.yml');
const TEST_LABEL = 'setup-dind-test=github-service';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
}

describe.skipIf(DOCKER_MISSING !== undefined)('a dind service container with mode attach (examples/github/service-dind.yml)', () => {
  const newJob = useJobs();
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('the runner starts the service, setup-dind waits for it; build and -v "$PWD" work; post leaves it to the runner', async () => {
    const workflow = parse(await readFile(EXAMPLE, 'utf8')) as { jobs: Record<string, { services: Record<string, ServiceSpec>; steps: Step[] }> };
    const job = workflow.jobs.build!;
    const service = job.services.docker!;
    const setupStep = job.steps.find((step) => step.uses?.startsWith('setup-dind/setup-dind@'))!;
    const runSteps = job.steps.slice(job.steps.indexOf(setupStep) + 1).filter((step) => step.run !== undefined);

    // Not under /tmp, as on a runner (/home/runner/work/...): the image's
    // entrypoint mounts a tmpfs over the service's /tmp, which would hide it.
    const workspace = await mkdtemp(join('/var/tmp', 'setup-dind-gh-workspace-'));
    cleanups.push(() => rm(workspace, { recursive: true, force: true }));
    await writeFile(join(workspace, 'Dockerfile'), 'FROM busybox:latest\nCMD ["true"]\n');
    await writeFile(join(workspace, 'from-the-checkout.txt'), 'hello\n');
    const expand = (text: string) => text.replace(/\$\{\{\s*github\.workspace\s*\}\}/g, workspace);

    // The runner: a network for the job, the service created on it with its alias, started.
    const suffix = randomBytes(4).toString('hex');
    const network = `github_network_${suffix}`;
    await docker(['network', 'create', '--label', TEST_LABEL, network]);
    cleanups.push(() => docker(['network', 'rm', network]));
    const started = Date.now();
    const create = serviceCreateArgs(service, { name: `docker_${suffix}`, labels: [TEST_LABEL], network, alias: 'docker', volumes: (service.volumes ?? []).map(expand) });
    // Empty env values go as `-e NAME`: with NAME unset in the runner's environment, dockerd removes the image's default.
    const id = await docker(create, { ...process.env, DOCKER_TLS_CERTDIR: undefined });
    cleanups.push(() => docker(['rm', '--force', '--volumes', id]));
    await docker(['start', id]);

    // The example's step, right after: the daemon is still starting.
    const gh = newJob({ GITHUB_WORKSPACE: workspace, GITHUB_SHA: 'e2e0123' });
    const inputs = Object.fromEntries(Object.entries(setupStep.with ?? {}).map(([key, value]) => [key, String(value)]));
    const main = await gh.main(inputs);
    expect(main.code, main.stdout + main.stderr).toBe(0);
    console.log(`[github-service] runner's docker create to setup-dind's exit: ${((Date.now() - started) / 1000).toFixed(2)} s (ready-seconds ${main.outputs['ready-seconds']})`);
    expect(main.exportedEnv.DOCKER_HOST).toBe(inputs['docker-host']);
    expect(main.outputs['container-id']).toBe('');
    // The daemon is the service's, plain TCP with no TLS variables.
    expect(await docker(['info', '--format', '{{.Name}}'], gh.stepEnv())).toBe(id.slice(0, 12));
    expect(main.exportedEnv.DOCKER_TLS_VERIFY).toBeUndefined();

    // The service's daemon starts empty and no registry is reachable here: the base image comes from the host.
    await copyImage('busybox:latest', gh.stepEnv());
    const outputs: string[] = [];
    for (const step of runSteps) {
      const script = step.run!.replace(/\$\{\{\s*steps\.docker\.outputs\.([\w-]+)\s*\}\}/g, (_, name: string) => main.outputs[name] ?? '');
      const result = spawnSync('bash', ['-e', '-c', script], { cwd: workspace, env: gh.stepEnv(), encoding: 'utf8' });
      expect(result.status, `${script}\n${result.stdout}${result.stderr}`).toBe(0);
      outputs.push(result.stdout);
    }
    // `docker run -v "$PWD:/src"` saw the checkout: the service mounts the workspace at the same path.
    expect(outputs.join('')).toContain('from-the-checkout.txt');
    expect(outputs.join('')).toMatch(/Service daemon \S+ answered after \d+(\.\d+)? s/);

    // What the README says a service cannot do: a port published inside it is not on the runner's loopback.
    const port = await freePort();
    const web = await docker(['run', '-d', '-p', `${port}:80`, 'busybox:latest', 'httpd', '-f', '-p', '80'], gh.stepEnv());
    // In the service's network namespace it answers (busybox httpd: 404 for /).
    const probe = `for i in $(seq 50); do wget -q -O /dev/null http://127.0.0.1:${port}/ 2>&1 | grep -q 404 && echo answered && exit 0; sleep 0.1; done; echo no answer`;
    const insideAnswers = await docker(['run', '--rm', '--network', `container:${id}`, 'busybox:latest', 'sh', '-c', probe]);
    expect(insideAnswers).toBe('answered');
    expect(await listening(port)).toBe(false);
    await docker(['rm', '--force', web], gh.stepEnv());

    const post = await gh.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(await docker(['inspect', '--format', '{{.State.Running}}', id])).toBe('true');
    expect(await leftovers(gh)).toEqual([]);

    // The runner's clean-up: `docker rm --force` (no --volumes), then the network.
    const volumes = JSON.parse(await docker(['inspect', '--format', '{{json .Mounts}}', id])) as Array<{ Type: string; Name?: string; Destination: string }>;
    const dataRoot = volumes.find((mount) => mount.Type === 'volume' && mount.Destination === '/var/lib/docker')?.Name;
    await docker(['rm', '--force', id]);
    await docker(['network', 'rm', network]);
    // What the README says: the service's /var/lib/docker stays behind as an anonymous volume.
    expect(dataRoot).toBeDefined();
    expect((await docker(['volume', 'ls', '--quiet'])).split('\n')).toContain(dataRoot);
    await docker(['volume', 'rm', dataRoot!]);
  });
});
