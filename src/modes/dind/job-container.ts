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
import type { OwnContainer } from '../../docker/own-container.js';
import { translateHostPath } from '../../dood/paths.js';
import { SetupDindError } from '../../engine/errors.js';

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
