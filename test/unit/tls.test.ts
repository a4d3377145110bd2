import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_SANS, makeTlsMaterial, writeTlsMaterial, type TlsMaterial } from '../../src/modes/dind/tls.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The entries of an X509Certificate's subjectAltName string, e.g. ['DNS:docker', 'IP Address:127.0.0.1']. */
function sansOf(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '').split(', ').filter((entry) => entry !== '');
}

/** A key's public half as SPKI DER, to compare keys with certificates. */
function spkiOfKey(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
}

function spkiOfCert(certPem: string): Buffer {
  return new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
}

/** Milliseconds since the epoch of an X509Certificate validFrom/validTo string (Node 20 has no validFromDate). */
function timeOf(text: string): number {
  const time = Date.parse(text);
  expect(Number.isNaN(time), `unparseable date ${text}`).toBe(false);
  return time;
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

let material: TlsMaterial;
beforeAll(async () => {
  material = await makeTlsMaterial();
});

describe('makeTlsMaterial: the certificate chain', () => {
  it('returns PEM certificates and PEM private keys', () => {
    for (const cert of [material.caCert, material.serverCert, material.clientCert]) {
      expect(cert).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+-----END CERTIFICATE-----\s*$/);
    }
    for (const key of [material.serverKey, material.clientKey]) {
      expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\r?\n[\s\S]+-----END PRIVATE KEY-----\s*$/);
    }
  });

  it('signs the server and client certificates with the CA', () => {
    const ca = new X509Certificate(material.caCert);
    for (const pem of [material.serverCert, material.clientCert]) {
      const cert = new X509Certificate(pem);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.issuer).toBe(ca.subject);
    }
  });

  it('makes a self-signed CA', () => {
    const ca = new X509Certificate(material.caCert);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.checkIssued(ca)).toBe(true);
  });

  it('marks only the CA as a CA', () => {
    expect(new X509Certificate(material.caCert).ca).toBe(true);
    expect(new X509Certificate(material.serverCert).ca).toBe(false);
    expect(new X509Certificate(material.clientCert).ca).toBe(false);
  });

  it('does not let the server or client certificate verify the other (neither is an issuer)', () => {
    const server = new X509Certificate(material.serverCert);
    const client = new X509Certificate(material.clientCert);
    expect(client.verify(server.publicKey)).toBe(false);
    expect(server.verify(client.publicKey)).toBe(false);
  });

  it('gives the server certificate serverAuth and the client certificate clientAuth', () => {
    expect(new X509Certificate(material.serverCert).keyUsage).toEqual([SERVER_AUTH]);
    expect(new X509Certificate(material.clientCert).keyUsage).toEqual([CLIENT_AUTH]);
  });
});

