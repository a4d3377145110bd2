/**
 * Engine API versions between a client and a daemon, caused for real:
 * Docker 29.0 refuses clients older than API 1.44. No 29 runs here, so the
 * DinD daemon is the default image with DOCKER_MIN_API_VERSION=1.44 (the
 * daemon's own switch for its minimum), and the old client is the real 20.10
 * docker CLI (API 1.41), taken from the docker:20-dind image. The reverse, a
 * client pinned above what the runner's daemon serves, is DOCKER_API_VERSION.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

/** A daemon that, like Docker 29.0, accepts API 1.44 and newer only. */
const NEW_DAEMON = 'setup-dind-test/dind-min-api:1.44';

describe.skipIf(DOCKER_MISSING !== undefined)('Engine API versions', () => {
  const newJob = useJobs();
  let oldCli: string;

  beforeAll(async () => {
    const build = spawnSync('docker', ['build', '--quiet', '--tag', NEW_DAEMON, '-'], {
      input: 'FROM docker:dind\nENV DOCKER_MIN_API_VERSION=1.44\n',
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    oldCli = await mkdtemp(join(tmpdir(), 'setup-dind-test-old-cli-'));
    const holder = await docker(['create', 'docker:20-dind']);
    try {
      await docker(['cp', `${holder}:/usr/bin/docker`, join(oldCli, 'docker')]);
    } finally {
      await docker(['rm', '--volumes', holder]); // the image declares VOLUME /var/lib/docker
    }
    expect(spawnSync(join(oldCli, 'docker'), ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^Docker version 20\.10\./);
  });

  afterAll(async () => {
    await docker(['image', 'rm', NEW_DAEMON]).catch(() => {});
    if (oldCli) await rm(oldCli, { recursive: true, force: true });
  });

  const withOldCli = () => ({ PATH: `${oldCli}:${process.env.PATH ?? ''}` });

  it('a job CLI older than the new daemon accepts: the set-up works, and a warning names both versions and the way out', async () => {
    const job = newJob(withOldCli());
    const main = await job.main({ image: NEW_DAEMON });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toMatch(/Docker CLI 20\.10\.\d+/);
    const warning = main.warnings.find((text: string) => text.startsWith('The docker CLI is too old for this daemon'));
    expect(warning, main.warnings.join('\n')).toMatch(/speaks Engine API 1\.41, and the daemon accepts 1\.44 and newer\. docker commands in later steps will fail/);
    expect(warning).toMatch(/input "docker-version".*"min-api-version"/);
    expect(main.summary).toContain('The docker CLI is too old for this daemon');
    // What the warning says is what the job meets.
    const step = spawnSync('docker', ['ps'], { env: job.stepEnv(), encoding: 'utf8' });
    expect(step.stderr).toMatch(/client version 1\.41 is too old/);
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(await leftovers(job)).toEqual([]);
  });

  it('an action step that needs the old CLI to reach the new daemon fails naming the side that is too old, and leaves nothing', async () => {
    const job = newJob(withOldCli());
    // A large image too: a load refused at once must not leave save blocked on a full pipe.
    const main = await job.main({ image: NEW_DAEMON, 'load-images': 'busybox:latest docker:20-dind' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/The docker CLI is too old for the DinD daemon: it speaks Engine API 1\.41, and the daemon accepts 1\.44 and newer\./);
    expect(main.seconds).toBeLessThan(30);
    expect(await leftovers(job)).toEqual([]);
    expect((await job.post()).warnings).toEqual([]);
  });

  it('a client pinned above what the runner\'s daemon serves: the daemon is named as too old, with the pin as the cause', async () => {
    const job = newJob({ DOCKER_API_VERSION: '1.99' });
    const main = await job.main();
    expect(main.code).toBe(1);
    const error = main.errors.join('\n');
    expect(error).toMatch(/The runner's Docker daemon is too old for the client's API version: the client asks for 1\.99, and the daemon serves up to 1\.\d+\./);
    expect(error).toMatch(/Hint: DOCKER_API_VERSION=1\.99 pins a version this daemon does not serve/);
    expect(await leftovers(job)).toEqual([]);
  });
});
