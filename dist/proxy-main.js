import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 58:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ DOOD_POLICIES)
/* harmony export */ });
/** The DooD policies, by name: what the job may ask of the host daemon (README, "DooD"). */
const DOOD_POLICIES = ['none', 'no-privileged', 'strict'];


/***/ }),

/***/ 334:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _policy_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(58);
/* harmony import */ var _proxy_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(702);
/**
 * The DooD proxy's background process (bundled as dist/dood-proxy.js). The
 * action starts it detached with its options as JSON in
 * SETUP_DIND_PROXY_OPTIONS, waits for "ready" on stdout, and lets it serve the
 * job's later steps; post ends it with SIGTERM. It also ends on its own after
 * maxLifetimeSeconds, should post never run.
 */



const ENV = 'SETUP_DIND_PROXY_OPTIONS';
function fail(message) {
    process.stderr.write(`setup-dind dood proxy: ${message}\n`);
    process.exit(1);
}
function stringList(value, name) {
    if (value === undefined)
        return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
        fail(`${ENV}: ${name} must be a list of strings`);
    return value;
}
function readOptions(text) {
    if (!text)
        fail(`${ENV} is not set`);
    let raw;
    try {
        raw = JSON.parse(text);
    }
    catch (error) {
        fail(`${ENV} is not JSON: ${error.message}`);
    }
    for (const name of ['listenPath', 'upstreamPath', 'logPath']) {
        if (typeof raw[name] !== 'string' || raw[name] === '')
            fail(`${ENV}: ${name} is missing`);
    }
    const policy = raw.policy ?? 'none';
    if (!_policy_js__WEBPACK_IMPORTED_MODULE_2__/* .DOOD_POLICIES */ .i.includes(policy))
        fail(`${ENV}: policy must be one of ${_policy_js__WEBPACK_IMPORTED_MODULE_2__/* .DOOD_POLICIES */ .i.join(', ')}`);
    const labels = raw.labels ?? {};
    if (typeof labels !== 'object' || labels === null || Object.values(labels).some((value) => typeof value !== 'string')) {
        fail(`${ENV}: labels must map names to strings`);
    }
    let pathMap;
    if (raw.pathMap !== undefined) {
        if (!Array.isArray(raw.pathMap) || !raw.pathMap.every((entry) => typeof entry?.containerPath === 'string' && typeof entry.hostPath === 'string')) {
            fail(`${ENV}: pathMap must be a list of {containerPath, hostPath}`);
        }
        pathMap = raw.pathMap;
    }
    const lifetime = raw.maxLifetimeSeconds ?? 86_400;
    if (typeof lifetime !== 'number' || !(lifetime > 0))
        fail(`${ENV}: maxLifetimeSeconds must be a positive number`);
    return {
        listenPath: raw.listenPath,
        upstreamPath: raw.upstreamPath,
        logPath: raw.logPath,
        labels: labels,
        policy: policy,
        allowedBindRoots: stringList(raw.allowedBindRoots, 'allowedBindRoots'),
        socketPaths: stringList(raw.socketPaths, 'socketPaths'),
        ...(pathMap ? { pathMap } : {}),
        maxLifetimeSeconds: lifetime,
    };
}
const options = readOptions(process.env[ENV]);
delete process.env[ENV];
const log = (line) => {
    try {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.appendFileSync)(options.logPath, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    }
    catch {
        // the log is a convenience: never let it stop the proxy
    }
};
let proxy;
try {
    proxy = await (0,_proxy_js__WEBPACK_IMPORTED_MODULE_1__/* .startProxy */ .n)({ ...options, log });
}
catch (error) {
    log(`could not start: ${error.message}`);
    fail(error.message);
}
let stopping = false;
const stop = (why) => {
    if (stopping)
        return;
    stopping = true;
    log(`stopping: ${why}`);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void proxy.close().finally(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// The parent detaches and may leave a terminal session: not a reason to stop.
process.on('SIGHUP', () => log('SIGHUP ignored'));
// The parent closes its end of stdout after "ready"; a late write must not kill the proxy.
process.stdout.on('error', () => { });
setTimeout(() => stop(`reached maxLifetimeSeconds (${options.maxLifetimeSeconds} s)`), Math.min(options.maxLifetimeSeconds * 1000, 2 ** 31 - 1)).unref();
process.stdout.write('ready\n');

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 702:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  n: () => (/* binding */ startProxy)
});

// UNUSED EXPORTS: inspectionContext

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_namespaceObject);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
;// CONCATENATED MODULE: ./src/dood/refused.ts
/** A request the proxy answers itself, with this status and {"message": ...}. */
class Refused extends Error {
    status;
    constructor(status, message) {
        super(message);
        this.status = status;
        this.name = 'Refused';
    }
}
/** 403: the policy does not allow `what`, for the reason `why`. */
function policyRefusal(policy, what, why) {
    return new Refused(403, `setup-dind dood-policy ${policy}: ${what} is not allowed (${why})`);
}

;// CONCATENATED MODULE: ./src/dood/json.ts
/**
 * JSON as the daemon reads it. The daemon decodes bodies with Go's
 * encoding/json: only the first value counts, and field names match
 * case-insensitively. The proxy reads bodies the same way and sends on what
 * it re-serializes, so the daemon acts on exactly what was checked.
 */

function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** The strings of a list; anything else is an empty list. */
function strings(value) {
    return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}
/** Where the first JSON value that starts at `start` ends (or where the text does). */
function valueEnd(text, start) {
    const first = text[start];
    let end = start;
    if (first === '{' || first === '[') {
        let depth = 0;
        let inString = false;
        for (; end < text.length; end++) {
            const char = text[end];
            if (inString) {
                if (char === '\\')
                    end++;
                else if (char === '"')
                    inString = false;
            }
            else if (char === '"')
                inString = true;
            else if (char === '{' || char === '[')
                depth++;
            else if (char === '}' || char === ']') {
                depth--;
                if (depth === 0)
                    return end + 1;
            }
        }
    }
    else if (first === '"') {
        for (end = start + 1; end < text.length; end++) {
            if (text[end] === '\\')
                end++;
            else if (text[end] === '"')
                return end + 1;
        }
    }
    else {
        while (end < text.length && !' \t\r\n{}[],"'.includes(text[end]))
            end++;
    }
    return end;
}
/**
 * The first JSON value of a body, as Go's json.Decoder reads it (the daemon
 * ignores what follows), or undefined when there is none.
 */
function parseFirstJsonValue(text) {
    let start = 0;
    while (start < text.length && ' \t\r\n'.includes(text[start]))
        start++;
    if (start >= text.length)
        return undefined;
    try {
        return { value: JSON.parse(text.slice(start, valueEnd(text, start))) };
    }
    catch {
        return undefined;
    }
}
/** Go's encoding/json matches field names case-insensitively (with K and ſ folding). */
function fold(key) {
    return key.toLowerCase().replace(/\u017f/g, 's');
}
/** Whether the daemon reads the key `key` as the field `name`. */
function sameFieldName(key, name) {
    return fold(key) === fold(name);
}
/** The key of a field the daemon reads as `name`; a refusal when the body names it twice (the daemon would merge them). */
function keyOf(object, name) {
    const matches = Object.keys(object).filter((key) => fold(key) === fold(name));
    if (matches.length > 1) {
        throw new Refused(400, `setup-dind dood: the request names the field ${name} more than once (${matches.join(', ')}); send it once.`);
    }
    return matches[0];
}
/** The field the daemon reads as `name`, however the body spells it. */
function field(object, name) {
    const key = keyOf(object, name);
    return key === undefined ? undefined : object[key];
}
/** Sets the field the daemon reads as `name`, spelled `name` from then on. */
function setField(object, name, value) {
    const key = keyOf(object, name);
    if (key !== undefined && key !== name)
        delete object[key];
    object[name] = value;
}
/** `labels` over the request's own (all spellings of the field merged, as Go merges maps), ours winning. */
function withLabels(object, name, labels) {
    const merged = {};
    for (const key of Object.keys(object).filter((candidate) => fold(candidate) === fold(name))) {
        const value = object[key];
        if (isObject(value))
            for (const [label, text] of Object.entries(value))
                merged[label] = text;
        delete object[key];
    }
    for (const [label, text] of Object.entries(labels))
        merged[label] = text;
    object[name] = merged;
}

;// CONCATENATED MODULE: ./src/dood/wire.ts
/**
 * HTTP on the wire, as the proxy handles it: hop-by-hop headers (never
 * passed on), bodies read up to a limit, and the answers the proxy writes
 * itself in the Engine API's error form.
 */


