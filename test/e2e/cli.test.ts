/**
 * The CLI as a GitLab job (or a laptop) uses it: `eval "$(setup-dind up)"` in
 * one shell, `setup-dind down` in another (after_script runs in a fresh one),
 * and `setup-dind run -- CMD`.
 */
import { existsSync } from 'node:fs';
import { chown, cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/actions-runner.mjs';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, docker } from '../support/docker.js';
import { sh } from '../support/shell.js';

const CLI = join(ROOT, 'dist', 'cli.js');

describe.skipIf(DOCKER_MISSING !== undefined)('CLI', () => {
  const jobs: { env: NodeJS.ProcessEnv; tmp: string; owner: string }[] = [];

  /** A GitLab-like job environment with its own TMPDIR (where the state file and certificates go). */
  async function gitlabJob(): Promise<{ env: NodeJS.ProcessEnv; tmp: string; owner: string }> {
    const tmp = await mkdtemp(join(tmpdir(), 'setup-dind-cli-'));
    const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, GITLAB_CI: 'true', CI_JOB_ID: id, CI_PROJECT_PATH: 'setup-dind/e2e', CLI };
    for (const key of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'GITHUB_ACTIONS', 'GITHUB_RUN_ID']) delete env[key];
    const job = { env, tmp, owner: `gitlab:setup-dind/e2e/job/${id}` };
    jobs.push(job);
    return job;
  }

  /** What the job left: containers and volumes, and (`files`) files in its TMPDIR. */
  async function leftovers(job: { tmp: string; owner: string }, { files = true } = {}): Promise<string[]> {
    const filter = `label=${LABELS.owner}=${job.owner}`;
    const found = [
      ...(await docker(['ps', '-aq', '--filter', filter])).split('\n').filter(Boolean).map((id) => `container ${id}`),
      ...(await docker(['volume', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean).map((id) => `volume ${id}`),
    ];
    // Only the (empty) per-user state directory may stay in TMPDIR.
    for (const entry of files ? await readdir(job.tmp) : []) {
      const inside = entry.startsWith('setup-dind-') ? await readdir(join(job.tmp, entry)).catch(() => []) : ['?'];
      if (inside.length > 0) found.push(`file ${entry}/${inside.join(',')}`);
    }
    return found;
  }

  afterEach(async () => {
    for (const job of jobs.splice(0)) {
      const filter = `label=${LABELS.owner}=${job.owner}`;
      const containers = (await docker(['ps', '-aq', '--filter', filter])).split('\n').filter(Boolean);
      if (containers.length > 0) await docker(['rm', '-fv', ...containers]);
      const volumes = (await docker(['volume', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean);
      if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes]);
      await rm(job.tmp, { recursive: true, force: true });
    }
  });

  it('up --context --transport unix: the exports keep DOCKER_HOST; the named context reaches the same daemon; down removes it', async () => {
    const job = await gitlabJob();
    const env = { ...job.env, DOCKER_CONFIG: join(job.tmp, 'docker-config') };
    const up = await sh('node "$CLI" up --transport unix --context ci-cli', env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^export DOCKER_HOST='unix:\/\/[^']+'$/m);
    expect(up.stdout).not.toContain('DOCKER_CONTEXT');
    const used = await sh('eval "$(node "$CLI" env)" && docker info --format "{{.ID}}" && DOCKER_HOST= docker --context ci-cli info --format "{{.ID}}"', env);
    expect(used.code, used.stderr).toBe(0);
    const [viaHost, viaContext] = used.stdout.trim().split('\n');
    expect(viaContext).toBe(viaHost);
    const down = await sh('node "$CLI" down', env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain('docker context ci-cli');
    expect((await sh('docker context ls --format "{{.Name}}"', env)).stdout.trim()).toBe('default');
    await rm(env.DOCKER_CONFIG, { recursive: true, force: true });
    expect(await leftovers(job)).toEqual([]);
  });

  it('up prints only exports for eval; a later shell finds the state by CI job id; down removes it; down again is a no-op', async () => {
    const job = await gitlabJob();
    const up = await sh('node "$CLI" up --tls', job.env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout.trim().split('\n').every((line) => /^export [A-Z_]+='[^']*'$/.test(line))).toBe(true);
    expect(up.stdout).toContain("export DOCKER_TLS_VERIFY='1'");
    expect(up.stderr).toMatch(/is ready at tcp:\/\/127\.0\.0\.1:\d+ after/);

    // before_script and script share a shell: eval, then docker works.
    const used = await sh('eval "$(node "$CLI" env)" && docker version --format "{{.Server.Version}}"', job.env);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout.trim()).toMatch(/^\d+\./);
    // The state file is also sourceable.
    const sourced = await sh(`. "$TMPDIR/setup-dind-${process.getuid!()}/gitlab-${job.env.CI_JOB_ID}.env" && docker info --format '{{.Driver}}'`, job.env);
    expect(sourced.stdout.trim()).toBe('overlay2');

    // after_script: a fresh shell.
    const down = await sh('node "$CLI" down', job.env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(/Removed container .*, volume .*, .*setup-dind-/);
    const again = await sh('node "$CLI" down', job.env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/Nothing to tear down/);
    expect(await leftovers(job)).toEqual([]);
  });

  it('run starts a daemon, runs the command with it, removes it, and exits with the command\'s code', async () => {
    const job = await gitlabJob();
    const run = await sh('node "$CLI" run --transport unix -- sh -c \'docker info --format "{{.Driver}}"; exit 7\'', job.env);
    expect(run.code).toBe(7);
    expect(run.stdout.trim()).toBe('overlay2');
    expect(await leftovers(job)).toEqual([]);
  });

  it('honours SETUP_DIND_* variables, refuses a second up, and shows GitLab sections on failure', async () => {
    const job = await gitlabJob();
    const first = await sh('SETUP_DIND_TRANSPORT=unix node "$CLI" up', { ...job.env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^export DOCKER_HOST='unix:\/\//);
    const second = await sh('node "$CLI" up', job.env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/a set-up is already recorded in .*: run "setup-dind down" first/);
    expect((await sh('node "$CLI" down', job.env)).code).toBe(0);

    const dies = await sh('node "$CLI" up --daemon-args=--no-such-flag', job.env);
    expect(dies.code).toBe(1);
    expect(dies.stdout).toBe('');
    expect(dies.stderr).toMatch(/section_start:\d+:setup_dind_1\[collapsed=true\]/);
    expect(dies.stderr).toMatch(/The DinD daemon exited during start .*unknown flag: --no-such-flag/);
    expect(await leftovers(job)).toEqual([]);
  });

  it('refuses a state directory another user could have planted, following none of it, before anything starts', async () => {
    const job = await gitlabJob();
    const uid = process.getuid!();
    const stateDir = join(job.tmp, `setup-dind-${uid}`);
    // What a planted state would have `down` remove.
    const victim = join(job.tmp, 'victim');
    await mkdir(victim);
    const planted = join(job.tmp, 'planted');
    await mkdir(planted);
    const plan = { version: 1, mode: 'dind', instance: 'x', stage: 'ready', dockerEnv: {}, containers: [], volumes: [], paths: [victim] };
    await writeFile(join(planted, `gitlab-${job.env.CI_JOB_ID}.env`), `# setup-dind plan: ${JSON.stringify(plan)}\nexport DOCKER_HOST='tcp://203.0.113.1:2375'\n`);
    const plants: [string, () => Promise<void>][] = [[`is a symbolic link \\(to ${planted}\\)`, () => symlink(planted, stateDir)]];
    if (uid === 0) {
      plants.push([
        'is owned by uid 4242, not by you \\(uid 0\\)',
        async () => {
          await cp(planted, stateDir, { recursive: true });
          await chown(stateDir, 4242, 4242);
        },
      ]);
    }
    for (const [problem, plant] of plants) {
      await rm(stateDir, { recursive: true, force: true });
      await plant();
      for (const command of ['down', 'env', 'up']) {
        const result = await sh(`node "$CLI" ${command}`, job.env);
        expect(result.code, `${command}: ${result.stderr}`).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(new RegExp(`^setup-dind: The state directory ${stateDir} ${problem}: someone else may have made it, to read or plant the state "setup-dind down" follows\\.\\nHint: If you do not know it, remove it`));
      }
      expect(existsSync(victim)).toBe(true);
    }
    expect(await leftovers(job, { files: false })).toEqual([]);
  });

  it('refuses an environment variable with a line break that would reach the state, before anything starts', async () => {
    const job = await gitlabJob();
    const marker = join(job.tmp, 'ran');
    // A temp dir that exists: only its name is wrong.
    const tmp = join(job.tmp, 't\nexport EVIL=1\ntouch "$MARKER"\n');
    await mkdir(tmp);
    for (const [name, env] of [
      ['TMPDIR', { ...job.env, MARKER: marker, TMPDIR: tmp }],
      ['DOCKER_CERT_PATH', { ...job.env, MARKER: marker, DOCKER_CERT_PATH: tmp, SETUP_DIND_MODE: 'attach' }],
    ] as const) {
      const result = await sh('eval "$(node "$CLI" up)"; echo "EVIL=${EVIL-unset}"', env);
      expect(result.stdout, name).toBe('EVIL=unset\n');
      expect(result.stderr, name).toContain(`setup-dind: Environment variable ${name} has a line break (${JSON.stringify(tmp)}): it would add a line to the export lines and the state file.`);
      const direct = await sh('node "$CLI" up', env);
      expect(direct.code, name).toBe(1);
      expect(direct.stdout, name).toBe('');
    }
    expect(existsSync(marker)).toBe(false);
    expect(await leftovers(job, { files: false })).toEqual([]);
  });

  it('exits 2 for usage and input errors, before touching Docker', async () => {
    const job = await gitlabJob();
    for (const [args, message] of [
      ['up --no-such-option', /Unknown option '--no-such-option'/],
      ['launch', /unknown command "launch"/],
      ['run', /run needs a command after --/],
      ['up --port 70000', /Input "port": 70000 is out of range/],
      ['down --image x', /--image goes with "up" or "run"/],
    ] as const) {
      const result = await sh(`PATH=/nonexistent; "${process.execPath}" "$CLI" ${args}`, job.env);
      expect(result.code, args).toBe(2);
      expect(result.stderr, args).toMatch(message);
      expect(result.stdout, args).toBe('');
    }
    const help = await sh('node "$CLI" up --help', job.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--daemon-args VALUE[\s\S]*env: SETUP_DIND_DAEMON_ARGS/);
  });
});
