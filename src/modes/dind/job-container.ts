/**
 * DinD when the job itself runs in a container of the runner's daemon (a
 * GitHub container job, a GitLab docker-executor job with the socket
 * mounted). The runner's 127.0.0.1 is not the job's, and the runner's daemon
 * resolves bind sources on the host, not in the job's container. So the DinD
 * container joins the job container's network namespace, as a DinD sidecar
 * shares a pod's: the API and every port the inner daemon publishes are on
 * the job's own loopback, with no forwarder. And bind sources are translated
 * from the job container's paths to the host paths behind them.
 */
import net from 'node:net';
import { mountField, mountFields } from '../../docker/docker-cli.js';
import type { DockerClient } from '../../docker/docker.js';
import type { OwnContainer } from '../../docker/own-container.js';
import { translateHostPath } from '../../dood/paths.js';
import { SetupDindError } from '../../engine/errors.js';
import { LABELS } from '../../engine/identity.js';
import type { Options } from '../../inputs/inputs.js';
import { inNetworkOf, type TransportPlan } from './transport.js';

/** What a set-up shares with the DinD container from this machine: its `--mount` values and the paths they name. */
interface SharedMounts {
  mounts: string[];
  paths: string[];
}

/** A free TCP port on `address` in this process's network namespace (the job container's). */
export function freeLocalPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SetupDindError(`Input "bind-address": ${address} cannot be listened on in the job's container (${error.code ?? error.message}).`, {
          hint: 'The DinD API listens in the job container\'s network namespace: use an address it has, e.g. 127.0.0.1 (the default).',
        }),
      ),
    );
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `--mount` values with bind sources as the host sees them. `unseen` lists
 * the job-container paths no mount of the job's container covers: the
 * runner's daemon cannot mount those.
 */
export function hostBindMounts(mounts: readonly string[], own: OwnContainer): { mounts: string[]; unseen: string[] } {
  const out: string[] = [];
  const unseen: string[] = [];
  for (const mount of mounts) {
    const fields = mountFields(mount);
    const source = fields.find(([key]) => key === 'src' || key === 'source');
    if (!fields.some(([key, value]) => key === 'type' && value === 'bind') || source?.[1] === undefined) {
      out.push(mount);
      continue;
    }
    const host = translateHostPath(source[1], own.mounts);
    if (host === undefined) {
      unseen.push(source[1]);
      continue;
    }
    out.push(fields.map(([key, value]) => (value === undefined ? key : mountField(key, key === source[0] ? host : value))).join(','));
  }
  return { mounts: out, unseen };
}

/**
 * The DinD container in the job container's network namespace, its bind
 * sources as the host sees them. A transport file no mount covers is fatal;
 * a workspace directory is left out, with a warning.
 */
export async function intoJobContainer<S extends SharedMounts>(
  own: OwnContainer,
  joins: boolean,
  transport: TransportPlan,
  shared: S | undefined,
  options: Options,
  warn: (warning: string) => void,
): Promise<{ transport: TransportPlan; shared: S | undefined }> {
  const port = !joins || transport.daemon.containerPort === undefined ? 0 : options.port || (await freeLocalPort(options.bindAddress));
  const moved = joins ? inNetworkOf(transport, own.id, options.bindAddress, port) : transport;
  const daemonMounts = hostBindMounts(moved.daemon.mounts, own);
  if (daemonMounts.unseen.length > 0) {
    throw new SetupDindError(
      `The job runs in container ${own.id.slice(0, 12)}, and ${daemonMounts.unseen.join(', ')} is on none of its mounts: the runner's Docker daemon cannot mount it into the DinD container.`,
      { hint: 'Keep RUNNER_TEMP (TMPDIR for the setup-dind command) on a volume or bind mount of the job container, or use transport tcp without tls.' },
    );
  }
  const sharedMounts = shared && hostBindMounts(shared.mounts, own);
  if (sharedMounts && sharedMounts.unseen.length > 0) {
    warn(`${sharedMounts.unseen.join(', ')} is on none of the job container's mounts, so the DinD daemon does not see it (-v of such a path gives an empty directory).`);
  }
  return {
    transport: { ...moved, daemon: { ...moved.daemon, mounts: daemonMounts.mounts } },
    // As the runner's daemon names them in a refusal (sharedPathUnseen).
    shared: shared && sharedMounts && { ...shared, mounts: sharedMounts.mounts, paths: shared.paths.flatMap((path) => translateHostPath(path, own.mounts) ?? []) },
  };
}

/** Two inner daemons in one network namespace would flush each other's iptables chains and share one bridge. */
export async function refuseSecondInNetwork(docker: DockerClient, job: string, signal?: AbortSignal): Promise<void> {
  const listed = await docker.exec(['ps', '--quiet', '--filter', `label=${LABELS.role}=daemon`], { timeoutMs: 15_000, signal });
  const ids = listed.code === 0 ? listed.stdout.split('\n').filter(Boolean) : [];
  if (ids.length === 0) return;
  const modes = await docker.exec(['container', 'inspect', '--format', '{{.Name}} {{.HostConfig.NetworkMode}}', ...ids], { timeoutMs: 15_000, signal });
  const sharing = modes.stdout.split('\n').find((line) => line.endsWith(` container:${job}`));
  if (sharing === undefined) return;
  throw new SetupDindError(`Another DinD daemon already shares this job container's network namespace (${sharing.split(' ')[0]!.replace(/^\//, '')}): two would take over each other's iptables chains and bridge.`, {
    hint: 'Use one set-up per container job (point later steps at the first one), or remove it first.',
  });
}