/** Largest request body the proxy inspects (create requests are a few KiB). */
const MAX_INSPECTED_BODY = 8 << 20;
/** Largest answer of the daemon the proxy reads whole (its own look-ups, an error to explain). */
const MAX_ERROR_BODY = 1 << 20;
/** Headers about one connection, not the message (RFC 9110, 7.6.1): never passed on. The server answers Expect itself. */
const REQUEST_HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);
const RESPONSE_HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'trailer', 'upgrade']);
/** Methods whose requests carry no body unless their headers say so. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
/** rawHeaders pairs without the named ones. */
function withoutHeaders(raw, drop) {
    const out = [];
    for (let index = 0; index + 1 < raw.length; index += 2) {
        if (!drop.has(raw[index].toLowerCase()))
            out.push(raw[index], raw[index + 1]);
    }
    return out;
}
/** Whether rawHeaders hold the (lower-case) `name`. */
function hasHeader(raw, name) {
    for (let index = 0; index < raw.length; index += 2)
        if (raw[index].toLowerCase() === name)
            return true;
    return false;
}
/** An answer with {"message": ...}; a response already under way is cut instead. */
function jsonAnswer(res, status, message) {
    if (res.headersSent) {
        res.destroy();
        return;
    }
    const body = `${JSON.stringify({ message })}\n`;
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
}
/** A raw HTTP/1.1 response with {"message": ...} on a socket, which is then closed. */
function rawJsonAnswer(socket, status, message) {
    const body = `${JSON.stringify({ message })}\n`;
    socket.end(`HTTP/1.1 ${status} ${(external_node_http_default()).STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
/** Ends a socket after what is written to it is flushed, then closes it for reading too. */
function flushAndClose(socket) {
    if (!socket.destroyed)
        socket.end(() => socket.destroy());
}
/** A whole body, or a 413 refusal past `limit` bytes. */
function readBody(stream, limit) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        stream.on('data', (chunk) => {
            size += chunk.length;
            if (size > limit) {
                stream.removeAllListeners('data');
                reject(new Refused(413, `setup-dind dood: the request body is larger than ${limit} bytes, more than the proxy inspects.`));
                return;
            }
            chunks.push(chunk);
        });
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.on('error', reject);
    });
}

;// CONCATENATED MODULE: ./src/dood/daemon-client.ts
/**
 * The proxy's own requests to the daemon (ownership look-ups, volumes it
 * creates, the container list for a port conflict), each on its own
 * connection and read whole, as JSON.
 */



/** Where each kind of object is inspected. */
const INSPECT_PATHS = {
    container: (ref) => `/containers/${encodeURIComponent(ref)}/json`,
    exec: (ref) => `/exec/${encodeURIComponent(ref)}/json`,
    volume: (ref) => `/volumes/${encodeURIComponent(ref)}`,
    network: (ref) => `/networks/${encodeURIComponent(ref)}`,
};
/** A client of the daemon at `upstreamPath`; `track` gets each connection, so the proxy's close ends it. */
function daemonClient(upstreamPath, track) {
    const request = (method, path, body, limit = MAX_ERROR_BODY) => new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers = { Host: 'docker', ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) };
        const sent = external_node_http_default().request({ socketPath: upstreamPath, method, path, agent: false, headers }, (response) => {
            readBody(response, limit).then((data) => resolve({ status: response.statusCode ?? 0, json: parseFirstJsonValue(data.toString('utf8'))?.value }), reject);
        });
        sent.on('socket', (socket) => track(socket));
        sent.on('error', reject);
        sent.end(payload);
    });
    return {
        inspect: (kind, ref) => request('GET', INSPECT_PATHS[kind](ref)),
        createVolume: (spec) => request('POST', '/volumes/create', spec),
        listContainers: async () => {
            // The list of every container can be long: a larger limit than for one object.
            const { json } = await request('GET', '/containers/json', undefined, 64 << 20);
            return Array.isArray(json) ? json : [];
        },
    };
}

;// CONCATENATED MODULE: ./src/dood/forwarder.ts
/**
 * The proxy's transport: requests streamed to the daemon and answers back,
 * faithfully (no buffering, no timeouts), and hijacked connections (attach,
 * exec start, BuildKit session/grpc) joined byte for byte with half-close.
 * It decides nothing: what goes on, with which body and path, the caller
 * says; what it forwards carries no hop-by-hop headers and a length the
 * daemon can trust.
 */



/** What a body sent on or an answer read whole must not keep: its framing is the proxy's. */
const RESPONSE_FRAMING = new Set([...RESPONSE_HOP_HEADERS, 'content-length', 'transfer-encoding']);
const REQUEST_FRAMING = new Set(['content-length', 'transfer-encoding']);
/** The request's headers as forwarded: hop-by-hop ones dropped, and a length that matches the body sent. */
function forwardedHeaders(req, body) {
    const headers = withoutHeaders(req.rawHeaders, REQUEST_HOP_HEADERS);
    if (body !== undefined)
        return [...withoutHeaders(headers, REQUEST_FRAMING), 'Content-Length', String(body.length)];
    if (!hasHeader(headers, 'content-length') && !hasHeader(headers, 'transfer-encoding') && !BODYLESS_METHODS.has(req.method ?? '')) {
        // No body: say so, or the client library would send an empty chunked one (which e.g. /start refuses).
        return [...headers, 'Content-Length', '0'];
    }
    return headers;
}
/** A status line and header pairs, as raw HTTP/1.1. */
function httpHead(statusLine, rawHeaders) {
    let text = `${statusLine}\r\n`;
    for (let index = 0; index + 1 < rawHeaders.length; index += 2)
        text += `${rawHeaders[index]}: ${rawHeaders[index + 1]}\r\n`;
    return text;
}
/** What an upgrade request sends before the stream: its Content-Length, or why the proxy cannot tell. */
function upgradeBodyLength(req) {
    if (req.headers['transfer-encoding'] !== undefined)
        return new Refused(400, 'setup-dind dood proxy: a chunked body on an upgrade request is not supported.');
    const raw = req.headers['content-length'];
    const length = raw === undefined ? 0 : Number(raw);
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_INSPECTED_BODY)
        return new Refused(400, 'setup-dind dood proxy: bad Content-Length.');
    return length;
}
/** Reads `length` bytes of body from a hijacked socket (after `head`, what the server read past the headers), then pauses it. */
function gather(socket, head, length) {
    return new Promise((resolve) => {
        let buffered = head;
        const finish = (ended) => {
            socket.off('data', onData);
            socket.off('end', onEnd);
            socket.pause();
            resolve({ body: buffered.subarray(0, length), rest: buffered.subarray(Math.min(length, buffered.length)), ended });
        };
        const onData = (chunk) => {
            buffered = Buffer.concat([buffered, chunk]);
            if (buffered.length >= length)
                finish(false);
        };
        const onEnd = () => finish(true);
        if (buffered.length >= length)
            return finish(false);
        socket.on('data', onData);
        socket.on('end', onEnd);
    });
}
/** Joins the client's socket and the daemon's after a 101: each direction ends on its own. */
function join(socket, upstream, { rest, ended }) {
    if (rest.length > 0)
        upstream.write(rest);
    // The client closing stdin must not cut the output.
    upstream.pipe(socket);
    if (ended)
        upstream.end();
    else
        socket.pipe(upstream);
    // When one side is gone, the other gets what is already on its way, then closes (at once after an error).
    socket.on('close', (hadError) => (hadError ? upstream.destroy() : flushAndClose(upstream)));
    upstream.on('close', (hadError) => (hadError ? socket.destroy() : flushAndClose(socket)));
}
class Forwarder {
    options;
    constructor(options) {
        this.options = options;
    }
    /** Streams one request to the daemon and its answer back. */
    forward(req, res, { body, path = req.url ?? '/', explainErrors = false } = {}) {
        const { upstreamPath, track, log, closing } = this.options;
        const headers = forwardedHeaders(req, body);
        const request = external_node_http_default().request({ socketPath: upstreamPath, method: req.method, path, headers, agent: false });
        let answered = false;
        request.on('socket', (socket) => track(socket));
        request.on('error', (error) => {
            // Once the daemon answered, a failing late write (it closed after answering) is no news: the answer goes on.
            if (answered)
                return;
            if (!closing())
                log(`upstream ${upstreamPath}: ${req.method} ${req.url}: ${error.message}`);
            jsonAnswer(res, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
        });
        res.on('close', () => {
            if (!res.writableFinished)
                request.destroy();
        });
        request.on('response', (response) => {
            answered = true;
            this.answer(response, res, explainErrors);
        });
        if (body !== undefined)
            request.end(body);
        else if (hasHeader(headers, 'transfer-encoding') || !['0', undefined].includes(req.headers['content-length'])) {
            // A body of any size, streamed as it comes (build contexts, image loads).
            request.flushHeaders();
            req.pipe(request);
        }
        else {
            req.resume();
            request.end();
        }
    }
    /** The daemon's answer to the client: streamed, or read whole and explained. */
    answer(response, res, explainErrors) {
        response.on('error', () => res.destroy());
        const status = response.statusCode ?? 502;
        if (explainErrors && status >= 400) {
            void readBody(response, MAX_ERROR_BODY)
                .then((data) => this.options.explainError(data))
                .then((answer) => {
                res.writeHead(status, response.statusMessage, [...withoutHeaders(response.rawHeaders, RESPONSE_FRAMING), 'Content-Length', String(answer.length)]);
                res.end(answer);
            })
                .catch(() => res.destroy());
            return;
        }
        res.writeHead(status, response.statusMessage, withoutHeaders(response.rawHeaders, RESPONSE_HOP_HEADERS));
        res.flushHeaders();
        response.pipe(res);
    }
    /** Answers a hijacking request itself, on its raw socket, and logs why. */
    refuseUpgrade(req, socket, refusal) {
        this.options.log(`refused ${req.method ?? 'GET'} ${req.url ?? '/'}: ${refusal.message}`);
        rawJsonAnswer(socket, refusal.status, refusal.message);
    }
    /**
     * A hijacked connection: once `check` passes (answering the target to use,
     * or undefined for the request's own), the request goes to the
     * daemon through node's client; on 101 both raw sockets are joined. Any
     * other answer ends the connection, so nothing after it reaches the daemon
     * uninspected.
     */
    hijack(req, socket, head, check) {
        const { track, log, closing } = this.options;
        track(socket);
        const length = upgradeBodyLength(req);
        if (length instanceof Refused)
            return this.refuseUpgrade(req, socket, length);
        // The body (exec start sends a small JSON one), then anything early for the stream; read while the check runs.
        const gathered = gather(socket, head, length);
        void check()
            .then(async (path) => ({ path, early: await gathered }))
            .then(({ path, early }) => {
            if (!socket.destroyed)
                this.upgradeUpstream(req, socket, early, path ?? req.url ?? '/');
        })
            .catch((error) => {
            if (error instanceof Refused)
                return this.refuseUpgrade(req, socket, error);
            const message = error instanceof Error ? error.message : String(error);
            if (!closing())
                log(`error handling ${req.method ?? 'GET'} ${req.url ?? '/'}: ${message}`);
            rawJsonAnswer(socket, 502, `setup-dind dood proxy: ${message}`);
        });
    }
    /** Sends the upgrade request on, and joins the two sockets on 101 or passes any other answer on and closes. */
    upgradeUpstream(req, socket, early, url) {
        const { upstreamPath, track, log, closing } = this.options;
        const method = req.method ?? 'GET';
        const headers = hasHeader(req.rawHeaders, 'content-length') ? req.rawHeaders : [...req.rawHeaders, 'Content-Length', '0'];
        const request = external_node_http_default().request({ socketPath: upstreamPath, method, path: url, headers, agent: false });
        let answered = false;
        request.on('socket', (upstreamSocket) => track(upstreamSocket));
        request.on('error', (error) => {
            if (answered)
                return;
            if (!closing())
                log(`upstream ${upstreamPath}: ${method} ${url}: ${error.message}`);
            rawJsonAnswer(socket, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
        });
        socket.on('close', () => {
            if (!answered)
                request.destroy();
        });
        request.on('upgrade', (response, upstreamSocket, upstreamHead) => {
            answered = true;
            track(upstreamSocket);
            socket.write(`${httpHead(`HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}`, response.rawHeaders)}\r\n`);
            if (upstreamHead.length > 0)
                socket.write(upstreamHead);
            join(socket, upstreamSocket, early);
        });
        request.on('response', (response) => {
            answered = true;
            // Not upgraded: pass the answer on and close, so no later bytes reach the daemon as requests.
            void readBody(response, MAX_ERROR_BODY).then((data) => {
                const status = httpHead(`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`, withoutHeaders(response.rawHeaders, RESPONSE_FRAMING));
                socket.write(`${status}Content-Length: ${data.length}\r\nConnection: close\r\n\r\n`);
                socket.end(data);
                request.destroy();
            }, () => socket.destroy());
        });
        request.end(early.body);
    }
}

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/dood/paths.ts
/**
 * Paths as the daemon sees them: bind sources are cleaned lexically, and a
 * path in the job's container is translated to the host path behind it. One
 * copy, used by the proxy (bind sources) and the DooD mode (allowed roots).
 */


/** A lexically clean absolute path (what the daemon does to bind sources), or undefined when not absolute. */
function cleanAbsolute(path) {
    if (!path.startsWith('/'))
        return undefined;
    const clean = external_node_path_namespaceObject.posix.normalize(path);
    return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}
/** `path` is `root` or below it. */
function isWithin(path, root) {
    return root === '/' || path === root || path.startsWith(`${root}/`);
}
/**
 * A job-container path as the host sees it: the mount with the longest
 * containerPath covering it wins. Undefined when no mount covers the path (or
 * it is not absolute).
 */
function translateHostPath(path, map) {
    const clean = cleanAbsolute(path);
    if (clean === undefined)
        return undefined;
    let best;
    for (const mapping of map) {
        const container = cleanAbsolute(mapping.containerPath);
        const host = cleanAbsolute(mapping.hostPath);
        if (container === undefined || host === undefined || !isWithin(clean, container))
            continue;
        if (!best || container.length > best.container.length)
            best = { container, host };
    }
    if (!best)
        return undefined;
    const rest = best.container === '/' ? clean.slice(1) : clean.slice(best.container.length + 1);
    return rest === '' ? best.host : external_node_path_namespaceObject.posix.join(best.host, rest);
}
/**
 * Resolves symbolic links as this process sees the file system: the longest
 * existing prefix through realpath, the rest appended. The kernel follows
 * links when the daemon mounts, so policy must look at where a path leads.
 */
function resolveExisting(path) {
    const clean = cleanAbsolute(path);
    if (clean === undefined)
        return path;
    const missing = [];
    let head = clean;
    for (;;) {
        try {
            const real = external_node_fs_.realpathSync.native(head);
            return missing.length === 0 ? real : external_node_path_namespaceObject.posix.join(real, ...missing.reverse());
        }
        catch {
            if (head === '/')
                return clean;
            missing.push(external_node_path_namespaceObject.posix.basename(head));
            head = external_node_path_namespaceObject.posix.dirname(head);
        }
    }
}

;// CONCATENATED MODULE: ./src/dood/binds.ts



/** Socket paths to guard: as given, plus /run <-> /var/run spellings (one is a link to the other on most hosts). */
function socketPathVariants(paths) {
    const out = new Set();
    for (const path of paths) {
        const clean = cleanAbsolute(path);
        if (clean === undefined)
            continue;
        out.add(clean);
        if (clean.startsWith('/var/run/'))
            out.add(clean.slice('/var'.length));
        else if (clean.startsWith('/run/'))
            out.add(`/var${clean}`);
    }
    return [...out];
}
/** strict: why a host path may not be a bind source, or undefined when it may. */
function bindSourceProblem(hostPath, context) {
    for (const socket of socketPathVariants(context.socketPaths)) {
        if (isWithin(socket, hostPath)) {
            return hostPath === socket
                ? "it is the host's Docker socket: a container holding it controls the host"
                : `it holds the host's Docker socket ${socket}: a container holding it controls the host`;
        }
    }
    const roots = context.allowedBindRoots.map(cleanAbsolute).filter((root) => root !== undefined);
    if (!roots.some((root) => isWithin(hostPath, root))) {
        return roots.length === 0 ? 'no bind roots are allowed' : `only paths under ${roots.join(', ')} may be bound`;
    }
    return undefined;
}
/** The host path of a bind source: resolved as the proxy sees it, translated when the job runs in a container. */
function hostSource(source, context, notes) {
    const clean = cleanAbsolute(source) ?? source;
    const resolved = context.resolvePath ? context.resolvePath(clean) : clean;
    const via = resolved === clean ? '' : ` (resolves to ${resolved})`;
    if (!context.pathMap) {
        if (resolved !== clean)
            notes.push(`bind source ${source} resolves to ${resolved}`);
        return resolved;
    }
    const host = translateHostPath(resolved, context.pathMap);
    if (host === undefined) {
        const usable = context.pathMap.map((mapping) => `${mapping.containerPath} -> ${mapping.hostPath}`).join(', ');
        throw new Refused(400, `setup-dind dood: bind source ${source}${via} is a path inside the job's container, which the host's Docker daemon cannot see; ` +
            `only paths under the job container's mounts can be bound: ${usable || '(none)'}`);
    }
    notes.push(`translated bind source ${source}${via} -> ${host}`);
    return host;
}
/** A Binds entry: SOURCE:TARGET[:OPTIONS]; a bind when SOURCE is absolute, else a named volume. */
function parseBind(spec) {
    const colon = spec.indexOf(':');
    if (colon <= 0)
        return undefined; // an anonymous volume: just a target
    const source = spec.slice(0, colon);
    return { kind: source.startsWith('/') ? 'bind' : 'volume', source, rest: spec.slice(colon) };
}
/** Mount types of the local driver that strict allows besides a bind: memory, and remote file systems (no host path, no host device). */
const VOLUME_TYPES = new Set(['tmpfs', 'nfs', 'nfs4', 'cifs', 'smb3']);
/**
 * strict: the local driver passes `type`, `o` and `device` to mount(2) as
 * they are, so they are allowed, not screened: a bind (o=bind or rbind) of an
 * absolute device under the roots, or a mount of one of VOLUME_TYPES whose
 * options name no host path. Anything else (a disk, overlay's lowerdir=/etc,
 * a relative device, which the daemon resolves from its own working
 * directory) is refused.
 */
