import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:dgram"
const external_node_dgram_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dgram");
var external_node_dgram_default = /*#__PURE__*/__nccwpck_require__.n(external_node_dgram_namespaceObject);
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_namespaceObject);
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/ports/forwarder.ts
/**
 * The runner's side of the DinD daemon's published ports: for each port the
 * helper (helper-script.ts) asks for, a listener on the runner's loopback
 * (127.0.0.1, and ::1 for an IPv6 publish) that relays to the same port of
 * the DinD container, where the inner daemon serves it. Opened before the
 * helper's container start goes on, so `docker run -d -p` returning means
 * the port answers; closed when the helper's docker-proxy ends. Never on a
 * non-loopback address: publishing exposes nothing new to the network.
 */




/** Parses `ID.req`'s one line: `proto host-ip host-port`. */
function parseRequest(id, text) {
    const [proto, hostIp = '', port = ''] = text.trim().split(/\s+/);
    const hostPort = Number(port);
    if ((proto !== 'tcp' && proto !== 'udp') || !Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535)
        return undefined;
    return { id, proto, hostIp, hostPort };
}
/**
 * The runner's loopback address for a publish on `hostIp` inside the DinD
 * daemon, and whether the helper must relay (a publish on the DinD
 * container's own loopback is not reachable at its address); undefined: not
 * forwarded (one particular address of the DinD container).
 */
