/**
 * The job's files inside the DinD daemon (input mount-workspace): the real
 * action, the job's docker CLI and compose, judged by the files a container
 * reads and writes in the job's workspace.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';
import { sh } from '../support/shell.js';

describe.skipIf(DOCKER_MISSING !== undefined)('the job\'s workspace in the DinD daemon', () => {
  const newJob = useJobs();

  /** A job whose GITHUB_WORKSPACE is a directory of its own, with a file in it. */
  async function jobWithWorkspace() {
    const job = newJob();
    await job.prepare();
    const workspace = join(job.runnerTemp!, '..', 'workspace');
    await mkdir(workspace);
    await writeFile(join(workspace, 'hello.txt'), 'from the job\n');
    job.baseEnv.GITHUB_WORKSPACE = workspace;
    return { job, workspace };
  }

  it('-v "$PWD:/src" sees the job\'s files, and what a container writes is in the workspace, owned as a local engine owns it', async () => {
    const { job, workspace } = await jobWithWorkspace();
    const main = await job.main({ 'load-images': 'busybox' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    expect(await docker(['run', '--rm', '-v', `${workspace}:/src`, 'busybox', 'cat', '/src/hello.txt'], env)).toBe('from the job');
    await docker(['run', '--rm', '-v', `${workspace}:/src`, 'busybox', 'sh', '-c', 'echo from the container > /src/out.txt'], env);
    expect(await readFile(join(workspace, 'out.txt'), 'utf8')).toBe('from the container\n');
    // The container's root writes as root, as with a rootful local engine.
    expect((await stat(join(workspace, 'out.txt'))).uid).toBe(0);
    // RUNNER_TEMP too.
    await writeFile(join(job.runnerTemp!, 'note'), 'temp\n');
    expect(await docker(['run', '--rm', '-v', `${job.runnerTemp!}:/t`, 'busybox', 'cat', '/t/note'], env)).toBe('temp');
    await sh(`rm -f '${join(job.runnerTemp!, 'note')}'`, process.env);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('compose\'s relative bind mount (./data:/data) reads and writes the project\'s directory', async () => {
    const { job, workspace } = await jobWithWorkspace();
    const main = await job.main({ 'load-images': 'busybox' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    await mkdir(join(workspace, 'data'));
    await writeFile(join(workspace, 'data', 'in.txt'), 'input\n');
    await writeFile(
      join(workspace, 'compose.yaml'),
      'services:\n  job:\n    image: busybox\n    volumes: ["./data:/data"]\n    command: ["sh", "-c", "cat /data/in.txt > /data/out.txt"]\n',
    );
    const run = await sh(`cd '${workspace}' && docker compose run --rm job && docker compose down -v`, job.stepEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(workspace, 'data', 'out.txt'), 'utf8')).toBe('input\n');
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('mount-workspace: false keeps the DinD daemon\'s file system apart (the path is an empty directory there)', async () => {
    const { job, workspace } = await jobWithWorkspace();
    const main = await job.main({ 'load-images': 'busybox', 'mount-workspace': 'false' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(await docker(['run', '--rm', '-v', `${workspace}:/src`, 'busybox', 'ls', '-A', '/src'], job.stepEnv())).toBe('');
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });
});
