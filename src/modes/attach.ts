/**
 * Attach: the daemon belongs to someone else (a GitLab `services:
 * docker:dind`, a Kubernetes sidecar, a remote host). Wait until it truly
 * answers, with the same probe and deadline as DinD, then point the job at
 * it. Nothing is created, so teardown has nothing to do.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDockerHost, type Endpoint, type ProbeFailure } from '../docker/probe.js';
import type { EngineContext } from '../engine/context.js';
import { InputError, SetupDindError } from '../engine/errors.js';
import type { Identity } from '../engine/identity.js';
import type { ModeRun, Started } from '../engine/mode.js';
import type { Options } from '../inputs/inputs.js';
import { dockerEnvOf, startingPlan } from '../teardown/plan.js';

const CERT_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

export interface AttachTarget {
  dockerHost: string;
  /** Where dockerHost came from, for messages. */
  source: 'input docker-host' | 'DOCKER_HOST' | 'default';
  /** The client certificate directory, when the endpoint is TCP and certificates were found. */
  certPath: string | undefined;
}

function hasCerts(dir: string | undefined): dir is string {
  return dir !== undefined && dir !== '' && CERT_FILES.every((file) => existsSync(join(dir, file)));
}

/**
 * The endpoint and certificates to use: the inputs, else the environment the
 * platform set (DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_TLS_CERTDIR), else
 * GitLab's conventions for a `docker` service.
 */
export function resolveAttachTarget(options: Pick<Options, 'dockerHost' | 'certPath'>, env: NodeJS.ProcessEnv): AttachTarget {
  if (options.certPath !== undefined && !hasCerts(options.certPath)) {
    const missing = CERT_FILES.filter((file) => !existsSync(join(options.certPath!, file)));
    throw new InputError('cert-path', `${options.certPath} lacks ${missing.join(', ')}`, 'a directory with ca.pem, cert.pem and key.pem');
  }
  const found = [options.certPath, env.DOCKER_CERT_PATH, env.DOCKER_TLS_CERTDIR ? join(env.DOCKER_TLS_CERTDIR, 'client') : undefined].find(hasCerts);
  const [dockerHost, source]: [string, AttachTarget['source']] = options.dockerHost
    ? [options.dockerHost, 'input docker-host']
    : env.DOCKER_HOST
      ? [env.DOCKER_HOST, 'DOCKER_HOST']
      : [found ? 'tcp://docker:2376' : 'tcp://docker:2375', 'default'];
  if (options.certPath !== undefined && !dockerHost.startsWith('tcp://')) {
    throw new InputError('cert-path', `only applies to a tcp:// endpoint, and the endpoint is ${dockerHost}`, 'no value for a unix:// endpoint');
  }
  return { dockerHost, source, certPath: dockerHost.startsWith('tcp://') ? found : undefined };
}

/**
 * Where client certificates would be, when the environment says the daemon
 * speaks TLS (DOCKER_TLS_VERIFY, DOCKER_TLS_CERTDIR) but they are not there
 * yet: a daemon that makes its own certificates writes them when it starts,
 * possibly after the job did.
 */
export function expectedCertDirs(options: Pick<Options, 'dockerHost' | 'certPath'>, env: NodeJS.ProcessEnv): string[] {
  const tlsExpected = ((env.DOCKER_TLS_VERIFY ?? '') !== '' && env.DOCKER_TLS_VERIFY !== '0') || (env.DOCKER_TLS_CERTDIR ?? '') !== '';
  const host = options.dockerHost ?? env.DOCKER_HOST ?? 'tcp://';
  if (!tlsExpected || !host.startsWith('tcp://')) return [];
  return [env.DOCKER_CERT_PATH, env.DOCKER_TLS_CERTDIR ? join(env.DOCKER_TLS_CERTDIR, 'client') : undefined].filter((dir): dir is string => !!dir);
}

async function waitForCerts(dirs: string[], deadline: number, context: EngineContext): Promise<void> {
  if (dirs.length === 0 || dirs.some(hasCerts)) return;
  context.logger.info(`Waiting for the daemon's client certificates in ${dirs.join(' or ')}`);
  while (!dirs.some(hasCerts)) {
    if (context.clock.now() > deadline || context.signal?.aborted) {
      throw new SetupDindError(`The environment asks for TLS, but no client certificates (ca.pem, cert.pem, key.pem) appeared in ${dirs.join(' or ')}.`, {
        hint: 'Share the daemon\'s client certificates with the job (GitLab Runner: volumes = ["/certs/client"]; Kubernetes: an emptyDir mounted in both containers), or turn TLS off on both sides.',
      });
    }
    await context.clock.sleep(100).catch(() => {});
  }
}

