import { describe, expect, it } from 'vitest';
import { cacheHolderName, checkCacheVolume, isNameConflict, runWhenCacheFree } from '../../src/modes/dind/cache-volume.js';
import { silentLogger } from '../../src/engine/context.js';
import { systemClock } from '../../src/docker/docker.js';
import type { CommandResult, DockerCli } from '../../src/docker/docker-cli.js';
import { SetupDindError } from '../../src/engine/errors.js';
import { apiVersionError } from '../../src/docker/api-version.js';

const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '', output: stdout });
const failed = (stderr: string): CommandResult => ({ code: 1, stdout: '', stderr, output: stderr });
const CONFLICT = failed('docker: Error response from daemon: Conflict. The container name "/setup-dind-cache-c" is already in use by container "abc". You have to remove (or rename) that container to be able to reuse that name.');

interface FakeHolder {
  status: string;
  /** `setup-dind.role`: 'daemon' for a holder of ours. */
  role?: string;
  /** Seconds since creation. */
  age?: number;
  /** Its labels (default: those of a daemon of ours, with `role`). */
  labels?: Record<string, string>;
  /** Its volume mounts (default: the cache volume at /var/lib/docker). */
  mounts?: { Type: string; Name?: string; Destination: string }[];
  image?: string;
}

/** A docker CLI that answers `container inspect` and `ps` from a script of holder states (undefined: no holder). */
function fakeDocker(holders: (FakeHolder | string | undefined)[], calls: string[][] = []): DockerCli {
  let index = 0;
  return {
    exec(args: readonly string[]) {
      calls.push([...args]);
      if (args[0] === 'container' && args[1] === 'inspect') {
        const next = holders[Math.min(index++, holders.length - 1)];
        if (next === undefined) return Promise.resolve(failed('Error: No such container'));
        const holder = typeof next === 'string' ? { status: next } : next;
        const created = new Date(Date.now() - (holder.age ?? 1) * 1000).toISOString();
        const labels = holder.labels ?? { 'setup-dind.role': holder.role ?? 'daemon', 'setup-dind.owner': 'github:o/r/run/1', 'setup-dind.instance': 'i1' };
        const mounts = holder.mounts ?? [{ Type: 'volume', Name: 'c', Destination: '/var/lib/docker' }];
        const fields = ['0123abcd', holder.status, '2026-11-29T03:00:00Z', created, holder.image ?? 'docker:dind', JSON.stringify(labels), JSON.stringify(mounts)];
        return Promise.resolve(ok(`${fields.join('\t')}\n`));
      }
      if (args[0] === 'ps') return Promise.resolve(ok(''));
      if (args[0] === 'rm') return Promise.resolve(ok(''));
      return Promise.reject(new Error(`unexpected docker ${args.join(' ')}`));
    },
  } as unknown as DockerCli;
}

