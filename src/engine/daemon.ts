/** What a set-up gives its front end: a daemon that answers, and how to reach it. */
import type { Endpoint } from '../docker/probe.js';
import type { Mode } from '../inputs/inputs.js';

export interface Daemon {
  mode: Mode;
  endpoint: Endpoint;
  /** Variables that point a docker client at the daemon (DOCKER_HOST, TLS variables, or DOCKER_CONTEXT). */
  env: Record<string, string>;
  /** The client certificate directory (DOCKER_CERT_PATH), for TLS endpoints. */
  certPath?: string;
  /** DinD: the daemon's container (the other modes start none). */
  containerId?: string;
  containerName?: string;
  /** DinD: the image of the daemon's container. */
  image?: string;
  /** The daemon's release, from GET /version ('unknown' when it would not say). */
  serverVersion: string;
  /** From the start of the daemon (DinD: its docker run) to the first good /_ping. */
  readySeconds: number;
  /** In words, for people: plain TCP, TCP with mutual TLS, unix socket. */
  transport: string;
  /** Things the user should know, also shown in the job summary. */
  warnings: string[];
  /** DinD: images copied from the runner's daemon, and how long it took. */
  preloaded?: { images: string[]; seconds: number };
  /** DinD: the MTU given to the inner daemon's networks, when one was. */
  mtu?: number;
  /** DinD: the cache volume that holds /var/lib/docker (input `cache-volume`). */
  cacheVolume?: string;
  /** The docker context created for the daemon (input `context`), selected by `env`. */
  context?: string;
}
