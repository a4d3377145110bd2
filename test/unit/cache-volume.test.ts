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
        return Promise.resolve(ok(`0123abcd\t${holder.status}\t${holder.role ?? 'daemon'}\tgithub:o/r/run/1\t2026-11-29T03:00:00Z\t${created}\n`));
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

  it('waits for a holder being created just now, and never removes a container that is not a daemon of ours', async () => {
    for (const holder of [{ status: 'created', age: 2 }, { status: 'exited', role: '' }]) {
      const calls: string[][] = [];
      const error = await runWhenCacheFree(fakeDocker([holder], calls), 'c', () => Promise.resolve(ok()), { timeoutSeconds: 1, logger: silentLogger, clock: systemClock }).catch((e: unknown) => e);
      expect((error as Error).message).toContain('is still in use by setup-dind-cache-c');
      expect(calls.filter((call) => call[0] === 'rm')).toEqual([]);
    }
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
