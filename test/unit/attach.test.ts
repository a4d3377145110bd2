import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachHint, resolveAttachTarget, type AttachTarget } from '../../src/modes/attach.js';
import { InputError } from '../../src/engine/errors.js';
import { ProbeFailure, parseDockerHost } from '../../src/docker/probe.js';

const CERT_FILES = ['ca.pem', 'cert.pem', 'key.pem'];

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temp directory holding the given certificate files (contents do not matter to resolveAttachTarget). */
async function certDir(files: readonly string[] = CERT_FILES): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'setup-dind-attach-'));
  dirs.push(dir);
  for (const file of files) await writeFile(join(dir, file), `${file}\n`);
  return dir;
}

/** A DOCKER_TLS_CERTDIR as the docker:dind image lays it out: certificates in <dir>/client. */
async function tlsCertDir(): Promise<string> {
  const dir = await certDir([]);
  await mkdir(join(dir, 'client'));
  for (const file of CERT_FILES) await writeFile(join(dir, 'client', file), `${file}\n`);
  return dir;
}

type Given = { dockerHost?: string; certPath?: string };
function resolve(given: Given, env: NodeJS.ProcessEnv = {}): AttachTarget {
  return resolveAttachTarget({ dockerHost: given.dockerHost, certPath: given.certPath }, env);
}

function inputErrorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

describe('resolveAttachTarget: the endpoint', () => {
  it('uses input docker-host over DOCKER_HOST', () => {
    expect(resolve({ dockerHost: 'tcp://input:2375' }, { DOCKER_HOST: 'tcp://env:2375' })).toEqual({
      dockerHost: 'tcp://input:2375',
      source: 'input docker-host',
      certPath: undefined,
    });
  });

  it('uses DOCKER_HOST over the defaults, even when certificates are found', async () => {
    const certs = await certDir();
    expect(resolve({}, { DOCKER_HOST: 'tcp://env:1234', DOCKER_CERT_PATH: certs })).toEqual({
      dockerHost: 'tcp://env:1234',
      source: 'DOCKER_HOST',
      certPath: certs,
    });
  });

  it('ignores an empty DOCKER_HOST', () => {
    expect(resolve({}, { DOCKER_HOST: '' })).toMatchObject({ dockerHost: 'tcp://docker:2375', source: 'default' });
  });

  it('defaults to tcp://docker:2375 without environment and certificates', () => {
    expect(resolve({}, {})).toEqual({ dockerHost: 'tcp://docker:2375', source: 'default', certPath: undefined });
  });

  it('defaults to tcp://docker:2376 with the certificates in DOCKER_CERT_PATH', async () => {
    const certs = await certDir();
    expect(resolve({}, { DOCKER_CERT_PATH: certs })).toEqual({ dockerHost: 'tcp://docker:2376', source: 'default', certPath: certs });
  });

  it('defaults to tcp://docker:2376 with the certificates in $DOCKER_TLS_CERTDIR/client', async () => {
    const certdir = await tlsCertDir();
    expect(resolve({}, { DOCKER_TLS_CERTDIR: certdir })).toEqual({
      dockerHost: 'tcp://docker:2376',
      source: 'default',
      certPath: join(certdir, 'client'),
    });
  });

  it('defaults to tcp://docker:2376 with the certificates in input cert-path', async () => {
    const certs = await certDir();
    expect(resolve({ certPath: certs }, {})).toEqual({ dockerHost: 'tcp://docker:2376', source: 'default', certPath: certs });
  });
});

