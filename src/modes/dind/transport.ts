/**
 * How a DinD daemon listens and how the job reaches it. The action runs
 * `dockerd` with listeners it chooses (the image's entrypoint passes a
 * command that starts with `dockerd` through to the daemon, after its own
 * container set-up), so the daemon listens exactly where the transport says:
 *
 * - tcp, plain: 2375 inside, published on bind-address (127.0.0.1);
 * - tcp, TLS: 2376 inside with --tlsverify and this job's certificates;
 * - unix: a socket in a per-job host directory, and no TCP listener at all.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { mountField } from '../../docker/docker-cli.js';
import { SetupDindError } from '../../engine/errors.js';
import type { Options } from '../../inputs/inputs.js';
import type { Endpoint } from '../../docker/probe.js';

/** Where the certificates appear inside the container: the image's default DOCKER_TLS_CERTDIR. */
export const CONTAINER_CERT_DIR = '/certs';
/** Where the per-job socket directory appears inside the container. */
export const CONTAINER_SOCKET_DIR = '/run/setup-dind';
/** The inner daemon's own socket, in the DinD container (where its containers would mount it). */
export const INNER_SOCKET_PATH = '/var/run/docker.sock';
const INNER_SOCKET = `unix://${INNER_SOCKET_PATH}`;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

export interface DaemonSide {
  /** The container command: `dockerd` and its listener flags. */
  command: string[];
  env: Record<string, string>;
  /** `--mount` specifications. */
  mounts: string[];
  /** The port inside the container to publish, for TCP transports. */
  containerPort?: number;
  /** `--network`, when the container joins another's network namespace. */
  network?: string;
}

export interface TransportPlan {
  daemon: DaemonSide;
  /** The endpoint once the host port is known (0 for the unix transport). */
  endpoint(hostPort: number): Endpoint;
  /** Variables for the job's docker client. */
  clientEnv(endpoint: Endpoint): Record<string, string>;
  /** The client certificate directory, for TLS. */
  certPath?: string;
}

/**
 * Prepares the transport in `workDir` (a fresh per-job directory the caller
 * owns and deletes): certificates for TLS, the socket directory for unix.
 */
export async function prepareTransport(options: Options, workDir: string): Promise<TransportPlan> {
  if (options.transport === 'unix') return unixTransport(workDir);
  if (options.tls) return tlsTransport(options, workDir);
  return {
    daemon: {
      command: ['dockerd', `--host=${INNER_SOCKET}`, '--host=tcp://0.0.0.0:2375', '--tls=false'],
      env: { DOCKER_TLS_CERTDIR: '' },
      mounts: [],
      containerPort: 2375,
    },
    endpoint: (hostPort) => ({ dockerHost: tcpHost(options.bindAddress, hostPort) }),
    clientEnv: (endpoint) => ({ DOCKER_HOST: endpoint.dockerHost }),
  };
}

async function tlsTransport(options: Options, workDir: string): Promise<TransportPlan> {
  // Loaded only here: the X.509 library is most of the bundle's start-up cost.
  const { makeTlsMaterial, writeTlsMaterial } = await import('./tls.js');
  const material = await makeTlsMaterial({ sans: extraSans(options) });
  const { clientDir } = await writeTlsMaterial(workDir, material);
  const serverDir = `${CONTAINER_CERT_DIR}/server`;
  return {
    daemon: {
      command: [
        'dockerd',
        `--host=${INNER_SOCKET}`,
        '--host=tcp://0.0.0.0:2376',
        '--tlsverify',
        `--tlscacert=${serverDir}/ca.pem`,
        `--tlscert=${serverDir}/cert.pem`,
        `--tlskey=${serverDir}/key.pem`,
      ],
      // The image's layout, so its own client commands inside find the certificates too.
      env: { DOCKER_TLS_CERTDIR: CONTAINER_CERT_DIR },
      mounts: [
        `type=bind,${mountField('src', join(workDir, 'ca'))},dst=${CONTAINER_CERT_DIR}/ca,readonly`,
        `type=bind,${mountField('src', join(workDir, 'server'))},dst=${serverDir},readonly`,
      ],
      containerPort: 2376,
    },
    certPath: clientDir,
    endpoint: (hostPort) => ({
      dockerHost: tcpHost(options.bindAddress, hostPort),
      tls: { ca: material.caCert, cert: material.clientCert, key: material.clientKey },
    }),
    clientEnv: (endpoint) => ({ DOCKER_HOST: endpoint.dockerHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: clientDir }),
  };
}

