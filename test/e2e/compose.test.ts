/**
 * `docker compose` (the real v2 plugin), unchanged: a project from
 * test/fixtures/compose/ copied into the job's workspace, run there with
 * nothing but the environment the action exports (job.stepEnv()). A service
 * built from a Dockerfile, a fixed published port that answers on the runner's
 * 127.0.0.1, a user-defined network where one service reaches another by name,
 * a named volume shared by two containers, a relative bind mount
 * (./data:/data) read and written both ways; then `compose down -v` leaves
 * nothing of the project but the image it built, as on a local engine. In
 * every DinD transport, in mode dood (policies none and strict), and attached
 * to a DinD daemon another job of the action started.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionsJob } from '../../scripts/actions-runner.mjs';
import { DOCKER_MISSING, cliPluginMissing, docker, freePort, leftovers, listening, until } from '../support/docker.js';
import { expectCleanPost, useJobs, withOwnHome } from '../support/jobs.js';
import { sh } from '../support/shell.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));

const COMPOSE_MISSING = cliPluginMissing('compose');
/** No compose plugin skips the file on a developer's machine; with CI=true the tests run, and fail. */
const SKIP = DOCKER_MISSING !== undefined || (COMPOSE_MISSING !== undefined && process.env.CI !== 'true');

/** The body of GET http://127.0.0.1:port/path once it answers 200 (the server may still be starting when compose returns), else ''. */
async function httpBody(port: number, path: string): Promise<string> {
  let body = '';
  await until(async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
    body = response?.ok ? await response.text().catch(() => '') : '';
    return body !== '';
  }, 10_000);
  return body;
}

/** Projects of the tests, whose built image a failed DooD test may have left on the host daemon. */
const PROJECTS: string[] = [];

/**
 * The job's HOME (so the CLI's configuration, ~/.docker, is the job's) and
 * GITHUB_WORKSPACE (the fixture project, named after its directory), as a
 * runner gives them, set before main.
 */
async function prepareJob(job: ActionsJob, workspace?: string): Promise<string> {
  await job.prepare();
  await withOwnHome(job);
  if (workspace === undefined) {
    workspace = join(job.runnerTemp!, '..', `compose-e2e-${job.runId}`);
    await cp(FIXTURE, workspace, { recursive: true });
    PROJECTS.push(basename(workspace));
  }
  job.baseEnv.GITHUB_WORKSPACE = workspace;
  return workspace;
}

/** The project's whole life in the job's workspace, with the job's environment; asserts each stage. */
async function composeProject(env: NodeJS.ProcessEnv, workspace: string): Promise<void> {
  expect(COMPOSE_MISSING, 'CI=true requires the docker compose plugin').toBeUndefined();
  const project = basename(workspace);
  const port = await freePort();
  // The port the project publishes, in the project's .env as a job's repository would have it.
  await writeFile(join(workspace, '.env'), `WEB_PORT=${port}\n`);
  const compose = (args: string) => sh(`cd '${workspace}' && docker compose ${args}`, env);

  const up = await compose('up --detach --build --quiet-pull');
  expect(up.code, `docker compose up: ${up.stderr}`).toBe(0);
  // The built image's page, on the runner's loopback at the fixed port.
  expect(await httpBody(port, '/index.html')).toBe('hello from the image compose built\n');

  // client reaches web by name on the project's network, writes into ./data, and copies ./data/input.txt into the named volume.
  const run = await compose('run --rm client');
  expect(run.code, `docker compose run: ${run.stderr}`).toBe(0);
  expect(await readFile(join(workspace, 'data', 'fetched.txt'), 'utf8')).toBe('hello from the image compose built\n');
  // web serves the volume client wrote to: the workspace file, through the named volume, on the runner's port.
  expect(await httpBody(port, '/shared/from-workspace.txt')).toBe('from the workspace\n');

  const ps = await compose('ps --all --format "{{.Service}} {{.State}}"');
  expect(ps.code, ps.stderr).toBe(0);
  // The one-off client container is gone (run --rm); web runs.
  expect(ps.stdout.trim()).toBe('web running');

  const down = await compose('down --volumes');
  expect(down.code, `docker compose down: ${down.stderr}`).toBe(0);
  const label = `label=com.docker.compose.project=${project}`;
  expect(await docker(['ps', '--all', '--quiet', '--filter', label], env), 'containers of the project').toBe('');
  expect(await docker(['network', 'ls', '--quiet', '--filter', label], env), 'networks of the project').toBe('');
  expect(await docker(['volume', 'ls', '--quiet', '--filter', label], env), 'volumes of the project').toBe('');
  expect((await compose('ps --all --quiet')).stdout.trim()).toBe('');
  expect(await until(async () => !(await listening(port)), 5000), 'the runner\'s port is released').toBe(true);
  // As on a local engine, down keeps the image it built (down --rmi local would remove it); the job removes it.
  expect(await docker(['image', 'ls', '--quiet', '--filter', label], env)).not.toBe('');
  await docker(['image', 'rm', `${project}-web`], env);
}

