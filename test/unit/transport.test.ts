import { afterEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetupDindError } from '../../src/engine/errors.js';
import { options } from '../support/options.js';
import { CONTAINER_CERT_DIR, CONTAINER_SOCKET_DIR, prepareTransport, publishSpec, socketDirOf, tcpHost } from '../../src/modes/dind/transport.js';


const dirs: string[] = [];
async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'setup-dind-transport-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The subjectAltName entries of the server certificate prepareTransport wrote into `dir`. */
async function serverSans(dir: string): Promise<string[]> {
  const cert = new X509Certificate(await readFile(join(dir, 'server', 'cert.pem')));
  return (cert.subjectAltName ?? '').split(', ');
}

describe('prepareTransport: plain tcp', () => {
  it('runs dockerd on 2375 without TLS, and its own socket inside', async () => {
    const plan = await prepareTransport(options(), '/nonexistent');
    expect(plan.daemon).toEqual({
      command: ['dockerd', '--host=unix:///var/run/docker.sock', '--host=tcp://0.0.0.0:2375', '--tls=false'],
      env: { DOCKER_TLS_CERTDIR: '' },
      mounts: [],
      containerPort: 2375,
    });
    expect(plan.certPath).toBeUndefined();
  });

  it('touches no files', async () => {
    const dir = await workDir();
    await prepareTransport(options(), dir);
    expect(await readdir(dir)).toEqual([]);
  });

  it('connects to the bind address and exports DOCKER_HOST only', async () => {
    const plan = await prepareTransport(options(), '/nonexistent');
    const endpoint = plan.endpoint(1234);
    expect(endpoint).toEqual({ dockerHost: 'tcp://127.0.0.1:1234' });
    expect(endpoint.tls).toBeUndefined();
    expect(plan.clientEnv(endpoint)).toEqual({ DOCKER_HOST: 'tcp://127.0.0.1:1234' });
  });

  it.each([
    ['::1', 'tcp://[::1]:1234'],
    ['0.0.0.0', 'tcp://127.0.0.1:1234'],
    ['::', 'tcp://[::1]:1234'],
    ['10.1.2.3', 'tcp://10.1.2.3:1234'],
  ])('with bind address %s connects to %s', async (bindAddress, dockerHost) => {
    const plan = await prepareTransport(options({ bindAddress }), '/nonexistent');
    expect(plan.endpoint(1234).dockerHost).toBe(dockerHost);
  });
});

