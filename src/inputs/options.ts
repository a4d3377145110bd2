/**
 * What the inputs become: the parsed, checked Options the engine and the
 * modes run on. Types only (and their value lists), so that every feature
 * may import them without importing the input registry.
 */
import type { DoodPolicy } from '../dood/policy.js';

export const MODES = ['dind', 'dood', 'attach'] as const;
export type Mode = (typeof MODES)[number];

export const PULL_POLICIES = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export const TRANSPORTS = ['tcp', 'unix'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** `auto` follows the host's default-route interface, `off` leaves dockerd's default, a number forces it. */
export type Mtu = 'auto' | 'off' | number;

export interface Options {
  mode: Mode;
  image: string;
  /** Host port for the daemon's API; 0 lets Docker pick a free one. */
  port: number;
  /** Seconds until the daemon must answer. */
  timeoutSeconds: number;
  pull: PullPolicy;
  /** Extra dockerd arguments, already split into an argument vector. */
  daemonArgs: string[];
  /** How a client reaches a DinD daemon: TCP on the host, or a unix socket in a per-job directory. */
  transport: Transport;
  /** TCP with mutual TLS, certificates made by the action. */
  tls: boolean;
  /** Extra subject alternative names for the server certificate (DNS names or IP addresses). */
  tlsSans: string[];
  /** Host address the TCP port is published on. */
  bindAddress: string;
  /** Mode attach: the daemon's endpoint, when given (else found from the environment). */
  dockerHost: string | undefined;
  /** Mode attach: directory with the client certificates (ca.pem, cert.pem, key.pem), when given. */
  certPath: string | undefined;
  /** DinD: remove leftovers of earlier runs older than this many seconds; 0 disables. */
  staleAfterSeconds: number;
  /** DooD: the host daemon's socket. */
  socket: string;
  /** DooD: what the job may ask the host daemon for. */
  doodPolicy: DoodPolicy;
  /** DinD: images copied from the host daemon into the new one before the job. */
  loadImages: string[];
  /** DinD: the inner daemon's daemon.json (daemon-config with the registry lists merged in), or undefined for none. */
  daemonConfig: Record<string, unknown> | undefined;
  /** The docker CLI to download, or undefined: use the one on PATH, download only when there is none. */
  dockerVersion: string | undefined;
  /** Base URL of the static client downloads (`<url>/<arch>/docker-<version>.tgz`). */
  dockerDownloadUrl: string;
  /** DinD: the inner daemon's network MTU. */
  mtu: Mtu;
  /** DinD: a named volume kept across jobs for the inner daemon's /var/lib/docker, or undefined. */
  cacheVolume: string | undefined;
  /** DinD: the job's workspace and the runner's temp dir, bind-mounted into the DinD container at the same paths. */
  mountWorkspace: boolean;
  /** A docker context to create for the endpoint and select for the next steps, or undefined. */
  context: string | undefined;
}