function unixTransport(workDir: string): TransportPlan {
  const socketDir = join(workDir, 'socket');
  const socketPath = join(socketDir, 'docker.sock');
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new SetupDindError(`The socket path ${socketPath} is longer than the ${MAX_SOCKET_PATH} bytes a unix socket allows.`, {
      hint: 'Run with a shorter RUNNER_TEMP (or TMPDIR for the CLI), or use transport tcp.',
    });
  }
  // The socket belongs to root and this process's group (mode 0660), in a
  // directory only this user can enter: the job's user can use it, others cannot.
  const group = typeof process.getgid === 'function' ? process.getgid() : 0;
  return {
    daemon: {
      command: ['dockerd', `--host=${INNER_SOCKET}`, `--host=unix://${CONTAINER_SOCKET_DIR}/docker.sock`, `--group=${group}`],
      env: { DOCKER_TLS_CERTDIR: '' },
      mounts: [`type=bind,${mountField('src', socketDir)},dst=${CONTAINER_SOCKET_DIR}`],
    },
    endpoint: () => ({ dockerHost: `unix://${socketPath}` }),
    clientEnv: (endpoint) => ({ DOCKER_HOST: endpoint.dockerHost }),
  };
}


/**
 * The transport inside another container's network namespace (the job's own
 * container): the TCP listener on bind-address:port there and nothing
 * published, so the job reaches the API on its own loopback, as a pod reaches
 * its DinD sidecar. A unix socket is unchanged.
 */
export function inNetworkOf(plan: TransportPlan, container: string, bindAddress: string, port: number): TransportPlan {
  const { containerPort, ...daemon } = plan.daemon;
  const network = `container:${container}`;
  if (containerPort === undefined) return { ...plan, daemon: { ...daemon, network } };
  const address = isIP(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
  const listener = `--host=tcp://0.0.0.0:${containerPort}`;
  // Left as it is, the listener would serve the API on every address of the job's network.
  if (!daemon.command.includes(listener)) throw new Error(`inNetworkOf: the transport has no ${listener} to move`);
  const command = daemon.command.map((arg) => (arg === listener ? `--host=tcp://${address}:${port}` : arg));
  return { ...plan, daemon: { ...daemon, command, network }, endpoint: () => plan.endpoint(port) };
}

/** The socket directory the unix transport needs, created before the container mounts it. */
export function socketDirOf(workDir: string): string {
  return join(workDir, 'socket');
}

/** Names the server certificate needs beyond the defaults: a non-loopback bind address, and tls-san. */
function extraSans(options: Options): string[] {
  const sans = [...options.tlsSans];
  if (!['0.0.0.0', '::'].includes(options.bindAddress)) sans.push(options.bindAddress);
  return sans;
}

/** The address a client connects to for a port published on `bindAddress`. */
export function tcpHost(bindAddress: string, port: number): string {
  const connectTo = bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress === '::' ? '::1' : bindAddress;
  return isIP(connectTo) === 6 ? `tcp://[${connectTo}]:${port}` : `tcp://${connectTo}:${port}`;
}

/** The `--publish` value for a port inside the container. */
export function publishSpec(bindAddress: string, hostPort: number, containerPort: number): string {
  const address = isIP(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
  return `${address}:${hostPort === 0 ? '' : hostPort}:${containerPort}`;
}
