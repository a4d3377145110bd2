/**
 * Mode attach: a daemon someone else runs (here: started by the test, as a
 * platform would, or by another job's setup-dind). The action waits for it,
 * sets the job up, and in post touches nothing.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker, freePort, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

/** A plain-TCP DinD daemon the way a CI platform's service would run it, not labelled as ours. */
async function platformDaemon(port: number): Promise<string> {
  return docker([
    'run', '--detach', '--privileged', '--label', 'setup-dind-test=platform',
    '--env', 'DOCKER_TLS_CERTDIR=', '--publish', `127.0.0.1:${port}:2375`,
    '--mount', 'type=volume,dst=/var/lib/docker',
    'docker:dind', '--tls=false',
  ]);
}

describe.skipIf(DOCKER_MISSING !== undefined)('mode attach', () => {
  const newJob = useJobs();

  it('waits for a daemon that is still starting, points the job at it, and post leaves it alone', async () => {
    const port = await freePort();
    const platform = await platformDaemon(port);
    try {
      // main starts right after the daemon's container: it must wait, not fail.
      const job = newJob();
      const main = await job.main({ mode: 'attach', 'docker-host': `tcp://127.0.0.1:${port}`, timeout: '60' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      expect(main.exportedEnv.DOCKER_HOST).toBe(`tcp://127.0.0.1:${port}`);
      expect(main.outputs['container-id']).toBe('');
      expect(Number(main.outputs['ready-seconds'])).toBeGreaterThan(0.2);
      expect(await docker(['version', '--format', '{{.Server.Version}}'], job.stepEnv())).toBe(main.outputs['server-version']);

      const post = await job.post();
      expect(post.code).toBe(0);
      expect(post.warnings).toEqual([]);
      expect(await docker(['inspect', '--format', '{{.State.Running}}', platform])).toBe('true');
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await docker(['rm', '-fv', platform]);
    }
  });

  it('finds the endpoint in DOCKER_HOST when docker-host is not given', async () => {
    const port = await freePort();
    const platform = await platformDaemon(port);
    try {
      const job = newJob({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      const main = await job.main({ mode: 'attach' });
      expect(main.code, main.stdout).toBe(0);
      expect(main.stdout).toMatch(/Waiting for the Docker daemon at tcp:\/\/127\.0\.0\.1:\d+ \(DOCKER_HOST; plain TCP\)/);
    } finally {
      await docker(['rm', '-fv', platform]);
    }
  });

  it('attaches over TLS with cert-path, and explains a TLS endpoint dialled without certificates', async () => {
    const owner = newJob();
    const started = await owner.main({ tls: 'true' });
    expect(started.code, started.stdout).toBe(0);
    const host = started.outputs['docker-host']!;

    const withCerts = newJob();
    const attached = await withCerts.main({ mode: 'attach', 'docker-host': host, 'cert-path': started.outputs['cert-path']! });
    expect(attached.code, attached.stdout).toBe(0);
    expect(attached.exportedEnv).toMatchObject({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: started.outputs['cert-path'] });
    expect(await docker(['info', '--format', '{{.ServerVersion}}'], withCerts.stepEnv())).toBe(started.outputs['server-version']);
    expect((await withCerts.post()).warnings).toEqual([]);

    const without = newJob();
    const refused = await without.main({ mode: 'attach', 'docker-host': host, timeout: '2' });
    expect(refused.code).toBe(1);
    const error = refused.errors.join('\n');
    expect(error).toContain(`No Docker daemon answered at ${host}`);
    expect(error).toMatch(/HTTP request to an HTTPS server/);
    expect(error).toMatch(/Hint: The daemon speaks TLS: give cert-path/);

    // The daemon attached to is still there for its owner, who removes it.
    expect(await docker(['inspect', '--format', '{{.State.Running}}', started.outputs['container-id']!])).toBe('true');
    expect((await owner.post()).warnings).toEqual([]);
    expect(await leftovers(owner)).toEqual([]);
  });

  it('waits for client certificates a TLS daemon writes after the job started (DOCKER_TLS_CERTDIR)', async () => {
    const owner = newJob();
    const started = await owner.main({ tls: 'true' });
    expect(started.code, started.stdout).toBe(0);
    const certdir = mkdtempSync(join(tmpdir(), 'setup-dind-certdir-'));
    try {
      const job = newJob({ DOCKER_TLS_CERTDIR: certdir, DOCKER_HOST: started.outputs['docker-host']! });
      // The "service" shares its certificates a second after the job starts.
      const sharing = setTimeout(() => cpSync(started.outputs['cert-path']!, join(certdir, 'client'), { recursive: true }), 1000);
      const main = await job.main({ mode: 'attach', timeout: '30' });
      clearTimeout(sharing);
      expect(main.code, main.stdout).toBe(0);
      expect(main.stdout).toMatch(/Waiting for the daemon's client certificates in .*client/);
      expect(main.exportedEnv).toMatchObject({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(certdir, 'client') });
    } finally {
      rmSync(certdir, { recursive: true, force: true });
      await owner.post();
    }
    expect(await leftovers(owner)).toEqual([]);
  });

  it('fails within the deadline with what answered when nothing listens', async () => {
    const port = await freePort();
    const job = newJob();
    const main = await job.main({ mode: 'attach', 'docker-host': `tcp://127.0.0.1:${port}`, timeout: '2' });
    expect(main.code).toBe(1);
    expect(main.seconds).toBeLessThan(10);
    const error = main.errors.join('\n');
    expect(error).toContain(`No Docker daemon answered at tcp://127.0.0.1:${port} (input docker-host) within input "timeout" (2 s): connection refused`);
    expect(error).toMatch(/Hint: Nothing listens there/);
    expect(main.exportedEnv.DOCKER_HOST).toBeUndefined();
    expect((await job.post()).warnings).toEqual([]);
  });

  it('rejects DinD-only inputs in mode attach before doing anything', async () => {
    const job = newJob();
    const main = await job.main({ mode: 'attach', image: 'docker:27-dind' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Input "image": applies to mode dind only, and mode is attach/);
  });
});
