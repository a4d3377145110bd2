/**
 * A docker CLI where the job has none: `mode: attach` plus `docker-version`
 * for a job with a daemon but no client. The archives come from a local
 * stand-in for download.docker.com, made from this machine's docker CLI;
 * the job's PATH has no docker at all.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/actions-runner.mjs';
import { dockerArch } from '../../src/docker/docker-install.js';
import { DOCKER_MISSING, docker, freePort, leftovers } from '../support/docker.js';
import { clientArchive, localClient, pathAdditions, pathWithoutDocker, scratchDir, scriptArchive, startBlackhole, startMirror, type Mirror } from '../support/docker-mirror.js';
import { useJobs } from '../support/jobs.js';
import { sh as shell } from '../support/shell.js';

const SOCKET = 'unix:///var/run/docker.sock';
const CLI = join(ROOT, 'dist', 'cli.js');

describe.skipIf(DOCKER_MISSING !== undefined)('a docker CLI where the job has none', () => {
  const newJob = useJobs();
  let scratch: string;
  let bin: string;
  let version: string;
  let mirror: Mirror;
  const arch = dockerArch();

  beforeAll(async () => {
    scratch = scratchDir();
    bin = pathWithoutDocker(scratch);
    const client = localClient();
    version = client.version;
    const archive = clientArchive(client.binary, scratch);
    mirror = await startMirror({
      [`/${arch}/docker-${version}.tgz`]: archive,
      // Docker's listing names older releases, release candidates and other archives too.
      [`/${arch}/`]: `<a href="docker-1.13.1.tgz">x</a>\n<a href="docker-${version}.tgz">x</a>\n<a href="docker-999.0.0-rc.1.tgz">x</a>\n<a href="docker-rootless-extras-999.1.1.tgz">x</a>\n`,
      [`/${arch}/docker-1.0.0.tgz`]: 'this is an HTML error page, not a tarball\n',
      [`/${arch}/docker-1.0.1.tgz`]: scriptArchive('exit 3', scratch),
      [`/${arch}/docker-1.0.2.tgz`]: archive,
    });
  });

  afterAll(async () => {
    await mirror?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** A job whose PATH has no docker, with its own tool cache. */
  async function jobWithoutDocker(toolCache?: string) {
    const cache = toolCache ?? (await mkdtemp(join(scratch, 'tool-cache-')));
    return { job: newJob({ PATH: bin, RUNNER_TOOL_CACHE: cache }), cache };
  }

  const inputs = (extra: Record<string, string>) => ({ mode: 'attach', 'docker-host': SOCKET, 'docker-download-url': mirror.url, ...extra });

  it('downloads the client, puts it on PATH for later steps, and a second job finds it in the tool cache without a request', async () => {
    const { job, cache } = await jobWithoutDocker();
    const before = mirror.requests.length;
    const main = await job.main(inputs({ 'docker-version': version }));
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const dir = join(cache, 'docker', version, process.arch);
    expect(main.outputs['docker-cli-path']).toBe(join(dir, 'docker'));
    expect(main.outputs['docker-cli-version']).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}`));
    expect(main.stdout).toMatch(new RegExp(`Docker CLI \\S+: ${dir}/docker \\(downloaded in \\d+\\.\\d+ s, cached for later jobs\\)`));
    expect(mirror.requests.slice(before)).toEqual([`/${arch}/docker-${version}.tgz`]);
    expect(pathAdditions(job)).toEqual([dir]);
    expect(main.exportedEnv.DOCKER_HOST).toBe(SOCKET);
    console.log(`download: main took ${main.seconds.toFixed(2)} s`);

    // A later step, with the runner's PATH additions (ActionsJob applies GITHUB_PATH), reaches the daemon with the downloaded client.
    const stepEnv = job.stepEnv();
    expect(stepEnv.PATH).toBe(`${dir}:${bin}`);
    expect(await docker(['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], stepEnv)).toBe(
      `${main.outputs['docker-cli-version']} ${main.outputs['server-version']}`,
    );
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(await leftovers(job)).toEqual([]);

    // Another job on the same runner: the tool cache has it, no request at all.
    const { job: second } = await jobWithoutDocker(cache);
    const requests = mirror.requests.length;
    const again = await second.main(inputs({ 'docker-version': version }));
    expect(again.code, again.stdout).toBe(0);
    expect(mirror.requests.length).toBe(requests);
    expect(again.outputs['docker-cli-path']).toBe(join(dir, 'docker'));
    expect(again.stdout).toContain(`${dir}/docker (from the tool cache)`);
    expect(pathAdditions(second)).toEqual([dir]);
    console.log(`cache hit: main took ${again.seconds.toFixed(2)} s`);
    expect(await leftovers(second)).toEqual([]);
  });

  it('mode dind with a downloaded client: it starts the daemon, and post finds the client through the PATH additions', async () => {
    const { job, cache } = await jobWithoutDocker();
    const main = await job.main({ 'docker-download-url': mirror.url, 'docker-version': version });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.outputs['container-name']).toMatch(/^setup-dind-/);
    expect(job.stepEnv().PATH).toBe(`${join(cache, 'docker', version, process.arch)}:${bin}`);
    expect(await docker(['version', '--format', '{{.Server.Version}}'], job.stepEnv())).toBe(main.outputs['server-version']);
    // post's PATH has no docker but the one main added: the runner applies GITHUB_PATH to post as well.
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(post.stdout).toContain(`Removed container ${main.outputs['container-name']}`);
    expect(await leftovers(job)).toEqual([]);
  }, 60_000);

  it('resolves docker-version latest from the listing: the highest stable release', async () => {
    const { job, cache } = await jobWithoutDocker();
    const before = mirror.requests.length;
    const main = await job.main(inputs({ 'docker-version': 'latest' }));
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).toContain(`docker-version latest is ${version} (from ${mirror.url}/${arch}/)`);
    expect(mirror.requests.slice(before)).toEqual([`/${arch}/`, `/${arch}/docker-${version}.tgz`]);
    expect(main.outputs['docker-cli-path']).toBe(join(cache, 'docker', version, process.arch, 'docker'));
    expect(await leftovers(job)).toEqual([]);
  });

  it('sets the outputs for the docker found on PATH, and downloads nothing', async () => {
    const job = newJob({ RUNNER_TOOL_CACHE: await mkdtemp(join(scratch, 'tool-cache-')) });
    const before = mirror.requests.length;
    const main = await job.main(inputs({}));
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).toMatch(/Docker CLI \S+: \S+\/docker \(found on PATH\)/);
    expect(main.outputs['docker-cli-path']).toMatch(/\/docker$/);
    expect(main.outputs['docker-cli-version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(mirror.requests.length).toBe(before);
    expect(pathAdditions(job)).toEqual([]);
    expect(await leftovers(job)).toEqual([]);
  });

  it('docker-version none: a job with no docker CLI in mode attach downloads nothing and still gets its daemon', async () => {
    const { job, cache } = await jobWithoutDocker();
    const before = mirror.requests.length;
    const main = await job.main(inputs({ 'docker-version': 'none' }));
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain('No docker CLI on PATH, and docker-version is none: none is downloaded.');
    expect(main.outputs['docker-cli-path']).toBe('');
    expect(main.outputs['docker-cli-version']).toBe('');
    expect(main.exportedEnv.DOCKER_HOST).toBe(SOCKET);
    expect(mirror.requests.length).toBe(before);
    expect(pathAdditions(job)).toEqual([]);
    expect(await readdir(cache)).toEqual([]);
    expect((await job.post()).code).toBe(0);
    expect(await leftovers(job)).toEqual([]);
  });

  const failures: [string, () => Promise<Record<string, string>>, RegExp][] = [
    ['a release the mirror does not have (404)', async () => ({ 'docker-version': '29.9.9' }), /docker-version 29\.9\.9 is not at http:\/\/127\.0\.0\.1:\d+\/\w+\/docker-29\.9\.9\.tgz \(HTTP 404\)\.\nHint: Check input "docker-version" and input "docker-download-url"/],
    [
      'a download URL nothing answers at',
      async () => ({ 'docker-version': version, 'docker-download-url': `http://127.0.0.1:${await freePort()}` }),
      /input "docker-download-url" \(http:\/\/127\.0\.0\.1:\d+\) cannot be reached \(connect ECONNREFUSED[^)]*\)\.\nHint: Check the URL and the network/,
    ],
    ['a file that is not an archive', async () => ({ 'docker-version': '1.0.0' }), /The file at http:\/\/127\.0\.0\.1:\d+\/\w+\/docker-1\.0\.0\.tgz is not a docker static client archive \(tar: .*not in gzip format\)\.\nHint: A mirror at input "docker-download-url"/],
    ['a client that does not run', async () => ({ 'docker-version': '1.0.1' }), /The docker CLI from \S+docker-1\.0\.1\.tgz does not run on this machine: exit code 3, no error output\nHint: A mirror at input "docker-download-url" must serve Docker's own archives/],
    ['a client of another release than its name says', async () => ({ 'docker-version': '1.0.2' }), /The docker CLI from \S+docker-1\.0\.2\.tgz reports version \S+, not 1\.0\.2\.\nHint: The mirror at input "docker-download-url"/],
  ];

  it.each(failures)('fails clearly, starting nothing and leaving nothing, for %s', async (_name, given, message) => {
    const { job, cache } = await jobWithoutDocker();
    const main = await job.main(inputs(await given()));
    console.log(`${_name}: failed after ${main.seconds.toFixed(2)} s`);
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(message);
    expect(main.seconds).toBeLessThan(30);
    // Nothing started: no plan saved, nothing exported, no CLI put on PATH or in the cache.
    expect(main.savedState).toEqual({});
    expect(main.exportedEnv).toEqual({});
    expect(main.outputs).toEqual({});
    expect(pathAdditions(job)).toEqual([]);
    expect(existsSync(join(cache, 'docker'))).toBe(false);
    expect((await job.post()).code).toBe(0);
    expect(await leftovers(job)).toEqual([]);
  });

  it('SIGTERM while downloading from a mirror that accepts and never answers: main ends at once, leaving nothing', async () => {
    const hole = await startBlackhole();
    try {
      const { job, cache } = await jobWithoutDocker();
      const { child, done } = await job.startMain(inputs({ 'docker-version': version, 'docker-download-url': hole.url }));
      // Cancel once the request is waiting for its answer.
      const deadline = performance.now() + 10_000;
      while (hole.connections === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hole.connections).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const signalled = performance.now();
      child.kill('SIGTERM');
      const main = await done;
      const seconds = (performance.now() - signalled) / 1000;
      console.log(`blackhole mirror: main ended ${seconds.toFixed(2)} s after SIGTERM`);
      expect(seconds).toBeLessThan(3);
      expect(main.signal).toBeNull();
      expect(main.code).toBe(1);
      expect(main.stdout).toContain(`Downloading the docker CLI ${version} from ${hole.url}/${arch}/docker-${version}.tgz`);
      expect(main.errors.join('\n')).toMatch(/Cancelled while downloading the docker CLI\./);
      // The connection was closed, not left to the operating system.
      await expect.poll(() => hole.open()).toBe(0);
      expect(hole.connections).toBe(1);
      // Nothing started, nothing cached; leftovers() checks that RUNNER_TEMP is empty too.
      expect(main.savedState).toEqual({});
      expect(main.outputs).toEqual({});
      expect(pathAdditions(job)).toEqual([]);
      expect(existsSync(join(cache, 'docker'))).toBe(false);
      expect((await job.post()).code).toBe(0);
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await hole.close();
    }
  });

  describe('the CLI', () => {
    /** A CI job's script line, in this test's PATH-without-docker `sh`. */
    const sh = (script: string, env: NodeJS.ProcessEnv) => shell(script, env, join(bin, 'sh'));

    it('up downloads the client and its exports put it on PATH; down and run find it too; a failed download starts nothing', async () => {
      const tmp = await mkdtemp(join(scratch, 'cli-'));
      const cacheHome = join(tmp, 'cache');
      const env: NodeJS.ProcessEnv = {
        PATH: bin, HOME: tmp, TMPDIR: join(tmp, 'tmp'), XDG_CACHE_HOME: cacheHome, CI_JOB_ID: `${Date.now()}`,
        NODE: process.execPath, CLI, URL: mirror.url, VERSION: version,
      };
      await mkdir(env.TMPDIR!);
      const dir = join(cacheHome, 'setup-dind', 'tool-cache', 'docker', version, process.arch);

      const up = await sh(
        'env="$("$NODE" "$CLI" up --mode attach --docker-host unix:///var/run/docker.sock --docker-version "$VERSION" --docker-download-url "$URL")" || exit 9\n' +
          'eval "$env"\ndocker version --format "{{.Client.Version}} {{.Server.Version}}"',
        env,
      );
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(new RegExp(`Docker CLI \\S+: ${dir}/docker \\(downloaded in \\d+\\.\\d+ s`));
      // stdout was the exports only (tool-cache's own messages went to the log): the eval worked and docker answered.
      expect(up.stdout.trim()).toMatch(/^\S+ \S+$/);
      const exports = await sh('"$NODE" "$CLI" env', env);
      expect(exports.stdout).toBe(`export PATH='${dir}'":$PATH"\nexport DOCKER_HOST='unix:///var/run/docker.sock'\n`);
      const down = await sh('"$NODE" "$CLI" down', env);
      expect(down.code, down.stderr).toBe(0);

      // run: the command gets the cached client on its PATH.
      const before = mirror.requests.length;
      const run = await sh('"$NODE" "$CLI" run --mode attach --docker-host unix:///var/run/docker.sock --docker-version "$VERSION" --docker-download-url "$URL" -- docker version --format "{{.Client.Version}}"', env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`${dir}/docker (from the tool cache)`);
      expect(mirror.requests.length).toBe(before);

      const missing = await sh('"$NODE" "$CLI" up --mode attach --docker-host unix:///var/run/docker.sock --docker-version 29.9.9 --docker-download-url "$URL"', env);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toMatch(/setup-dind: docker-version 29\.9\.9 is not at \S+ \(HTTP 404\)\.\nHint: Check input "docker-version"/);

      // Only the (empty) per-user state directory is left in TMPDIR.
      for (const entry of await readdir(env.TMPDIR!)) expect(await readdir(join(env.TMPDIR!, entry))).toEqual([]);
    });
  });
});