describe('prepareTransport: tcp with TLS', () => {
  it('runs dockerd on 2376 with --tlsverify and the mounted server certificates', async () => {
    const dir = await workDir();
    const plan = await prepareTransport(options({ tls: true }), dir);
    expect(plan.daemon.command).toEqual([
      'dockerd',
      '--host=unix:///var/run/docker.sock',
      '--host=tcp://0.0.0.0:2376',
      '--tlsverify',
      '--tlscacert=/certs/server/ca.pem',
      '--tlscert=/certs/server/cert.pem',
      '--tlskey=/certs/server/key.pem',
    ]);
    expect(plan.daemon.command).not.toContain('--tls=false');
    expect(plan.daemon.containerPort).toBe(2376);
    expect(plan.daemon.env).toEqual({ DOCKER_TLS_CERTDIR: '/certs' });
    expect(CONTAINER_CERT_DIR).toBe('/certs');
  });

  it('mounts the CA certificate and server directories read-only, and never the client directory', async () => {
    const dir = await workDir();
    const plan = await prepareTransport(options({ tls: true }), dir);
    expect(plan.daemon.mounts).toEqual([
      `type=bind,src=${join(dir, 'ca')},dst=/certs/ca,readonly`,
      `type=bind,src=${join(dir, 'server')},dst=/certs/server,readonly`,
    ]);
    for (const mount of plan.daemon.mounts) expect(mount).not.toContain('client');
  });

  it('writes the certificates into the work directory and points the client at <dir>/client', async () => {
    const dir = await workDir();
    const plan = await prepareTransport(options({ tls: true }), dir);
    expect((await readdir(dir)).sort()).toEqual(['ca', 'client', 'server']);
    expect(plan.certPath).toBe(join(dir, 'client'));
    expect((await readdir(join(dir, 'client'))).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
  });

  it('exports DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    const dir = await workDir();
    const plan = await prepareTransport(options({ tls: true }), dir);
    const endpoint = plan.endpoint(2376);
    expect(endpoint.dockerHost).toBe('tcp://127.0.0.1:2376');
    expect(plan.clientEnv(endpoint)).toEqual({
      DOCKER_HOST: 'tcp://127.0.0.1:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: join(dir, 'client'),
    });
  });

  it('gives the endpoint the client certificate and key written to disk', async () => {
    const dir = await workDir();
    const plan = await prepareTransport(options({ tls: true }), dir);
    const tls = plan.endpoint(40000).tls;
    expect(tls).toBeDefined();
    const client = (file: string) => readFile(join(dir, 'client', file), 'utf8');
    expect(tls?.ca).toBe(await client('ca.pem'));
    expect(tls?.cert).toBe(await client('cert.pem'));
    expect(tls?.key).toBe(await client('key.pem'));
    // The server the endpoint trusts is the one the daemon is given.
    const ca = new X509Certificate(await client('ca.pem'));
    expect(new X509Certificate(await readFile(join(dir, 'server', 'cert.pem'))).verify(ca.publicKey)).toBe(true);
  });

  it('names only the defaults in the server certificate for a loopback or wildcard bind address', async () => {
    for (const bindAddress of ['127.0.0.1', '::1', '0.0.0.0', '::']) {
      const dir = await workDir();
      await prepareTransport(options({ tls: true, bindAddress }), dir);
      expect([bindAddress, (await serverSans(dir)).sort()]).toEqual([
        bindAddress,
        ['DNS:docker', 'DNS:localhost', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:127.0.0.1'],
      ]);
    }
  });

  it('adds a non-loopback bind address to the server certificate', async () => {
    const dir = await workDir();
    const plan = await prepareTransport(options({ tls: true, bindAddress: '10.1.2.3' }), dir);
    expect(await serverSans(dir)).toContain('IP Address:10.1.2.3');
    expect(plan.endpoint(2376).dockerHost).toBe('tcp://10.1.2.3:2376');
  });

  it('adds tls-san names to the server certificate', async () => {
    const dir = await workDir();
    await prepareTransport(options({ tls: true, tlsSans: ['dind.internal', '192.0.2.7'] }), dir);
    const sans = await serverSans(dir);
    expect(sans).toContain('DNS:dind.internal');
    expect(sans).toContain('IP Address:192.0.2.7');
    expect(sans).toContain('DNS:docker');
  });

  it('makes a new CA for each job', async () => {
    const [a, b] = [await workDir(), await workDir()];
    await prepareTransport(options({ tls: true }), a);
    await prepareTransport(options({ tls: true }), b);
    const ca = async (dir: string) => new X509Certificate(await readFile(join(dir, 'ca', 'cert.pem'))).fingerprint256;
    expect(await ca(a)).not.toBe(await ca(b));
  });
});

describe('prepareTransport: unix', () => {
  const gid = process.getgid?.() ?? 0;

  it('runs dockerd on a socket in the mounted per-job directory, for this group, without TCP', async () => {
    const dir = '/tmp/setup-dind-work';
    const plan = await prepareTransport(options({ transport: 'unix' }), dir);
    expect(plan.daemon.containerPort).toBeUndefined();
    expect(plan.daemon.command).toEqual([
      'dockerd',
      '--host=unix:///var/run/docker.sock',
      '--host=unix:///run/setup-dind/docker.sock',
      `--group=${gid}`,
    ]);
    expect(plan.daemon.command.some((arg) => arg.includes('tcp://'))).toBe(false);
    expect(plan.daemon.mounts).toEqual([`type=bind,src=${dir}/socket,dst=/run/setup-dind`]);
    expect(plan.daemon.env).toEqual({ DOCKER_TLS_CERTDIR: '' });
    expect(CONTAINER_SOCKET_DIR).toBe('/run/setup-dind');
    expect(plan.certPath).toBeUndefined();
  });

  it('points DOCKER_HOST at the socket on the host', async () => {
    const dir = '/tmp/setup-dind-work';
    const plan = await prepareTransport(options({ transport: 'unix' }), dir);
    const endpoint = plan.endpoint(0);
    expect(endpoint).toEqual({ dockerHost: `unix://${dir}/socket/docker.sock` });
    expect(plan.clientEnv(endpoint)).toEqual({ DOCKER_HOST: `unix://${dir}/socket/docker.sock` });
    expect(socketDirOf(dir)).toBe(`${dir}/socket`);
  });

  it('touches no files (the caller creates the socket directory)', async () => {
    const dir = await workDir();
    await prepareTransport(options({ transport: 'unix' }), dir);
    expect(await readdir(dir)).toEqual([]);
  });

  // '/socket/docker.sock' is 19 bytes.
  const SUFFIX = '/socket/docker.sock'.length;

  it('accepts a socket path of exactly 107 bytes', async () => {
    const dir = `/${'a'.repeat(107 - SUFFIX - 1)}`;
    const plan = await prepareTransport(options({ transport: 'unix' }), dir);
    expect(Buffer.byteLength(plan.endpoint(0).dockerHost.slice('unix://'.length))).toBe(107);
  });

  it('rejects a socket path of 108 bytes, naming the path and the limit', async () => {
    const dir = `/${'a'.repeat(108 - SUFFIX - 1)}`;
    const error = await prepareTransport(options({ transport: 'unix' }), dir).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SetupDindError);
    const { message, hint } = error as SetupDindError;
    expect(message).toContain('107 bytes');
    expect(message).toContain(`${dir}/socket/docker.sock`);
    expect(hint).toMatch(/shorter|transport tcp/);
  });

  it('counts bytes, not characters', async () => {
    // 60 two-byte characters: 80 characters in all, 140 bytes.
    const dir = `/${'é'.repeat(60)}`;
    expect(`${dir}/socket/docker.sock`.length).toBeLessThanOrEqual(107);
    await expect(prepareTransport(options({ transport: 'unix' }), dir)).rejects.toThrow(/107 bytes/);
  });

  it('ignores tls and bind address (readOptions rejects them with unix)', async () => {
    const dir = '/tmp/setup-dind-work';
    const plan = await prepareTransport(options({ transport: 'unix', tls: true, bindAddress: '10.1.2.3' }), dir);
    expect(plan.daemon.containerPort).toBeUndefined();
    expect(plan.endpoint(0).dockerHost).toBe(`unix://${dir}/socket/docker.sock`);
  });
});

