/**
 * Input `context`: a named docker context for the daemon, removed by post,
 * while DOCKER_HOST stays exported so the CLI, the context and an SDK all reach
 * the same daemon. Each job gets its own DOCKER_CONFIG, so the tests never
 * touch the machine's CLI configuration.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastJson, runClient } from '../support/clients.js';
import { DOCKER_MISSING, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

describe.skipIf(DOCKER_MISSING !== undefined)('context through the bundled action', () => {
  const newJob = useJobs();
  const configs: string[] = [];

  /** A job with a CLI configuration directory of its own. */
  async function jobWithConfig(env: Record<string, string> = {}) {
    const config = await mkdtemp(join(tmpdir(), 'setup-dind-config-'));
    configs.push(config);
    return { job: newJob({ DOCKER_CONFIG: config, ...env }), config };
  }

  /** Context names in a CLI configuration (the "default" context is built in and not listed on disk). */
  async function contextsIn(config: string): Promise<string[]> {
    const out = await docker(['context', 'ls', '--format', '{{.Name}}'], { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '' });
    return out.split('\n').filter((name) => name !== '' && name !== 'default');
  }

  afterEach(async () => {
    for (const config of configs.splice(0)) await rm(config, { recursive: true, force: true });
  });

  it.each([
    ['plain TCP', {}],
    ['mutual TLS', { tls: 'true' }],
    ['a unix socket', { transport: 'unix' }],
  ])('DinD over %s: the context, the CLI and an SDK reach the same daemon; post removes the context', async (_name, inputs) => {
    const { job, config } = await jobWithConfig();
    const main = await job.main({ ...inputs, context: 'ci-dind' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.exportedEnv.DOCKER_HOST).toBe(main.outputs['docker-host']);
    expect(main.exportedEnv).not.toHaveProperty('DOCKER_CONTEXT');
    expect(main.stdout).toContain(`Created docker context ci-dind for ${main.outputs['docker-host']}`);
    expect(await contextsIn(config)).toEqual(['ci-dind']);
    expect(main.summary).toContain('Docker context `ci-dind` created for this daemon');

    // A later step: the CLI, the named context and dockerode all reach the DinD daemon (not the host's: its container is not there).
    const stepEnv: NodeJS.ProcessEnv = job.stepEnv();
    const names = await docker(['ps', '--all', '--format', '{{.Names}}'], stepEnv);
    expect(names).not.toContain(main.outputs['container-name']);
    const id = await docker(['info', '--format', '{{.ID}}'], stepEnv);
    expect(await docker(['--context', 'ci-dind', 'info', '--format', '{{.ID}}'], { ...stepEnv, DOCKER_HOST: '' })).toBe(id);
    const sdk = await runClient('sdk', stepEnv);
    expect(sdk.code, sdk.stderr).toBe(0);
    expect(lastJson<{ id: string }>(sdk).id).toBe(id);
    expect(id).not.toBe(await docker(['info', '--format', '{{.ID}}']));

    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(post.stdout).toContain('docker context ci-dind');
    expect(await contextsIn(config)).toEqual([]);
    expect(await leftovers(job)).toEqual([]);
    // A second post finds nothing left and stays quiet; a context of that name made since by someone else is theirs.
    await docker(['context', 'create', 'ci-dind', '--docker', 'host=unix:///var/run/docker.sock'], { ...process.env, DOCKER_CONFIG: config });
    const again = await job.post();
    expect(again.code).toBe(0);
    expect(again.warnings).toEqual([]);
    expect(await contextsIn(config)).toEqual(['ci-dind']);
  }, 60_000);

  it('attach: the context names the daemon DOCKER_HOST points at', async () => {
    const { job, config } = await jobWithConfig({ DOCKER_HOST: 'unix:///var/run/docker.sock' });
    const main = await job.main({ mode: 'attach', context: 'sidecar' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.exportedEnv).toMatchObject({ DOCKER_HOST: 'unix:///var/run/docker.sock' });
    expect(main.exportedEnv).not.toHaveProperty('DOCKER_CONTEXT');
    expect(await docker(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', 'sidecar'], job.stepEnv())).toBe('unix:///var/run/docker.sock');
    expect(await docker(['--context', 'sidecar', 'version', '--format', '{{.Server.Version}}'], { ...job.stepEnv(), DOCKER_HOST: '' })).toMatch(/^\d+\./);
    expect((await job.post()).code).toBe(0);
    expect(await contextsIn(config)).toEqual([]);
  }, 60_000);

  it('names a context an earlier set-up left (its runner died) and how to remove it', async () => {
    const { job: first, config } = await jobWithConfig();
    expect((await first.main({ mode: 'attach', 'docker-host': 'unix:///var/run/docker.sock', context: 'left' })).code).toBe(0);
    // The first job never reaches its post; the next job on this machine uses the same configuration.
    const next = newJob({ DOCKER_CONFIG: config });
    const main = await next.main({ mode: 'attach', 'docker-host': 'unix:///var/run/docker.sock', context: 'left' });
    expect(main.code).toBe(1);
    const error = main.errors.join('\n');
    expect(error).toMatch(/Input "context": a docker context named left already exists \(attach daemon of setup-dind set-up [0-9a-f]+\)/);
    expect(error).toContain('docker context rm left');
    expect((await first.post()).code).toBe(0);
    expect(await contextsIn(config)).toEqual([]);
  }, 60_000);

  it('refuses a context that already exists, before anything starts, and leaves it alone', async () => {
    const { job, config } = await jobWithConfig();
    const env = { ...process.env, DOCKER_CONFIG: config };
    await docker(['context', 'create', 'taken', '--docker', 'host=unix:///var/run/docker.sock'], env);
    const main = await job.main({ context: 'taken' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toContain('Input "context": a docker context named taken already exists');
    expect(main.errors.join('\n')).toContain('remove it first (docker context rm taken)');
    expect(main.savedState).toEqual({});
    expect(await leftovers(job)).toEqual([]);
    expect((await job.post()).code).toBe(0);
    expect(await contextsIn(config)).toEqual(['taken']);
    expect(await readdir(config)).toContain('contexts');
  }, 60_000);
});