describe('cache volume lock', () => {
  it('names the holder after the volume', () => {
    expect(cacheHolderName('v1')).toBe('setup-dind-cache-v1');
  });

  it('recognises the engine\'s name conflict', () => {
    expect(isNameConflict(CONFLICT)).toBe(true);
    expect(isNameConflict(failed('docker: Error response from daemon: pull access denied'))).toBe(false);
  });

  it('runs at once when the volume is free', async () => {
    let runs = 0;
    const result = await runWhenCacheFree(fakeDocker([undefined]), 'c', () => Promise.resolve((runs++, ok('id\n'))), { timeoutSeconds: 5, logger: silentLogger, clock: systemClock });
    expect(result.code).toBe(0);
    expect(runs).toBe(1);
  });

  it('returns a run that failed for another reason, for the caller to explain', async () => {
    const result = await runWhenCacheFree(fakeDocker([undefined]), 'c', () => Promise.resolve(failed('privileged refused')), { timeoutSeconds: 5, logger: silentLogger, clock: systemClock });
    expect(result.stderr).toBe('privileged refused');
  });

  it('waits while a running daemon holds the volume, then runs', async () => {
    let runs = 0;
    const result = await runWhenCacheFree(fakeDocker(['running', 'running', undefined]), 'c', () => Promise.resolve((runs++, ok())), { timeoutSeconds: 10, logger: silentLogger, clock: systemClock });
    expect(result.code).toBe(0);
    expect(runs).toBe(1);
  });

  it('removes a stopped holder (its job never tore it down) and runs', async () => {
    const calls: string[][] = [];
    const result = await runWhenCacheFree(fakeDocker(['exited', undefined], calls), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 10, logger: silentLogger, clock: systemClock });
    expect(result.code).toBe(0);
    // By id: the name may already belong to the next holder.
    expect(calls).toContainEqual(['rm', '--force', '--volumes', '0123abcd']);
  });

  it('reclaims a holder of ours that was created but never started, once it is a minute old', async () => {
    const calls: string[][] = [];
    await runWhenCacheFree(fakeDocker([{ status: 'created', age: 120 }, undefined], calls), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 10, logger: silentLogger, clock: systemClock });
    expect(calls).toContainEqual(['rm', '--force', '--volumes', '0123abcd']);
  });

  it('waits for a holder being created just now', async () => {
    const calls: string[][] = [];
    const error = await runWhenCacheFree(fakeDocker([{ status: 'created', age: 2 }], calls), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 1, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('is still in use by setup-dind-cache-c');
    expect(calls.filter((call) => call[0] === 'rm')).toEqual([]);
  });

  it.each<[string, FakeHolder, string]>([
    ['without our labels', { status: 'created', labels: {}, mounts: [], image: 'busybox' }, 'it has no setup-dind.role=daemon label; it does not mount volume c at /var/lib/docker'],
    ['stopped, not a daemon of ours', { status: 'exited', role: '' }, 'it has no setup-dind.role=daemon label'],
    ['labelled as ours but on no volume', { status: 'running', mounts: [] }, 'it does not mount volume c at /var/lib/docker'],
    ['labelled as ours, the volume elsewhere', { status: 'exited', mounts: [{ Type: 'volume', Name: 'c', Destination: '/data' }] }, 'it does not mount volume c at /var/lib/docker'],
    ['labelled as ours on another volume', { status: 'running', mounts: [{ Type: 'volume', Name: 'other', Destination: '/var/lib/docker' }] }, 'it does not mount volume c at /var/lib/docker'],
  ])('fails at once, never waiting for it nor removing it, when the name is squatted by a container %s', async (_what, holder, reasons) => {
    const calls: string[][] = [];
    let runs = 0;
    const began = Date.now();
    const error = await runWhenCacheFree(fakeDocker([holder], calls), 'c', () => Promise.resolve((runs++, ok())), { timeoutSeconds: 60, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(error).toBeInstanceOf(SetupDindError);
    expect((error as Error).message).toContain(`Input "cache-volume": the container named setup-dind-cache-c, the lock on volume c, is not a setup-dind daemon using the volume (${reasons}), so it would never free the volume: id 0123abcd, image ${holder.image ?? 'docker:dind'}, status ${holder.status}`);
    expect((error as SetupDindError).hint).toContain('docker rm --force setup-dind-cache-c');
    expect(runs).toBe(0);
    expect(calls.filter((call) => call[0] === 'rm')).toEqual([]);
  });

  it('says whose the squatter is: its labels, ours first, quoted on one line, a few at most', async () => {
    const labels: Record<string, string> = { 'com.example.job': 'nightly\n::error::forged', 'setup-dind.owner': 'gitlab:g/p/job/9' };
    for (let index = 0; index < 10; index++) labels[`z.${index}`] = 'v';
    const error = (await runWhenCacheFree(fakeDocker([{ status: 'running', labels, mounts: [] }]), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 60, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('labels setup-dind.owner="gitlab:g/p/job/9", com.example.job="nightly\\n::error::forged", z.0="v", z.1="v", z.2="v", z.3="v", z.4="v", z.5="v", 4 more.');
    expect(error.message).not.toContain('\n');
    const bare = (await runWhenCacheFree(fakeDocker([{ status: 'created', labels: {} }]), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 60, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e)) as Error;
    expect(bare.message).toMatch(/status created, no labels\.$/);
  });

  it('fails at once when the container that won a race for the name turns out to squat it', async () => {
    const outcomes = [CONFLICT];
    const error = await runWhenCacheFree(fakeDocker([undefined, { status: 'created', labels: {} }]), 'c', () => Promise.resolve(outcomes.shift()!), { timeoutSeconds: 60, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('is not a setup-dind daemon using the volume');
  });

  it('loses a race for the name gracefully: it looks again instead of failing', async () => {
    const outcomes = [CONFLICT, ok()];
    const result = await runWhenCacheFree(fakeDocker([undefined]), 'c', () => Promise.resolve(outcomes.shift()!), { timeoutSeconds: 10, logger: silentLogger, clock: systemClock });
    expect(result.code).toBe(0);
  });

  it('fails naming the input, the holder and the timeout when the volume stays taken', async () => {
    const error = await runWhenCacheFree(fakeDocker(['running']), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 1, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupDindError);
    expect((error as Error).message).toMatch(/^Input "cache-volume": volume c is still in use by setup-dind-cache-c \(owner github:o\/r\/run\/1, started .*\) after waiting 1 s \(input "timeout"\)/);
  });

  it('stops waiting when the job is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await runWhenCacheFree(fakeDocker(['running']), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 60, logger: silentLogger, clock: systemClock, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Cancelled while waiting for cache volume c.');
  });
});

describe('checkCacheVolume', () => {
  const answering = (result: CommandResult): DockerCli =>
    ({ exec: () => Promise.resolve(result), apiRefusal: (failure: CommandResult) => apiVersionError(failure.stderr, 'the daemon') }) as unknown as DockerCli;

  it('accepts no volume yet (the first job creates it) and a volume setup-dind made', async () => {
    await expect(checkCacheVolume(answering(failed('Error: No such volume: c')), 'c')).resolves.toBeUndefined();
    await expect(checkCacheVolume(answering(ok('cache\n')), 'c')).resolves.toBeUndefined();
  });

  it.each([['no labels', '<no value>\n'], ['another role', 'data\n'], ['empty', '\n']])('refuses a volume with %s, naming the input and how to prepare one', async (_what, stdout) => {
    const error = await checkCacheVolume(answering(ok(stdout)), 'pgdata').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupDindError);
    expect((error as Error).message).toContain('Input "cache-volume": volume pgdata exists and was not made by setup-dind');
    expect((error as SetupDindError).hint).toContain('docker volume create --label setup-dind.role=cache pgdata');
  });

  it('says which side is too old when the daemon refuses the client\'s API version, not that the volume is missing', async () => {
    const refused = failed('Error response from daemon: client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version');
    await expect(checkCacheVolume(answering(refused), 'c')).rejects.toThrow(/^The docker CLI is too old for the daemon: it speaks Engine API 1\.41/);
  });

  it('says when the volume cannot be inspected', async () => {
    await expect(checkCacheVolume(answering(failed('Cannot connect to the Docker daemon')), 'c')).rejects.toThrow(/Input "cache-volume": could not inspect volume c: Cannot connect/);
  });
});
