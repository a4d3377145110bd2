/**
 * Short-lived certificates for one job's daemon: a CA, a server certificate
 * and a client certificate, all ECDSA P-256 (a key takes about a millisecond
 * to make; the image's own 4096-bit RSA keys take seconds). The CA's private
 * key never leaves this process: it signs the two certificates and is
 * dropped, so nothing can issue another certificate for this daemon.
 *
 * X.509 through @peculiar/x509 (a maintained library on WebCrypto), not
 * hand-written ASN.1.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';

// @peculiar/x509 types its provider with the DOM's Crypto; Node's webcrypto is that API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Names the server certificate always carries: the host's loopback and GitLab's service alias. */
export const DEFAULT_SANS = ['localhost', '127.0.0.1', '::1', 'docker'];

export interface TlsMaterial {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export interface TlsOptions {
  /** Extra DNS names or IP addresses for the server certificate. */
  sans?: readonly string[];
  /** Validity; the certificates only need to outlive the job. */
  validHours?: number;
  now?: Date;
}

export async function makeTlsMaterial(options: TlsOptions = {}): Promise<TlsMaterial> {
  const now = options.now ?? new Date();
  // A little slack backwards for clocks that disagree between host and container.
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + (options.validHours ?? 24) * 3_600_000);
  const serial = () => `01${randomBytes(15).toString('hex')}`; // positive, 128 bits of randomness
  const [caKeys, serverKeys, clientKeys] = await Promise.all([newKeys(), newKeys(), newKeys()]);

  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=setup-dind CA ${randomBytes(4).toString('hex')}`,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (subject: string, publicKey: CryptoKey, extensions: x509.Extension[]) =>
    x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false),
        ...extensions,
      ],
    });
  const sans = [...new Set([...DEFAULT_SANS, ...(options.sans ?? [])])].map((name) =>
    isIP(name) === 0 ? { type: 'dns' as const, value: name } : { type: 'ip' as const, value: hexIPv6(name) },
  );
  const server = await issue('CN=setup-dind server', serverKeys.publicKey, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(sans),
  ]);
  const client = await issue('CN=setup-dind client', clientKeys.publicKey, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ]);
  return {
    caCert: ca.toString('pem'),
    serverCert: server.toString('pem'),
    serverKey: await privateKeyPem(serverKeys.privateKey),
    clientCert: client.toString('pem'),
    clientKey: await privateKeyPem(clientKeys.privateKey),
  };
}

/**
 * IPv6 with an embedded IPv4 part (::ffff:10.0.0.1) in all-hex form
 * (::ffff:a00:1): the X.509 library misreads the dotted part.
 */
export function hexIPv6(address: string): string {
  const embedded = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (isIP(address) !== 6 || !embedded) return address;
  const [a, b, c, d] = embedded.slice(2).map(Number) as [number, number, number, number];
  return `${embedded[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/**
 * Writes the certificates in the layout of the docker:dind image
 * ($DOCKER_TLS_CERTDIR/{ca,server,client}/…), without the CA key. Returns the
 * client directory, which is what DOCKER_CERT_PATH names.
 */
export async function writeTlsMaterial(dir: string, material: TlsMaterial): Promise<{ serverDir: string; clientDir: string }> {
  const files: [string, string, number][] = [
    ['ca/cert.pem', material.caCert, 0o644],
    ['server/ca.pem', material.caCert, 0o644],
    ['server/cert.pem', material.serverCert, 0o644],
    ['server/key.pem', material.serverKey, 0o600],
    ['client/ca.pem', material.caCert, 0o644],
    ['client/cert.pem', material.clientCert, 0o644],
    ['client/key.pem', material.clientKey, 0o600],
  ];
  for (const sub of ['ca', 'server', 'client']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
  for (const [path, text, mode] of files) {
    await writeFile(join(dir, path), text, { mode, flag: 'wx' });
    await chmod(join(dir, path), mode); // the umask may have taken bits writeFile asked for
  }
  return { serverDir: join(dir, 'server'), clientDir: join(dir, 'client') };
}