describe('makeTlsMaterial: keys', () => {
  it('makes EC P-256 keys', () => {
    for (const pem of [material.serverKey, material.clientKey]) {
      const key = createPrivateKey(pem);
      expect(key.asymmetricKeyType).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    for (const pem of [material.caCert, material.serverCert, material.clientCert]) {
      expect(new X509Certificate(pem).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
  });

  it('gives each certificate the public half of its key', () => {
    expect(spkiOfKey(material.serverKey).equals(spkiOfCert(material.serverCert))).toBe(true);
    expect(spkiOfKey(material.clientKey).equals(spkiOfCert(material.clientCert))).toBe(true);
  });

  it('uses a different key for each certificate', () => {
    const keys = [material.caCert, material.serverCert, material.clientCert].map((pem) => spkiOfCert(pem).toString('hex'));
    expect(new Set(keys).size).toBe(3);
  });
});

describe('makeTlsMaterial: subject alternative names', () => {
  it('names localhost, docker, 127.0.0.1 and ::1 by default', () => {
    expect(DEFAULT_SANS).toEqual(['localhost', '127.0.0.1', '::1', 'docker']);
    expect(sansOf(material.serverCert).sort()).toEqual(
      ['DNS:localhost', 'DNS:docker', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'].sort(),
    );
  });

  it('passes the host and address checks a client makes', () => {
    const server = new X509Certificate(material.serverCert);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('docker')).toBe('docker');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.checkIP('10.0.0.1')).toBeUndefined();
  });

  it('adds extra DNS names and IP addresses', async () => {
    const { serverCert } = await makeTlsMaterial({ sans: ['dind.internal', '10.1.2.3', 'fd00::5'] });
    const sans = sansOf(serverCert);
    expect(sans).toContain('DNS:dind.internal');
    expect(sans).toContain('IP Address:10.1.2.3');
    expect(sans).toContain('IP Address:FD00:0:0:0:0:0:0:5');
    expect(sans).toContain('DNS:localhost');
    expect(sans).toContain('IP Address:127.0.0.1');
    const server = new X509Certificate(serverCert);
    expect(server.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(server.checkHost('dind.internal')).toBe('dind.internal');
    // An IP address is not written as a DNS name.
    expect(sans).not.toContain('DNS:10.1.2.3');
  });

  it('does not repeat a default name given again', async () => {
    const { serverCert } = await makeTlsMaterial({ sans: ['docker', '127.0.0.1', '::1', 'localhost', 'extra', 'extra'] });
    const sans = sansOf(serverCert);
    expect(sans.length).toBe(new Set(sans).size);
    expect(sans.filter((entry) => entry === 'DNS:docker')).toHaveLength(1);
    expect(sans.filter((entry) => entry === 'IP Address:127.0.0.1')).toHaveLength(1);
    expect(sans.filter((entry) => entry === 'DNS:extra')).toHaveLength(1);
    expect(sans).toHaveLength(5);
  });

  it('gives the client certificate no subject alternative names', () => {
    expect(new X509Certificate(material.clientCert).subjectAltName).toBeUndefined();
  });

  // @peculiar/x509 reads the dotted part as one hex group unless it is converted first.
  it('encodes an IPv4-mapped IPv6 address as that address', async () => {
    const { serverCert } = await makeTlsMaterial({ sans: ['::ffff:10.0.0.1'] });
    expect(new X509Certificate(serverCert).checkIP('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
  });
});

describe('makeTlsMaterial: validity', () => {
  it('starts 5 minutes before `now` and lasts validHours after it', async () => {
    const now = new Date('2031-03-04T05:06:07.000Z');
    const certs = await makeTlsMaterial({ now, validHours: 3 });
    for (const pem of [certs.caCert, certs.serverCert, certs.clientCert]) {
      const cert = new X509Certificate(pem);
      expect(timeOf(cert.validFrom)).toBe(now.getTime() - 5 * MINUTE);
      expect(timeOf(cert.validTo)).toBe(now.getTime() + 3 * HOUR);
    }
  });

  it('defaults to the current time and 24 hours', () => {
    const now = Date.now();
    for (const pem of [material.caCert, material.serverCert, material.clientCert]) {
      const cert = new X509Certificate(pem);
      const from = timeOf(cert.validFrom);
      expect(from).toBeLessThanOrEqual(now);
      // At most ~5 minutes back (plus the seconds-resolution of the encoding and test run time).
      expect(from).toBeGreaterThanOrEqual(now - 5 * MINUTE - MINUTE);
      expect(Math.abs(timeOf(cert.validTo) - (now + 24 * HOUR))).toBeLessThanOrEqual(MINUTE);
    }
  });

  it('is valid now', () => {
    const now = Date.now();
    const cert = new X509Certificate(material.serverCert);
    expect(timeOf(cert.validFrom)).toBeLessThan(now);
    expect(timeOf(cert.validTo)).toBeGreaterThan(now);
  });
});

describe('makeTlsMaterial: uniqueness and speed', () => {
  it('makes a new CA on each call', async () => {
    const other = await makeTlsMaterial();
    const a = new X509Certificate(material.caCert);
    const b = new X509Certificate(other.caCert);
    expect(a.subject).not.toBe(b.subject);
    expect(a.fingerprint256).not.toBe(b.fingerprint256);
    // One job's CA vouches for nothing of another's.
    expect(new X509Certificate(other.serverCert).verify(a.publicKey)).toBe(false);
    expect(new X509Certificate(material.clientCert).verify(b.publicKey)).toBe(false);
  });

  it('gives every certificate a distinct serial number', async () => {
    const other = await makeTlsMaterial();
    const serials = [material, other].flatMap((m) => [m.caCert, m.serverCert, m.clientCert].map((pem) => new X509Certificate(pem).serialNumber));
    expect(new Set(serials).size).toBe(6);
    for (const serial of serials) expect(serial).toMatch(/^[0-9A-F]{32}$/i);
  });

  it('takes well under a second', async () => {
    const started = performance.now();
    await makeTlsMaterial({ sans: ['dind.internal'] });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('writeTlsMaterial', () => {
  const dirs: string[] = [];
  async function freshDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'setup-dind-tls-'));
    dirs.push(dir);
    return dir;
  }
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const FILES = ['ca/cert.pem', 'client/ca.pem', 'client/cert.pem', 'client/key.pem', 'server/ca.pem', 'server/cert.pem', 'server/key.pem'];

  it("writes the docker:dind image's layout and returns the server and client directories", async () => {
    const dir = await freshDir();
    const result = await writeTlsMaterial(dir, material);
    expect(result).toEqual({ serverDir: join(dir, 'server'), clientDir: join(dir, 'client') });
    expect(await filesUnder(dir)).toEqual(FILES);
    const read = (path: string) => readFile(join(dir, path), 'utf8');
    expect(await read('ca/cert.pem')).toBe(material.caCert);
    expect(await read('server/ca.pem')).toBe(material.caCert);
    expect(await read('client/ca.pem')).toBe(material.caCert);
    expect(await read('server/cert.pem')).toBe(material.serverCert);
    expect(await read('server/key.pem')).toBe(material.serverKey);
    expect(await read('client/cert.pem')).toBe(material.clientCert);
    expect(await read('client/key.pem')).toBe(material.clientKey);
  });

  it('writes no CA private key: only the server and client keys are private keys', async () => {
    const dir = await freshDir();
    await writeTlsMaterial(dir, material);
    const withKeys: string[] = [];
    for (const path of await filesUnder(dir)) {
      if ((await readFile(join(dir, path), 'utf8')).includes('PRIVATE KEY')) withKeys.push(path);
    }
    expect(withKeys.sort()).toEqual(['client/key.pem', 'server/key.pem']);
    // The keys written are the server's and the client's, not the CA's.
    const caSpki = spkiOfCert(material.caCert);
    for (const path of withKeys) {
      expect(spkiOfKey(await readFile(join(dir, path), 'utf8')).equals(caSpki)).toBe(false);
    }
  });

  it('makes keys 0600, certificates 0644 and directories 0700', async () => {
    const dir = await freshDir();
    await writeTlsMaterial(dir, material);
    const modeOf = async (path: string) => (await stat(join(dir, path))).mode & 0o777;
    for (const path of FILES) {
      expect([path, await modeOf(path)]).toEqual([path, path.endsWith('key.pem') ? 0o600 : 0o644]);
    }
    for (const sub of ['ca', 'server', 'client']) {
      expect([sub, await modeOf(sub)]).toEqual([sub, 0o700]);
    }
  });

  it('keeps those modes under a permissive umask', async () => {
    const dir = await freshDir();
    const previous = process.umask(0);
    try {
      await writeTlsMaterial(dir, material);
    } finally {
      process.umask(previous);
    }
    expect((await stat(join(dir, 'client/key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'client'))).mode & 0o777).toBe(0o700);
  });

  it('creates a directory the caller names, and its parents', async () => {
    const dir = join(await freshDir(), 'nested', 'certs');
    await writeTlsMaterial(dir, material);
    expect(await filesUnder(dir)).toEqual(FILES);
  });

  it('refuses to overwrite: writing twice into one directory fails and leaves the first files', async () => {
    const dir = await freshDir();
    await writeTlsMaterial(dir, material);
    const other = await makeTlsMaterial();
    await expect(writeTlsMaterial(dir, other)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(join(dir, 'client/key.pem'), 'utf8')).toBe(material.clientKey);
    expect(await readFile(join(dir, 'ca/cert.pem'), 'utf8')).toBe(material.caCert);
  });
});