describe.skipIf(SKIP)('docker compose, unchanged, in the job\'s workspace', () => {
  const newJob = useJobs();
  afterEach(async () => {
    for (const project of PROJECTS.splice(0)) await docker(['image', 'rm', '--force', `${project}-web`]).catch(() => {});
  });

  const cases: { name: string; inputs: Record<string, string> }[] = [
    { name: 'dind tcp', inputs: { 'load-images': 'busybox' } },
    { name: 'dind tls', inputs: { tls: 'true', 'load-images': 'busybox' } },
    { name: 'dind unix', inputs: { transport: 'unix', 'load-images': 'busybox' } },
    { name: 'dood', inputs: { mode: 'dood' } },
    { name: 'dood, dood-policy strict', inputs: { mode: 'dood', 'dood-policy': 'strict' } },
  ];
  for (const { name, inputs } of cases) {
    it(`${name}: build, ports, a network by name, a named volume, ./data:/data; down -v leaves only the built image`, async () => {
      const job = newJob();
      const workspace = await prepareJob(job);
      const main = await job.main(inputs);
      expect(main.code, main.stdout + main.stderr).toBe(0);
      await composeProject(job.stepEnv(), workspace);
      await expectCleanPost(job);
    });
  }

  it('dood: a project the job leaves up (no down) is removed by post, its network and volume too; the built image stays', async () => {
    const job = newJob();
    const workspace = await prepareJob(job);
    const main = await job.main({ mode: 'dood' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(COMPOSE_MISSING, 'CI=true requires the docker compose plugin').toBeUndefined();
    await writeFile(join(workspace, '.env'), `WEB_PORT=${await freePort()}\n`);
    const up = await sh(`cd '${workspace}' && docker compose up --detach --build --quiet-pull`, job.stepEnv());
    expect(up.code, `docker compose up: ${up.stderr}`).toBe(0);
    const label = `label=com.docker.compose.project=${basename(workspace)}`;
    const post = await job.post();
    expect(post.warnings).toEqual([]);
    expect(post.stdout).toMatch(/Removed 1 container of the job, 1 network of the job, 1 volume of the job/);
    expect(await docker(['ps', '--all', '--quiet', '--filter', label]), 'containers of the project on the host').toBe('');
    expect(await docker(['network', 'ls', '--quiet', '--filter', label]), 'networks of the project on the host').toBe('');
    expect(await docker(['volume', 'ls', '--quiet', '--filter', label]), 'volumes of the project on the host').toBe('');
    expect(await leftovers(job)).toEqual([]);
    // Images are not the job's objects in DooD: the built one is still on the host daemon (afterEach removes it).
    expect(await docker(['image', 'ls', '--quiet', '--filter', label])).not.toBe('');
  });

  it('attach, to the DinD daemon of another job of the action sharing the workspace: the same, through its mount and port forwarding', async () => {
    const owner = newJob();
    const workspace = await prepareJob(owner);
    const started = await owner.main({ 'load-images': 'busybox' });
    expect(started.code, started.stdout + started.stderr).toBe(0);

    // Its DinD container mounts this workspace, and its forwarder relays the published ports to the runner.
    const job = newJob();
    await prepareJob(job, workspace);
    const main = await job.main({ mode: 'attach', 'docker-host': started.outputs['docker-host']! });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.exportedEnv.DOCKER_HOST).toBe(started.outputs['docker-host']);
    await composeProject(job.stepEnv(), workspace);
    await expectCleanPost(job);

    expect(await docker(['inspect', '--format', '{{.State.Running}}', started.outputs['container-id']!])).toBe('true');
    await expectCleanPost(owner);
  });
});
