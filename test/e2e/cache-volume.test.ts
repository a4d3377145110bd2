/**
 * cache-volume: the inner daemon's data root in a named volume that outlives
 * the job, used by one daemon at a time. Through the bundled action, against
 * the real engine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheHolderName } from '../../src/modes/dind/cache-volume.js';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, docker, endAsRunner, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

describe.skipIf(DOCKER_MISSING !== undefined)('cache-volume through the bundled action', () => {
  const newJob = useJobs();
  const volume = `setup-dind-e2e-cache-${randomBytes(4).toString('hex')}`;
  const holder = cacheHolderName(volume);

  afterAll(async () => {
    await docker(['rm', '--force', '--volumes', holder]).catch(() => {});
    await docker(['volume', 'rm', '--force', volume]).catch(() => {});
  });

  it('keeps what the inner daemon built for the next job; post stops the daemon and keeps the volume', async () => {
    const first = newJob();
    const main = await first.main({ 'cache-volume': volume });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.outputs['container-name']).toBe(holder);
    expect(main.summary).toContain(`/var/lib/docker is cache volume \`${volume}\`, kept after the job.`);
    // Built from scratch: no registry, no image to copy.
    const context = await mkdtemp(join(tmpdir(), 'setup-dind-cache-build-'));
    try {
      await writeFile(join(context, 'marker'), 'cached\n');
      await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY marker /marker\n');
      await docker(['build', '--quiet', '--tag', 'e2e/cached:1', context], first.stepEnv());
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    const post = await first.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(post.stdout).toContain(`Removed container ${holder}`);
    expect(await leftovers(first)).toEqual([]);
    // Kept, and never a stale sweep's target (no `created` label).
    expect(await docker(['volume', 'inspect', '--format', `{{index .Labels "${LABELS.role}"}}|{{index .Labels "${LABELS.created}"}}`, volume])).toBe('cache|');

    const second = newJob();
    const again = await second.main({ 'cache-volume': volume });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await docker(['image', 'inspect', '--format', '{{.Id}}', 'e2e/cached:1'], second.stepEnv())).toMatch(/^sha256:/);
    expect((await second.post()).code).toBe(0);
    expect(await leftovers(second)).toEqual([]);
  }, 120_000);

  it('one daemon at a time: a second job fails clearly when the volume stays taken, and waits when it is freed', async () => {
    const owner = newJob();
    const main = await owner.main({ 'cache-volume': volume });
    expect(main.code, main.stdout + main.stderr).toBe(0);

    const refused = newJob();
    const second = await refused.main({ 'cache-volume': volume, timeout: '2' });
    expect(second.code).toBe(1);
    const error = second.errors.join('\n');
    expect(error).toContain(`Input "cache-volume": volume ${volume} is still in use by ${holder}`);
    expect(error).toContain('after waiting 2 s (input "timeout")');
    // The refused job touched nothing: the holder's daemon still answers, and its post has nothing to do.
    expect(await docker(['version', '--format', '{{.Server.Version}}'], owner.stepEnv())).toMatch(/^\d+\./);
    const refusedPost = await refused.post();
    expect(refusedPost.code).toBe(0);
    expect(refusedPost.warnings).toEqual([]);
    expect(await leftovers(refused)).toEqual([]);

    // Cancelled while it waits: it stops at once and touches nothing of the holder's.
    const cancelled = newJob();
    const cancelling = await cancelled.startMain({ 'cache-volume': volume, timeout: '60' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    cancelling.child.kill('SIGTERM');
    const stopped = await cancelling.done;
    expect(stopped.code).toBe(1);
    expect(stopped.errors.join('\n')).toContain(`Cancelled while waiting for cache volume ${volume}.`);
    expect(stopped.seconds).toBeLessThan(10);
    expect((await cancelled.post()).code).toBe(0);
    expect(await docker(['version', '--format', '{{.Server.Version}}'], owner.stepEnv())).toMatch(/^\d+\./);
    expect(await leftovers(cancelled)).toEqual([]);

    const waiter = newJob();
    const waiting = await waiter.startMain({ 'cache-volume': volume, timeout: '60' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await owner.post()).code).toBe(0);
    const waited = await waiting.done;
    expect(waited.code, waited.stdout + waited.stderr).toBe(0);
    expect(waited.stdout).toContain(`Cache volume ${volume} is in use by ${holder}`);
    expect(await docker(['version', '--format', '{{.Server.Version}}'], waiter.stepEnv())).toMatch(/^\d+\./);
    expect((await waiter.post()).code).toBe(0);
    for (const job of [owner, waiter]) expect(await leftovers(job)).toEqual([]);
  }, 180_000);

  it('a teardown never touches the next holder: post run twice, and the post of a job whose daemon died and was replaced', async () => {
    const first = newJob();
    expect((await first.main({ 'cache-volume': volume })).code).toBe(0);
    expect((await first.post()).code).toBe(0);
    const second = newJob();
    expect((await second.main({ 'cache-volume': volume })).code).toBe(0);
    // The first job's post again: the name now belongs to the second job's daemon.
    const again = await first.post();
    expect(again.code).toBe(0);
    expect(again.warnings).toEqual([]);
    expect(again.stdout).toContain('the name now belongs to another set-up, left alone');
    expect(await docker(['version', '--format', '{{.Server.Version}}'], second.stepEnv())).toMatch(/^\d+\./);

    // The second job's daemon dies mid-job; a third job takes the volume over; the second job's post leaves the third's alone.
    await docker(['kill', holder]);
    const third = newJob();
    const main = await third.main({ 'cache-volume': volume, timeout: '30' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const late = await second.post();
    expect(late.code).toBe(0);
    expect(late.stdout).toContain('left alone');
    expect(await docker(['version', '--format', '{{.Server.Version}}'], third.stepEnv())).toMatch(/^\d+\./);
    expect((await third.post()).code).toBe(0);
    for (const job of [first, second, third]) expect(await leftovers(job)).toEqual([]);
  }, 120_000);

  it.each([
    ['a container another job made', ['create', '--label', 'e2e.job=squatter', 'busybox', 'true'], 'it has no setup-dind.role=daemon label'],
    ['a running container with our labels forged, on no volume', ['run', '--detach', '--label', `${LABELS.role}=daemon`, '--label', `${LABELS.owner}=squatter`, 'busybox', 'sleep', '600'], 'it does not mount volume'],
  ])('fails at once, saying who holds the name, when %s squats the holder name; it leaves the squatter be', async (_what, [verb, ...args], reason) => {
    const squatter = await docker([verb!, '--name', holder, ...args]);
    try {
      const job = newJob();
      // The default timeout: a squatter used to cost every job all of it.
      const main = await job.startMain({ 'cache-volume': volume });
      const done = await main.done;
      expect(done.code).toBe(1);
      expect(done.seconds).toBeLessThan(10);
      const error = done.errors.join('\n');
      expect(error).toContain(`Input "cache-volume": the container named ${holder}, the lock on volume ${volume}, is not a setup-dind daemon using the volume (${reason}`);
      expect(error).toContain(`id ${squatter.slice(0, 12)}, image busybox`);
      expect(error).toMatch(verb === 'create' ? /labels e2e\.job="squatter"/ : /labels setup-dind\.owner="squatter", setup-dind\.role="daemon"/);
      expect(error).toContain(`docker rm --force ${holder}`);
      expect(done.stdout).not.toContain('waiting up to');
      // Nothing started, and the squatter is as it was: neither the set-up nor its post removes what is not theirs.
      expect((await job.post()).code).toBe(0);
      expect(await docker(['container', 'inspect', '--format', '{{.Id}}', holder])).toBe(squatter);
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await docker(['rm', '--force', holder]);
    }
  });

  it("refuses a volume it did not make, before anything starts, and leaves it as it was", async () => {
    const foreign = `${volume}-foreign`;
    await docker(['volume', 'create', foreign]);
    try {
      const job = newJob();
      const main = await job.main({ 'cache-volume': foreign });
      expect(main.code).toBe(1);
      expect(main.errors.join('\n')).toContain(`Input "cache-volume": volume ${foreign} exists and was not made by setup-dind`);
      expect(main.savedState).toEqual({});
      expect(await docker(['ps', '--all', '--quiet', '--filter', `volume=${foreign}`])).toBe('');
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await docker(['volume', 'rm', foreign]);
    }
  });

  it('takes over from a stopped daemon that never reached its teardown', async () => {
    const crashed = newJob();
    expect((await crashed.main({ 'cache-volume': volume })).code).toBe(0);
    await docker(['stop', '--time', '20', holder]); // the job died; its post never runs

    const next = newJob();
    const main = await next.main({ 'cache-volume': volume, timeout: '30' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain(`Removing ${holder}, a stopped daemon that still held cache volume ${volume}`);
    expect((await next.post()).code).toBe(0);
    await endAsRunner(crashed);
    for (const job of [crashed, next]) expect(await leftovers(job)).toEqual([]);
  }, 120_000);
});