function volumeOptionsProblem(driver, options, context, what) {
    if (context.policy !== 'strict' || !isObject(options))
        return undefined;
    if (driver !== undefined && driver !== '' && driver !== 'local')
        return undefined;
    const text = (name) => (typeof options[name] === 'string' ? options[name] : '');
    const [type, device, o] = [text('type'), text('device'), text('o')];
    if (type === '' && device === '' && o === '')
        return undefined; // a plain local volume (or size only)
    const flags = o.split(',').map((flag) => flag.trim());
    if (!flags.includes('bind') && !flags.includes('rbind')) {
        const allowed = 'strict allows binds under the roots and mounts of tmpfs, nfs, nfs4, cifs or smb3';
        if (!VOLUME_TYPES.has(type))
            return policyRefusal('strict', `${what} ${type ? `of type ${type}` : `with device ${device || '(none)'}`}`, `it mounts a host device or file system; ${allowed}`);
        const hostPath = flags.find((flag) => flag.includes('=/'));
        return hostPath === undefined ? undefined : policyRefusal('strict', `${what} with option ${hostPath}`, `it names a host path; ${allowed}`);
    }
    if (!device.startsWith('/'))
        return policyRefusal('strict', `${what} binding ${JSON.stringify(device)}`, 'a bind device must be an absolute path: the daemon resolves any other from its own working directory');
    const host = cleanAbsolute(device);
    const resolved = context.pathMap ? host : (context.resolvePath?.(host) ?? host);
    const problem = bindSourceProblem(resolved, context);
    return problem ? policyRefusal('strict', `${what} binding ${resolved}`, problem) : undefined;
}