describe('resolveAttachTarget: the certificates', () => {
  it('prefers input cert-path, then DOCKER_CERT_PATH, then $DOCKER_TLS_CERTDIR/client', async () => {
    const [input, env, certdir] = [await certDir(), await certDir(), await tlsCertDir()];
    const all = { DOCKER_CERT_PATH: env, DOCKER_TLS_CERTDIR: certdir };
    expect(resolve({ certPath: input }, all).certPath).toBe(input);
    expect(resolve({}, all).certPath).toBe(env);
    expect(resolve({}, { DOCKER_TLS_CERTDIR: certdir }).certPath).toBe(join(certdir, 'client'));
  });

  it('uses certificates for a tcp docker-host input', async () => {
    const certs = await certDir();
    expect(resolve({ dockerHost: 'tcp://dind:2376' }, { DOCKER_CERT_PATH: certs }).certPath).toBe(certs);
  });

  it('uses no certificates for a unix:// endpoint, even when some exist', async () => {
    const certs = await certDir();
    const certdir = await tlsCertDir();
    const env = { DOCKER_CERT_PATH: certs, DOCKER_TLS_CERTDIR: certdir };
    expect(resolve({ dockerHost: 'unix:///var/run/docker.sock' }, env)).toEqual({
      dockerHost: 'unix:///var/run/docker.sock',
      source: 'input docker-host',
      certPath: undefined,
    });
    expect(resolve({}, { ...env, DOCKER_HOST: 'unix:///run/docker.sock' })).toMatchObject({ source: 'DOCKER_HOST', certPath: undefined });
  });

  it('rejects input cert-path with a unix:// endpoint rather than ignoring it', async () => {
    const certs = await certDir();
    const error = inputErrorOf(() => resolve({ dockerHost: 'unix:///var/run/docker.sock', certPath: certs }, {}));
    expect(error.input).toBe('cert-path');
    expect(error.message).toMatch(/only applies to a tcp:\/\/ endpoint/);
  });

  it('rejects input cert-path without key.pem, naming the input and the missing file', async () => {
    const partial = await certDir(['ca.pem', 'cert.pem']);
    const error = inputErrorOf(() => resolve({ certPath: partial }, {}));
    expect(error.input).toBe('cert-path');
    expect(error.message).toContain('Input "cert-path"');
    expect(error.message).toContain(`${partial} lacks key.pem.`);
    expect(error.message).toContain('Accepted:');
  });

  it('rejects input cert-path naming a missing directory, listing every file', async () => {
    const missing = join(await certDir([]), 'nope');
    const error = inputErrorOf(() => resolve({ certPath: missing }, {}));
    expect(error.input).toBe('cert-path');
    expect(error.message).toContain('lacks ca.pem, cert.pem, key.pem');
  });

  it('rejects an incomplete input cert-path even when the environment has certificates', async () => {
    const [partial, env] = [await certDir(['ca.pem']), await certDir()];
    const error = inputErrorOf(() => resolve({ certPath: partial }, { DOCKER_CERT_PATH: env }));
    expect(error.message).toContain('lacks cert.pem, key.pem');
  });

  it('ignores DOCKER_CERT_PATH naming an empty directory', async () => {
    const empty = await certDir([]);
    expect(resolve({}, { DOCKER_CERT_PATH: empty })).toEqual({ dockerHost: 'tcp://docker:2375', source: 'default', certPath: undefined });
  });

  it('ignores an incomplete DOCKER_CERT_PATH in favour of $DOCKER_TLS_CERTDIR/client', async () => {
    const [partial, certdir] = [await certDir(['ca.pem', 'cert.pem']), await tlsCertDir()];
    expect(resolve({}, { DOCKER_CERT_PATH: partial, DOCKER_TLS_CERTDIR: certdir }).certPath).toBe(join(certdir, 'client'));
  });

  it('ignores empty DOCKER_CERT_PATH and DOCKER_TLS_CERTDIR', () => {
    expect(resolve({}, { DOCKER_CERT_PATH: '', DOCKER_TLS_CERTDIR: '' })).toEqual({
      dockerHost: 'tcp://docker:2375',
      source: 'default',
      certPath: undefined,
    });
  });

  it('ignores a DOCKER_TLS_CERTDIR whose client directory lacks certificates', async () => {
    const certdir = await certDir(CERT_FILES); // certificates at the top, none in client/
    expect(resolve({}, { DOCKER_TLS_CERTDIR: certdir }).certPath).toBeUndefined();
  });
});

describe('attachHint', () => {
  function hint(reason: ProbeFailure['reason'] | undefined, dockerHost: string, certPath?: string): string {
    const target: AttachTarget = { dockerHost, source: 'default', certPath };
    const failure = reason === undefined ? undefined : new ProbeFailure(reason, `${reason} at ${dockerHost}`);
    return attachHint(failure, target, parseDockerHost(dockerHost));
  }

  it('tls without certificates: asks for cert-path', () => {
    const text = hint('tls', 'tcp://docker:2376');
    expect(text).toContain('cert-path');
    expect(text).toContain('2376');
  });

  it('tls with certificates on 2375: points at 2376', () => {
    const text = hint('tls', 'tcp://docker:2375', '/certs/client');
    expect(text).toContain('2376');
    expect(text).toContain('2375');
    expect(text).toContain('/certs/client');
  });

  it('tls with certificates on 2376: suspects another CA or the host name', () => {
    const text = hint('tls', 'tcp://docker:2376', '/certs/client');
    expect(text).toContain('/certs/client');
    expect(text).toMatch(/another CA/);
    expect(text).not.toContain('give cert-path');
  });

  it('refused: nothing listens', () => {
    expect(hint('refused', 'tcp://docker:2375')).toMatch(/Nothing listens/);
  });

  it('not-found over tcp: the host name does not resolve', () => {
    const text = hint('not-found', 'tcp://docker:2375');
    expect(text).toMatch(/host name does not resolve/);
    expect(text).not.toMatch(/socket/);
  });

  it('not-found over unix: the socket does not exist', () => {
    const text = hint('not-found', 'unix:///var/run/docker.sock');
    expect(text).toMatch(/socket does not exist/);
    expect(text).not.toMatch(/resolve/);
  });

  it('permission: the socket group', () => {
    expect(hint('permission', 'unix:///var/run/docker.sock')).toMatch(/group/);
  });

  it('closed on 2376 without certificates: a TLS endpoint, asks for cert-path', () => {
    expect(hint('closed', 'tcp://docker:2376')).toContain('cert-path');
  });

  it.each([
    ['tcp://docker:2375', undefined],
    ['tcp://docker:2376', '/certs/client'],
    ['unix:///var/run/docker.sock', undefined],
  ])('closed at %s (certificates %s): the daemon may still be starting', (dockerHost, certPath) => {
    const text = hint('closed', dockerHost, certPath);
    expect(text).toMatch(/accepted and closed/);
    expect(text).not.toContain('cert-path');
  });

  it('timeout: a firewall or a wrong host', () => {
    expect(hint('timeout', 'tcp://docker:2375')).toMatch(/firewall/);
  });

  it.each([undefined, 'http', 'other'] as const)('%s: a general hint', (reason) => {
    expect(hint(reason, 'tcp://docker:2375')).toBe('Check the address, and that the daemon is running.');
  });

  it('gives a different hint for each reason', () => {
    const reasons = ['tls', 'refused', 'not-found', 'permission', 'closed', 'timeout', undefined] as const;
    const texts = reasons.map((reason) => hint(reason, 'tcp://docker:2375'));
    expect(new Set(texts).size).toBe(reasons.length);
  });
});