function loopbackFor(hostIp) {
    if (hostIp === '' || hostIp === '0.0.0.0')
        return { address: '127.0.0.1', relay: false };
    if (hostIp === '::')
        return { address: '::1', relay: false };
    if (hostIp === '127.0.0.1')
        return { address: '127.0.0.1', relay: true };
    if (hostIp === '::1')
        return { address: '::1', relay: true };
    return undefined;
}
function startForwarder(options) {
    const forwards = new Map();
    const scan = () => {
        let names;
        try {
            names = (0,external_node_fs_namespaceObject.readdirSync)(options.dir);
        }
        catch {
            return;
        }
        for (const name of names) {
            if (!name.endsWith('.req'))
                continue;
            const id = name.slice(0, -'.req'.length);
            const request = takeRequest(options.dir, id);
            if (request !== undefined)
                void serve(options, forwards, id, request);
        }
    };
    const watcher = (() => {
        try {
            return (0,external_node_fs_namespaceObject.watch)(options.dir, () => scan());
        }
        catch {
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
            for (const forward of forwards.values())
                forward.close();
            forwards.clear();
        },
    };
}
/** Reads and removes ID.req; renamed first, so that a second scan cannot take it again. Undefined when it is gone. */
function takeRequest(dir, id) {
    const file = (0,external_node_path_namespaceObject.join)(dir, `${id}.req`);
    try {
        (0,external_node_fs_namespaceObject.renameSync)(file, `${file}.taken`);
        const text = (0,external_node_fs_namespaceObject.readFileSync)(`${file}.taken`, 'utf8');
        (0,external_node_fs_namespaceObject.rmSync)(`${file}.taken`, { force: true });
        return text;
    }
    catch {
        return undefined;
    }
}
/** Answers one request: opens the port on the runner's loopback (or says why not), and closes it when the helper's proxy ends. */
async function serve(options, forwards, id, text) {
    const request = parseRequest(id, text);
    if (!request)
        return answer(options, id, `error setup-dind: a malformed port request ${JSON.stringify(text.trim())}`);
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
    const opened = await forwarder_open(request, address, options.target).catch((error) => error);
    if (opened instanceof Error) {
        // ::1 on a runner without IPv6 is no error: the IPv4 publish is forwarded on its own.
        if (address === '::1' && opened.code === 'EADDRNOTAVAIL')
            return answer(options, id, 'pass');
        const message = opened.code === 'EADDRINUSE' ? `port ${request.hostPort}/${request.proto} is already in use on the runner (${address})` : opened.message;
        options.log(`refused ${key}: ${message}`);
        return answer(options, id, `error setup-dind: ${message}; choose another host port, or publish the container port alone (-p PORT) to let Docker pick a free one`);
    }
    const alive = watchAlive(options, id, () => {
        if (forwards.get(key)?.id !== id)
            return;
        forwards.delete(key);
        opened.close();
        options.log(`closed ${key} (its proxy ended)`);
    });
    if (alive === undefined)
        return opened.close();
    forwards.set(key, { key, id, close: () => (alive(), opened.close()) });
    options.log(`forwarding ${key} to ${options.target}:${request.hostPort}${relay ? ' (relayed inside the DinD container)' : ''}`);
    answer(options, id, relay ? `relay ${options.target}` : 'ok');
}
/** Writes the answer into the helper's reply FIFO; a helper that is gone (no reader) is no error. */
function answer(options, id, text) {
    try {
        const fd = (0,external_node_fs_namespaceObject.openSync)((0,external_node_path_namespaceObject.join)(options.dir, `${id}.reply`), external_node_fs_namespaceObject.constants.O_WRONLY | external_node_fs_namespaceObject.constants.O_NONBLOCK);
        try {
            // One line, well under PIPE_BUF: written whole.
            writeAll(fd, `${text.replace(/\n/g, ' ')}\n`);
        }
        finally {
            (0,external_node_fs_namespaceObject.closeSync)(fd);
        }
    }
    catch (error) {
        options.log(`could not answer ${id}: ${error.message}`);
    }
}
function writeAll(fd, text) {
    const buffer = Buffer.from(text);
    let written = 0;
    while (written < buffer.length)
        written += (0,external_node_fs_namespaceObject.writeSync)(fd, buffer, written);
}
/**
 * Opens the read end of the helper's `ID.alive` FIFO before the helper opens
 * its write end; calls `ended` once every writer (the helper's docker-proxy)
 * is gone. A write end of our own is held until the helper's first byte says
 * it holds one, so the read end does not see an end before it began.
 * Returns a function that stops watching, or undefined when the FIFO is gone.
 */
function watchAlive(options, id, ended) {
    const path = (0,external_node_path_namespaceObject.join)(options.dir, `${id}.alive`);
    let readFd;
    let keeper;
    try {
        readFd = (0,external_node_fs_namespaceObject.openSync)(path, external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NONBLOCK);
        keeper = (0,external_node_fs_namespaceObject.openSync)(path, external_node_fs_namespaceObject.constants.O_WRONLY | external_node_fs_namespaceObject.constants.O_NONBLOCK);
    }
    catch (error) {
        options.log(`${id}: no liveness FIFO (${error.message})`);
        return undefined;
    }
    const releaseKeeper = () => {
        if (keeper === undefined)
            return;
        (0,external_node_fs_namespaceObject.closeSync)(keeper);
        keeper = undefined;
    };
    const stream = new (external_node_net_default()).Socket({ fd: readFd, readable: true, writable: false });
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
function forwarder_open(request, address, target) {
    return request.proto === 'tcp' ? openTcp(address, request.hostPort, target) : openUdp(address, request.hostPort, target);
}
function openTcp(address, port, target) {
    return new Promise((resolve, reject) => {
        const sockets = new Set();
        const server = external_node_net_default().createServer({ pauseOnConnect: false }, (client) => {
            const upstream = external_node_net_default().connect({ host: target, port });
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
            server.on('error', () => { });
            resolve({
                close: () => {
                    server.close();
                    for (const socket of sockets)
                        socket.destroy();
                },
            });
        });
    });
}
/** UDP: one socket towards the target per client address, dropped after a minute without traffic. */
function openUdp(address, port, target) {
    return new Promise((resolve, reject) => {
        const family = external_node_net_default().isIPv6(address) ? 'udp6' : 'udp4';
        const server = external_node_dgram_default().createSocket(family);
        const peers = new Map();
        const idle = (key) => {
            const peer = peers.get(key);
            if (!peer)
                return;
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
                const socket = external_node_dgram_default().createSocket(external_node_net_default().isIPv6(target) ? 'udp6' : 'udp4');
                socket.on('message', (reply) => {
                    server.send(reply, from.port, from.address);
                    idle(key);
                });
                socket.on('error', () => { });
                peer = { socket, timer: setTimeout(() => { }, 0) };
                peers.set(key, peer);
            }
            peer.socket.send(message, port, target);
            idle(key);
        });
        server.once('error', reject);
        server.bind({ address, port, exclusive: true }, () => {
            server.removeListener('error', reject);
            server.on('error', () => { });
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

;// CONCATENATED MODULE: ./src/ports/forwarder-main.ts
/**
 * The DinD port forwarder's background process (bundled as
 * dist/port-forwarder.js). The DinD mode starts it detached with its options
 * as JSON in SETUP_DIND_FORWARDER_OPTIONS once the daemon's container runs,
 * waits for "ready" on stdout, and lets it serve the job's later steps; post
 * ends it with SIGTERM. It also ends on its own after maxLifetimeSeconds.
 */


const ENV = 'SETUP_DIND_FORWARDER_OPTIONS';
function fail(message) {
    process.stderr.write(`setup-dind port forwarder: ${message}\n`);
    process.exit(1);
}
const raw = (() => {
    try {
        return JSON.parse(process.env[ENV] ?? '');
    }
    catch {
        return fail(`${ENV} is not set to JSON`);
    }
})();
delete process.env[ENV];
for (const name of ['dir', 'target', 'logPath']) {
    if (typeof raw[name] !== 'string' || raw[name] === '')
        fail(`${ENV}: ${name} is missing`);
}
const logPath = raw.logPath;
const lifetime = typeof raw.maxLifetimeSeconds === 'number' && raw.maxLifetimeSeconds > 0 ? raw.maxLifetimeSeconds : 86_400;
const log = (line) => {
    try {
        (0,external_node_fs_namespaceObject.appendFileSync)(logPath, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    }
    catch {
        // the log is a convenience: never let it stop the forwarder
    }
};
const forwarder = startForwarder({ dir: raw.dir, target: raw.target, log });
let stopping = false;
const stop = (why) => {
    if (stopping)
        return;
    stopping = true;
    log(`stopping: ${why}`);
    void forwarder.close().finally(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => log('SIGHUP ignored'));
process.stdout.on('error', () => { });
setTimeout(() => stop(`reached maxLifetimeSeconds (${lifetime} s)`), Math.min(lifetime * 1000, 2 ** 31 - 1)).unref();
log(`ready: forwarding the DinD daemon's published ports to ${raw.target}`);
process.stdout.write('ready\n');


//# sourceMappingURL=ports-main.js.map