;// CONCATENATED MODULE: ./src/dood/inspect.ts
/**
 * The checks over request bodies, as pure functions: what the job's labels go
 * on, which bind sources are translated, and what the policy refuses
 * (no-privileged: privileged containers and execs; strict: host namespaces,
 * binds outside the roots, host capabilities and devices, unconfined
 * security options). What needs the daemon (whose containers and volumes
 * these are) is returned in Inspected for the ownership checks.
 */



const HOST_NAMESPACES = [
    ['NetworkMode', '--network host', "the host's network stack"],
    ['PidMode', '--pid host', "the host's processes"],
    ['IpcMode', '--ipc host', "the host's IPC namespace"],
    ['UTSMode', '--uts host', "the host's hostname"],
    ['UsernsMode', '--userns host', "the host's user namespace"],
    ['CgroupnsMode', '--cgroupns host', "the host's cgroups"],
];
/** Capabilities that reach outside a container (or hand it the host). */
const HOST_CAPABILITIES = new Set([
    'ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'SYS_TIME', 'SYS_BOOT', 'DAC_READ_SEARCH',
    'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON', 'SYSLOG',
]);
/** Bind sources are rewritten when strict checks them or the job's container maps them. */
function touchesBinds(context) {
    return context.policy === 'strict' || context.pathMap !== undefined;
}
/** HostConfig.Binds: named volumes noted, bind sources replaced by their host paths (returned). */
function inspectBinds(hostConfig, context, inspected) {
    const binds = [];
    const key = keyOf(hostConfig, 'Binds');
    const list = key === undefined ? undefined : hostConfig[key];
    if (!Array.isArray(list))
        return binds;
    const volumeDriver = field(hostConfig, 'VolumeDriver');
    hostConfig[key] = list.map((entry) => {
        if (typeof entry !== 'string')
            return entry;
        const bind = parseBind(entry);
        if (!bind)
            return entry;
        if (bind.kind === 'volume') {
            inspected.volumes.push({ name: bind.source, ...(typeof volumeDriver === 'string' && volumeDriver !== '' ? { driver: volumeDriver } : {}) });
            return entry;
        }
        if (!touchesBinds(context))
            return entry;
        const host = hostSource(bind.source, context, inspected.notes);
        binds.push({ host, shown: bind.source });
        return host + bind.rest;
    });
    return binds;
}
/** A type=volume mount: strict refuses host devices and paths; the volume gets the job's labels and is noted when named. */
function inspectVolumeMount(mount, source, context, inspected) {
    let options = field(mount, 'VolumeOptions');
    if (!isObject(options)) {
        options = {};
        setField(mount, 'VolumeOptions', options);
    }
    const volumeOptions = options;
    const driverConfig = field(volumeOptions, 'DriverConfig');
    const driver = isObject(driverConfig) ? field(driverConfig, 'Name') : undefined;
    const driverOpts = isObject(driverConfig) ? field(driverConfig, 'Options') : undefined;
    const refusal = volumeOptionsProblem(driver, driverOpts, context, `volume mount ${typeof source === 'string' && source ? source : '(anonymous)'}`);
    if (refusal)
        throw refusal;
    // Labels apply when the daemon creates the volume (anonymous ones too).
    withLabels(volumeOptions, 'Labels', context.labels);
    if (typeof source === 'string' && source !== '') {
        inspected.volumes.push({
            name: source,
            ...(typeof driver === 'string' && driver !== '' ? { driver } : {}),
            ...(isObject(driverOpts) ? { driverOpts: driverOpts } : {}),
            labels: field(volumeOptions, 'Labels'),
        });
    }
}
/** HostConfig.Mounts: bind sources replaced by their host paths (returned), volume mounts inspected. */
function inspectMounts(hostConfig, context, inspected) {
    const binds = [];
    const mounts = field(hostConfig, 'Mounts');
    if (!Array.isArray(mounts))
        return binds;
    for (const mount of mounts) {
        if (!isObject(mount))
            continue;
        const type = field(mount, 'Type');
        const source = field(mount, 'Source');
        if (type === 'bind' && typeof source === 'string' && touchesBinds(context)) {
            const host = hostSource(source, context, inspected.notes);
            setField(mount, 'Source', host);
            binds.push({ host, shown: source });
        }
        else if (type === 'volume') {
            inspectVolumeMount(mount, source, context, inspected);
        }
    }
    return binds;
}
/** strict: host namespaces refused; containers whose namespaces, volumes or environment (links) are joined noted. */
function checkJoins(hostConfig, inspected) {
    for (const [name, flag, shares] of HOST_NAMESPACES) {
        const mode = field(hostConfig, name);
        if (typeof mode !== 'string')
            continue;
        if (mode.trim().toLowerCase() === 'host')
            throw policyRefusal('strict', flag, `it shares ${shares} with the job's containers`);
        const joined = /^container:(.+)$/.exec(mode.trim());
        if (joined) {
            inspected.joins.push({ ref: joined[1], what: `${flag.replace(' host', '')} ${mode.trim()}`, pin: (id) => setField(hostConfig, name, `container:${id}`) });
        }
        else if (name === 'NetworkMode') {
            inspected.networks.push({ ref: mode.trim(), what: `--network ${mode.trim()}` });
        }
    }
    pinEach(hostConfig, 'VolumesFrom', /^(.*?)((?::(?:ro|rw))?)$/, '--volumes-from', inspected);
    // A legacy link (NAME:ALIAS) copies the linked container's environment into the new one.
    pinEach(hostConfig, 'Links', /^([^:]*)((?::.*)?)$/, '--link', inspected);
}
/** Each entry of a list field whose first group names a container: a join pinned in place. */
function pinEach(hostConfig, name, pattern, flag, inspected) {
    const list = field(hostConfig, name);
    if (!Array.isArray(list))
        return;
    list.forEach((entry, index) => {
        if (typeof entry !== 'string')
            return;
        const [, ref, rest] = pattern.exec(entry);
        inspected.joins.push({ ref: ref.replace(/^\//, ''), what: `${flag} ${entry}`, pin: (id) => (list[index] = `${id}${rest}`) });
    });
}
/** strict: the networks a new container is connected to at create (NetworkingConfig.EndpointsConfig's keys). */
function checkEndpoints(body, inspected) {
    const networking = field(body, 'NetworkingConfig');
    const endpoints = isObject(networking) ? field(networking, 'EndpointsConfig') : undefined;
    if (!isObject(endpoints))
        return;
    for (const name of Object.keys(endpoints))
        inspected.networks.push({ ref: name, what: `--network ${name}` });
}
/** strict: each bind's host path under the roots, and not the Docker socket. */
function checkBinds(binds, context) {
    for (const { host, shown } of binds) {
        const problem = bindSourceProblem(host, context);
        const described = host === shown ? host : `${shown} (${context.pathMap ? `${host} on the host` : `which resolves to ${host}`})`;
        if (problem)
            throw policyRefusal('strict', `bind mount of ${described}`, problem);
    }
}
/** strict: capabilities, devices and security options that reach the host. */
function checkHostAccess(hostConfig) {
    for (const capability of strings(field(hostConfig, 'CapAdd'))) {
        const name = capability.toUpperCase().replace(/^CAP_/, '');
        if (HOST_CAPABILITIES.has(name))
            throw policyRefusal('strict', `--cap-add ${name}`, 'the capability reaches outside the container');
    }
    const devices = field(hostConfig, 'Devices');
    if (Array.isArray(devices) && devices.length > 0) {
        const first = devices[0];
        const path = isObject(first) ? field(first, 'PathOnHost') : undefined;
        throw policyRefusal('strict', `--device ${typeof path === 'string' ? path : ''}`.trim(), 'it gives the container a host device');
    }
    const rules = strings(field(hostConfig, 'DeviceCgroupRules'));
    if (rules.length > 0)
        throw policyRefusal('strict', `--device-cgroup-rule ${rules[0]}`, 'it gives the container access to host devices');
    for (const option of strings(field(hostConfig, 'SecurityOpt'))) {
        if (/unconfined|label[:=]disable/i.test(option))
            throw policyRefusal('strict', `--security-opt ${option}`, "it turns off the container's confinement");
    }
}
/**
 * A HostConfig (of POST /containers/create, or the body of a pre-1.24
 * POST /containers/{id}/start): bind sources translated and resolved, then
 * dood-policy applied on the host paths. Mutates `hostConfig`; throws Refused.
 */
function inspectHostConfig(hostConfig, context, inspected) {
    const binds = [...inspectBinds(hostConfig, context, inspected), ...inspectMounts(hostConfig, context, inspected)];
    const { policy } = context;
    if (policy === 'none')
        return;
    if (field(hostConfig, 'Privileged') === true) {
        throw policyRefusal(policy, '--privileged', 'a privileged container has full access to the host');
    }
    if (policy !== 'strict')
        return;
    checkJoins(hostConfig, inspected);
    checkBinds(binds, context);
    checkHostAccess(hostConfig);
}
function emptyInspection(body) {
    return { body, notes: [], joins: [], networks: [], volumes: [] };
}
/**
 * POST /containers/create: the job's labels, then the HostConfig inspected.
 * Daemons before API 1.44 also read HostConfig fields from the top level of
 * the body (a deprecated form they use when "HostConfig" is absent), so the
 * top level is inspected as a HostConfig too. Throws Refused.
 */
function inspectContainerCreate(body, context) {
    const inspected = emptyInspection(body);
    if (!isObject(body))
        return inspected;
    withLabels(body, 'Labels', context.labels);
    const hostConfig = field(body, 'HostConfig');
    if (isObject(hostConfig))
        inspectHostConfig(hostConfig, context, inspected);
    inspectHostConfig(body, context, inspected);
    if (context.policy === 'strict')
        checkEndpoints(body, inspected);
    return inspected;
}
/** POST /networks/create: the job's labels. */
function inspectNetworkCreate(body, context) {
    if (isObject(body))
        withLabels(body, 'Labels', context.labels);
    return emptyInspection(body);
}
/** POST /volumes/create: the job's labels; strict refuses local volumes over host paths outside the roots or devices. */
function inspectVolumeCreate(body, context) {
    if (!isObject(body))
        return emptyInspection(body);
    const name = field(body, 'Name');
    const refusal = volumeOptionsProblem(field(body, 'Driver'), field(body, 'DriverOpts'), context, `volume ${typeof name === 'string' && name ? name : '(unnamed)'}`);
    if (refusal)
        throw refusal;
    withLabels(body, 'Labels', context.labels);
    return emptyInspection(body);
}
/** POST /containers/{id}/exec: no privileged exec unless the policy is none. */
function inspectExecCreate(body, context) {
    if (context.policy !== 'none' && isObject(body) && field(body, 'Privileged') === true) {
        throw policyRefusal(context.policy, 'exec --privileged', 'a privileged process has full access to the host');
    }
    return emptyInspection(body);
}
/** POST /containers/{id}/start with a body: API < 1.24 still takes a HostConfig there, so it gets the same inspection. */
function inspectStartBody(body, context) {
    const inspected = emptyInspection(body);
    if (isObject(body))
        inspectHostConfig(body, context, inspected);
    return inspected;
}
/** strict: prune only what the job created (label filters added). Returns the new query string. */
function scopePruneFilters(query, labels) {
    const params = new URLSearchParams(query.replace(/;/g, '&'));
    const parsed = parseFirstJsonValue(params.get('filters') ?? '{}')?.value;
    const filters = isObject(parsed) ? parsed : {};
    const existing = filters.label;
    const label = Array.isArray(existing)
        ? Object.fromEntries(strings(existing).map((entry) => [entry, true]))
        : isObject(existing)
            ? Object.fromEntries(Object.entries(existing).map(([key, value]) => [key, value === true]))
            : {};
    for (const [key, value] of Object.entries(labels))
        label[`${key}=${value}`] = true;
    filters.label = label;
    params.set('filters', JSON.stringify(filters));
    return params.toString();
}

;// CONCATENATED MODULE: ./src/dood/ownership.ts


/** The networks a created container joins when it starts, as its inspect JSON names them. */
function containerNetworks(container) {
    const hostConfig = field(container, 'HostConfig');
    const settings = field(container, 'NetworkSettings');
    const mode = isObject(hostConfig) ? field(hostConfig, 'NetworkMode') : undefined;
    const networks = isObject(settings) ? field(settings, 'Networks') : undefined;
    const names = new Set([...(typeof mode === 'string' ? [mode] : []), ...(isObject(networks) ? Object.keys(networks) : [])]);
    return [...names].map((ref) => ({ ref, what: `start on network ${ref}` }));
}
class Ownership {
    options;
    constructor(options) {
        this.options = options;
    }
    /** Labels that carry every one of the job's. */
    isOurs(labels) {
        return isObject(labels) && Object.entries(this.options.labels).every(([key, value]) => labels[key] === value);
    }
    /**
     * The job's own container, as the daemon describes it (with its full ID);
     * a refusal for anyone else's, also when the daemon cannot say whose it
     * is, and a 404 (the daemon's own words) when there is none: a reference
     * the daemon might resolve later to another container is never forwarded.
     */
    async ownContainerConfig(ref, what) {
        const { status, json } = await this.options.daemon.inspect('container', ref);
        if (status === 404)
            throw new Refused(404, `No such container: ${ref}`);
        const config = isObject(json) ? json.Config : undefined;
        if (status === 200 && isObject(json) && isObject(config) && this.isOurs(config.Labels) && typeof json.Id === 'string' && json.Id !== '') {
            return { id: json.Id, json };
        }
        const name = isObject(json) && typeof json.Name === 'string' ? json.Name.replace(/^\//, '') : ref;
        throw policyRefusal('strict', `${what} (container ${name})`, 'the container was not created by this job; strict keeps the job to its own containers');
    }
    /** The job's own container's full ID (see ownContainerConfig). */
    async ownContainer(ref, what) {
        return (await this.ownContainerConfig(ref, what)).id;
    }
    /** An exec instance's full ID, when its container is the job's own; 404 when there is none. */
    async ownExec(ref, what) {
        const { status, json } = await this.options.daemon.inspect('exec', ref);
        if (status === 404)
            throw new Refused(404, `No such exec instance: ${ref}`);
        const container = isObject(json) ? json.ContainerID : undefined;
        const id = isObject(json) ? json.ID : undefined;
        if (status !== 200 || typeof container !== 'string' || typeof id !== 'string' || id === '') {
            throw policyRefusal('strict', `${what} (exec ${ref})`, 'the daemon did not say whose container the exec instance is in');
        }
        await this.ownContainerConfig(container, `${what} (exec ${ref})`).catch((error) => {
            if (error instanceof Refused && error.status === 404)
                throw new Refused(404, `No such exec instance: ${ref}`);
            throw error;
        });
        return id;
    }
    /** Every container a new one joins (namespaces, volumes-from, links) must be the job's own; each join is pinned to the full ID. */
    async ownJoins(joins) {
        for (const join of joins)
            join.pin(await this.ownContainer(join.ref, join.what));
    }
    /**
     * Networks a container joins when it starts (NetworkMode, EndpointsConfig):
     * the job's own, or the daemon's bridge. The daemon resolves these names
     * again at start, by full ID, then name, then ID prefix: a reference that
     * could be a prefix of another network's ID is refused unless it is the
     * full ID (see docs/dood.md on names taken between the check and start).
     */
    async ownNetworks(networks) {
        for (const { ref, what } of networks) {
            if (['', 'bridge', 'default', 'none'].includes(ref) || ref.startsWith('container:'))
                continue;
            const id = await this.ownObject('network', ref, what);
            if (/^[0-9a-f]+$/i.test(ref) && ref !== id) {
                throw policyRefusal('strict', `${what} (network ${ref})`, 'a name of hex digits only could be read as a prefix of another network\'s ID; give the network a name with other characters, or use its full ID');
            }
        }
    }
    /**
     * The job's own volume's name or network's full ID. Another's is refused;
     * none at all is answered 404 here (there is nothing to pin the request to).
     */
    async ownObject(kind, ref, what) {
        const { status, json } = await this.options.daemon.inspect(kind, ref);
        if (status === 404)
            throw new Refused(404, `setup-dind dood proxy: no such ${kind}: ${ref}`);
        if (status === 200 && isObject(json) && this.isOurs(json.Labels)) {
            const id = kind === 'network' ? json.Id : json.Name;
            if (typeof id === 'string' && id !== '')
                return id;
        }
        throw policyRefusal('strict', `${what} (${kind} ${ref})`, `the ${kind} was not created by this job; strict keeps the job to its own ${kind}s`);
    }
    /**
     * Network connect/disconnect names a container in the body; both it and the
     * network must be the job's (the default bridge, which cannot be recreated,
     * may be joined or left). Returns the body and network pinned to full IDs.
     */
    async pinNetworkMembership(network, what, body) {
        const container = isObject(body) ? field(body, 'Container') : undefined;
        if (!isObject(body) || typeof container !== 'string' || container === '')
            throw policyRefusal('strict', `${what} without a container`, 'the proxy must know which container it is');
        const id = await this.ownContainer(container, what);
        const pinned = network === 'bridge' ? 'bridge' : await this.ownObject('network', network, what);
        const key = Object.keys(body).find((name) => name.toLowerCase() === 'container');
        return { body: { ...body, [key]: id }, network: pinned };
    }
    /** Named volumes a container will use: created first with the job's labels; strict refuses other jobs' volumes. */
    async prepareVolumes(volumes) {
        const { daemon, labels, strict, log } = this.options;
        for (const volume of volumes) {
            const found = await daemon.inspect('volume', volume.name);
            if (found.status === 200) {
                if (strict && !(isObject(found.json) && this.isOurs(found.json.Labels))) {
                    throw policyRefusal('strict', `using volume ${volume.name}`, 'the volume was not created by this job');
                }
                continue;
            }
            if (found.status !== 404) {
                // strict does not let a container use a volume without knowing whose it is; elsewhere the daemon will say what is wrong.
                if (strict)
                    throw policyRefusal('strict', `using volume ${volume.name}`, `the daemon did not say whose the volume is (status ${found.status})`);
                continue;
            }
            const created = await daemon.createVolume({
                Name: volume.name,
                ...(volume.driver ? { Driver: volume.driver } : {}),
                ...(volume.driverOpts ? { DriverOpts: volume.driverOpts } : {}),
                Labels: { ...(volume.labels ?? {}), ...labels },
            });
            if (created.status < 300)
                log(`created volume ${volume.name} with the job's labels`);
        }
    }
}

;// CONCATENATED MODULE: ./src/dood/endpoints.ts
/**
 * Every Engine API endpoint the proxy knows (API 1.41 to 1.51), as the
 * daemon's router (gorilla/mux) matches them: in the daemon's order, first
 * match wins, a `{name:.*}` parameter may hold '/'. strict forwards only what
 * this table knows; each row says which route kind the guard applies.
 *
 * A new daemon version adds rows here, not code: a row names the method, the
 * path pattern and the kind (see Route in routes.ts); `upgrade` marks the
 * endpoints that hijack the connection.
 */
const PLUGINS = { what: 'managing plugins', why: "a plugin runs with the host's privileges" };
const SWARM = { what: 'swarm mode and its objects', why: 'the proxy cannot inspect what services mount, and swarm objects are the whole host\'s' };
/** One router's rows: its own order matters only within a method (no two routers' patterns overlap). */
const ROWS = [
    // system
    ['OPTIONS', '/{anyroute:.*}', 'any'],
    ['GET', '/_ping', 'any'],
    ['HEAD', '/_ping', 'any'],
    ['GET', '/events', 'any'],
    ['GET', '/info', 'any'],
    ['GET', '/version', 'any'],
    ['GET', '/system/df', 'any'],
    ['POST', '/auth', 'any'],
    // containers
    ['GET', '/containers/json', 'any'],
    ['GET', '/containers/{name:.*}/export', 'container'],
    ['GET', '/containers/{name:.*}/changes', 'container'],
    ['GET', '/containers/{name:.*}/json', 'container'],
    ['GET', '/containers/{name:.*}/top', 'container'],
    ['GET', '/containers/{name:.*}/logs', 'container'],
    ['GET', '/containers/{name:.*}/stats', 'container'],
    ['GET', '/containers/{name:.*}/attach/ws', 'container', { upgrade: true }],
    ['GET', '/exec/{id:.*}/json', 'exec'],
    ['GET', '/containers/{name:.*}/archive', 'container'],
    ['HEAD', '/containers/{name:.*}/archive', 'container'],
    ['POST', '/containers/create', 'container-create'],
    ['POST', '/containers/{name:.*}/kill', 'container'],
    ['POST', '/containers/{name:.*}/pause', 'container'],
    ['POST', '/containers/{name:.*}/unpause', 'container'],
    ['POST', '/containers/{name:.*}/restart', 'container'],
    ['POST', '/containers/{name:.*}/start', 'container-start'],
    ['POST', '/containers/{name:.*}/stop', 'container'],
    ['POST', '/containers/{name:.*}/wait', 'container'],
    ['POST', '/containers/{name:.*}/resize', 'container'],
    ['POST', '/containers/{name:.*}/attach', 'container', { upgrade: true }],
    ['POST', '/containers/{name:.*}/exec', 'exec-create'],
    ['POST', '/exec/{name:.*}/start', 'exec', { upgrade: true }],
    ['POST', '/exec/{name:.*}/resize', 'exec'],
    ['POST', '/containers/{name:.*}/rename', 'container'],
    ['POST', '/containers/{name:.*}/update', 'container-update'],
    ['POST', '/containers/prune', 'prune'],
    ['POST', '/commit', 'commit'],
    ['PUT', '/containers/{name:.*}/archive', 'container'],
    ['DELETE', '/containers/{name:.*}', 'container'],
    // images
    ['GET', '/images/json', 'any'],
    ['GET', '/images/search', 'any'],
    ['GET', '/images/get', 'any'],
    ['GET', '/images/{name:.*}/get', 'any'],
    ['GET', '/images/{name:.*}/history', 'any'],
    ['GET', '/images/{name:.*}/json', 'any'],
    ['POST', '/images/load', 'image-write'],
    ['POST', '/images/create', 'image-write'],
    ['POST', '/images/{name:.*}/push', 'any'],
    ['POST', '/images/{name:.*}/tag', 'image-write'],
    ['POST', '/images/prune', 'prune'],
    ['DELETE', '/images/{name:.*}', 'image-write'],
    ['GET', '/distribution/{name:.*}/json', 'any'],
    // build
    ['POST', '/build', 'build'],
    ['POST', '/build/prune', 'prune'],
    ['POST', '/build/cancel', 'any'],
    ['POST', '/session', 'buildkit', { upgrade: true }],
    ['POST', '/grpc', 'buildkit', { upgrade: true }],
    // networks
    ['GET', '/networks', 'any'],
    ['GET', '/networks/{id:.*}', 'any'],
    ['POST', '/networks/create', 'network-create'],
    ['POST', '/networks/{id:.*}/connect', 'network-connect'],
    ['POST', '/networks/{id:.*}/disconnect', 'network-disconnect'],
    ['POST', '/networks/prune', 'prune'],
    ['DELETE', '/networks/{id:.*}', 'network-remove'],
    // volumes
    ['GET', '/volumes', 'any'],
    ['GET', '/volumes/{name:.*}', 'any'],
    ['POST', '/volumes/create', 'volume-create'],
    ['POST', '/volumes/prune', 'prune'],
    ['PUT', '/volumes/{name:.*}', 'volume'],
    ['DELETE', '/volumes/{name:.*}', 'volume'],
    // plugins: reading is harmless, anything else runs code with the host's privileges
    ['GET', '/plugins', 'any'],
    ['GET', '/plugins/privileges', 'any'],
    ['GET', '/plugins/{name:.*}/json', 'any'],
    ...(['/plugins/pull', '/plugins/create', '/plugins/{name:.*}/enable', '/plugins/{name:.*}/disable', '/plugins/{name:.*}/push',
        '/plugins/{name:.*}/upgrade', '/plugins/{name:.*}/set'].map((path) => ['POST', path, 'forbidden', { refusal: PLUGINS }])),
    ['DELETE', '/plugins/{name:.*}', 'forbidden', { refusal: PLUGINS }],
    // swarm: reading lists is harmless (the unlock key is a secret); nothing may be changed
    ...(['/swarm', '/nodes', '/nodes/{id}', '/services', '/services/{id}', '/services/{id}/logs', '/tasks', '/tasks/{id}', '/tasks/{id}/logs',
        '/secrets', '/secrets/{id}', '/configs', '/configs/{id}'].map((path) => ['GET', path, 'any'])),
    ['GET', '/swarm/unlockkey', 'forbidden', { refusal: SWARM }],
    ...(['/swarm/init', '/swarm/join', '/swarm/leave', '/swarm/update', '/swarm/unlock', '/services/create', '/services/{id}/update',
        '/nodes/{id}/update', '/secrets/create', '/secrets/{id}/update', '/configs/create', '/configs/{id}/update'].map((path) => ['POST', path, 'forbidden', { refusal: SWARM }])),
    ...(['/services/{id}', '/nodes/{id}', '/secrets/{id}', '/configs/{id}'].map((path) => ['DELETE', path, 'forbidden', { refusal: SWARM }])),
];
const ENDPOINTS = ROWS.map(([method, pattern, kind, extra]) => ({ method, pattern, kind, ...extra }));
/** `{name:.*}` matches anything (also '/'), `{id}` one path segment; gorilla anchors the whole path. */
function compile(pattern) {
    const source = pattern
        .split(/(\{[^}]+\})/)
        .map((part) => {
        const parameter = /^\{[^:}]+(?::(.*))?\}$/.exec(part);
        if (!parameter)
            return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        return parameter[1] === undefined ? '([^/]+)' : `(${parameter[1]})`;
    })
        .join('');
    return new RegExp(`^${source}$`);
}
const COMPILED = ENDPOINTS.map((endpoint) => ({ endpoint, regex: compile(endpoint.pattern) }));
/** The endpoint a request reaches: `path` as routePath gives it (decoded, cleaned, no version prefix). */
function matchEndpoint(method, path) {
    const verb = method.toUpperCase();
    for (const { endpoint, regex } of COMPILED) {
        if (endpoint.method !== verb)
            continue;
        const match = regex.exec(path);
        if (match)
            return { endpoint, ...(match[1] !== undefined ? { param: match[1] } : {}) };
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/dood/routes.ts
/**
 * Requests as the daemon's router sees them: which endpoint (endpoints.ts) a
 * method and URL reach, after the percent-decoding, cleaning and version
 * prefix the router applies, so the proxy inspects what the daemon will act on.
 */


/** The path the daemon's router sees: percent-decoded, cleaned, without the API version prefix. */
function routePath(url) {
    const raw = url.split('?')[0] ?? '';
    const decoded = raw.replace(/%([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    const clean = external_node_path_namespaceObject.posix.normalize(`/${decoded}`).replace(/(.)\/+$/, '$1');
    return clean.replace(/^\/v[0-9.]+(?=\/|$)/, '') || '/';
}
/** `url` with its route path replaced by `path`: the API version prefix and the query kept. */
function withRoutePath(url, path) {
    const version = /^\/v[0-9]+(?:\.[0-9]+)?(?=\/)/.exec(url)?.[0] ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
    return `${version}${path}${query}`;
}
/** The query as the daemon may read it: older Go versions also split on ';'. */
function queryOf(url) {
    return new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1).replace(/;/g, '&') : '');
}
/** The endpoint a request reaches, as the daemon's router would route it. */
function classifyRequest(method, url) {
    const match = matchEndpoint(method, routePath(url));
    const query = queryOf(url);
    if (!match)
        return { kind: 'unknown', pattern: '', ref: '', upgrade: false, query };
    const { endpoint, param } = match;
    const ref = endpoint.kind === 'commit' ? (query.get('container') ?? '') : (param ?? '');
    return {
        kind: endpoint.kind,
        pattern: endpoint.pattern,
        ref,
        upgrade: endpoint.upgrade === true,
        ...(endpoint.refusal ? { refusal: endpoint.refusal } : {}),
        query,
    };
}
/** The route's path with its reference replaced by `ref` (a full ID that was checked), in `url`'s version and query. */
function pinnedUrl(url, route, ref) {
    return withRoutePath(url, route.pattern.replace(/\{[^}]+\}/, encodeURIComponent(ref)));
}
/** `url` with one query parameter set to `value` (a reference pinned to the full ID that was checked). */
function withQuery(url, name, value) {
    const query = queryOf(url);
    query.set(name, value);
    return `${url.split('?')[0]}?${query.toString()}`;
}

;// CONCATENATED MODULE: ./src/dood/guard.ts






/** The daemon routes http://host/path targets by their path: only plain paths are inspected, so only those pass. */
function targetRefusal(url) {
    return url.startsWith('/') ? undefined : new Refused(400, `setup-dind dood proxy: the request target must be a path, not ${url.slice(0, 100)}`);
}
/** Only the endpoints that hijack (attach, exec start, BuildKit) may, and unknown ones outside strict (strict refuses them anyway). */
function upgradeRefusal(method, url, route) {
    if (route.upgrade || route.kind === 'unknown')
        return undefined;
    return new Refused(400, `setup-dind dood proxy: ${method} ${routePath(url)} does not take a connection upgrade.`);
}
/** What strict calls a request about one object in a refusal: the endpoint's last word (json reads as inspect). */
function described(method, route) {
    const action = /\/([a-z]+)$/.exec(route.pattern)?.[1];
    if (method === 'DELETE')
        return 'remove';
    return action === 'json' ? 'inspect' : action ?? method.toLowerCase();
}
/** The body sent on: the inspected one re-serialized, or the raw one when it was not JSON. */
function serialize(inspected, raw) {
    return inspected ? Buffer.from(JSON.stringify(inspected.body)) : raw;
}
class RequestGuard {
    options;
    constructor(options) {
        this.options = options;
    }
    get strict() {
        return this.options.context.policy === 'strict';
    }
    /**
     * Policy refusals by endpoint, and strict's own-objects rule, from the
     * method, target and headers alone. Answers the target to forward instead
     * (the reference pinned to the full ID that was checked), or undefined for
     * the request's own. Throws Refused.
     */
    async checkRoute(route, req) {
        if (!this.strict)
            return undefined;
        const { ownership } = this.options;
        const method = (req.method ?? 'GET').toUpperCase();
        const url = req.url ?? '/';
        // The daemon reads form values from a url-encoded body before the query: strict checks the query only.
        if (/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
            throw policyRefusal('strict', 'a form-encoded request body', 'the proxy checks parameters in the query only');
        }
        switch (route.kind) {
            case 'unknown':
                throw policyRefusal('strict', `${method} ${routePath(url)}`, 'it is not an Engine API endpoint the proxy knows (API 1.41 to 1.51); strict forwards only those');
            case 'forbidden':
                throw policyRefusal('strict', route.refusal.what, route.refusal.why);
            case 'prune':
                return this.checkPrune(route);
            case 'build':
                if ((route.query.get('networkmode') ?? '').toLowerCase() === 'host')
                    throw policyRefusal('strict', 'build --network host', "it shares the host's network stack");
                return undefined;
            case 'container-start': {
                // The daemon joins the networks its config names when it starts, resolving their names again then.
                const { id, json } = await ownership.ownContainerConfig(route.ref, 'start');
                await ownership.ownNetworks(containerNetworks(json));
                return pinnedUrl(url, route, id);
            }
            case 'container':
            case 'container-update':
            case 'exec-create':
                return pinnedUrl(url, route, await ownership.ownContainer(route.ref, described(method, route)));
            case 'exec':
                return pinnedUrl(url, route, await ownership.ownExec(route.ref, `exec ${described(method, route)}`));
            case 'commit':
                return withQuery(url, 'container', await ownership.ownContainer(route.ref, 'commit'));
            case 'volume':
                return pinnedUrl(url, route, await ownership.ownObject('volume', route.ref, `${method === 'DELETE' ? 'remove' : 'update'} volume`));
            case 'network-remove':
                return pinnedUrl(url, route, await ownership.ownObject('network', route.ref, 'network remove'));
            default:
                return undefined; // network connect and disconnect are pinned in prepare(), with the container in the body
        }
    }
    /** strict scopes container, volume and network prunes to the job's labels; image and build-cache prunes act on every job's. */
    checkPrune(route) {
        if (route.pattern === '/images/prune')
            throw policyRefusal('strict', 'docker image prune', "it removes every job's unused images, and the proxy cannot tell the job's own");
        if (route.pattern === '/build/prune')
            throw policyRefusal('strict', 'docker builder prune', "the build cache is every job's, and the proxy cannot tell the job's own");
        return undefined;
    }
    /** checkRoute, then the body read and inspected where the route needs it: how the request goes on. Throws Refused. */
    async prepare(route, req) {
        const pinned = await this.checkRoute(route, req);
        const path = pinned === undefined ? {} : { path: pinned };
        const { context, ownership } = this.options;
        switch (route.kind) {
            case 'container-create': {
                const { raw, inspected } = await this.inspectBody(req, (body) => inspectContainerCreate(body, context));
                if (inspected && this.strict)
                    await this.ownReferences(inspected);
                if (inspected)
                    await ownership.prepareVolumes(inspected.volumes);
                return { body: serialize(inspected, raw), explainErrors: true };
            }
            case 'network-create':
            case 'volume-create':
            case 'exec-create': {
                const inspect = route.kind === 'network-create' ? inspectNetworkCreate : route.kind === 'volume-create' ? inspectVolumeCreate : inspectExecCreate;
                const { raw, inspected } = await this.inspectBody(req, (body) => inspect(body, context));
                return { ...path, body: serialize(inspected, raw) };
            }
            case 'container-start': {
                const { raw, inspected } = await this.inspectBody(req, (body) => inspectStartBody(body, context));
                if (inspected && this.strict)
                    await this.ownReferences(inspected);
                if (inspected)
                    await ownership.prepareVolumes(inspected.volumes);
                return { ...path, body: serialize(inspected, raw), explainErrors: true };
            }
            case 'network-connect':
            case 'network-disconnect':
                return this.strict ? this.pinNetwork(route, req) : {};
            case 'prune':
                return this.strict ? { path: this.scopedPrune(req.url ?? '/') } : {};
            default:
                return path;
        }
    }
    /** strict: the containers and networks a container's config names are the job's own; joins pinned to full IDs. */
    async ownReferences(inspected) {
        await this.options.ownership.ownJoins(inspected.joins);
        await this.options.ownership.ownNetworks(inspected.networks);
    }
    /** Reads, inspects and logs a JSON body; an empty one has no inspection, and only policy none forwards one that is not JSON. */
    async inspectBody(req, inspect) {
        const raw = await readBody(req, MAX_INSPECTED_BODY);
        const text = raw.toString('utf8');
        const parsed = parseFirstJsonValue(text);
        if (!parsed) {
            // An empty body is no body (a start without a HostConfig); any other must be read to be checked.
            const { policy } = this.options.context;
            if (policy !== 'none' && text.trim() !== '')
                throw new Refused(400, `setup-dind dood-policy ${policy}: a request body that is not JSON is not allowed (the proxy must read what it forwards)`);
            return { raw };
        }
        const inspected = inspect(parsed.value);
        for (const note of inspected.notes)
            this.options.log(note);
        return { raw, inspected };
    }
    /** strict: a container connected or disconnected, pinned to the full IDs that were checked. */
    async pinNetwork(route, req) {
        const { ownership } = this.options;
        const url = req.url ?? '/';
        const action = route.kind === 'network-connect' ? 'connect' : 'disconnect';
        const raw = await readBody(req, MAX_INSPECTED_BODY);
        const parsed = parseFirstJsonValue(raw.toString('utf8'));
        if (!parsed)
            throw policyRefusal('strict', `network ${action} with a body that is not JSON`, 'the proxy must know which container it is');
        const pinned = await ownership.pinNetworkMembership(route.ref, `network ${action}`, parsed.value);
        return { body: Buffer.from(JSON.stringify(pinned.body)), path: pinnedUrl(url, route, pinned.network) };
    }
    /** strict: a prune's target with the job's label filters added. */
    scopedPrune(url) {
        const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
        return `${url.split('?')[0]}?${scopePruneFilters(query, this.options.context.labels)}`;
    }
}

;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_namespaceObject);
;// CONCATENATED MODULE: ./src/dood/listen.ts
/**
 * The proxy's own socket: only this user may connect, from the first moment,
 * and a socket left by a proxy that died is replaced, never a live one or a
 * file that is not a socket.
 */


/** Removes a socket file nobody serves any more; refuses to touch a live socket or anything that is not a socket. */
async function removeStaleSocket(path) {
    let info;
    try {
        info = (0,external_node_fs_.lstatSync)(path);
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return;
        throw error;
    }
    if (!info.isSocket())
        throw new Error(`${path} exists and is not a socket; not replacing it.`);
    const live = await new Promise((resolve) => {
        const probe = external_node_net_default().connect(path);
        probe.once('connect', () => {
            probe.destroy();
            resolve(true);
        });
        probe.once('error', () => resolve(false));
    });
    if (live)
        throw new Error(`Another process serves ${path}; not replacing it.`);
    (0,external_node_fs_.unlinkSync)(path);
}
/** `server` listening on the unix socket `path`, mode 0600: umask while binding, chmod after. */
async function listenPrivately(server, path) {
    await removeStaleSocket(path);
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        let previous;
        try {
            previous = process.umask(0o177);
        }
        catch {
            // worker threads cannot change the umask; chmod below still applies
        }
        try {
            server.listen(path, () => {
                server.off('error', reject);
                resolve();
            });
        }
        finally {
            if (previous !== undefined)
                process.umask(previous);
        }
    });
    (0,external_node_fs_.chmodSync)(path, 0o600);
}

;// CONCATENATED MODULE: ./src/dood/port-conflict.ts
/**
 * "Port is already allocated": the daemon's message names the port, not who
 * holds it. The proxy adds the container that publishes it (or says none
 * does), so a job sharing the host's daemon sees what it collides with.
 */

/** The host address and port a "port is already allocated" / "address already in use" error is about. */
function conflictingPort(message) {
    if (!/port is already allocated|address already in use/i.test(message))
        return undefined;
    const match = /Bind for (\[[^\]]*\]|[^\s:]*):(\d+) failed/i.exec(message) ??
        /listen (tcp|udp|sctp)[46]? (\[[^\]]*\]|[^\s:]*):(\d+)/i.exec(message);
    if (!match)
        return undefined;
    if (match.length === 3)
        return { ip: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]), protocol: '' };
    return { ip: match[2].replace(/^\[|\]$/g, ''), port: Number(match[3]), protocol: match[1].toLowerCase() };
}
const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);
/** The daemon's message with the container that publishes the port appended, or undefined when the message is not a port conflict. */
function explainPortConflict(message, containers) {
    const conflict = conflictingPort(message);
    if (!conflict)
        return undefined;
    const holder = containers.find((container) => (container.Ports ?? []).some((port) => port.PublicPort === conflict.port &&
        (conflict.protocol === '' || (port.Type ?? 'tcp') === conflict.protocol) &&
        (ANY_ADDRESS.has(conflict.ip) || ANY_ADDRESS.has(port.IP ?? '') || port.IP === conflict.ip)));
    if (!holder) {
        return `${message} (no container publishes host port ${conflict.port}: a process on the host, or a container on the host network, holds it)`;
    }
    const name = holder.Names?.[0]?.replace(/^\//, '') ?? holder.Id?.slice(0, 12) ?? '?';
    return `${message} (the port is held by container ${name})`;
}
/**
 * A daemon error answer with the port's holder added to its message, when it
 * is a port conflict; else the answer as it was.
 */
async function withPortHolder(answer, listContainers, log) {
    const parsed = parseFirstJsonValue(answer.toString('utf8'))?.value;
    const message = isObject(parsed) ? parsed.message : undefined;
    if (typeof message !== 'string' || !conflictingPort(message))
        return answer;
    const explained = explainPortConflict(message, await listContainers().catch(() => []));
    if (!explained)
        return answer;
    log(`port conflict explained: ${explained}`);
    return Buffer.from(`${JSON.stringify({ ...(isObject(parsed) ? parsed : {}), message: explained })}\n`);
}

;// CONCATENATED MODULE: ./src/dood/proxy.ts
/**
 * The DooD isolation proxy: a per-job unix socket in front of the host
 * daemon's. It forwards the Engine API faithfully (streams both ways, no
 * buffering, no timeouts, hijacked attach/exec/session connections with
 * half-close) and looks only at the few requests that create things or could
 * reach outside the job:
 *
 * - containers, networks and volumes the job creates get the job's labels,
 *   so teardown removes exactly those;
 * - when the job itself runs in a container, bind-mount sources (paths in the
 *   job's container) are translated to the host paths the daemon sees;
 * - dood-policy refuses privileged containers, host namespaces, binds outside
 *   the workspace and temp dirs, and the Docker socket (403 with a message the
 *   docker CLI prints);
 * - "port is already allocated" errors name the container holding the port.
 *
 * Bodies the proxy inspects are parsed the way the daemon's Go decoder reads
 * them (first JSON value, field names case-insensitive) and re-serialized, so
 * the daemon acts on exactly what was checked.
 *
 * This file wires the parts together: routes.ts (which endpoint), guard.ts
 * (what to do with it: inspect.ts, ownership.ts), forwarder.ts (the
 * transport), daemon-client.ts (the proxy's own requests), listen.ts.
 */












/**
 * The inspections' context: roots and socket paths as the daemon's host sees
 * them. When the proxy sees the host (no pathMap), symbolic links count too
 * (e.g. /var/run -> /run); in a container, the socket paths are translated.
 */
function inspectionContext(options) {
    const inContainer = options.pathMap !== undefined;
    const resolveHost = (paths) => [...new Set([...paths, ...(inContainer ? [] : paths.map(resolveExisting))])];
    const socketPaths = [...options.socketPaths];
    if (options.pathMap) {
        for (const path of options.socketPaths) {
            const host = translateHostPath(path, options.pathMap);
            if (host)
                socketPaths.push(host);
        }
    }
    return {
        labels: { ...options.labels },
        policy: options.policy,
        allowedBindRoots: resolveHost(options.allowedBindRoots),
        socketPaths: resolveHost(socketPaths),
        ...(options.pathMap ? { pathMap: options.pathMap } : {}),
        resolvePath: resolveExisting,
    };
}
async function startProxy(options) {
    const { listenPath, upstreamPath, log } = options;
    const context = inspectionContext(options);
    // Every connection, the client's and the daemon's, so close() ends them all.
    const sockets = new Set();
    const track = (socket) => {
        if (sockets.has(socket))
            return;
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
    };
    let closing = false;
    const daemon = daemonClient(upstreamPath, track);
    const ownership = new Ownership({ daemon, labels: context.labels, strict: context.policy === 'strict', log });
    const guard = new RequestGuard({ context, ownership, log });
    const forwarder = new Forwarder({
        upstreamPath,
        track,
        log,
        closing: () => closing,
        explainError: (answer) => withPortHolder(answer, daemon.listContainers, log),
    });
    const handle = async (req, res) => {
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const route = classifyRequest(method, url);
        try {
            const refusal = targetRefusal(url);
            if (refusal)
                throw refusal;
            forwarder.forward(req, res, await guard.prepare(route, req));
        }
        catch (error) {
            if (error instanceof Refused) {
                log(`refused ${method} ${url}: ${error.message}`);
                req.resume();
                return jsonAnswer(res, error.status, error.message);
            }
            const message = error instanceof Error ? error.message : String(error);
            if (!closing)
                log(`error handling ${method} ${url}: ${message}`);
            jsonAnswer(res, 502, `setup-dind dood proxy: ${message}`);
        }
    };
    const upgrade = (req, socket, head) => {
        track(socket);
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const route = classifyRequest(method, url);
        const refusal = targetRefusal(url) ?? upgradeRefusal(method, url, route);
        if (refusal)
            return forwarder.refuseUpgrade(req, socket, refusal);
        forwarder.hijack(req, socket, head, () => guard.checkRoute(route, req));
    };
    // No timeouts (streams, uploads and idle keep-alive connections last as long as the client wants),
    // and headers as large as the daemon takes (X-Registry-Config carries every registry credential).
    const server = external_node_http_default().createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0, maxHeaderSize: 1 << 20 });
    server.keepAliveTimeout = 0;
    server.timeout = 0;
    server.on('connection', (socket) => track(socket));
    server.on('request', (req, res) => void handle(req, res));
    server.on('upgrade', upgrade);
    server.on('clientError', (_error, socket) => {
        if (socket.writable)
            socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        socket.destroy();
    });
    await listenPrivately(server, listenPath);
    log(`DooD proxy listening on ${listenPath} for ${upstreamPath} (dood-policy ${options.policy}` +
        `${options.pathMap ? `; bind sources translated through ${options.pathMap.length} mounts of the job's container` : ''})`);
    let closed;
    return {
        close() {
            closed ??= new Promise((resolve) => {
                closing = true;
                server.close(() => resolve());
                for (const socket of sockets)
                    socket.destroy();
                server.closeAllConnections();
            }).then(() => {
                try {
                    (0,external_node_fs_.unlinkSync)(listenPath);
                }
                catch {
                    // already gone (node removes it on close)
                }
                log(`DooD proxy on ${listenPath} closed`);
            });
            return closed;
        },
    };
}


/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
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
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(334);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=proxy-main.js.map
