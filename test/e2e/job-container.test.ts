/**
 * Mode dind when the job itself runs in a container, as a GitHub container
 * job does: the runner's socket mounted, the workspace at /__w/repo and
 * RUNNER_TEMP at /__w/_temp, neither at its host path. Every step (main, the
 * job's docker commands, post) runs in that container. The DinD container
 * joins the job container's network namespace, so the API and published
 * ports answer on the job's own loopback, `-v "$PWD:/src"` sees the
 * workspace, and testcontainers with Ryuk works on what the action exports.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type ActionsJob } from '../../scripts/actions-runner.mjs';
import { DOCKER_MISSING, buildJobImage, docker, leftovers } from '../support/docker.js';
import { expectCleanPost, useJobs } from '../support/jobs.js';

const JOB_IMAGE = 'setup-dind-test/job-container:dind';
const WORKSPACE = '/__w/repo';
const TEMP = '/__w/_temp';
const RYUK = 'testcontainers/ryuk:0.14.0';
const WEB = 'mkdir -p /www && echo "hello from the inner container" > /www/index.html && exec httpd -f -p 80 -h /www';

describe.skipIf(DOCKER_MISSING !== undefined)('mode dind from a container job', () => {
  const newJob = useJobs();
  let workspace = '';
  let passwd = '';
  const jobContainers: string[] = [];

  beforeAll(async () => {
    await buildJobImage(JOB_IMAGE, { '/bin/wget': '/bin/busybox' });
    workspace = mkdtempSync(join(tmpdir(), 'setup-dind-workspace-'));
    writeFileSync(join(workspace, 'file'), 'the job\'s own file\n');
    // testcontainers asks for the user's name (os.userInfo): the job image has no /etc/passwd of its own.
    passwd = join(mkdtempSync(join(tmpdir(), 'setup-dind-passwd-')), 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/sh\n');
    chmodSync(workspace, 0o755);
  });

  afterAll(async () => {
    for (const container of jobContainers) await docker(['rm', '-fv', container]).catch(() => {});
    rmSync(workspace, { recursive: true, force: true });
    rmSync(dirname(passwd), { recursive: true, force: true });
    await docker(['image', 'rm', JOB_IMAGE]).catch(() => {});
  });

  /** `docker exec` in the job container with the step's variables; resolves with stdout, rejects with stderr. */
  function inJob(container: string, env: Record<string, string>, command: string[]): Promise<string> {
    const vars = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
    return new Promise((resolve, reject) => {
      execFile('docker', ['exec', ...vars, container, ...command], { encoding: 'utf8' }, (error, stdout, stderr) =>
        error ? reject(new Error(`${command.join(' ')}: ${stderr}`)) : resolve(stdout.trim()),
      );
    });
  }

  /** A job whose steps run in a new job container, as GitHub mounts it: the runner's files at their own path, RUNNER_TEMP and the workspace elsewhere. */
  async function containerJob(network?: string): Promise<{ job: ActionsJob; container: string }> {
    const job = newJob();
    await job.prepare();
    const runnerTemp = job.runnerTemp!;
    mkdirSync(runnerTemp, { recursive: true });
    const container = await docker([
      'run', '-d', '--label', 'setup-dind-test=job-container', ...(network ? ['--network', network] : []),
      '-v', '/var/run/docker.sock:/var/run/docker.sock',
      // Every job's runner files (a second job may use this container too) at their own paths.
      '-v', `${dirname(dirname(runnerTemp))}:${dirname(dirname(runnerTemp))}`,
      '-v', `${runnerTemp}:${TEMP}`,
      '-v', `${workspace}:${WORKSPACE}`,
      '-v', `${join(ROOT, 'dist')}:/action:ro`,
      '-v', `${ROOT}:${ROOT}:ro`,
      '-v', `${passwd}:/etc/passwd:ro`,
      JOB_IMAGE, '/bin/sleep', '3600',
    ]);
    jobContainers.push(container);
    job.launcher = (entry: string, env: Record<string, string>) => {
      const names = Object.keys(env).filter((name) => /^(INPUT_|STATE_|GITHUB_|RUNNER_|DOCKER_)/.test(name));
      const vars = names.flatMap((name) => ['-e', `${name}=${env[name]}`]);
      return {
        command: 'docker',
        args: ['exec', ...vars, '-e', `RUNNER_TEMP=${TEMP}`, '-e', `GITHUB_WORKSPACE=${WORKSPACE}`, '-w', WORKSPACE, container, '/usr/local/bin/node', `/action/${entry.split('/').pop()}`],
        env: process.env as Record<string, string>,
      };
    };
    return { job, container };
  }

  it.each([
    ['plain TCP', {}, undefined],
    ['mutual TLS', { tls: 'true' }, undefined],
    ['a unix socket', { transport: 'unix' }, undefined],
    ['plain TCP, the job container on the host network', {}, 'host'],
  ])('over %s: the API and a published port on the job\'s loopback, the workspace mounted; post leaves nothing', async (_name, inputs, network) => {
    const { job, container } = await containerJob(network);
    const main = await job.main({ ...inputs, 'load-images': `busybox ${RYUK}` });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toMatch(network === 'host' ? /The job runs in container [0-9a-f]{12}: it uses the host network;/ : /The job runs in container [0-9a-f]{12}: the DinD container joins its network namespace/);
    const env = main.exportedEnv;
    if (!('transport' in inputs)) expect(env.DOCKER_HOST).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await inJob(container, env, ['docker', 'version', '--format', '{{.Server.Version}}'])).toBe(main.outputs['server-version']);

    const web = await inJob(container, env, ['docker', 'run', '-d', '-p', '18080:80', 'busybox', 'sh', '-c', WEB]);
    let body = '';
    for (let attempt = 0; attempt < 50 && body === ''; attempt++) {
      body = await inJob(container, env, ['wget', '-qO-', 'http://127.0.0.1:18080/index.html']).catch(() => '');
      if (body === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toBe('hello from the inner container');
    expect(await inJob(container, env, ['docker', 'run', '--rm', '-v', `${WORKSPACE}:/src`, 'busybox', 'cat', '/src/file'])).toBe('the job\'s own file');
    await inJob(container, env, ['docker', 'rm', '-f', web]);
    // testcontainers in the job container, with Ryuk, on what the action exported.
    const tc = JSON.parse((await inJob(container, env, ['/usr/local/bin/node', join(ROOT, 'test/support/testcontainers-client.mjs')])).split('\n').pop()!) as { body: string };
    expect(tc.body).toBe('hello from testcontainers\n');

    await expectCleanPost(job);
  }, 120_000);

  it('a second DinD set-up in the same job container is refused before anything starts', async () => {
    const { job } = await containerJob();
    const first = await job.main({});
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const second = newJob();
    await second.prepare();
    second.launcher = job.launcher;
    const refused = await second.main({});
    expect(refused.code).toBe(1);
    expect(refused.errors.join('\n')).toContain("Another DinD daemon already shares this job container's network namespace");
    expect(await leftovers(second)).toEqual([]);
    await expectCleanPost(job);
  }, 120_000);
});
