/**
 * The runner's side of the DinD daemon's published ports: for each port the
 * helper (helper-script.ts) asks for, a listener on the runner's loopback
 * (127.0.0.1, and ::1 for an IPv6 publish) that relays to the same port of
 * the DinD container, where the inner daemon serves it. Opened before the
 * helper's container start goes on, so `docker run -d -p` returning means
 * the port answers; closed when the helper's docker-proxy ends. Never on a
 * non-loopback address: publishing exposes nothing new to the network.
 */
import { constants, closeSync, openSync, readdirSync, readFileSync, renameSync, rmSync, watch, writeSync, type FSWatcher } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { join } from 'node:path';

export interface ForwarderOptions {
  /** The directory shared with the DinD container (the helper's requests). */
  dir: string;
  /** The DinD container's address, as the runner reaches it. */
  target: string;
  log: (line: string) => void;
}

export interface RunningForwarder {
  /** The ports forwarded now, as `proto/port` (for tests and the log). */
  ports(): string[];
  close(): Promise<void>;
}

export interface PortRequest {
  id: string;
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

/** Parses `ID.req`'s one line: `proto host-ip host-port`. */
export function parseRequest(id: string, text: string): PortRequest | undefined {
  const [proto, hostIp = '', port = ''] = text.trim().split(/\s+/);
  const hostPort = Number(port);
  if ((proto !== 'tcp' && proto !== 'udp') || !Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) return undefined;
  return { id, proto, hostIp, hostPort };
}

/**
 * The runner's loopback address for a publish on `hostIp` inside the DinD
 * daemon, and whether the helper must relay (a publish on the DinD
 * container's own loopback is not reachable at its address); undefined: not
 * forwarded (one particular address of the DinD container).
 */
export function loopbackFor(hostIp: string): { address: string; relay: boolean } | undefined {
  if (hostIp === '' || hostIp === '0.0.0.0') return { address: '127.0.0.1', relay: false };
  if (hostIp === '::') return { address: '::1', relay: false };
  if (hostIp === '127.0.0.1') return { address: '127.0.0.1', relay: true };
  if (hostIp === '::1') return { address: '::1', relay: true };
  return undefined;
}

interface Forward {
  key: string;
  id: string;
  close(): void;
}

export function startForwarder(options: ForwarderOptions): RunningForwarder {
  const forwards = new Map<string, Forward>();
  const scan = () => {
    let names: string[];
    try {
      names = readdirSync(options.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.req')) continue;
      const id = name.slice(0, -'.req'.length);
      const request = takeRequest(options.dir, id);
      if (request !== undefined) void serve(options, forwards, id, request);
    }
  };
  const watcher: FSWatcher | undefined = (() => {
    try {
      return watch(options.dir, () => scan());
    } catch {
      return undefined;
    }
  })();
  // A watch can miss an event (and some file systems have none): a slow scan as well.
  const timer = setInterval(scan, 250);
  timer.unref();
  scan();

  return {
    ports: () => [...forwards.keys()].map((key) => key.replace(/\/[^/]+\//, '/')),
    close: async () => {
      clearInterval(timer);
      watcher?.close();
      for (const forward of forwards.values()) forward.close();
      forwards.clear();
    },
  };
}

/** Reads and removes ID.req; renamed first, so that a second scan cannot take it again. Undefined when it is gone. */
function takeRequest(dir: string, id: string): string | undefined {
  const file = join(dir, `${id}.req`);
  try {
    renameSync(file, `${file}.taken`);
    const text = readFileSync(`${file}.taken`, 'utf8');
    rmSync(`${file}.taken`, { force: true });
    return text;
  } catch {
    return undefined;
  }
}

/** Answers one request: opens the port on the runner's loopback (or says why not), and closes it when the helper's proxy ends. */
async function serve(options: ForwarderOptions, forwards: Map<string, Forward>, id: string, text: string): Promise<void> {
  const request = parseRequest(id, text);
  if (!request) return answer(options, id, `error setup-dind: a malformed port request ${JSON.stringify(text.trim())}`);
  const loopback = loopbackFor(request.hostIp);
  if (loopback === undefined) {
    options.log(`${request.proto}/${request.hostPort} on ${request.hostIp} in the DinD daemon: not forwarded (not a wildcard address)`);
    return answer(options, id, 'pass');
  }
  const { address, relay } = loopback;
  const key = `${request.proto}/${address}/${request.hostPort}`;
  // The inner daemon never gives one host port twice: a second request for it is the same port after a restart.
  forwards.get(key)?.close();
  forwards.delete(key);
  const opened = await open(request, address, options.target).catch((error: NodeJS.ErrnoException) => error);
  if (opened instanceof Error) {
    // ::1 on a runner without IPv6 is no error: the IPv4 publish is forwarded on its own.
    if (address === '::1' && opened.code === 'EADDRNOTAVAIL') return answer(options, id, 'pass');
    const message = opened.code === 'EADDRINUSE' ? `port ${request.hostPort}/${request.proto} is already in use on the runner (${address})` : opened.message;
    options.log(`refused ${key}: ${message}`);
    return answer(options, id, `error setup-dind: ${message}; choose another host port, or publish the container port alone (-p PORT) to let Docker pick a free one`);
  }
  const alive = watchAlive(options, id, () => {
    if (forwards.get(key)?.id !== id) return;
    forwards.delete(key);
    opened.close();
    options.log(`closed ${key} (its proxy ended)`);
  });
  if (alive === undefined) return opened.close();
  forwards.set(key, { key, id, close: () => (alive(), opened.close()) });
  options.log(`forwarding ${key} to ${options.target}:${request.hostPort}${relay ? ' (relayed inside the DinD container)' : ''}`);
  answer(options, id, relay ? `relay ${options.target}` : 'ok');
}

/** Writes the answer into the helper's reply FIFO; a helper that is gone (no reader) is no error. */
function answer(options: ForwarderOptions, id: string, text: string): void {
  try {
    const fd = openSync(join(options.dir, `${id}.reply`), constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      // One line, well under PIPE_BUF: written whole.
      writeAll(fd, `${text.replace(/\n/g, ' ')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    options.log(`could not answer ${id}: ${(error as Error).message}`);
  }
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  let written = 0;
  while (written < buffer.length) written += writeSync(fd, buffer, written);
}

/**
 * Opens the read end of the helper's `ID.alive` FIFO before the helper opens
 * its write end; calls `ended` once every writer (the helper's docker-proxy)
 * is gone. A write end of our own is held until the helper's first byte says
 * it holds one, so the read end does not see an end before it began.
 * Returns a function that stops watching, or undefined when the FIFO is gone.
 */
function watchAlive(options: ForwarderOptions, id: string, ended: () => void): (() => void) | undefined {
  const path = join(options.dir, `${id}.alive`);
  let readFd: number;
  let keeper: number | undefined;
  try {
    readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    keeper = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    options.log(`${id}: no liveness FIFO (${(error as Error).message})`);
    return undefined;
  }
  const releaseKeeper = () => {
    if (keeper === undefined) return;
    closeSync(keeper);
    keeper = undefined;
  };
  const stream = new net.Socket({ fd: readFd, readable: true, writable: false });
  stream.on('data', releaseKeeper);
  stream.on('end', () => {
    stream.destroy();
    ended();
  });
  stream.on('error', () => {
    stream.destroy();
    ended();
  });
  return () => {
    stream.removeAllListeners('end');
    stream.destroy();
    releaseKeeper();
  };
}

/** Listens on address:hostPort of the runner and relays to target:hostPort. */
function open(request: PortRequest, address: string, target: string): Promise<{ close(): void }> {
  return request.proto === 'tcp' ? openTcp(address, request.hostPort, target) : openUdp(address, request.hostPort, target);
}

function openTcp(address: string, port: number, target: string): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ pauseOnConnect: false }, (client) => {
      const upstream = net.connect({ host: target, port });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.removeListener('error', reject);
      server.on('error', () => {});
      resolve({
        close: () => {
          server.close();
          for (const socket of sockets) socket.destroy();
        },
      });
    });
  });
}

/** UDP: one socket towards the target per client address, dropped after a minute without traffic. */
function openUdp(address: string, port: number, target: string): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const family = net.isIPv6(address) ? 'udp6' : 'udp4';
    const server = dgram.createSocket(family);
    const peers = new Map<string, { socket: dgram.Socket; timer: NodeJS.Timeout }>();
    const idle = (key: string) => {
      const peer = peers.get(key);
      if (!peer) return;
      clearTimeout(peer.timer);
      peer.timer = setTimeout(() => {
        peer.socket.close();
        peers.delete(key);
      }, 60_000);
      peer.timer.unref();
    };
    server.on('message', (message, from) => {
      const key = `${from.address}:${from.port}`;
      let peer = peers.get(key);
      if (!peer) {
        const socket = dgram.createSocket(net.isIPv6(target) ? 'udp6' : 'udp4');
        socket.on('message', (reply) => {
          server.send(reply, from.port, from.address);
          idle(key);
        });
        socket.on('error', () => {});
        peer = { socket, timer: setTimeout(() => {}, 0) };
        peers.set(key, peer);
      }
      peer.socket.send(message, port, target);
      idle(key);
    });
    server.once('error', reject);
    server.bind({ address, port, exclusive: true }, () => {
      server.removeListener('error', reject);
      server.on('error', () => {});
      resolve({
        close: () => {
          server.close();
          for (const peer of peers.values()) {
            clearTimeout(peer.timer);
            peer.socket.close();
          }
          peers.clear();
        },
      });
    });
  });
}