export function attachMode(options: Options, identity: Identity, context: EngineContext): ModeRun {
  const deadline = context.clock.now() + options.timeoutSeconds * 1000;
  let target: AttachTarget | undefined;
  let parsed: ReturnType<typeof parseDockerHost> | undefined;

  return {
    async check() {
      if (options.certPath === undefined) await waitForCerts(expectedCertDirs(options, context.env), deadline, context);
      target = resolveAttachTarget(options, context.env);
      try {
        parsed = parseDockerHost(target.dockerHost);
      } catch {
        throw new SetupDindError(`${target.source} is ${JSON.stringify(target.dockerHost)}, which mode attach cannot use.`, {
          hint: 'Give docker-host as tcp://HOST:PORT or unix:///PATH.',
        });
      }
    },

    // Nothing will be created; the plan says so, for the teardown step.
    plan: () => startingPlan('attach', identity.instance, dockerEnvOf(context.env)),

    async start(): Promise<Started> {
      const found = target!;
      const endpoint: Endpoint = { dockerHost: found.dockerHost };
      if (found.certPath) {
        const [ca, cert, key] = await Promise.all(CERT_FILES.map((file) => readFile(join(found.certPath!, file))));
        endpoint.tls = { ca: ca!, cert: cert!, key: key! };
      }
      const how = found.certPath ? `TLS, client certificates from ${found.certPath}` : parsed!.kind === 'unix' ? 'unix socket' : 'plain TCP';
      context.logger.info(`Waiting for the Docker daemon at ${found.dockerHost} (${found.source}; ${how}), up to ${options.timeoutSeconds} s`);
      const env: Record<string, string> = { DOCKER_HOST: found.dockerHost };
      if (found.certPath) Object.assign(env, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: found.certPath });
      return {
        endpoint,
        env,
        ...(found.certPath === undefined ? {} : { certPath: found.certPath }),
        notReady: (error) =>
          new SetupDindError(
            `No Docker daemon answered at ${found.dockerHost} (${found.source}) within input "timeout" (${options.timeoutSeconds} s): ${error.lastFailure?.message ?? 'no attempt finished'}.`,
            { hint: attachHint(error.lastFailure, found, parsed!) },
          ),
        describe: { transport: how, warnings: [] },
      };
    },
  };
}

/** What to check, from what the last attempt saw. */
export function attachHint(failure: ProbeFailure | undefined, target: AttachTarget, parsed: ReturnType<typeof parseDockerHost>): string {
  const port = parsed.kind === 'tcp' ? parsed.port : undefined;
  switch (failure?.reason) {
    case 'tls':
      if (!target.certPath) {
        return 'The daemon speaks TLS: give cert-path (or DOCKER_CERT_PATH) with ca.pem, cert.pem and key.pem; TLS endpoints usually listen on 2376.';
      }
      if (port === 2375) {
        return `TLS is on (client certificates in ${target.certPath}) but 2375 is Docker's plain-TCP port: use port 2376, or run the daemon without TLS and without shared certificates.`;
      }
      return `The TLS handshake failed: the certificates in ${target.certPath} may come from another CA than the daemon's, or the host name is not in its certificate.`;
    case 'refused':
      return 'Nothing listens there (yet): is the daemon service or sidecar running, on this host and port? GitLab: `services: [docker:dind]` with alias `docker`.';
    case 'not-found':
      return parsed.kind === 'unix'
        ? 'The socket does not exist: is it mounted into the job, at this path?'
        : 'The host name does not resolve: check the service alias (GitLab: `alias: docker`) or the sidecar\'s name.';
    case 'permission':
      return 'This user may not open the socket: add the user to the group that owns it, or run the job as that user.';
    case 'closed':
      return port === 2376 && !target.certPath
        ? 'The connection was closed: a TLS endpoint closes plain HTTP requests; give cert-path.'
        : 'The connection was accepted and closed: the daemon may still be starting, or a proxy in between has no backend.';
    case 'timeout':
      return 'No answer at all: a firewall or network policy may drop the traffic, or the host is wrong.';
    default:
      return 'Check the address, and that the daemon is running.';
  }
}
