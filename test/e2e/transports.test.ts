/**
 * The secure transports: TCP with the action's own mutual TLS, and a unix
 * socket with no TCP listener at all. Also: no default mode listens on
 * anything but loopback.
 */
import { stat } from 'node:fs/promises';
import http from 'node:http';
import tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

type Bindings = Record<string, { HostIp: string; HostPort: string }[] | null> | null;

async function publishedBindings(container: string): Promise<{ HostIp: string; HostPort: string }[]> {
  const bindings = JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Ports}}', container])) as Bindings;
  return Object.values(bindings ?? {}).flatMap((list) => list ?? []);
}

/** A TLS handshake with 127.0.0.1:port; resolves with whether the server accepted us and why not. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      // The server checks the client certificate after the handshake: ask something.
      socket.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
    });
    let data = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data.includes('200 OK') ? { ok: true } : { ok: false, error: data.split('\r\n')[0] }));
    socket.on('error', (error) => resolve({ ok: false, error: error.message }));
  });
}

function plainGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/_ping', agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe.skipIf(DOCKER_MISSING !== undefined)('transports', () => {
  const newJob = useJobs();

  it('tls: true serves mutual TLS with this job\'s certificates, refuses anyone without one, and post deletes them', async () => {
    const job = newJob();
    const main = await job.main({ tls: 'true' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const certPath = main.outputs['cert-path']!;
    expect(main.exportedEnv).toMatchObject({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath, DOCKER_HOST: main.outputs['docker-host'] });
    expect(certPath.startsWith(job.runnerTemp)).toBe(true);
    expect(main.stdout).not.toContain('PRIVATE KEY');
    expect(((await stat(join(certPath, 'key.pem'))).mode & 0o777).toString(8)).toBe('600');

    // The exported environment works with the docker CLI.
    expect(await docker(['version', '--format', '{{.Server.Version}}'], job.stepEnv())).toBe(main.outputs['server-version']);

    const port = Number(main.outputs['docker-host']!.split(':').pop());
    const [ca, cert, key] = await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((file) => readFile(join(certPath, file))));
    // The server certificate verifies for 127.0.0.1 against the job's CA.
    expect(await handshake(port, { ca, cert, key })).toEqual({ ok: true });
    // No client certificate: refused.
    expect((await handshake(port, { ca })).ok).toBe(false);
    // Plain HTTP: refused.
    const plain = await plainGet(port);
    expect(plain.status).toBe(400);
    expect(plain.body).toMatch(/HTTP request to an HTTPS server/);
    // Published on loopback only.
    expect((await publishedBindings(main.outputs['container-id']!)).map((binding) => binding.HostIp)).toEqual(['127.0.0.1']);

    const post = await job.post();
    expect(post.warnings).toEqual([]);
    await expect(stat(certPath)).rejects.toThrow(/ENOENT/);
    expect(await leftovers(job)).toEqual([]);
  });

  it('transport: unix gives a socket only this user\'s group can use, and no TCP port', async () => {
    const job = newJob();
    const main = await job.main({ transport: 'unix' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const host = main.outputs['docker-host']!;
    expect(host).toMatch(/^unix:\/\//);
    expect(main.exportedEnv.DOCKER_HOST).toBe(host);
    const socket = host.slice('unix://'.length);
    expect(socket.startsWith(job.runnerTemp)).toBe(true);

    const info = await stat(socket);
    expect(info.isSocket()).toBe(true);
    expect((info.mode & 0o777).toString(8)).toBe('660');
    expect(info.gid).toBe(process.getgid!());
    expect(((await stat(join(socket, '..'))).mode & 0o777).toString(8)).toBe('700');

    expect(await docker(['version', '--format', '{{.Server.Version}}'], job.stepEnv())).toBe(main.outputs['server-version']);
    expect(await publishedBindings(main.outputs['container-id']!)).toEqual([]);

    const post = await job.post();
    expect(post.warnings).toEqual([]);
    expect(await leftovers(job)).toEqual([]);
  });

  it('a bind-address other than loopback is allowed only with a warning in the log and the summary', async () => {
    const job = newJob();
    const main = await job.main({ 'bind-address': '0.0.0.0' });
    expect(main.code, main.stdout).toBe(0);
    expect(main.warnings.join('\n')).toMatch(/published on 0\.0\.0\.0, not on loopback/);
    expect(main.summary).toMatch(/WARNING[\s\S]*0\.0\.0\.0/);
    expect((await publishedBindings(main.outputs['container-id']!)).map((binding) => binding.HostIp)).toEqual(['0.0.0.0']);
    // Clients still connect through loopback.
    expect(main.exportedEnv.DOCKER_HOST).toMatch(/^tcp:\/\/127\.0\.0\.1:/);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('rejects contradictory inputs before starting anything', async () => {
    const job = newJob();
    const main = await job.main({ transport: 'unix', tls: 'true' });
    expect(main.code).toBe(1);
    expect(main.errors.join('\n')).toMatch(/Input "tls": cannot be combined with transport "unix"/);
    expect(main.savedState).toEqual({});
    expect(await leftovers(job)).toEqual([]);
  });
});