/** The fields of a `--mount` value as the docker CLI reads it (Go's encoding/csv: commas, and double quotes around a field). */
function mountFields(spec: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < spec.length; i += 1) {
    const char = spec[i]!;
    if (quoted) {
      if (char === '"' && spec[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

describe('mount specifications', () => {
  it('read back as type, src and dst for an ordinary path', async () => {
    const plan = await prepareTransport(options({ transport: 'unix' }), '/tmp/setup-dind-work');
    expect(plan.daemon.mounts.map(mountFields)).toEqual([['type=bind', 'src=/tmp/setup-dind-work/socket', 'dst=/run/setup-dind']]);
  });

  // The docker CLI reads --mount as CSV: a comma in the path needs a quoted field.
  it('keep a work directory with a comma in one src field', async () => {
    const dir = '/tmp/run,1';
    const plan = await prepareTransport(options({ transport: 'unix' }), dir);
    expect(plan.daemon.mounts.map(mountFields)).toEqual([['type=bind', `src=${dir}/socket`, 'dst=/run/setup-dind']]);
  });
});

describe('tcpHost', () => {
  it.each([
    ['127.0.0.1', 5, 'tcp://127.0.0.1:5'],
    ['0.0.0.0', 2375, 'tcp://127.0.0.1:2375'],
    ['::', 2376, 'tcp://[::1]:2376'],
    ['::1', 40000, 'tcp://[::1]:40000'],
    ['10.1.2.3', 65535, 'tcp://10.1.2.3:65535'],
    ['fd00::5', 1, 'tcp://[fd00::5]:1'],
  ])('(%j, %j) -> %j', (bindAddress, port, expected) => {
    expect(tcpHost(bindAddress, port)).toBe(expected);
  });
});

describe('publishSpec', () => {
  it.each([
    ['127.0.0.1', 5, 2375, '127.0.0.1:5:2375'],
    ['127.0.0.1', 0, 2375, '127.0.0.1::2375'],
    ['0.0.0.0', 5000, 2376, '0.0.0.0:5000:2376'],
    ['::1', 0, 2376, '[::1]::2376'],
    ['::', 2375, 2375, '[::]:2375:2375'],
  ])('(%j, %j, %j) -> %j', (bindAddress, hostPort, containerPort, expected) => {
    expect(publishSpec(bindAddress, hostPort, containerPort)).toBe(expected);
  });
});
