/** tearDown over a scripted Docker: what it removes, what it leaves, what it keeps for another try. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TeardownPlan } from '../../src/teardown/plan.js';
import { abandon, tearDown } from '../../src/teardown/teardown.js';
import { FakeDocker, fakeContext } from '../support/fake-docker.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'setup-dind-teardown-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ID = 'd'.repeat(64);

function plan(overrides: Partial<TeardownPlan> = {}): TeardownPlan {
  return {
    version: 1,
    mode: 'dind',
    instance: 'i1',
    stage: 'ready',
    dockerEnv: { DOCKER_HOST: 'unix:///runner.sock' },
    containers: ['setup-dind-1'],
    volumes: ['setup-dind-1-data'],
    paths: [],
    ...overrides,
  };
}

/** A daemon container of set-up `instance`, running. */
const ours = (instance = 'i1', status = 'running') => ({ stdout: `${ID}\t${status}\t0\t${instance}\n` });

describe('tearDown', () => {
  it('removes the container (by id), its volume and the per-job directory, through the plan\'s daemon', async () => {
    const workDir = join(dir, 'job');
    await mkdir(workDir);
    const docker = new FakeDocker().on('container inspect', ours()).on(`rm --force --volumes ${ID}`, { stdout: `${ID}\n` });
    const { context } = fakeContext(docker, dir, { DOCKER_HOST: 'tcp://127.0.0.1:1234', PATH: '/usr/bin' });
    const result = await tearDown(plan({ paths: [workDir] }), context);
    expect(docker.commands()).toEqual([
      expect.stringMatching(/^container inspect/),
      `rm --force --volumes ${ID}`,
      'volume rm setup-dind-1-data',
    ]);
    // Post runs with the DinD daemon's DOCKER_HOST; the plan's own daemon is asked.
    expect(docker.calls.every((call) => call.env.DOCKER_HOST === 'unix:///runner.sock')).toBe(true);
    expect(existsSync(workDir)).toBe(false);
    expect(result).toMatchObject({ complete: true, failed: [] });
    expect(result.removed).toEqual(['container setup-dind-1', 'volume setup-dind-1-data', workDir]);
  });

  it('leaves a container whose name another set-up holds now', async () => {
    const docker = new FakeDocker().on('container inspect', ours('someone-else'));
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan({ volumes: [] }), context);
    expect(docker.commands().some((command) => command.startsWith('rm'))).toBe(false);
    expect(result.alreadyGone).toEqual(['container setup-dind-1 (the name now belongs to another set-up, left alone)']);
  });

  it('leaves a container of its name that carries no set-up label: setup-dind did not make it', async () => {
    const docker = new FakeDocker().on('container inspect', { stdout: `${ID}\tcreated\t0\t<no value>\n` });
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan({ volumes: [] }), context);
    expect(docker.commands().some((command) => command.startsWith('rm') || command.startsWith('stop'))).toBe(false);
    expect(result.alreadyGone).toEqual(['container setup-dind-1 (the name now belongs to a container setup-dind did not make, left alone)']);
  });

  it('counts what is already gone as done', async () => {
    const docker = new FakeDocker().on('volume rm', { code: 1, stderr: 'Error response from daemon: get setup-dind-1-data: no such volume' });
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan(), context);
    expect(result).toMatchObject({ complete: true, removed: [], alreadyGone: ['container setup-dind-1', 'volume setup-dind-1-data'] });
  });

  it('keeps what it could not remove in the remaining plan, and warns', async () => {
    const docker = new FakeDocker()
      .on('container inspect', ours())
      .on('rm --force', { code: 1, stderr: 'Error response from daemon: removal of container is already in progress' })
      .on('volume rm', { code: 1, stderr: 'Error response from daemon: remove setup-dind-1-data: volume is in use' });
    const { context, logger } = fakeContext(docker, dir);
    const result = await tearDown(plan(), context);
    expect(result.complete).toBe(false);
    expect(result.remaining).toMatchObject({ containers: ['setup-dind-1'], volumes: ['setup-dind-1-data'] });
    expect(logger.lines.filter((line) => line.startsWith('warn:'))).toEqual([
      'warn: Could not remove container setup-dind-1: Error response from daemon: removal of container is already in progress',
      'warn: Could not remove volume setup-dind-1-data: Error response from daemon: remove setup-dind-1-data: volume is in use',
    ]);
  });

  it('stops a cache volume\'s daemon cleanly before removing it', async () => {
    const docker = new FakeDocker().on('container inspect', ours()).on('rm --force', { stdout: `${ID}\n` });
    const { context } = fakeContext(docker, dir);
    await tearDown(plan({ volumes: [], stopSeconds: 30 }), context);
    expect(docker.commands().slice(1)).toEqual([`stop --time 30 ${ID}`, `rm --force --volumes ${ID}`]);
  });

  it('reports a daemon that died during the job, with its log', async () => {
    const docker = new FakeDocker()
      .on('container inspect', ours('i1', 'exited'))
      .on('logs', { stdout: 'level=fatal msg="out of space"\n' })
      .on('rm --force', { stdout: `${ID}\n` });
    const { context, logger } = fakeContext(docker, dir);
    await tearDown(plan({ volumes: [] }), context);
    expect(logger.lines).toContain('warn: The DinD daemon setup-dind-1 was not running at teardown (status exited, exit code 0).');
    expect(logger.lines).toContain('level=fatal msg="out of space"');
  });

  it('removes the DooD job\'s labelled containers, networks and volumes, and reports their ports', async () => {
    const docker = new FakeDocker()
      .on('ps --all', { stdout: 'a1\tweb\t0.0.0.0:8080->80/tcp\nb2\tdb\t\n' })
      .on('network ls', { stdout: 'n1\n' })
      .on('volume ls', { stdout: 'v1\nv2\n' });
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan({ mode: 'dood', containers: [], volumes: [], labelled: 'i1' }), context);
    expect(docker.commands().filter((command) => / rm /.test(` ${command} `))).toEqual(['rm --force --volumes a1 b2', 'network rm n1', 'volume rm v1 v2']);
    expect(docker.commands()[0]).toContain('label=setup-dind.instance=i1');
    expect(result.publishedPorts).toEqual(['web: 0.0.0.0:8080->80/tcp']);
    expect(result.removed).toEqual(['2 containers of the job', '1 network of the job', '2 volumes of the job']);
  });

  it('keeps the label sweep for later when the daemon cannot list', async () => {
    const docker = new FakeDocker().on('ps --all', { code: 1, stderr: 'Cannot connect to the Docker daemon' });
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan({ mode: 'dood', containers: [], volumes: [], labelled: 'i1' }), context);
    expect(result.complete).toBe(false);
    expect(result.remaining.labelled).toBe('i1');
  });

  it('removes only the docker contexts this set-up made', async () => {
    const docker = new FakeDocker()
      .on('context inspect mine', { stdout: '[{"Metadata":{"Description":"dind daemon of setup-dind set-up i1"}}]' })
      .on('context inspect theirs', { stdout: '[{"Metadata":{"Description":"dind daemon of setup-dind set-up i2"}}]' });
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan({ containers: [], volumes: [], contexts: ['mine', 'theirs', 'gone'] }), context);
    expect(docker.commands().filter((command) => command.startsWith('context rm'))).toEqual(['context rm --force mine']);
    expect(result.removed).toEqual(['docker context mine']);
    expect(result.alreadyGone).toEqual(['docker context theirs (the name now belongs to another set-up, left alone)', 'docker context gone']);
  });

  it('does nothing for an empty plan', async () => {
    const docker = new FakeDocker();
    const { context } = fakeContext(docker, dir);
    const result = await tearDown(plan({ containers: [], volumes: [] }), context);
    expect(result).toMatchObject({ complete: true, removed: [] });
    expect(docker.calls).toEqual([]);
  });
});

describe('abandon', () => {
  it('saves the plan as done when everything is gone, else what is left', async () => {
    const docker = new FakeDocker().on('volume rm', { code: 1, stderr: 'volume is in use' });
    const { context, saved } = fakeContext(docker, dir);
    await abandon(plan(), context);
    expect(saved).toEqual([expect.objectContaining({ stage: 'ready', containers: [], volumes: ['setup-dind-1-data'] })]);
    const clean = fakeContext(new FakeDocker(), dir);
    await abandon(plan(), clean.context);
    expect(clean.saved).toEqual([expect.objectContaining({ stage: 'done', containers: [], volumes: [] })]);
  });
});
