/**
 * The proxy's own socket: only this user may connect, from the first moment,
 * and a socket left by a proxy that died is replaced, never a live one or a
 * file that is not a socket.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import type http from 'node:http';
import net from 'node:net';

/** Removes a socket file nobody serves any more; refuses to touch a live socket or anything that is not a socket. */
export async function removeStaleSocket(path: string): Promise<void> {
  let info;
  try {
    info = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!info.isSocket()) throw new Error(`${path} exists and is not a socket; not replacing it.`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`Another process serves ${path}; not replacing it.`);
  unlinkSync(path);
}

/** `server` listening on the unix socket `path`, mode 0600: umask while binding, chmod after. */
export async function listenPrivately(server: http.Server, path: string): Promise<void> {
  await removeStaleSocket(path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {
      // worker threads cannot change the umask; chmod below still applies
    }
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  chmodSync(path, 0o600);
}
