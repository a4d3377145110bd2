/**
 * Mode dood through the bundled action: the host daemon through a per-job
 * proxy. The job's objects are labelled and removed in post; a neighbour's
 * survive. Bind-mount sources are translated when the job runs in a container.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsJob, ROOT } from '../../scripts/actions-runner.mjs';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, buildJobImage, docker, leftovers, ownerOf } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';
import { sh } from '../support/shell.js';
import { launchAs } from '../support/users.js';

const JOB_IMAGE = 'setup-dind-test/job-container:1';

/** Process ids whose command line names the proxy of this job. */
function proxyProcesses(job: ActionsJob): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = execFileSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' });
        return cmdline.includes('--setup-dind-proxy=') && cmdline.includes(job.runnerTemp!);
      } catch {
        return false;
      }
    });
}

describe.skipIf(DOCKER_MISSING !== undefined)('mode dood', () => {
  const newJob = useJobs();

  it('labels what the job creates, removes exactly that in post, and a neighbour with the same image survives', async () => {
    const neighbour = await docker(['run', '-d', '--name', `setup-dind-neighbour-${Date.now()}`, '--label', 'setup-dind-test=neighbour', 'busybox:latest', 'sleep', '600']);
    try {
      const job = newJob();
      const main = await job.main({ mode: 'dood' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const host = main.exportedEnv.DOCKER_HOST!;
      expect(host).toMatch(new RegExp(`^unix://${job.runnerTemp}/.+/docker\\.sock$`));
      expect(main.outputs['docker-host']).toBe(host);
      expect(main.outputs['container-id']).toBe('');
      expect(main.summary).toContain("the runner's daemon, through a per-job proxy");
      expect(main.summary).not.toMatch(/<td>\s*as\s*<\/td>/);
      expect(proxyProcesses(job)).toHaveLength(1);

      const env = job.stepEnv();
      const mine = await docker(['run', '-d', '--name', `setup-dind-neighbour-${Date.now()}-job`, '-p', '127.0.0.1::80', 'busybox:latest', 'sleep', '600'], env);
      await docker(['network', 'create', `setup-dind-e2e-net-${job.runId}`], env);
      await docker(['volume', 'create', `setup-dind-e2e-vol-${job.runId}`], env);
      expect(await docker(['inspect', '--format', `{{index .Config.Labels "${LABELS.owner}"}}`, mine])).toBe(ownerOf(job));
      // The job sees the host daemon: the neighbour is there (DooD shares the daemon).
      expect(await docker(['ps', '-q', '--no-trunc'], env)).toContain(neighbour);

      const post = await job.post();
      expect(post.code).toBe(0);
      expect(post.warnings).toEqual([]);
      expect(post.stdout).toMatch(/Removed 1 container of the job, 1 network of the job, 1 volume of the job/);
      expect(post.stdout).toMatch(/Host ports the job's containers published: .*127\.0\.0\.1:\d+->80\/tcp/);
      expect(post.summary).toMatch(/Host ports published by the job/);
      expect(await docker(['inspect', '--format', '{{.State.Running}}', neighbour])).toBe('true');
      expect(proxyProcesses(job)).toEqual([]);
      expect(await leftovers(job)).toEqual([]);
      // A second post finds nothing to do.
      expect((await job.post()).warnings).toEqual([]);
    } finally {
      await docker(['rm', '-fv', neighbour]);
    }
  });

  it('post without a docker CLI still stops the proxy, warns, and keeps the job\'s objects for a later post', async () => {
    const job = newJob();
    expect((await job.main({ mode: 'dood' })).code).toBe(0);
    await docker(['run', '-d', 'busybox:latest', 'sleep', '600'], job.stepEnv());
    const without = await job.post({ env: { PATH: '/nonexistent' } });
    expect(without.code).toBe(0);
    expect(without.warnings.join('\n')).toMatch(/Could not remove the job's objects .*docker command was not found/);
    expect(proxyProcesses(job)).toEqual([]);
    // The job's container is still recorded: a post that has the CLI removes it.
    expect(await leftovers(job)).not.toEqual([]);
    const again = await job.post();
    expect(again.warnings).toEqual([]);
    expect(await leftovers(job)).toEqual([]);
  });

  it('streams and hijacked connections pass through: logs -f, exec -i with stdin, build, events', async () => {
    const job = newJob();
    expect((await job.main({ mode: 'dood' })).code).toBe(0);
    const env = job.stepEnv();
    const logs = execFileSync('docker', ['run', '--rm', 'busybox:latest', 'sh', '-c', 'for i in 1 2 3; do echo line$i; done'], { env, encoding: 'utf8' });
    expect(logs).toBe('line1\nline2\nline3\n');
    const sleeper = await docker(['run', '-d', 'busybox:latest', 'sleep', '600'], env);
    const echoed = execFileSync('docker', ['exec', '-i', sleeper, 'cat'], { env, input: 'through the proxy\n', encoding: 'utf8' });
    expect(echoed).toBe('through the proxy\n');
    const context = mkdtempSync(join(tmpdir(), 'setup-dind-dood-build-'));
    try {
      writeFileSync(join(context, 'Dockerfile'), 'FROM busybox:latest\nRUN echo built > /built\n');
      execFileSync('docker', ['build', '-q', '-t', `setup-dind-e2e/dood-built:${job.runId}`, context], { env, stdio: 'ignore' });
    } finally {
      rmSync(context, { recursive: true, force: true });
      await docker(['image', 'rm', `setup-dind-e2e/dood-built:${job.runId}`]).catch(() => {});
    }
    // A bounded stream: events of the last minute, up to now.
    const now = Math.floor(Date.now() / 1000);
    const events = execFileSync('docker', ['events', '--since', String(now - 60), '--until', String(now + 1), '--filter', `container=${sleeper}`, '--format', '{{.Action}}'], { env, encoding: 'utf8' });
    expect(events).toMatch(/start/);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('dood-policy strict refuses privileged containers, host namespaces and the socket, with an API error the CLI shows', async () => {
    const job = newJob();
    expect((await job.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
    const env = job.stepEnv();
    for (const args of [['--privileged'], ['--network', 'host'], ['-v', '/var/run/docker.sock:/var/run/docker.sock'], ['-v', '/etc:/host-etc']]) {
      let stderr = '';
      try {
        execFileSync('docker', ['run', '--rm', ...args, 'busybox:latest', 'true'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (error) {
        stderr = String((error as { stderr?: Buffer }).stderr);
      }
      expect(stderr, args.join(' ')).toMatch(/Error response from daemon: setup-dind dood-policy strict: /);
    }
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('dood-policy strict: local volume options that mount host paths (overlay, a disk, a relative bind) read nothing of the host', async () => {
    // A host directory outside the job's roots, with a file only the host should see.
    const hostDir = mkdtempSync(join('/var/tmp', 'setup-dind-host-only-'));
    try {
      writeFileSync(join(hostDir, 'host-secret'), 'host secret\n');
      const job = newJob();
      expect((await job.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
      const env = job.stepEnv();
      const attempt = (args: string[]) => {
        try {
          return { out: execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), err: '' };
        } catch (error) {
          const failed = error as { stdout?: string; stderr?: string };
          return { out: String(failed.stdout ?? ''), err: String(failed.stderr ?? '') };
        }
      };
      const overlay = ['type=overlay', 'device=overlay', `o=lowerdir=${hostDir}:/etc`];
      const created = attempt(['volume', 'create', ...overlay.flatMap((opt) => ['-o', opt]), 'e2e-overlay']);
      expect(created.err).toMatch(/setup-dind dood-policy strict: volume e2e-overlay of type overlay is not allowed/);
      const used = attempt(['run', '--rm', '-v', 'e2e-overlay:/x', 'busybox:latest', 'cat', '/x/host-secret']);
      expect(used.out).not.toContain('host secret');
      // The same options inline, in a --mount of an anonymous volume.
      const inline = attempt(['run', '--rm', '--mount', `type=volume,dst=/x,volume-opt=type=overlay,volume-opt=device=overlay,"volume-opt=o=lowerdir=${hostDir}:/etc"`, 'busybox:latest', 'cat', '/x/host-secret']);
      expect(inline.out).not.toContain('host secret');
      expect(inline.err).toMatch(/setup-dind dood-policy strict: volume mount .* of type overlay is not allowed/);
      const relative = attempt(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${hostDir.slice(1)}`, 'e2e-relative']);
      expect(relative.err).toMatch(/a bind device must be an absolute path/);
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it('dood-policy strict from the CLI, with the temp dir every job shares: another job\'s directory there cannot be bound, the job\'s own can', async () => {
    // Another job's per-job directory in the shared temp dir, as its DinD socket or TLS keys would be.
    const victim = mkdtempSync(join(tmpdir(), 'setup-dind-other-job-'));
    const workspace = mkdtempSync(join(tmpdir(), 'setup-dind-e2e-ws-'));
    try {
      writeFileSync(join(victim, 'key.pem'), 'another job\'s secret\n');
      writeFileSync(join(workspace, 'mine.txt'), 'the job\'s own file\n');
      const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const env: NodeJS.ProcessEnv = { ...process.env, GITLAB_CI: 'true', CI_JOB_ID: id, CI_PROJECT_PATH: 'setup-dind/e2e', CI_PROJECT_DIR: workspace, CLI: join(ROOT, 'dist', 'cli.js'), VICTIM: victim, WS: workspace };
      for (const key of ['DOCKER_HOST', 'TMPDIR', 'GITHUB_ACTIONS', 'GITHUB_RUN_ID', 'RUNNER_TEMP', 'GITHUB_WORKSPACE']) delete env[key];
      const run = (script: string) => sh(`eval "$(node "$CLI" env)" && ${script}`, env);
      const up = await sh('node "$CLI" up --mode dood --dood-policy strict >/dev/null', env);
      expect(up.code, up.stderr).toBe(0);
      try {
        const stolen = await run('docker run --rm -v "$VICTIM:/x:ro" busybox:latest cat /x/key.pem');
        expect(stolen.stdout).not.toContain('secret');
        expect(stolen.stderr).toMatch(/setup-dind dood-policy strict: .*only paths under/);
        const own = await run('docker run --rm -v "$WS:/ws:ro" busybox:latest cat /ws/mine.txt');
        expect(own.stdout, own.stderr).toContain("the job's own file");
        // The job's own per-job directory holds its proxy socket: Ryuk binds it.
        const socket = await run('docker run --rm -v "${DOCKER_HOST#unix://}:/var/run/docker.sock" busybox:latest test -S /var/run/docker.sock && echo bound');
        expect(socket.stdout, socket.stderr).toContain('bound');
      } finally {
        const down = await sh('node "$CLI" down', env);
        expect(down.code, down.stderr).toBe(0);
      }
      const owner = `label=${LABELS.owner}=gitlab:setup-dind/e2e/job/${id}`;
      expect((await docker(['ps', '-aq', '--filter', owner])) + (await docker(['volume', 'ls', '-q', '--filter', owner]))).toBe('');
    } finally {
      rmSync(victim, { recursive: true, force: true });
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('fails clearly without a socket, and leaves nothing', async () => {
    const job = newJob();
    const main = await job.main({ mode: 'dood', socket: '/nonexistent/docker.sock' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Input "socket": \/nonexistent\/docker\.sock does not exist.*Hint: Mount the host's socket/s);
    expect(await leftovers(job)).toEqual([]);
    expect((await job.post()).warnings).toEqual([]);
  });

  it('explains a socket this user may not open, naming its owner and group', async () => {
    // The job as `nobody`: the socket is root's (and the docker group's).
    const job = newJob();
    job.launcher = launchAs(65534, 65534);
    const main = await job.main({ mode: 'dood' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Permission denied opening \/var\/run\/docker\.sock \(owned by root \(0\):\S+ \(\d+\), mode 6\d0\); this job runs as uid 65534/);
    expect(main.errors.join('\n')).toMatch(/--group-add/);
    expect(await leftovers(job)).toEqual([]);
  });

  describe('when the job itself runs in a container', () => {
    let workspace: string;
    let jobContainer: string;

    beforeAll(async () => {
      await buildJobImage(JOB_IMAGE);
      workspace = mkdtempSync(join(tmpdir(), 'setup-dind-workspace-'));
      mkdirSync(join(workspace, 'sub'));
      writeFileSync(join(workspace, 'sub', 'file'), 'seen through a translated bind mount\n');
      chmodSync(workspace, 0o755);
    });

    afterAll(async () => {
      if (jobContainer) await docker(['rm', '-fv', jobContainer]).catch(() => {});
      rmSync(workspace, { recursive: true, force: true });
      await docker(['image', 'rm', JOB_IMAGE]).catch(() => {});
    });

    it('translates bind-mount sources from job-container paths to host paths, and refuses paths the host cannot see', async () => {
      const job = newJob();
      await job.prepare();
      const runnerFiles = dirname(job.runnerTemp!);
      jobContainer = await docker([
        'run', '-d', '--label', 'setup-dind-test=job-container',
        '-v', '/var/run/docker.sock:/var/run/docker.sock',
        '-v', `${workspace}:/__w/repo`,
        '-v', `${runnerFiles}:${runnerFiles}`,
        '-v', `${join(ROOT, 'dist')}:/action:ro`,
        JOB_IMAGE, '/bin/sleep', '3600',
      ]);
      // Each step runs in the job container, as GitHub's container jobs do.
      job.launcher = (entry: string, env: Record<string, string>) => {
        const names = Object.keys(env).filter((name) => /^(INPUT_|STATE_|GITHUB_|RUNNER_|DOCKER_)/.test(name));
        // The step's variables go into the container; `docker exec` itself talks to the host daemon.
        return {
          command: 'docker',
          args: ['exec', ...names.flatMap((name) => ['-e', `${name}=${env[name]}`]), '-e', 'GITHUB_WORKSPACE=/__w/repo', jobContainer, '/usr/local/bin/node', `/action/${entry.split('/').pop()}`],
          env: process.env as Record<string, string>,
        };
      };
      const main = await job.main({ mode: 'dood' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      expect(main.stdout).toMatch(/The job runs in container [0-9a-f]{12}; bind-mount sources are translated/);
      const exec = (args: string[]) =>
        execFileSync('docker', ['exec', '-e', `DOCKER_HOST=${main.exportedEnv.DOCKER_HOST}`, jobContainer, '/usr/local/bin/docker', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(exec(['run', '--rm', '-v', '/__w/repo/sub:/data', 'busybox:latest', 'cat', '/data/file'])).toBe('seen through a translated bind mount\n');
      let refused = '';
      try {
        exec(['run', '--rm', '-v', '/usr/local/bin:/data', 'busybox:latest', 'true']);
      } catch (error) {
        refused = String((error as { stderr?: Buffer }).stderr);
      }
      expect(refused).toMatch(/\/usr\/local\/bin/);
      expect(refused).toMatch(/host's Docker daemon cannot see/);

      const post = await job.post();
      expect(post.code, post.stdout + post.stderr).toBe(0);
      expect(post.warnings).toEqual([]);
      expect(await leftovers(job)).toEqual([]);
          });
  });
});
