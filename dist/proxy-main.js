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
/* harmony import */ var _proxy_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(792);
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

/***/ 792:
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
 * creates, tag claims, the container list for a port conflict), each on its own
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
    // With the raw headers: the ping's answer is its headers.
    const send = (method, path, body, limit = MAX_ERROR_BODY) => new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers = { Host: 'docker', ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) };
        const sent = external_node_http_default().request({ socketPath: upstreamPath, method, path, agent: false, headers }, (response) => {
            readBody(response, limit).then((data) => resolve({ status: response.statusCode ?? 0, json: parseFirstJsonValue(data.toString('utf8'))?.value, rawHeaders: response.rawHeaders }), reject);
        });
        sent.on('socket', (socket) => track(socket));
        sent.on('error', reject);
        sent.end(payload);
    });
    const request = async (method, path, body, limit) => {
        const { status, json } = await send(method, path, body, limit);
        return { status, json };
    };
    return {
        ping: async () => {
            const { status, rawHeaders } = await send('HEAD', '/_ping');
            return { status, rawHeaders };
        },
        inspect: (kind, ref) => request('GET', INSPECT_PATHS[kind](ref)),
        createVolume: (spec) => request('POST', '/volumes/create', spec),
        inspectImage: (ref) => request('GET', `/images/${encodeURIComponent(ref)}/json`),
        removeVolume: (name) => request('DELETE', `/volumes/${encodeURIComponent(name)}`),
        inspectVolume: (name) => request('GET', INSPECT_PATHS.volume(name)),
        listContainers: async () => {
            // The list of every container can be long: a larger limit than for one object.
            const { json } = await request('GET', '/containers/json', undefined, 64 << 20);
            return Array.isArray(json) ? json : [];
        },
    };
}

;// CONCATENATED MODULE: ./src/dood/image-refs.ts
/**
 * Image references as the daemon reads them (distribution/reference:
 * ParseNormalizedNamed, TagNameOnly, ParseAnyReference; moby's GetImage and
 * isImageIDPrefix), so the proxy checks the very tag the daemon will write
 * or remove: `alpine` is docker.io/library/alpine:latest.
 */
// The grammar of distribution/reference's regexp.go, anchored as Parse uses it.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** The digest algorithms the daemon has registered, by the length of their hex encoding. */
const DIGEST_HEX_LENGTH = { sha256: 64, sha384: 96, sha512: 128 };
/** distribution's NameTotalLengthMax; the daemon's older copy counts the domain too, the stricter reading. */
const NAME_MAX = 255;
/** go-digest's Parse: a registered algorithm and its exact lower-case hex encoding. */
function isDigest(text) {
    const colon = text.indexOf(':');
    if (colon <= 0)
        return false;
    const length = DIGEST_HEX_LENGTH[text.slice(0, colon)];
    return length !== undefined && new RegExp(`^[a-f0-9]{${length}}$`).test(text.slice(colon + 1));
}
/** reference.Parse of a string that already has its domain. */
function parse(text) {
    const match = REFERENCE.exec(text);
    if (!match || match[1].length > NAME_MAX)
        return undefined;
    const name = ANCHORED_NAME.exec(match[1]);
    if (!name || !name[1])
        return undefined;
    if (match[3] !== undefined && !isDigest(match[3]))
        return undefined;
    return { domain: name[1], path: name[2], ...(match[2] !== undefined ? { tag: match[2] } : {}), ...(match[3] !== undefined ? { digest: match[3] } : {}) };
}
/** splitDockerDomain: `ubuntu` is on docker.io under library/; a first part with '.', ':' or upper case, or localhost, is a domain. */
function splitDockerDomain(text) {
    const slash = text.indexOf('/');
    let domain = 'docker.io';
    let remainder = text;
    if (slash >= 0) {
        const first = text.slice(0, slash);
        if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
            domain = first === 'index.docker.io' ? 'docker.io' : first;
            remainder = text.slice(slash + 1);
        }
    }
    if (domain === 'docker.io' && !remainder.includes('/'))
        remainder = `library/${remainder}`;
    return { domain, remainder };
}
/** ParseNormalizedNamed: a familiar name made canonical; undefined where the daemon refuses it (64 hex, upper case, bad syntax). */
function parseNormalizedNamed(text) {
    if (IDENTIFIER.test(text))
        return undefined;
    const { domain, remainder } = splitDockerDomain(text);
    const colon = remainder.indexOf(':');
    const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
    if (remote.toLowerCase() !== remote)
        return undefined;
    return parse(`${domain}/${remainder}`);
}
/** TagNameOnly: a name without tag or digest gets `latest`. */
function tagNameOnly(ref) {
    return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}
/** The repository: `docker.io/library/alpine`. */
function repositoryOf(ref) {
    return `${ref.domain}/${ref.path}`;
}
/** The canonical string: `docker.io/library/alpine:latest`, `…@sha256:…`. */
function referenceString(ref) {
    return `${repositoryOf(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
/** A name as the daemon tags it (ParseNormalizedNamed, then TagNameOnly), canonical; undefined when it is not one. */
function normalizedTag(text) {
    const ref = parseNormalizedNamed(text);
    return ref && referenceString(tagNameOnly(ref));
}
/**
 * The tag a repo and tag parameter pair writes (image tag, commit, import):
 * `repo` normalized, with `tag` replacing its tag when given. Undefined when
 * the daemon would refuse it, also for a digest reference without a tag (it
 * refuses to tag one).
 */
function repoTagName(repo, tag) {
    const ref = parseNormalizedNamed(repo);
    if (!ref)
        return undefined;
    if (tag !== '')
        return ANCHORED_TAG.test(tag) ? `${repositoryOf(ref)}:${tag}` : undefined;
    return ref.digest === undefined ? referenceString(tagNameOnly(ref)) : undefined;
}
/** Whether a reference is a tag (no digest): only tags can be overwritten. */
function isTagReference(text) {
    const ref = parseNormalizedNamed(text);
    return ref !== undefined && ref.digest === undefined;
}
function lookupTerm(text) {
    if (IDENTIFIER.test(text))
        return { kind: 'id', id: `sha256:${text}` };
    if (isDigest(text))
        return { kind: 'id', id: text };
    const ref = parseNormalizedNamed(text);
    // The ID search (digestset.Lookup) takes hex, with or without "algorithm:".
    return ref && { kind: 'name', ref, mayBeIdPrefix: /^(?:[a-z0-9]+:)?[a-f0-9]+$/.test(text) };
}
/** moby's isImageIDPrefix: which DELETE /images/{ref} removes by ID (every reference) rather than untags `ref`. */
function isImageIdPrefix(imageId, possiblePrefix) {
    if (imageId.startsWith(possiblePrefix))
        return true;
    const colon = imageId.indexOf(':');
    return colon >= 0 && imageId.slice(colon + 1).startsWith(possiblePrefix);
}

;// CONCATENATED MODULE: ./node_modules/@bufbuild/protobuf/dist/esm/wire/varint.js
// Copyright 2008 Google Inc.  All rights reserved.
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are
// met:
//
// * Redistributions of source code must retain the above copyright
// notice, this list of conditions and the following disclaimer.
// * Redistributions in binary form must reproduce the above
// copyright notice, this list of conditions and the following disclaimer
// in the documentation and/or other materials provided with the
// distribution.
// * Neither the name of Google Inc. nor the names of its
// contributors may be used to endorse or promote products derived from
// this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
// "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
// LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
// A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
// OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
// SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
// LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
// DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
// THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
// (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
//
// Code generated by the Protocol Buffer compiler is owned by the owner
// of the input file used when generating it.  This code is not
// standalone and requires a support library to be linked with it.  This
// support library is itself covered by the above license.
/**
 * Read a 64 bit varint as two JS numbers.
 *
 * Stores the low and high words on the reader.
 *
 * Copyright 2008 Google Inc.  All rights reserved.
 *
 * See https://github.com/protocolbuffers/protobuf/blob/8a71927d74a4ce34efe2d8769fda198f52d20d12/js/experimental/runtime/kernel/buffer_decoder.js#L175
 */
function varint64read() {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
        const b = buf[pos++];
        lo |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            this.pos = pos;
            this.assertBounds();
            this.varint64Lo = lo;
            this.varint64Hi = hi;
            return;
        }
    }
    const middleByte = buf[pos++];
    // last four bits of the first 32 bit number
    lo |= (middleByte & 0x0f) << 28;
    // 3 upper bits are part of the next 32 bit number
    hi = (middleByte & 0x70) >> 4;
    if ((middleByte & 0x80) == 0) {
        this.pos = pos;
        this.assertBounds();
        this.varint64Lo = lo;
        this.varint64Hi = hi;
        return;
    }
    for (let shift = 3; shift <= 31; shift += 7) {
        const b = buf[pos++];
        hi |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            this.pos = pos;
            this.assertBounds();
            this.varint64Lo = lo;
            this.varint64Hi = hi;
            return;
        }
    }
    throw new Error("invalid varint");
}
/**
 * Write a 64 bit varint, given as two JS numbers, to the given bytes array.
 *
 * Copyright 2008 Google Inc.  All rights reserved.
 *
 * See https://github.com/protocolbuffers/protobuf/blob/8a71927d74a4ce34efe2d8769fda198f52d20d12/js/experimental/runtime/kernel/writer.js#L344
 */
function varint64write(lo, hi, bytes) {
    for (let i = 0; i < 28; i = i + 7) {
        const shift = lo >>> i;
        const hasNext = !(shift >>> 7 == 0 && hi == 0);
        const byte = (hasNext ? shift | 0x80 : shift) & 0xff;
        bytes.push(byte);
        if (!hasNext) {
            return;
        }
    }
    const splitBits = ((lo >>> 28) & 0x0f) | ((hi & 0x07) << 4);
    const hasMoreBits = !(hi >> 3 == 0);
    bytes.push((hasMoreBits ? splitBits | 0x80 : splitBits) & 0xff);
    if (!hasMoreBits) {
        return;
    }
    for (let i = 3; i < 31; i = i + 7) {
        const shift = hi >>> i;
        const hasNext = !(shift >>> 7 == 0);
        const byte = (hasNext ? shift | 0x80 : shift) & 0xff;
        bytes.push(byte);
        if (!hasNext) {
            return;
        }
    }
    bytes.push((hi >>> 31) & 0x01);
}
// constants for binary math
const TWO_PWR_32_DBL = 0x100000000;
/**
 * Parse decimal string of 64 bit integer value as two JS numbers.
 *
 * Copyright 2008 Google Inc.  All rights reserved.
 *
 * See https://github.com/protocolbuffers/protobuf-javascript/blob/a428c58273abad07c66071d9753bc4d1289de426/experimental/runtime/int64.js#L10
 */
function int64FromString(dec) {
    // Check for minus sign.
    const minus = dec[0] === "-";
    if (minus) {
        dec = dec.slice(1);
    }
    // Work 6 decimal digits at a time, acting like we're converting base 1e6
    // digits to binary. This is safe to do with floating point math because
    // Number.isSafeInteger(ALL_32_BITS * 1e6) == true.
    const base = 1e6;
    let lowBits = 0;
    let highBits = 0;
    function add1e6digit(begin, end) {
        // Note: Number('') is 0.
        const digit1e6 = Number(dec.slice(begin, end));
        highBits *= base;
        lowBits = lowBits * base + digit1e6;
        // Carry bits from lowBits to
        if (lowBits >= TWO_PWR_32_DBL) {
            highBits = highBits + ((lowBits / TWO_PWR_32_DBL) | 0);
            lowBits = lowBits % TWO_PWR_32_DBL;
        }
    }
    add1e6digit(-24, -18);
    add1e6digit(-18, -12);
    add1e6digit(-12, -6);
    add1e6digit(-6);
    return minus ? negate(lowBits, highBits) : newBits(lowBits, highBits);
}
/**
 * Losslessly converts a 64-bit signed integer in 32:32 split representation
 * into a decimal string.
 *
 * Copyright 2008 Google Inc.  All rights reserved.
 *
 * See https://github.com/protocolbuffers/protobuf-javascript/blob/a428c58273abad07c66071d9753bc4d1289de426/experimental/runtime/int64.js#L10
 */
function int64ToString(lo, hi) {
    let bits = newBits(lo, hi);
    // If we're treating the input as a signed value and the high bit is set, do
    // a manual two's complement conversion before the decimal conversion.
    const negative = bits.hi & 0x80000000;
    if (negative) {
        bits = negate(bits.lo, bits.hi);
    }
    const result = uInt64ToString(bits.lo, bits.hi);
    return negative ? "-" + result : result;
}
/**
 * Losslessly converts a 64-bit unsigned integer in 32:32 split representation
 * into a decimal string.
 *
 * Copyright 2008 Google Inc.  All rights reserved.
 *
 * See https://github.com/protocolbuffers/protobuf-javascript/blob/a428c58273abad07c66071d9753bc4d1289de426/experimental/runtime/int64.js#L10
 */
function uInt64ToString(lo, hi) {
    ({ lo, hi } = toUnsigned(lo, hi));
    // Skip the expensive conversion if the number is small enough to use the
    // built-in conversions.
    // Number.MAX_SAFE_INTEGER = 0x001FFFFF FFFFFFFF, thus any number with
    // highBits <= 0x1FFFFF can be safely expressed with a double and retain
    // integer precision.
    // Proven by: Number.isSafeInteger(0x1FFFFF * 2**32 + 0xFFFFFFFF) == true.
    if (hi <= 0x1fffff) {
        return String(TWO_PWR_32_DBL * hi + lo);
    }
    // What this code is doing is essentially converting the input number from
    // base-2 to base-1e7, which allows us to represent the 64-bit range with
    // only 3 (very large) digits. Those digits are then trivial to convert to
    // a base-10 string.
    // The magic numbers used here are -
    // 2^24 = 16777216 = (1,6777216) in base-1e7.
    // 2^48 = 281474976710656 = (2,8147497,6710656) in base-1e7.
    // Split 32:32 representation into 16:24:24 representation so our
    // intermediate digits don't overflow.
    const low = lo & 0xffffff;
    const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
    const high = (hi >> 16) & 0xffff;
    // Assemble our three base-1e7 digits, ignoring carries. The maximum
    // value in a digit at this step is representable as a 48-bit integer, which
    // can be stored in a 64-bit floating point number.
    let digitA = low + mid * 6777216 + high * 6710656;
    let digitB = mid + high * 8147497;
    let digitC = high * 2;
    // Apply carries from A to B and from B to C.
    const base = 10000000;
    if (digitA >= base) {
        digitB += Math.floor(digitA / base);
        digitA %= base;
    }
    if (digitB >= base) {
        digitC += Math.floor(digitB / base);
        digitB %= base;
    }
    // If digitC is 0, then we should have returned in the trivial code path
    // at the top for non-safe integers. Given this, we can assume both digitB
    // and digitA need leading zeros.
    return (digitC.toString() +
        decimalFrom1e7WithLeadingZeros(digitB) +
        decimalFrom1e7WithLeadingZeros(digitA));
}
function toUnsigned(lo, hi) {
    return { lo: lo >>> 0, hi: hi >>> 0 };
}
function newBits(lo, hi) {
    return { lo: lo | 0, hi: hi | 0 };
}
/**
 * Returns two's compliment negation of input.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/Bitwise_Operators#Signed_32-bit_integers
 */
function negate(lowBits, highBits) {
    highBits = ~highBits;
    if (lowBits) {
        lowBits = ~lowBits + 1;
    }
    else {
        // If lowBits is 0, then bitwise-not is 0xFFFFFFFF,
        // adding 1 to that, results in 0x100000000, which leaves
        // the low bits 0x0 and simply adds one to the high bits.
        highBits += 1;
    }
    return newBits(lowBits, highBits);
}
/**
 * Returns decimal representation of digit1e7 with leading zeros.
 */
const decimalFrom1e7WithLeadingZeros = (digit1e7) => {
    const partial = String(digit1e7);
    return "0000000".slice(partial.length) + partial;
};
/**
 * Write a 32 bit varint, signed or unsigned. Same as `varint64write(0, value, bytes)`
 *
 * Copyright 2008 Google Inc.  All rights reserved.
 *
 * See https://github.com/protocolbuffers/protobuf/blob/1b18833f4f2a2f681f4e4a25cdf3b0a43115ec26/js/binary/encoder.js#L144
 */
function varint32write(value, bytes) {
    if (value >>> 0 < 0x80) {
        bytes.push(value);
        return;
    }
    if (value >= 0) {
        // write value as varint 32
        while (value > 0x7f) {
            bytes.push((value & 0x7f) | 0x80);
            value = value >>> 7;
        }
        bytes.push(value);
    }
    else {
        for (let i = 0; i < 9; i++) {
            bytes.push((value & 127) | 128);
            value = value >> 7;
        }
        bytes.push(1);
    }
}
/**
 * Read an unsigned 32 bit varint.
 *
 * See https://github.com/protocolbuffers/protobuf/blob/8a71927d74a4ce34efe2d8769fda198f52d20d12/js/experimental/runtime/kernel/buffer_decoder.js#L220
 */
function varint32read() {
    let b = this.buf[this.pos++];
    if ((b & 0x80) === 0) {
        this.assertBounds();
        return b;
    }
    let result = b & 0x7f;
    b = this.buf[this.pos++];
    result |= (b & 0x7f) << 7;
    if ((b & 0x80) === 0) {
        this.assertBounds();
        return result;
    }
    b = this.buf[this.pos++];
    result |= (b & 0x7f) << 14;
    if ((b & 0x80) === 0) {
        this.assertBounds();
        return result;
    }
    b = this.buf[this.pos++];
    result |= (b & 0x7f) << 21;
    if ((b & 0x80) === 0) {
        this.assertBounds();
        return result;
    }
    // Extract only last 4 bits
    b = this.buf[this.pos++];
    result |= (b & 0x0f) << 28;
    for (let readBytes = 5; (b & 0x80) !== 0 && readBytes < 10; readBytes++)
        b = this.buf[this.pos++];
    if ((b & 0x80) !== 0)
        throw new Error("invalid varint");
    this.assertBounds();
    return result >>> 0;
}

;// CONCATENATED MODULE: ./node_modules/@bufbuild/protobuf/dist/esm/proto-int64.js
// Copyright 2021-2026 Buf Technologies, Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//      http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

/**
 * Int64Support for the current environment.
 */
const protoInt64 = /*@__PURE__*/ makeInt64Support();
function makeInt64Support() {
    const dv = new DataView(new ArrayBuffer(8));
    // note that Safari 14 implements BigInt, but not the DataView methods
    const ok = typeof BigInt === "function" &&
        typeof dv.getBigInt64 === "function" &&
        typeof dv.getBigUint64 === "function" &&
        typeof dv.setBigInt64 === "function" &&
        typeof dv.setBigUint64 === "function" &&
        (!!globalThis.Deno ||
            !!globalThis.Bun ||
            typeof process != "object" ||
            typeof process.env != "object" ||
            process.env.BUF_BIGINT_DISABLE !== "1");
    if (ok) {
        const MIN = BigInt("-9223372036854775808");
        const MAX = BigInt("9223372036854775807");
        const UMIN = BigInt("0");
        const UMAX = BigInt("18446744073709551615");
        return {
            zero: BigInt(0),
            supported: true,
            parse(value) {
                const bi = typeof value == "bigint" ? value : BigInt(value);
                if (bi > MAX || bi < MIN) {
                    throw new Error(`invalid int64: ${value}`);
                }
                return bi;
            },
            uParse(value) {
                const bi = typeof value == "bigint" ? value : BigInt(value);
                if (bi > UMAX || bi < UMIN) {
                    throw new Error(`invalid uint64: ${value}`);
                }
                return bi;
            },
            enc(value) {
                dv.setBigInt64(0, this.parse(value), true);
                return {
                    lo: dv.getInt32(0, true),
                    hi: dv.getInt32(4, true),
                };
            },
            uEnc(value) {
                dv.setBigInt64(0, this.uParse(value), true);
                return {
                    lo: dv.getInt32(0, true),
                    hi: dv.getInt32(4, true),
                };
            },
            dec(lo, hi) {
                dv.setInt32(0, lo, true);
                dv.setInt32(4, hi, true);
                return dv.getBigInt64(0, true);
            },
            uDec(lo, hi) {
                dv.setInt32(0, lo, true);
                dv.setInt32(4, hi, true);
                return dv.getBigUint64(0, true);
            },
        };
    }
    return {
        zero: "0",
        supported: false,
        parse(value) {
            if (typeof value != "string") {
                value = value.toString();
            }
            assertInt64String(value);
            return value;
        },
        uParse(value) {
            if (typeof value != "string") {
                value = value.toString();
            }
            assertUInt64String(value);
            return value;
        },
        enc(value) {
            if (typeof value != "string") {
                value = value.toString();
            }
            assertInt64String(value);
            return int64FromString(value);
        },
        uEnc(value) {
            if (typeof value != "string") {
                value = value.toString();
            }
            assertUInt64String(value);
            return int64FromString(value);
        },
        dec(lo, hi) {
            return int64ToString(lo, hi);
        },
        uDec(lo, hi) {
            return uInt64ToString(lo, hi);
        },
    };
}
function assertInt64String(value) {
    if (!/^-?[0-9]+$/.test(value)) {
        throw new Error("invalid int64: " + value);
    }
}
function assertUInt64String(value) {
    if (!/^[0-9]+$/.test(value)) {
        throw new Error("invalid uint64: " + value);
    }
}

;// CONCATENATED MODULE: ./node_modules/@bufbuild/protobuf/dist/esm/wire/text-encoding.js
// Copyright 2021-2026 Buf Technologies, Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//      http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.
let te;
/**
 * Protobuf-ES requires the Text Encoding API to convert UTF-8 from and to
 * binary. This WHATWG API is widely available, but it is not part of the
 * ECMAScript standard. This function used to be the way to supply an
 * implementation on runtimes that do not provide one.
 *
 * It only configures the copy of the library it is imported from. To provide
 * the encoding API for every copy of Protobuf-ES in an isolate, install
 * `TextEncoder` (with the methods `encode` and optionally `encodeInto`) and
 * `TextDecoder` (with the `fatal: true` and `ignoreBOM: true` constructor
 * arguments and the `decode` method) on `globalThis`.
 *
 * Providing `encodeUtf8Into` is optional for backwards compatibility. If it
 * is omitted, we emulate it with a wrapper that calls `encodeUtf8`.
 *
 * Note that the Text Encoding API does not provide a way to validate UTF-8.
 * Our implementation uses String.prototype.isWellFormed, and falls back
 * to use encodeURIComponent().
 *
 * @deprecated Install `TextEncoder` and `TextDecoder` on `globalThis` instead.
 */
function configureTextEncoding(textEncoding) {
    var _a;
    te = Object.assign(Object.assign({}, textEncoding), { encodeUtf8Into: (_a = textEncoding.encodeUtf8Into) !== null && _a !== void 0 ? _a : emulateEncodeInto(textEncoding.encodeUtf8.bind(textEncoding)) });
}
function getTextEncoding() {
    if (!te) {
        const globals = globalThis;
        if (!globals.TextEncoder || !globals.TextDecoder) {
            throw new Error("encoding API missing: install TextEncoder and TextDecoder on globalThis");
        }
        const textEncoder = new globals.TextEncoder();
        // A leading U+FEFF in a protobuf string is text, not a byte-order mark.
        const textDecoder = new globals.TextDecoder("utf-8", {
            ignoreBOM: true,
        });
        let textDecoderStrict;
        const config = {
            encodeUtf8(text) {
                return textEncoder.encode(text);
            },
            decodeUtf8(bytes, strict) {
                if (strict) {
                    if (!textDecoderStrict) {
                        textDecoderStrict = new globals.TextDecoder("utf-8", {
                            fatal: true,
                            ignoreBOM: true,
                        });
                    }
                    return textDecoderStrict.decode(bytes);
                }
                return textDecoder.decode(bytes);
            },
            checkUtf8(text) {
                try {
                    encodeURIComponent(text);
                    return true;
                }
                catch (_) {
                    return false;
                }
            },
        };
        // If encodeInto is available, use it. Otherwise, configureTextEncoding
        // fills in a slower fallback that uses encodeUtf8.
        if (textEncoder.encodeInto) {
            config.encodeUtf8Into = textEncoder.encodeInto.bind(textEncoder);
        }
        // Native String.prototype.isWellFormed, if the runtime provides it.
        const nativeStringIsWellFormed = String.prototype.isWellFormed;
        if (nativeStringIsWellFormed) {
            config.checkUtf8 = (text) => {
                return nativeStringIsWellFormed.call(text);
            };
        }
        configureTextEncoding(config);
    }
    return te;
}
/**
 * Simplistic polyfill for encodeUtf8Into.
 *
 * @private
 */
function emulateEncodeInto(encodeUtf8) {
    return (text, dest) => {
        const bytes = encodeUtf8(text);
        dest.set(bytes);
        return { written: bytes.byteLength };
    };
}

;// CONCATENATED MODULE: ./node_modules/@bufbuild/protobuf/dist/esm/wire/binary-encoding.js
// Copyright 2021-2026 Buf Technologies, Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//      http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.



/**
 * Protobuf binary format wire types.
 *
 * A wire type provides just enough information to find the length of the
 * following value.
 *
 * See https://developers.google.com/protocol-buffers/docs/encoding#structure
 */
var WireType;
(function (WireType) {
    /**
     * Used for int32, int64, uint32, uint64, sint32, sint64, bool, enum
     */
    WireType[WireType["Varint"] = 0] = "Varint";
    /**
     * Used for fixed64, sfixed64, double.
     * Always 8 bytes with little-endian byte order.
     */
    WireType[WireType["Bit64"] = 1] = "Bit64";
    /**
     * Used for string, bytes, embedded messages, packed repeated fields
     *
     * Only repeated numeric types (types which use the varint, 32-bit,
     * or 64-bit wire types) can be packed. In proto3, such fields are
     * packed by default.
     */
    WireType[WireType["LengthDelimited"] = 2] = "LengthDelimited";
    /**
     * Start of a tag-delimited aggregate, such as a proto2 group, or a message
     * in editions with message_encoding = DELIMITED.
     */
    WireType[WireType["StartGroup"] = 3] = "StartGroup";
    /**
     * End of a tag-delimited aggregate.
     */
    WireType[WireType["EndGroup"] = 4] = "EndGroup";
    /**
     * Used for fixed32, sfixed32, float.
     * Always 4 bytes with little-endian byte order.
     */
    WireType[WireType["Bit32"] = 5] = "Bit32";
})(WireType || (WireType = {}));
/**
 * Maximum value for a 32-bit floating point value (Protobuf FLOAT).
 */
const FLOAT32_MAX = 3.4028234663852886e38;
/**
 * Minimum value for a 32-bit floating point value (Protobuf FLOAT).
 */
const FLOAT32_MIN = (/* unused pure expression or super */ null && (-3.4028234663852886e38));
/**
 * Maximum value for an unsigned 32-bit integer (Protobuf UINT32, FIXED32).
 */
const UINT32_MAX = 0xffffffff;
/**
 * Maximum value for a signed 32-bit integer (Protobuf INT32, SFIXED32, SINT32).
 */
const INT32_MAX = 0x7fffffff;
/**
 * Minimum value for a signed 32-bit integer (Protobuf INT32, SFIXED32, SINT32).
 */
const INT32_MIN = -0x80000000;
class BinaryWriter {
    constructor(encodeUtf8) {
        /**
         * Previous fork positions (the write position at the time
         * `fork()` was called).
         */
        this.stackPos = [];
        this.encodeUtf8Into = encodeUtf8
            ? emulateEncodeInto(encodeUtf8)
            : getTextEncoding().encodeUtf8Into;
        this.buffer = EMPTY_BUFFER;
        this.viewCache = EMPTY_VIEW;
        this.pos = 0;
    }
    ensureCapacity(size) {
        const required = this.pos + size;
        if (required > this.buffer.length) {
            let newLen = this.buffer.length || INITIAL_SIZE;
            while (newLen < required)
                newLen *= 2;
            const newBuf = new Uint8Array(newLen);
            if (this.pos > 0)
                newBuf.set(this.buffer);
            this.buffer = newBuf;
        }
    }
    /**
     * The DataView over `buffer`, rebuilt only if the buffer has grown since it
     * was last used.
     */
    view() {
        const bytes = this.buffer;
        const view = this.viewCache;
        // Since ensureCapacity() only ever replaces the buffer with a strictly larger one,
        // equal lengths mean the view is still current. This is faster than comparing
        // buffers directly.
        if (view.byteLength === bytes.byteLength)
            return view;
        const newView = new DataView(bytes.buffer);
        this.viewCache = newView;
        return newView;
    }
    /**
     * Return all bytes written and reset this writer.
     */
    finish() {
        const result = this.buffer.slice(0, this.pos);
        this.pos = 0;
        this.stackPos = [];
        return result;
    }
    /**
     * Start a new fork for length-delimited data like a message
     * or a packed repeated field.
     *
     * Must be joined later with `join()`.
     */
    fork() {
        this.stackPos.push(this.pos);
        // Reserve room for the length prefix. Payloads under 128 bytes, fairly
        // common, will need no copy in join().
        this.ensureCapacity(DEFAULT_LEN_PREFIX_SIZE);
        this.buffer[this.pos++] = 0;
        return this;
    }
    /**
     * Join the last fork. Write its length and bytes, then
     * return to the previous state.
     */
    join() {
        const forkPos = this.stackPos.pop();
        if (forkPos === undefined)
            throw new Error("invalid state, fork stack empty");
        // fork() presumed the payload would fit the prefix it reserved. If it
        // doesn't, we need to shift the bytes we just wrote.
        const len = this.pos - forkPos - DEFAULT_LEN_PREFIX_SIZE;
        const lenPrefixSize = varint32Size(len);
        if (lenPrefixSize > DEFAULT_LEN_PREFIX_SIZE) {
            // Widening pushes the payload past the end of the buffer, so grow first:
            // copyWithin clamps to the buffer instead of throwing, so a short buffer
            // would silently drop the tail of the payload.
            this.ensureCapacity(lenPrefixSize - DEFAULT_LEN_PREFIX_SIZE);
            this.buffer.copyWithin(forkPos + lenPrefixSize, forkPos + DEFAULT_LEN_PREFIX_SIZE, this.pos);
        }
        this.pos = forkPos;
        this.uint32(len);
        this.pos += len;
        return this;
    }
    /**
     * Writes a tag (field number and wire type).
     *
     * Equivalent to `uint32( (fieldNo << 3 | type) >>> 0 )`.
     *
     * Generated code should compute the tag ahead of time and call `uint32()`.
     */
    tag(fieldNo, type) {
        return this.uint32(((fieldNo << 3) | type) >>> 0);
    }
    /**
     * Write a chunk of raw bytes.
     */
    raw(chunk) {
        this.ensureCapacity(chunk.length);
        this.buffer.set(chunk, this.pos);
        this.pos += chunk.length;
        return this;
    }
    /**
     * Write a `uint32` value, an unsigned 32 bit varint.
     */
    uint32(value) {
        assertUInt32(value);
        // uint32 varints are at most 5 bytes; reserve once and avoid per-byte
        // capacity checks.
        this.ensureCapacity(5);
        if (value < 0x80) {
            this.buffer[this.pos++] = value;
            return this;
        }
        while (value > 0x7f) {
            this.buffer[this.pos++] = (value & 0x7f) | 0x80;
            value >>>= 7;
        }
        this.buffer[this.pos++] = value;
        return this;
    }
    /**
     * Write a `int32` value, a signed 32 bit varint.
     */
    int32(value) {
        assertInt32(value);
        if (value >= 0) {
            return this.uint32(value);
        }
        // Negative: sign-extend to 64 bits, encodes to 10 bytes.
        this.ensureCapacity(10);
        for (let i = 0; i < 9; i++) {
            this.buffer[this.pos++] = (value & 0x7f) | 0x80;
            value >>= 7;
        }
        this.buffer[this.pos++] = 1;
        return this;
    }
    /**
     * Write a `bool` value, a varint.
     */
    bool(value) {
        this.ensureCapacity(1);
        this.buffer[this.pos++] = value ? 1 : 0;
        return this;
    }
    /**
     * Write a `bytes` value, length-delimited arbitrary data.
     */
    bytes(value) {
        this.uint32(value.byteLength);
        return this.raw(value);
    }
    /**
     * Write a `string` value, length-delimited data converted to UTF-8 text.
     */
    string(value) {
        // TextEncoder.encode() coerces its argument to string, but encodeInto()
        // rejects non-strings.
        if (typeof value !== "string") {
            value = String(value);
        }
        const len = value.length;
        // Fast path for ASCII.
        if (len <= ASCII_MAX_LENGTH) {
            this.ensureCapacity(len + 1);
            const ascii = this.buffer;
            let pos = this.pos;
            ascii[pos++] = len;
            let i = 0;
            for (; i < len; i++) {
                const code = value.charCodeAt(i);
                if (code > 0x7f)
                    break;
                ascii[pos++] = code;
            }
            if (i == len) {
                this.pos = pos;
                return this;
            }
        }
        // encodeUtf8Into needs the full-length buffer upfront. The length prefix
        // can be upto 5 bytes, and a UTF-16 code unit takes at most 3 UTF-8 bytes.
        this.ensureCapacity(len * 3 + 5);
        // The length prefix goes first, but the byte length is only known after
        // encoding. We guess the final varint size here (assuming most text is
        // ASCII) and then encode.
        const lenPrefixSizeGuess = varint32Size(len);
        const buf = this.buffer;
        const start = this.pos;
        const { written } = this.encodeUtf8Into(value, buf.subarray(start + lenPrefixSizeGuess));
        // If our guess was incorrect, we need to shift the bytes we just wrote.
        const lenPrefixSize = varint32Size(written);
        if (lenPrefixSize != lenPrefixSizeGuess) {
            buf.copyWithin(start + lenPrefixSize, start + lenPrefixSizeGuess, start + lenPrefixSizeGuess + written);
        }
        // Write the lenPrefix and advance the pos.
        this.uint32(written);
        this.pos += written;
        return this;
    }
    /**
     * Write a `float` value, 32-bit floating point number.
     */
    float(value) {
        assertFloat32(value);
        this.ensureCapacity(4);
        this.view().setFloat32(this.pos, value, true);
        this.pos += 4;
        return this;
    }
    /**
     * Write a `double` value, a 64-bit floating point number.
     */
    double(value) {
        this.ensureCapacity(8);
        this.view().setFloat64(this.pos, value, true);
        this.pos += 8;
        return this;
    }
    /**
     * Write a `fixed32` value, an unsigned, fixed-length 32-bit integer.
     */
    fixed32(value) {
        assertUInt32(value);
        this.ensureCapacity(4);
        this.view().setUint32(this.pos, value, true);
        this.pos += 4;
        return this;
    }
    /**
     * Write a `sfixed32` value, a signed, fixed-length 32-bit integer.
     */
    sfixed32(value) {
        assertInt32(value);
        this.ensureCapacity(4);
        this.view().setInt32(this.pos, value, true);
        this.pos += 4;
        return this;
    }
    /**
     * Write a `sint32` value, a signed, zigzag-encoded 32-bit varint.
     */
    sint32(value) {
        assertInt32(value);
        // zigzag encode then emit as uint32 varint
        return this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
    }
    /**
     * Write a `sfixed64` value, a signed, fixed-length 64-bit integer.
     */
    sfixed64(value) {
        const tc = protoInt64.enc(value);
        this.ensureCapacity(8);
        const view = this.view();
        view.setInt32(this.pos, tc.lo, true);
        view.setInt32(this.pos + 4, tc.hi, true);
        this.pos += 8;
        return this;
    }
    /**
     * Write a `fixed64` value, an unsigned, fixed-length 64 bit integer.
     */
    fixed64(value) {
        const tc = protoInt64.uEnc(value);
        this.ensureCapacity(8);
        const view = this.view();
        view.setInt32(this.pos, tc.lo, true);
        view.setInt32(this.pos + 4, tc.hi, true);
        this.pos += 8;
        return this;
    }
    /**
     * Write a `int64` value, a signed 64-bit varint.
     */
    int64(value) {
        const tc = protoInt64.enc(value);
        return this.writeVarint64(tc.lo, tc.hi);
    }
    /**
     * Write a `sint64` value, a signed, zig-zag-encoded 64-bit varint.
     */
    sint64(value) {
        const tc = protoInt64.enc(value), 
        // zigzag encode
        sign = tc.hi >> 31, lo = (tc.lo << 1) ^ sign, hi = ((tc.hi << 1) | (tc.lo >>> 31)) ^ sign;
        return this.writeVarint64(lo, hi);
    }
    /**
     * Write a `uint64` value, an unsigned 64-bit varint.
     */
    uint64(value) {
        const tc = protoInt64.uEnc(value);
        return this.writeVarint64(tc.lo, tc.hi);
    }
    /**
     * Write a 64-bit varint directly into the buffer. Accepts the value as
     * split low/high 32-bit words.
     *
     * Ported from varint64write() to avoid the intermediate number[] buffer.
     * See https://github.com/protocolbuffers/protobuf/blob/8a71927d74a4ce34efe2d8769fda198f52d20d12/js/experimental/runtime/kernel/writer.js#L344
     */
    writeVarint64(lo, hi) {
        // Worst case: 10 bytes.
        this.ensureCapacity(10);
        const buf = this.buffer;
        let pos = this.pos;
        for (let i = 0; i < 28; i = i + 7) {
            const shift = lo >>> i;
            const hasNext = !(shift >>> 7 == 0 && hi == 0);
            buf[pos++] = (hasNext ? shift | 0x80 : shift) & 0xff;
            if (!hasNext) {
                this.pos = pos;
                return this;
            }
        }
        const splitBits = ((lo >>> 28) & 0x0f) | ((hi & 0x07) << 4);
        const hasMoreBits = !(hi >> 3 == 0);
        buf[pos++] = (hasMoreBits ? splitBits | 0x80 : splitBits) & 0xff;
        if (!hasMoreBits) {
            this.pos = pos;
            return this;
        }
        for (let i = 3; i < 31; i = i + 7) {
            const shift = hi >>> i;
            const hasNext = !(shift >>> 7 == 0);
            buf[pos++] = (hasNext ? shift | 0x80 : shift) & 0xff;
            if (!hasNext) {
                this.pos = pos;
                return this;
            }
        }
        buf[pos++] = (hi >>> 31) & 0x01;
        this.pos = pos;
        return this;
    }
}
/**
 * Capacity of the buffer allocated by the first write..
 */
const INITIAL_SIZE = 128;
/**
 * Bytes `fork()` reserves for the length prefix, betting that the payload will
 * be under 128 bytes. `join()` fills them in, and widens them if the bet was
 * wrong.
 */
const DEFAULT_LEN_PREFIX_SIZE = 1;
/**
 * Shared empty buffer used as the initial value before the first write.
 * Avoids allocating and zeroing `INITIAL_SIZE` bytes per BinaryWriter when a
 * writer is only used for a tiny message (or not used at all).
 */
const EMPTY_BUFFER = new Uint8Array(0);
/**
 * Shared empty view, paired with `EMPTY_BUFFER`. Never written to: any
 * fixed-width write first grows the buffer, which replaces this view.
 */
const EMPTY_VIEW = new DataView(EMPTY_BUFFER.buffer);
/**
 * Longest string on the ASCII fast paths. Must stay below 0x80, so
 * that the writer's length prefix always fits a single varint byte.
 */
const ASCII_MAX_LENGTH = 32;
/**
 * Number of bytes needed to encode `value` as an unsigned 32-bit varint.
 */
function varint32Size(value) {
    if (value < 0x80)
        return 1;
    if (value < 0x4000)
        return 2;
    if (value < 0x200000)
        return 3;
    if (value < 0x10000000)
        return 4;
    return 5;
}
class BinaryReader {
    constructor(buf, decodeUtf8 = getTextEncoding().decodeUtf8) {
        this.decodeUtf8 = decodeUtf8;
        this.varint64Lo = 0;
        this.varint64Hi = 0;
        this.varint64 = varint64read; // dirty cast for `this`
        /**
         * Read a `uint32` field, an unsigned 32 bit varint.
         */
        this.uint32 = varint32read;
        this.buf = buf;
        this.len = buf.length;
        this.pos = 0;
        this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    /**
     * Reads a tag - field number and wire type. Tags are uint32 varints; values
     * that do not fit in uint32 are rejected.
     */
    tag() {
        const start = this.pos;
        const tag = this.uint32();
        const bytesRead = this.pos - start;
        if (bytesRead > 5 || (bytesRead == 5 && this.buf[this.pos - 1] > 0x0f)) {
            throw new Error("illegal tag: varint overflows uint32");
        }
        const fieldNo = tag >>> 3;
        const wireType = tag & 7;
        if (fieldNo <= 0 || wireType > 5) {
            throw new Error("illegal tag: field no " + fieldNo + " wire type " + wireType);
        }
        return [fieldNo, wireType];
    }
    /**
     * Skip one element and return the skipped data.
     *
     * When skipping StartGroup, provide the tags field number to check for
     * matching field number in the EndGroup tag. Recursion into nested groups
     * is guarded by the `recursionLimit` argument: When the limit is reached,
     * this method throws.
     */
    skip(wireType, fieldNo, recursionLimit = 100) {
        let start = this.pos;
        switch (wireType) {
            case WireType.Varint:
                while (this.buf[this.pos++] & 0x80) {
                    // ignore
                }
                break;
            // @ts-ignore TS7029: Fallthrough case in switch -- ignore instead of expect-error for compiler settings without noFallthroughCasesInSwitch: true
            case WireType.Bit64:
                this.pos += 4;
            case WireType.Bit32:
                this.pos += 4;
                break;
            case WireType.LengthDelimited:
                let len = this.uint32();
                this.pos += len;
                break;
            case WireType.StartGroup:
                if (recursionLimit <= 0) {
                    throw new Error("maximum recursion depth reached");
                }
                for (;;) {
                    const [fn, wt] = this.tag();
                    if (wt === WireType.EndGroup) {
                        if (fieldNo !== undefined && fn !== fieldNo) {
                            throw new Error("invalid end group tag");
                        }
                        break;
                    }
                    this.skip(wt, fn, recursionLimit - 1);
                }
                break;
            default:
                throw new Error("cant skip wire type " + wireType);
        }
        this.assertBounds();
        return this.buf.subarray(start, this.pos);
    }
    /**
     * Throws error if position in byte array is out of range.
     */
    assertBounds() {
        if (this.pos > this.len)
            throw new RangeError("premature EOF");
    }
    /**
     * Read a `int32` field, a signed 32 bit varint.
     */
    int32() {
        return this.uint32() | 0;
    }
    /**
     * Read a `sint32` field, a signed, zigzag-encoded 32-bit varint.
     */
    sint32() {
        let zze = this.uint32();
        // decode zigzag
        return (zze >>> 1) ^ -(zze & 1);
    }
    /**
     * Read a `int64` field, a signed 64-bit varint.
     */
    int64() {
        this.varint64();
        return protoInt64.dec(this.varint64Lo, this.varint64Hi);
    }
    /**
     * Read a `uint64` field, an unsigned 64-bit varint.
     */
    uint64() {
        this.varint64();
        return protoInt64.uDec(this.varint64Lo, this.varint64Hi);
    }
    /**
     * Read a `sint64` field, a signed, zig-zag-encoded 64-bit varint.
     */
    sint64() {
        this.varint64();
        let lo = this.varint64Lo;
        let hi = this.varint64Hi;
        // decode zig zag
        let s = -(lo & 1);
        lo = ((lo >>> 1) | ((hi & 1) << 31)) ^ s;
        hi = (hi >>> 1) ^ s;
        return protoInt64.dec(lo, hi);
    }
    /**
     * Read a `bool` field, a variant.
     */
    bool() {
        // Fast path: most bools are 0x0 or 0x1.
        const b = this.buf[this.pos];
        if (b < 0x80) {
            this.pos++;
            return b !== 0;
        }
        this.varint64();
        return this.varint64Lo !== 0 || this.varint64Hi !== 0;
    }
    /**
     * Read a `fixed32` field, an unsigned, fixed-length 32-bit integer.
     */
    fixed32() {
        // biome-ignore lint/suspicious/noAssignInExpressions: no
        return this.view.getUint32((this.pos += 4) - 4, true);
    }
    /**
     * Read a `sfixed32` field, a signed, fixed-length 32-bit integer.
     */
    sfixed32() {
        // biome-ignore lint/suspicious/noAssignInExpressions: no
        return this.view.getInt32((this.pos += 4) - 4, true);
    }
    /**
     * Read a `fixed64` field, an unsigned, fixed-length 64 bit integer.
     */
    fixed64() {
        return protoInt64.uDec(this.sfixed32(), this.sfixed32());
    }
    /**
     * Read a `fixed64` field, a signed, fixed-length 64-bit integer.
     */
    sfixed64() {
        return protoInt64.dec(this.sfixed32(), this.sfixed32());
    }
    /**
     * Read a `float` field, 32-bit floating point number.
     */
    float() {
        // biome-ignore lint/suspicious/noAssignInExpressions: no
        return this.view.getFloat32((this.pos += 4) - 4, true);
    }
    /**
     * Read a `double` field, a 64-bit floating point number.
     */
    double() {
        // biome-ignore lint/suspicious/noAssignInExpressions: no
        return this.view.getFloat64((this.pos += 8) - 8, true);
    }
    /**
     * Read a `bytes` field, length-delimited arbitrary data.
     */
    bytes() {
        let len = this.uint32(), start = this.pos;
        this.pos += len;
        this.assertBounds();
        return this.buf.subarray(start, start + len);
    }
    /**
     * Read a `string` field, length-delimited data converted to UTF-8 text. If
     * `strict` is true, throw on invalid UTF-8 instead of substituting U+FFFD.
     */
    string(strict) {
        // Like bytes(), but the ASCII fast path reads the buffer without a view.
        const len = this.uint32();
        const start = this.pos;
        this.pos += len;
        this.assertBounds();
        const buf = this.buf;
        // Fast path for ASCII.
        if (len <= ASCII_MAX_LENGTH) {
            const codes = new Array(len);
            for (let i = 0; i < len; i++) {
                const byte = buf[start + i];
                if (byte > 0x7f) {
                    return this.decodeUtf8(buf.subarray(start, this.pos), strict);
                }
                codes[i] = byte;
            }
            return String.fromCharCode.apply(String, codes);
        }
        return this.decodeUtf8(buf.subarray(start, this.pos), strict);
    }
}
/**
 * Assert a valid signed protobuf 32-bit integer as a number or string.
 */
function assertInt32(arg) {
    if (typeof arg == "string") {
        arg = Number(arg);
    }
    else if (typeof arg != "number") {
        throw new Error("invalid int32: " + typeof arg);
    }
    if (!Number.isInteger(arg) ||
        arg > INT32_MAX ||
        arg < INT32_MIN)
        throw new Error("invalid int32: " + arg);
}
/**
 * Assert a valid unsigned protobuf 32-bit integer as a number or string.
 */
function assertUInt32(arg) {
    if (typeof arg == "string") {
        arg = Number(arg);
    }
    else if (typeof arg != "number") {
        throw new Error("invalid uint32: " + typeof arg);
    }
    if (!Number.isInteger(arg) ||
        arg > UINT32_MAX ||
        arg < 0)
        throw new Error("invalid uint32: " + arg);
}
/**
 * Assert a valid protobuf float32 value as a number or string.
 */
function assertFloat32(arg) {
    if (typeof arg == "string") {
        const o = arg;
        arg = Number(arg);
        if (Number.isNaN(arg) && o !== "NaN") {
            throw new Error("invalid float32: " + o);
        }
    }
    else if (typeof arg != "number") {
        throw new Error("invalid float32: " + typeof arg);
    }
    // float32 is represented with regular 64-bit numbers. A value too large for
    // a float32 becomes infinity when rounded. NaN and infinity are valid values.
    if (!Number.isFinite(Math.fround(arg)) && Number.isFinite(arg)) {
        throw new Error("invalid float32: " + arg);
    }
}

;// CONCATENATED MODULE: ./src/dood/protobuf.ts
/**
 * Just enough protobuf to read the few fields of a BuildKit request that
 * strict checks, without the .proto files: a message as its fields by
 * number, over @bufbuild/protobuf's wire reader. Unknown fields are kept as
 * they are, so nothing is dropped from what the daemon gets (the proxy
 * forwards the original bytes; this only reads them).
 */

/** The fields of one message, in order; throws on a malformed message. */
function readFields(message) {
    const reader = new BinaryReader(message);
    const fields = [];
    while (reader.pos < reader.len) {
        const [no, wireType] = reader.tag();
        switch (wireType) {
            case WireType.LengthDelimited:
                fields.push({ no, bytes: reader.bytes() });
                break;
            case WireType.Varint:
                fields.push({ no, scalar: BigInt(reader.uint64()) });
                break;
            case WireType.Bit64:
                fields.push({ no, scalar: BigInt(reader.fixed64()) });
                break;
            case WireType.Bit32:
                fields.push({ no, scalar: BigInt(reader.fixed32()) });
                break;
            default:
                throw new Error(`protobuf wire type ${wireType} (groups) in field ${no}`);
        }
    }
    return fields;
}
const decoder = new TextDecoder('utf-8', { fatal: true });
/** The length-delimited values of field `no` (every occurrence: repeated fields and map entries). */
function bytesOf(fields, no) {
    return fields.flatMap((field) => (field.no === no && 'bytes' in field ? [field.bytes] : []));
}
/** Field `no` as strings (a repeated string field; the last one of a singular field wins, as in protobuf). */
function stringsOf(fields, no) {
    return bytesOf(fields, no).map((bytes) => decoder.decode(bytes));
}
/**
 * A map<string, string> field: entries are messages of key 1 and value 2; a
 * later key wins. Go's decoders read an entry's key and value as
 * length-delimited whatever their tag's wire type says, so an entry tagged
 * otherwise would read differently here: it is refused (throws).
 */
function stringMapOf(fields, no) {
    const map = new Map();
    for (const entry of bytesOf(fields, no)) {
        const entryFields = readFields(entry);
        const odd = entryFields.find((field) => (field.no === 1 || field.no === 2) && !('bytes' in field));
        if (odd)
            throw new Error(`a map entry of field ${no} whose ${odd.no === 1 ? 'key' : 'value'} is not length-delimited`);
        map.set(stringsOf(entryFields, 1).at(-1) ?? '', stringsOf(entryFields, 2).at(-1) ?? '');
    }
    return map;
}

;// CONCATENATED MODULE: ./src/dood/fields/rules.ts
/**
 * The vocabulary of the field tables (src/dood/fields.ts): a Table is the
 * fields one JSON object of the Engine API may hold, each Row a field with
 * the API versions it exists in and the Rule strict applies to its value.
 */

const any = { kind: 'any' };
function check(checkValue) {
    return { kind: 'check', check: checkValue };
}
function elsewhere(by) {
    return { kind: 'checked-elsewhere', by };
}
function unlessEmpty(why) {
    return { kind: 'refused-unless-empty', why };
}
function unlessNull(why) {
    return { kind: 'refused-unless-null', why };
}
function object(table) {
    return { kind: 'object', table };
}
function list(table) {
    return { kind: 'list', table };
}
function map(table, keys, options = {}) {
    return { kind: 'map', table, keys, ...options };
}
function row(name, rule, extra = {}) {
    return { name, rule, ...extra };
}
/** Go's zero value, which the daemon treats as "not set". */
function isEmpty(value) {
    if (value === undefined || value === null || value === '' || value === 0 || value === false)
        return true;
    if (Array.isArray(value))
        return value.length === 0;
    return isObject(value) && Object.keys(value).length === 0;
}
/** A value as a message shows it. */
function shown(value) {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
/** A string field whose value must be one of `allowed` (null and absent mean the zero value, ''). */
function oneOf(allowed, why, flag) {
    return (value) => {
        const text = value === null || value === undefined ? '' : value;
        if (typeof text === 'string' && allowed.includes(text))
            return undefined;
        const accepted = allowed.map((item) => (item === '' ? '(unset)' : item)).join(', ');
        return { what: `${shown(value)}${flag && typeof value === 'string' ? ` (${flag} ${value})` : ''}`, why: `${why}; strict accepts ${accepted}` };
    };
}
/**
 * The strings of a list field, or a Problem when it is not a list of strings.
 * `single`: the field is a strslice.StrSlice, which Go also reads from one string.
 */
function stringItems(value, single = false) {
    if (value === undefined || value === null)
        return [];
    if (single && typeof value === 'string')
        return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
        return value;
    return { what: shown(value), why: 'it must be a list of strings' };
}
/** A list of strings, each checked by `item`. */
function eachString(item, single = false) {
    return (value) => {
        const items = stringItems(value, single);
        if (!Array.isArray(items))
            return items;
        for (const text of items) {
            const problem = item(text);
            if (problem)
                return problem;
        }
        return undefined;
    };
}
/** A map of strings to strings, each entry checked by `entry`. */
function eachEntry(entry) {
    return (value) => {
        if (value === undefined || value === null)
            return undefined;
        if (!isObject(value) || !Object.values(value).every((text) => typeof text === 'string')) {
            return { what: shown(value), why: 'it must be an object of strings' };
        }
        for (const [key, text] of Object.entries(value)) {
            const problem = entry(key, text);
            if (problem)
                return problem;
        }
        return undefined;
    };
}
/** A number field that must be at least `min` (null and absent mean 0). */
function atLeast(min, why, flag) {
    return (value) => {
        if (value === undefined || value === null)
            return undefined;
        if (typeof value === 'number' && value >= min)
            return undefined;
        return { what: `${shown(value)}${flag ? ` (${flag} ${shown(value)})` : ''}`, why: `${why}; strict accepts ${min} or more` };
    };
}

;// CONCATENATED MODULE: ./src/dood/fields/values.ts
/**
 * strict's value checks, on the allowlist principle: each accepts the forms
 * known to stay inside the container and refuses the rest, saying why and
 * what it accepts. network-values.ts has the checks of networks.
 */


const VOLUME_PLUGIN = "a volume plugin runs with the host's privileges and mounts what it likes";
/** Go's strconv.ParseBool spellings. */
const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
/** A security option as the daemon splits it (parseSecurityOpt: '=' first, then the deprecated ':'). */
function splitOption(option) {
    const separator = option.includes('=') ? '=' : option.includes(':') ? ':' : undefined;
    if (separator === undefined)
        return [option, undefined];
    const at = option.indexOf(separator);
    return [option.slice(0, at), option.slice(at + 1)];
}
const SECURITY_OPTS_ACCEPTED = 'strict accepts no-new-privileges[=true|false], apparmor=docker-default and writable-cgroups=false';
/** Why a security option (other than the accepted ones) is refused. */
function securityOptReason(key, value) {
    switch (key) {
        case 'seccomp':
            return value === 'unconfined'
                ? 'it turns off the syscall filter'
                : "a profile of the job's own can allow any syscall, and builtin replaces a stricter profile the daemon may be configured with";
        case 'label':
        case 'disable':
            return "SELinux label options pick the container's context: disable turns labelling off, type: can pick an unconfined type such as spc_t, level: can span other containers' categories";
        case 'apparmor':
            return "it picks an AppArmor profile other than docker-default: unconfined, or one of the host's looser profiles";
        case 'writable-cgroups':
            return "it makes the container's cgroup files writable: the container could lift its own limits";
        case 'systempaths':
            return 'it unmasks /proc and /sys paths that show and change the host';
        default:
            return 'the proxy does not know the option';
    }
}
/** HostConfig.SecurityOpt: only options that keep or tighten the default confinement. */
function securityOptProblem(option) {
    const [key, value] = splitOption(option);
    if (key === 'no-new-privileges' && (value === undefined || TRUE.includes(value) || FALSE.includes(value)))
        return undefined;
    if (key === 'apparmor' && value === 'docker-default')
        return undefined;
    if (key === 'writable-cgroups' && value !== undefined && FALSE.includes(value))
        return undefined;
    return { what: `${shown(option)} (--security-opt ${option})`, why: `${securityOptReason(key, value)}; ${SECURITY_OPTS_ACCEPTED}` };
}
/** Docker's default capabilities: adding one again changes nothing. */
const DEFAULT_CAPABILITIES = [
    'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
    'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];
/**
 * Capabilities whose power stays in the container's own namespaces (network,
 * IPC) or files: NET_ADMIN configures the container's network namespace only,
 * IPC_LOCK's locked memory is charged to the container's memory cgroup.
 */
const CONTAINED_CAPABILITIES = ['NET_ADMIN', 'NET_BROADCAST', 'IPC_LOCK', 'IPC_OWNER', 'LEASE', 'CHECKPOINT_RESTORE'];
const ADDABLE_CAPABILITIES = [...DEFAULT_CAPABILITIES, ...CONTAINED_CAPABILITIES];
/** Why the capabilities most asked for are refused; others: not known to stay inside. */
const CAPABILITY_REASONS = {
    ALL: 'it grants every capability, including those that reach the host',
    SYS_ADMIN: 'it allows mounts and much else that escapes the container',
    SYS_MODULE: 'it loads kernel modules into the host kernel',
    SYS_RAWIO: 'it gives raw access to host I/O ports and memory',
    SYS_PTRACE: 'it traces processes it can see, and bypasses the syscall filter on old kernels',
    DAC_READ_SEARCH: "it opens host files by handle (open_by_handle_at), outside the container's file system",
    SYS_TIME: "it sets the host's clock",
    SYS_BOOT: 'it reboots the host',
    SYS_NICE: "it gives the container's processes real-time priority over the host's",
    SYS_RESOURCE: "it overrides host-wide limits (reserved disk blocks, message queues, pipe sizes)",
    LINUX_IMMUTABLE: 'it makes bound host files immutable: the host cannot delete them after the job',
    WAKE_ALARM: 'it sets alarms that wake the host from suspend',
    BLOCK_SUSPEND: 'it keeps the host from suspending',
    AUDIT_CONTROL: "it changes the host's audit rules",
    AUDIT_READ: "it reads the host's audit log",
    SYS_PACCT: 'it turns on process accounting for the whole host',
    SYS_TTY_CONFIG: "it reconfigures the host's terminals",
    MAC_ADMIN: "it changes the host's mandatory access control (AppArmor, SELinux)",
    MAC_OVERRIDE: "it overrides the host's mandatory access control",
    BPF: 'it loads BPF programs into the host kernel',
    PERFMON: 'it watches every process on the host through performance monitoring',
    SYSLOG: "it reads and clears the host kernel's log",
};
/** HostConfig.CapAdd (a StrSlice: one string or a list), named with or without CAP_, in any case. */
function capabilityProblem(capability) {
    const name = capability.trim().toUpperCase().replace(/^CAP_/, '');
    if (ADDABLE_CAPABILITIES.includes(name))
        return undefined;
    const why = CAPABILITY_REASONS[name] ?? 'the proxy does not know it to stay inside the container';
    return { what: `${shown(capability)} (--cap-add ${name})`, why: `${why}; strict accepts ${CONTAINED_CAPABILITIES.join(', ')} and the default ones` };
}
/** Sysctls of the container's IPC namespace (the daemon's and runc's list). */
const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];
/**
 * HostConfig.Sysctls: those of the container's own IPC namespace
 * (IPC_SYSCTLS, fs.mqueue.*) and network namespace (net.*: the kernel shows
 * a network namespace only its own, and strict refuses --network host), in
 * plain dotted form (no '/' or '..' that the runtime would turn into another
 * path under /proc/sys). Others (kernel.core_pattern, vm.*) are the host's.
 */
function sysctlProblem(key) {
    const plain = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(key);
    if (plain && (IPC_SYSCTLS.includes(key) || key.startsWith('fs.mqueue.') || key.startsWith('net.')))
        return undefined;
    return {
        what: `${shown(key)} (--sysctl ${key}=...)`,
        why: `it is not a sysctl of the container's own namespaces: it would change the host; strict accepts net.*, fs.mqueue.* and ${IPC_SYSCTLS.join(', ')}`,
    };
}
const checkSysctls = eachEntry((key) => sysctlProblem(key));
/** Ulimit names the container may set: limits on itself. nice and rtprio would rank it above the host's processes. */
const ULIMITS = ['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nofile', 'nproc', 'rss', 'rttime', 'sigpending', 'stack'];
const checkUlimitName = (value) => {
    if (typeof value === 'string' && ULIMITS.includes(value))
        return undefined;
    const why = value === 'nice' || value === 'rtprio' ? "it lets the container's processes take scheduling priority over the host's" : 'the proxy does not know the limit';
    return { what: `${shown(value)} (--ulimit ${String(value)}=...)`, why: `${why}; strict accepts ${ULIMITS.join(', ')}` };
};
/** Log drivers that write to the daemon's own log files (or nowhere): others send to host sockets, the network or the host's cloud account. */
const LOG_DRIVERS = ['', 'json-file', 'local', 'none'];
/** Log options of LOG_DRIVERS and of every driver (buffering, dual-logging cache, metadata): none names a host path or address. */
const LOG_OPTIONS = [
    'max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag', 'mode', 'max-buffer-size',
    'cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress',
];
/** LogConfig.Config: only LOG_OPTIONS (also under the daemon's default driver, whose own options may name host places). */
const checkLogOptions = eachEntry((key) => LOG_OPTIONS.includes(key)
    ? undefined
    : { what: `${shown(key)} (--log-opt ${key}=...)`, why: `the proxy does not know it to stay within the daemon's log files; strict accepts ${LOG_OPTIONS.join(', ')}` });
/** HostConfig.StorageOpt: only size (of the container's writable layer). */
const checkStorageOpt = eachEntry((key) => key === 'size' ? undefined : { what: `${shown(key)} (--storage-opt ${key}=...)`, why: 'storage driver options other than size are not known to the proxy; strict accepts size' });
/** Blkio*Device*.Path: the daemon stats the path on the host, so only a device under /dev (no '..'). */
const checkDevicePath = (value) => {
    if (value === undefined || value === null)
        return undefined;
    if (typeof value === 'string' && value.startsWith('/dev/') && !value.split('/').includes('..'))
        return undefined;
    return { what: shown(value), why: 'the daemon looks the path up on the host; strict accepts devices under /dev/' };
};
/** HostConfig.Devices: none (a host device inside the container). */
const checkDevices = (value) => {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0))
        return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    const path = isObject(first) ? field(first, 'PathOnHost') : undefined;
    return { what: `(--device ${typeof path === 'string' ? path : shown(first)})`, why: 'it gives the container a host device' };
};
/** Binds modes the daemon knows (linuxValidMountMode), less shared and rshared propagation. */
const BIND_MODES = ['rw', 'ro', 'z', 'Z', 'nocopy', 'private', 'rprivate', 'slave', 'rslave', 'consistent', 'cached', 'delegated', 'default'];
/** HostConfig.Binds: SOURCE:TARGET[:MODES]; the sources are inspect.ts's (inspectBinds, checkBinds), the modes are checked here. */
const checkBindModes = eachString((spec) => {
    const parts = spec.split(':');
    const modes = parts.length === 3 ? parts[2].split(',') : [];
    const bad = modes.find((mode) => !BIND_MODES.includes(mode));
    if (bad === undefined)
        return undefined;
    const why = bad === 'shared' || bad === 'rshared' ? "shared propagation makes mounts made in the container appear on the host's side of the bind" : 'the proxy does not know the mode';
    return { what: `${shown(spec)} (-v ...:${bad})`, why: `${why}; strict accepts ${BIND_MODES.join(', ')}` };
});
/** TmpfsOptions.Options: [["exec"]] or [["noexec"]], the daemon's own list (validTmpfsOptions). */
const checkTmpfsOptions = (value) => {
    if (value === undefined || value === null)
        return undefined;
    const ok = Array.isArray(value) && value.every((option) => Array.isArray(option) && option.length === 1 && (option[0] === 'exec' || option[0] === 'noexec'));
    return ok ? undefined : { what: shown(value), why: 'strict accepts the tmpfs options exec and noexec' };
};
/** One namespace mode (NetworkMode, PidMode, ...): `host` refused; container:<id> joins are for checkJoins to check. */
function namespaceMode(flag, shares, allowed, options = {}) {
    return (value) => {
        const mode = value === undefined || value === null ? '' : value;
        if (typeof mode !== 'string')
            return { what: shown(value), why: 'it must be a string' };
        if (mode === 'host' || mode.trim().toLowerCase() === 'host') {
            return { what: `(${flag} host)`, why: `it shares ${shares} with the job's containers` };
        }
        if (allowed.includes(mode))
            return undefined;
        if (options.joins && /^container:.+$/.test(mode))
            return undefined; // inspect.ts checkJoins: the job's own container
        if (options.names && !mode.includes(':'))
            return undefined; // a network by name: its ownership is checked elsewhere
        const accepted = [...allowed.map((item) => (item === '' ? '(unset)' : item)), ...(options.joins ? ['container:<id>'] : []), ...(options.names ? ['<network>'] : [])];
        return { what: `${shown(value)} (${flag} ${mode})`, why: `the proxy does not know the mode; strict accepts ${accepted.join(', ')}` };
    };
}
const checkSecurityOpt = eachString(securityOptProblem);
const checkCapAdd = eachString(capabilityProblem, true);
/** LogConfig.Type: LOG_DRIVERS only. */
const checkLogDriver = (type) => {
    if (type === undefined || type === null || (typeof type === 'string' && LOG_DRIVERS.includes(type)))
        return undefined;
    return {
        what: `${shown(type)} (--log-driver ${String(type)})`,
        why: "other drivers send the logs to host sockets (syslog, journald, fluentd: any unix socket on the host), to addresses the host can reach (gelf, splunk) or with the host's cloud credentials (awslogs, gcplogs), and plugins run with the host's privileges; strict accepts json-file, local and none",
    };
};

;// CONCATENATED MODULE: ./src/dood/buildkit.ts
/**
 * strict's rules for BuildKit's gRPC API (the calls buildx sends on POST
 * /grpc, relayed by grpc-relay.ts). A method is forwarded, inspected or
 * refused by the table below; an unknown one is refused. A build (Control
 * Solve, and LLBBridge Solve for builds buildx drives from the client) may
 * not ask for entitlements (network.host, security.insecure, devices: the
 * daemon's only gate on RUN steps in the host's network or privileged), a
 * host network mode, a cgroup parent, priority ulimits or a context the
 * daemon fetches; the tags it exports to must be new or the job's. The
 * build history shows a job its own builds only.
 */





const CONTROL = '/moby.buildkit.v1.Control/';
const BRIDGE = '/moby.buildkit.v1.frontend.LLBBridge/';
/** Every method strict knows, by path. Reads and the client's own session go on; builds are inspected. */
const METHODS = {
    [`${CONTROL}Solve`]: 'inspect',
    [`${CONTROL}Status`]: 'forward',
    [`${CONTROL}Session`]: 'forward',
    [`${CONTROL}ListWorkers`]: 'forward',
    [`${CONTROL}Info`]: 'forward',
    [`${CONTROL}DiskUsage`]: 'forward',
    // The daemon's build records hold every job's builds (their build arguments among them): the job's own only.
    [`${CONTROL}ListenBuildHistory`]: 'inspect',
    [`${CONTROL}Prune`]: { what: 'docker buildx prune', why: "the build cache is every job's, and the proxy cannot tell the job's own" },
    [`${CONTROL}UpdateBuildHistory`]: { what: 'changing the build history', why: "the history is every job's builds, and the proxy cannot tell the job's own" },
    [`${BRIDGE}Solve`]: 'inspect',
    [`${BRIDGE}ResolveImageConfig`]: 'forward',
    [`${BRIDGE}ResolveSourceMeta`]: 'forward',
    [`${BRIDGE}ReadFile`]: 'forward',
    [`${BRIDGE}ReadDir`]: 'forward',
    [`${BRIDGE}StatFile`]: 'forward',
    [`${BRIDGE}Evaluate`]: 'forward',
    [`${BRIDGE}Ping`]: 'forward',
    [`${BRIDGE}Return`]: 'forward',
    [`${BRIDGE}Inputs`]: 'forward',
    [`${BRIDGE}Warn`]: 'forward',
    // Blobs by digest (buildx --metadata-file reads its build's provenance so): content-addressed reads; listing them is not.
    '/containerd.services.content.v1.Content/Info': 'forward',
    '/containerd.services.content.v1.Content/Read': 'forward',
    '/grpc.health.v1.Health/Check': 'forward',
    // buildx sends its traces to the daemon (docker 25 and later keep them with the build's history).
    '/opentelemetry.proto.collector.trace.v1.TraceService/Export': 'forward',
};
/** Control SolveRequest's fields strict reads (buildkit api/services/control/control.proto). */
const SOLVE = { ref: 1, exporterAttrs: 4, frontendAttrs: 7, entitlements: 9, exporters: 13 };
/** Its BuildHistoryRequest: Ref 2, EarlyExit 3 (ActiveOnly 1 and EarlyExit do not widen what it shows). */
const HISTORY = { ref: 2, earlyExit: 3 };
/**
 * The ref buildx asks for to learn whether the daemon has a build history
 * (at every build): no client names a build so, and the answer is empty. A
 * refusal would only make buildx think the daemon has none.
 */
const HISTORY_PROBE_REF = 'buildx-test-history-api-feature';
/** Its Exporter message: Attrs 2. */
const EXPORTER = { attrs: 2 };
/** LLBBridge SolveRequest (frontend/gateway/pb/gateway.proto): FrontendOpt 3. */
const BRIDGE_SOLVE = { frontendOpt: 3 };
/** Network modes a build may force on its RUN steps. */
const NETWORK_MODES = ['', 'default', 'sandbox', 'none'];
/** Build contexts given by address, which the daemon would fetch from the host's network with the host's credentials. */
const FETCHED_CONTEXT = /^(https?:\/\/|git:\/\/|git@|ssh:\/\/)|\.git(#.*)?$/i;
const ENTITLEMENT_WHY = {
    'network.host': "its RUN steps would share the host's network stack",
    'security.insecure': 'its RUN steps would run privileged, with the host\'s devices',
};
function refusal(what, why) {
    return policyRefusal('strict', what, why);
}
/** Frontend options (Control Solve's FrontendAttrs, LLBBridge Solve's FrontendOpt) strict refuses. */
function frontendOptionProblem(options) {
    const network = options.get('force-network-mode') ?? '';
    if (!NETWORK_MODES.includes(network.toLowerCase())) {
        return refusal(`build --network ${network}`, network === 'host' ? "its RUN steps would share the host's network stack" : `strict accepts ${NETWORK_MODES.filter(Boolean).join(', ')}`);
    }
    if ((options.get('cgroup-parent') ?? '') !== '')
        return refusal('build --cgroup-parent', "it places the build's containers in any cgroup of the host, outside the limits of the job");
    for (const entry of (options.get('ulimit') ?? '').split(',').filter(Boolean)) {
        const problem = checkUlimitName(entry.split('=')[0].trim());
        if (problem)
            return refusal(`build --ulimit ${problem.what}`, problem.why);
    }
    for (const [key, value] of options) {
        if ((key === 'context' || key.startsWith('context:')) && FETCHED_CONTEXT.test(value)) {
            return refusal(`a build context the daemon fetches (${key}=${value})`, "the daemon clones or downloads it from the host's network, with the host's credentials; send the context instead");
        }
    }
    return undefined;
}
/** The image names a build exports to: every exporter's `name` attribute (comma-separated), the legacy single exporter's too. */
function exportedNames(solve) {
    const attrs = [stringMapOf(solve, SOLVE.exporterAttrs), ...bytesOf(solve, SOLVE.exporters).map((exporter) => stringMapOf(readFields(exporter), EXPORTER.attrs))];
    return attrs.flatMap((map) => (map.get('name') ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}
class BuildKitRules {
    options;
    /** The refs of the job's builds (each Control Solve's, random and chosen by the client): the build records it may read. */
    buildRefs = new Set();
    constructor(options) {
        this.options = options;
    }
    admit(path) {
        const rule = METHODS[path];
        if (rule === undefined)
            return refusal(`the BuildKit call ${path}`, 'it is not one the proxy knows; strict forwards only those');
        return typeof rule === 'string' ? rule : refusal(rule.what, rule.why);
    }
    async inspect(path, message, daemon) {
        if (path === `${CONTROL}ListenBuildHistory`)
            return this.checkHistoryRequest(message);
        let build;
        try {
            build = readBuildRequest(path, message);
        }
        catch (error) {
            throw refusal(`a BuildKit request the proxy cannot read (${path})`, error instanceof Error ? error.message : String(error));
        }
        const entitlement = build.entitlements[0];
        if (entitlement !== undefined) {
            throw refusal(`a build with the entitlement ${entitlement} (--allow ${entitlement}${entitlement === 'network.host' ? ', --network host' : ''})`, ENTITLEMENT_WHY[entitlement] ?? 'strict grants a build no entitlement');
        }
        const problem = frontendOptionProblem(build.frontendOptions);
        if (problem)
            throw problem;
        const tags = build.exportedNames.map((name) => normalizedTag(name));
        const unreadable = build.exportedNames.find((_, index) => tags[index] === undefined);
        if (unreadable !== undefined)
            throw refusal(`building into ${unreadable}`, 'the proxy cannot read it as an image reference to check');
        if (tags.length > 0)
            await this.options.checkTags(tags, 'building into');
        if (build.ref !== '' && !this.buildRefs.has(build.ref)) {
            await checkNewRef(build.ref, daemon);
            this.buildRefs.add(build.ref);
        }
    }
    /** A build history request: only for one of the job's builds (an empty ref lists every build on the daemon). */
    checkHistoryRequest(message) {
        let ref;
        try {
            ref = stringsOf(readFields(message), HISTORY.ref).at(-1) ?? '';
        }
        catch (error) {
            throw refusal(`a BuildKit request the proxy cannot read (${CONTROL}ListenBuildHistory)`, error instanceof Error ? error.message : String(error));
        }
        if (this.buildRefs.has(ref) || ref === HISTORY_PROBE_REF)
            return;
        throw refusal(ref === '' ? 'listing the build history (docker buildx history ls)' : `the build record ${ref}`, ref === '' ? "it shows every job's builds on the daemon, their build arguments too; ask for one of the job's own builds" : 'it is not a build of this job');
    }
}
/** gRPC's OK and UNIMPLEMENTED (a daemon without a build history, Docker before 25). */
const GRPC_OK = 0;
const GRPC_UNIMPLEMENTED = 12;
/**
 * A build's ref must be new to the daemon: the job may read the records of
 * its builds by their refs, and a Solve that names another build's ref
 * (one a job learnt from that build's outputs, say) would make its record
 * the job's. Asked as buildx asks: ListenBuildHistory for that ref, ending
 * once the records there are have come.
 */
async function checkNewRef(ref, daemon) {
    const request = new BinaryWriter();
    request.tag(HISTORY.ref, WireType.LengthDelimited).string(ref);
    request.tag(HISTORY.earlyExit, WireType.Varint).bool(true);
    let answer;
    try {
        answer = await daemon(`${CONTROL}ListenBuildHistory`, request.finish());
    }
    catch (error) {
        throw refusal(`a build with the ref ${ref}`, `the daemon did not say whether it has a build of that ref (${error instanceof Error ? error.message : String(error)})`);
    }
    if (answer.status === GRPC_UNIMPLEMENTED || (answer.status === GRPC_OK && answer.messages === 0))
        return;
    if (answer.status === GRPC_OK)
        throw refusal(`a build with the ref ${ref}`, "the daemon has a build of that ref already, another job's or an earlier one; a build names a new ref");
    throw refusal(`a build with the ref ${ref}`, `the daemon did not say whether it has a build of that ref (gRPC status ${answer.status})`);
}
/** Decodes a Control or LLBBridge SolveRequest; throws on a malformed one. */
function readBuildRequest(path, message) {
    const fields = readFields(message);
    if (path === `${BRIDGE}Solve`)
        return { ref: '', entitlements: [], frontendOptions: stringMapOf(fields, BRIDGE_SOLVE.frontendOpt), exportedNames: [] };
    return {
        ref: stringsOf(fields, SOLVE.ref).at(-1) ?? '',
        entitlements: stringsOf(fields, SOLVE.entitlements),
        frontendOptions: stringMapOf(fields, SOLVE.frontendAttrs),
        exportedNames: exportedNames(fields),
    };
}

;// CONCATENATED MODULE: ./src/dood/forwarder.ts
/**
 * The proxy's transport: requests streamed to the daemon and answers back,
 * faithfully (no buffering, no timeouts), and hijacked connections (attach,
 * exec start, BuildKit session/grpc) joined byte for byte with half-close,
 * or handed to a relay that reads them (strict's BuildKit calls).
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
    /** Connections to the daemon kept open between requests (not for upgrades, whose connection becomes the stream). */
    agent = new (external_node_http_default()).Agent({ keepAlive: true, maxFreeSockets: 8 });
    constructor(options) {
        this.options = options;
    }
    /** Streams one request to the daemon and its answer back. */
    forward(req, res, forwarding = {}) {
        this.send(req, res, forwarding, false);
    }
    /**
     * forward() on a kept connection, or with `fresh` on a new one. A GET or
     * HEAD that fails on a kept connection (the daemon may have closed it
     * meanwhile) is sent again fresh, unless the client has gone. Nothing else
     * is: a request may have reached the daemon before the connection broke,
     * and running a create or a restart twice is worse than a 502.
     */
    send(req, res, forwarding, fresh) {
        const { body, path = req.url ?? '/', explainErrors = false, through } = forwarding;
        const { upstreamPath, track, log, closing } = this.options;
        const headers = forwardedHeaders(req, body);
        const request = external_node_http_default().request({ socketPath: upstreamPath, method: req.method, path, headers, agent: fresh ? false : this.agent });
        const streamed = body === undefined && (hasHeader(headers, 'transfer-encoding') || !['0', undefined].includes(req.headers['content-length']));
        const resendable = !fresh && (req.method === 'GET' || req.method === 'HEAD') && !streamed;
        let answered = false;
        let clientGone = false;
        request.on('socket', (socket) => track(socket));
        request.on('error', (error) => {
            // Once the daemon answered, a failing late write (it closed after answering) is no news: the answer goes on.
            if (answered)
                return;
            if (resendable && !clientGone && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
                return this.send(req, res, forwarding, true);
            if (!closing())
                log(`upstream ${upstreamPath}: ${req.method} ${req.url}: ${error.message}`);
            jsonAnswer(res, 502, `setup-dind dood proxy: cannot reach the Docker daemon at ${upstreamPath}: ${error.message}`);
        });
        res.on('close', () => {
            if (res.writableFinished)
                return;
            clientGone = true;
            request.destroy();
        });
        request.on('response', (response) => {
            answered = true;
            this.answer(response, res, explainErrors);
        });
        if (body !== undefined)
            request.end(body);
        else if (streamed) {
            // A body of any size, streamed as it comes (build contexts, image loads).
            request.flushHeaders();
            if (!through) {
                req.pipe(request);
                return;
            }
            through.on('error', (error) => {
                if (answered)
                    return;
                answered = true;
                request.destroy();
                const refusal = error instanceof Refused ? error : new Refused(502, `setup-dind dood proxy: ${error.message}`);
                log(`refused ${req.method} ${req.url}: ${refusal.message}`);
                req.resume();
                jsonAnswer(res, refusal.status, refusal.message);
            });
            req.pipe(through).pipe(request);
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
    hijack(req, socket, head, check, relay) {
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
                this.upgradeUpstream(req, socket, early, path ?? req.url ?? '/', relay);
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
    upgradeUpstream(req, socket, early, url, relay) {
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
            if (relay && !early.ended)
                return relay(socket, early.rest, upstreamSocket, upstreamHead);
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

;// CONCATENATED MODULE: external "node:http2"
const external_node_http2_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");
var external_node_http2_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http2_namespaceObject);
;// CONCATENATED MODULE: ./src/dood/grpc-relay.ts
/**
 * BuildKit's gRPC connection (POST /grpc, upgraded to h2c), relayed call by
 * call instead of byte for byte, so strict can read what a build asks for:
 * the client's HTTP/2 is terminated here (node:http2) and each call goes to
 * the daemon as a call of its own on a second HTTP/2 session. A call the
 * rules refuse is answered here with a gRPC error and never reaches the
 * daemon; a call they inspect is held until its first message has been
 * read and passed. Everything else (headers, messages, trailers, resets)
 * is passed on as it comes.
 */


/** A gRPC message on the wire: 1 byte compressed flag, 4 bytes length, then the message. */
const FRAME_HEADER = 5;
/** The length of the whole first framed message in `buffer`, once it is all there. */
function framedLength(buffer) {
    if (buffer.length < FRAME_HEADER)
        return undefined;
    const length = FRAME_HEADER + buffer.readUInt32BE(1);
    return buffer.length >= length ? length : undefined;
}
/** `message` framed, uncompressed. */
function framed(message) {
    const header = Buffer.alloc(FRAME_HEADER);
    header.writeUInt32BE(message.length, 1);
    return Buffer.concat([header, message]);
}
/** gRPC's PERMISSION_DENIED, and INTERNAL for what the proxy cannot read. */
const PERMISSION_DENIED = 7;
const INTERNAL = 13;
/** The largest first message held for inspection: a build's LLB definition is sent whole in it. */
const MAX_INSPECTED_MESSAGE = 64 << 20;
const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR } = (external_node_http2_default()).constants;
/** grpc-message is percent-encoded outside printable ASCII (the gRPC HTTP/2 protocol). */
function grpcMessage(text) {
    return Array.from(Buffer.from(text, 'utf8'), (byte) => (byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}
/** True while a response can still be started on the stream (node throws on a closed or reset one). */
function canRespond(stream) {
    return !stream.destroyed && !stream.closed && !stream.headersSent;
}
/**
 * Runs an event handler of the relay: a client or daemon that resets a call
 * at any moment makes node's stream methods throw, and that must end the
 * call, not the proxy.
 */
function guarded(stream, handler) {
    try {
        handler();
    }
    catch {
        if (!stream.destroyed)
            stream.destroy();
    }
}
/** Answers a call with a gRPC error only (a trailers-only response), so the client reports `message`. */
function answerError(stream, code, message) {
    guarded(stream, () => {
        if (!canRespond(stream))
            return stream.close(NGHTTP2_CANCEL);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': grpcMessage(message) }, { endStream: true });
    });
}
/** The request headers as sent on: :scheme is the daemon session's own, the rest kept. */
function forwardedRequestHeaders(headers) {
    const forwarded = { ...headers };
    delete forwarded[':scheme'];
    return forwarded;
}
/** Reads a call's first gRPC message and hands it over with everything read so far. */
function firstMessage(stream) {
    return new Promise((resolve, reject) => {
        let read = Buffer.alloc(0);
        const done = (error) => {
            stream.off('data', onData);
            stream.off('end', onEnd);
            stream.pause();
            if (error)
                return reject(error);
            resolve({ message: read.subarray(FRAME_HEADER, framedLength(read)), read });
        };
        const onData = (chunk) => {
            read = Buffer.concat([read, chunk]);
            if (read.length < FRAME_HEADER)
                return;
            if (read[0] !== 0)
                return done(new Refused(403, 'setup-dind dood proxy: a compressed gRPC message cannot be checked'));
            if (read.readUInt32BE(1) > MAX_INSPECTED_MESSAGE)
                return done(new Refused(403, `setup-dind dood proxy: a gRPC message over ${MAX_INSPECTED_MESSAGE} bytes cannot be checked`));
            if (framedLength(read) !== undefined)
                done();
        };
        const onEnd = () => done(new Refused(400, 'setup-dind dood proxy: the call ended before its first message'));
        stream.on('data', onData);
        stream.on('end', onEnd);
    });
}
/** How long the proxy waits for an answer to a call of its own before it gives up (and refuses what needed it). */
const OWN_CALL_TIMEOUT_MS = 15_000;
/** A call of the proxy's own on the daemon's session: the message framed as gRPC, the answer's messages counted. */
function callDaemon(upstream, path, message) {
    return new Promise((resolve, reject) => {
        const call = upstream.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
        const timer = setTimeout(() => {
            call.close(NGHTTP2_CANCEL);
            reject(new Error(`the daemon did not answer ${path} within ${OWN_CALL_TIMEOUT_MS / 1000} s`));
        }, OWN_CALL_TIMEOUT_MS);
        let status;
        let pending = Buffer.alloc(0);
        let messages = 0;
        const statusOf = (headers) => {
            if (headers['grpc-status'] !== undefined)
                status = Number(headers['grpc-status']);
        };
        call.on('response', statusOf);
        call.on('trailers', statusOf);
        call.on('data', (chunk) => {
            pending = Buffer.concat([pending, chunk]);
            for (let length = framedLength(pending); length !== undefined; length = framedLength(pending)) {
                messages += 1;
                pending = pending.subarray(length);
            }
        });
        call.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
        });
        call.on('close', () => {
            clearTimeout(timer);
            if (status === undefined)
                reject(new Error(`the daemon ended ${path} without a gRPC status`));
            else
                resolve({ status, messages });
        });
        call.end(framed(message));
    });
}
/** Passes one call on to the daemon's session, `early` (already read from the client) first. */
function passOn(stream, headers, upstream, early) {
    const call = upstream.request(forwardedRequestHeaders(headers), { endStream: false });
    let trailers = {};
    call.on('response', (responseHeaders, flags) => guarded(stream, () => {
        if (!canRespond(stream))
            return call.close(NGHTTP2_CANCEL);
        // A trailers-only answer (an error) stays one; otherwise the daemon's trailers follow its messages.
        const endStream = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
        stream.respond({ ...responseHeaders }, endStream ? { endStream: true } : { waitForTrailers: true });
        if (!endStream)
            call.pipe(stream);
    }));
    call.on('trailers', (received) => (trailers = { ...received }));
    stream.on('wantTrailers', () => guarded(stream, () => stream.sendTrailers(trailers)));
    // A reset or failure on one side resets the other, with the same code where there is one.
    // A normal end is the piped messages' and trailers' to finish.
    call.on('close', () => guarded(stream, () => {
        if (stream.destroyed || stream.closed)
            return;
        if (call.rstCode !== NGHTTP2_NO_ERROR)
            return stream.close(call.rstCode);
        if (canRespond(stream))
            answerError(stream, INTERNAL, 'setup-dind dood proxy: the daemon ended the call without an answer');
    }));
    call.on('error', () => undefined);
    stream.on('close', () => {
        try {
            if (!call.destroyed && !call.closed)
                call.close(stream.rstCode || NGHTTP2_CANCEL);
        }
        catch {
            call.destroy();
        }
    });
    if (early && early.length > 0)
        call.write(early);
    stream.pipe(call);
    stream.resume();
}
/** One call from the client: refused, held for inspection, or passed on. */
function relayCall(stream, headers, upstream, { rules, log }) {
    const path = String(headers[':path'] ?? '');
    // A client may reset the call at any moment, also while it is held: node emits that as an error, which must end the call only.
    stream.on('error', () => undefined);
    const refuse = (refusal) => {
        log(`refused gRPC ${path}: ${refusal.message}`);
        answerError(stream, refusal.status === 403 ? PERMISSION_DENIED : INTERNAL, refusal.message);
    };
    const admission = rules.admit(path);
    if (admission instanceof Refused)
        return refuse(admission);
    if (admission === 'forward')
        return passOn(stream, headers, upstream);
    firstMessage(stream)
        .then(async ({ message, read }) => {
        await rules.inspect(path, message, (ownPath, ownMessage) => callDaemon(upstream, ownPath, ownMessage));
        // A call the client gave up on while it was held goes no further.
        if (!stream.destroyed && !stream.closed)
            passOn(stream, headers, upstream, read);
    })
        .catch((error) => {
        if (error instanceof Refused)
            return refuse(error);
        refuse(new Refused(500, `setup-dind dood proxy: ${error instanceof Error ? error.message : String(error)}`));
    });
}
/**
 * Relays a /grpc connection after its 101: `client` speaks HTTP/2 to the
 * proxy, `upstream` is the daemon's upgraded socket (with `upstreamHead`,
 * bytes the daemon sent past its 101). Either session ending ends the other.
 */
function relayGrpc(client, early, upstream, upstreamHead, options) {
    if (upstreamHead.length > 0)
        upstream.unshift(upstreamHead);
    if (early.length > 0)
        client.unshift(early);
    const daemon = external_node_http2_default().connect('http://docker.sock', { createConnection: () => upstream });
    const session = external_node_http2_default().performServerHandshake(client);
    const end = () => {
        if (!session.destroyed)
            session.destroy();
        if (!daemon.destroyed)
            daemon.destroy();
    };
    daemon.on('close', end);
    daemon.on('error', end);
    session.on('close', end);
    session.on('error', end);
    // No resume(): node's HTTP/2 reads the sockets itself, what was unshifted first.
    session.on('stream', (stream, headers) => guarded(stream, () => relayCall(stream, headers, daemon, options)));
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
/**
 * A host path as the job's container sees it: the reverse of
 * translateHostPath. Only a container path that translates back to the same
 * host path counts, so a deeper mount of the job's container over the spot
 * (another host directory there) is not mistaken for it. Undefined when the
 * job's container cannot see the host path.
 */
function containerPathOf(hostPath, map) {
    const clean = cleanAbsolute(hostPath);
    if (clean === undefined)
        return undefined;
    const candidates = map
        .map((mapping) => ({ container: cleanAbsolute(mapping.containerPath), host: cleanAbsolute(mapping.hostPath) }))
        .filter((mapping) => mapping.container !== undefined && mapping.host !== undefined && isWithin(clean, mapping.host))
        .sort((a, b) => b.host.length - a.host.length);
    for (const { container, host } of candidates) {
        const rest = host === '/' ? clean.slice(1) : clean.slice(host.length + 1);
        const path = rest === '' ? container : external_node_path_namespaceObject.posix.join(container, rest);
        if (translateHostPath(path, map) === clean)
            return path;
    }
    return undefined;
}
const fileSystemLinks = {
    readLink(path) {
        if (!(0,external_node_fs_.lstatSync)(path).isSymbolicLink())
            return undefined;
        return (0,external_node_fs_.readlinkSync)(path);
    },
};
/**
 * Resolves a host path's links the way the kernel will when the host's
 * daemon mounts it, while this process sees the host only through the job
 * container's mounts (`map`). Component by component, each host path is
 * looked at through its container path (containerPathOf); a link's target is
 * read there, and an absolute target is a *host* path (the kernel resolves it
 * in the daemon's mount namespace), so it is translated again, never
 * followed inside the job's container. Directories above every mount (the
 * host's `/home`, `/home/runner` for a mount of `/home/runner/work`) are out
 * of the job's reach and taken as they are.
 */
function resolveThroughMounts(hostPath, map, reader = fileSystemLinks) {
    const clean = cleanAbsolute(hostPath);
    if (clean === undefined)
        return { path: hostPath, unseen: hostPath };
    const hosts = map.map((mapping) => cleanAbsolute(mapping.hostPath)).filter((host) => host !== undefined);
    const split = (path) => path.split('/').filter((part) => part !== '' && part !== '.');
    let todo = split(clean);
    let done = '/';
    let links = 0;
    while (todo.length > 0) {
        const part = todo.shift();
        if (part === '..') {
            done = external_node_path_namespaceObject.posix.dirname(done);
            continue;
        }
        const candidate = external_node_path_namespaceObject.posix.join(done, part);
        const seen = containerPathOf(candidate, map);
        if (seen === undefined) {
            // Above every mount: out of the job's reach. Anywhere else: unknown to the proxy.
            if (hosts.some((host) => host !== candidate && isWithin(host, candidate))) {
                done = candidate;
                continue;
            }
            return { path: external_node_path_namespaceObject.posix.join(candidate, ...todo), unseen: candidate };
        }
        let target;
        try {
            target = reader.readLink(seen);
        }
        catch {
            return { path: external_node_path_namespaceObject.posix.join(candidate, ...todo) }; // missing: the daemon creates the rest as directories
        }
        if (target === undefined) {
            done = candidate;
            continue;
        }
        if (++links > 40)
            return { path: external_node_path_namespaceObject.posix.join(candidate, ...todo), loop: true };
        if (target.startsWith('/'))
            done = '/';
        todo = [...split(target), ...todo];
    }
    return { path: done };
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
    const resolved = deviceOnHost(host, context);
    if (resolved === undefined)
        return policyRefusal('strict', `${what} binding ${host}`, "through links it leads out of the job container's mounts, where the proxy cannot check it");
    const problem = bindSourceProblem(resolved, context);
    return problem ? policyRefusal('strict', `${what} binding ${resolved}`, problem) : undefined;
}
/**
 * A bind volume's device (a host path) with its links followed as the kernel
 * will when the daemon mounts it: on the host as the proxy sees it, or, when
 * the job runs in a container, through that container's view of the spot.
 * Undefined when it leads where the proxy cannot see.
 */
function deviceOnHost(host, context) {
    const resolve = context.resolvePath ?? ((path) => path);
    if (!context.pathMap)
        return resolve(host);
    const inContainer = containerPathOf(host, context.pathMap);
    return inContainer === undefined ? host : translateHostPath(resolve(inContainer), context.pathMap);
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/dood/tag-claims.ts
/**
 * Claims on new image tags, held in the daemon so that every job's proxy on
 * it sees them: a claim is a volume named after the tag's hash, labelled
 * with the job's labels. The daemon creates a volume name once (its volume
 * store locks by name) and answers a second create with the volume that is
 * there, so whose labels come back tells who holds the claim. The job's
 * teardown removes its volumes, and with them its claims.
 */


/** Claims within one proxy only, coordinating with no other job: for tests of the rules alone. */
const localClaims = { claim: async () => ({ held: true }), release: async () => { }, heldElsewhere: async () => undefined };
/** The label that says what a claim volume is (for people reading `docker volume ls`); the tag is not named: not every job need know another's tags before they exist. */
const CLAIM_LABEL = { 'setup-dind.claim': 'image-tag' };
const NAME_PREFIX = 'setup-dind-tag-claim-';
/** Why strict refuses a job a volume of this name, if it does: the names of claims are the proxy's, lest a job squat another's tag. */
function claimNameProblem(name) {
    return name.startsWith(NAME_PREFIX) ? `the name ${NAME_PREFIX}… is kept for the proxy's claims on image tags` : undefined;
}
/** The volume that holds a tag's claim: the same name in every job's proxy. */
function claimVolumeName(tag) {
    return NAME_PREFIX + (0,external_node_crypto_namespaceObject.createHash)('sha256').update(tag).digest('hex').slice(0, 40);
}
/** Claims in the daemon, for a job whose objects carry `labels`. */
function daemonClaims(daemon, labels) {
    const ours = (found) => isObject(found) && Object.entries(labels).every(([key, value]) => found[key] === value);
    // The holder as its labels say (the same keys as the job's): who to ask.
    const holder = (tag, found) => {
        const named = Object.keys(labels).flatMap((key) => (isObject(found) && typeof found[key] === 'string' ? [`${key}=${found[key]}`] : []));
        return `the volume ${claimVolumeName(tag)} (${named.length > 0 ? named.join(', ') : 'not labelled as a job'})`;
    };
    return {
        async claim(tag) {
            const { status, json } = await daemon.createVolume({ Name: claimVolumeName(tag), Labels: { ...labels, ...CLAIM_LABEL } });
            const found = isObject(json) ? json.Labels : undefined;
            if (status === 201 && ours(found))
                return { held: true };
            if (status !== 201)
                return { held: false, holder: `unknown: the daemon answered ${status} to the claim` };
            return { held: false, holder: holder(tag, found) };
        },
        async release(tag) {
            await daemon.removeVolume(claimVolumeName(tag));
        },
        async heldElsewhere(tag) {
            const { status, json } = await daemon.inspectVolume(claimVolumeName(tag));
            if (status === 404)
                return undefined;
            const found = isObject(json) ? json.Labels : undefined;
            if (status === 200 && ours(found))
                return undefined;
            return status === 200 ? holder(tag, found) : `unknown: the daemon answered ${status} about the claim`;
        },
    };
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
            inspected.joins.push({ ref: joined[1], what: `${flag.replace(' host', '')} ${mode.trim()}`, pin: ({ id }) => setField(hostConfig, name, `container:${id}`) });
        }
        else if (name === 'NetworkMode') {
            inspected.networks.push({ ref: mode.trim(), what: `--network ${mode.trim()}` });
        }
    }
    pinEach(hostConfig, 'VolumesFrom', /^(.*?)((?::(?:ro|rw))?)$/, '--volumes-from', 'id', inspected);
    // A legacy link (NAME:ALIAS) copies the linked container's environment into the new one.
    pinEach(hostConfig, 'Links', /^([^:]*)((?::.*)?)$/, '--link', 'name', inspected);
}
/** Each entry of a list field whose first group names a container: a join pinned in place. */
function pinEach(hostConfig, name, pattern, flag, by, inspected) {
    const list = field(hostConfig, name);
    if (!Array.isArray(list))
        return;
    list.forEach((entry, index) => {
        if (typeof entry !== 'string')
            return;
        const [, ref, rest] = pattern.exec(entry);
        inspected.joins.push({ ref: ref.replace(/^\//, ''), what: `${flag} ${entry}`, pin: (checked) => (list[index] = `${checked[by]}${rest}`) });
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
/** A body with nothing to add, translate or check with the daemon. */
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
    const reserved = context.policy === 'strict' && typeof name === 'string' ? claimNameProblem(name) : undefined;
    if (reserved)
        throw policyRefusal('strict', `creating volume ${name}`, reserved);
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

;// CONCATENATED MODULE: ./src/dood/fields/host-config.ts
/**
 * HostConfig (POST /containers/create's HostConfig, the pre-1.24 start
 * body) and the Resources inlined into it (also POST /containers/{id}/update),
 * with the objects they hold: Mounts, LogConfig, RestartPolicy, PortBindings,
 * Ulimits, the Blkio device lists.
 */


const weightDevice = { name: 'weight device', rows: [row('Path', check(checkDevicePath)), row('Weight', any)] };
const throttleDevice = { name: 'throttle device', rows: [row('Path', check(checkDevicePath)), row('Rate', any)] };
const ulimit = {
    name: 'ulimit',
    rows: [row('Name', check(checkUlimitName), { flag: '--ulimit' }), row('Soft', any), row('Hard', any)],
};
/** The rows of Resources: limits on the container itself, except where a row says otherwise. */
const resourceRows = [
    row('CpuShares', any),
    row('Memory', any),
    row('NanoCpus', any),
    row('CgroupParent', unlessEmpty('it places the container in any cgroup of the host, outside the limits of the job'), { flag: '--cgroup-parent' }),
    row('BlkioWeight', any),
    row('BlkioWeightDevice', list(weightDevice)),
    row('BlkioDeviceReadBps', list(throttleDevice)),
    row('BlkioDeviceWriteBps', list(throttleDevice)),
    row('BlkioDeviceReadIOps', list(throttleDevice)),
    row('BlkioDeviceWriteIOps', list(throttleDevice)),
    row('CpuPeriod', any),
    row('CpuQuota', any),
    row('CpuRealtimePeriod', unlessEmpty("it grants real-time CPU time out of the host's budget"), { flag: '--cpu-rt-period' }),
    row('CpuRealtimeRuntime', unlessEmpty("it grants real-time CPU time out of the host's budget"), { flag: '--cpu-rt-runtime' }),
    row('CpusetCpus', any),
    row('CpusetMems', any),
    row('Devices', check(checkDevices), { flag: '--device' }),
    row('DeviceCgroupRules', unlessEmpty('it gives the container access to host devices'), { flag: '--device-cgroup-rule' }),
    row('DeviceRequests', unlessEmpty('it gives the container host devices (GPUs) through a device driver'), { flag: '--gpus' }),
    row('KernelMemory', unlessEmpty('kernel memory limits are deprecated and known to destabilise the host kernel (cgroup v1)'), {
        until: '1.41',
        flag: '--kernel-memory',
        note: 'removed from the reference in 1.42; the daemon still decodes it',
    }),
    row('KernelMemoryTCP', any),
    row('MemoryReservation', any),
    row('MemorySwap', any),
    row('MemorySwappiness', any),
    row('OomKillDisable', unlessEmpty('without the OOM killer the memory the container holds can starve the host'), { flag: '--oom-kill-disable' }),
    row('Init', any, { note: "the reference lists it in Resources; the daemon's update body has no such field and ignores it" }),
    row('PidsLimit', any),
    row('Ulimits', list(ulimit)),
    row('CpuCount', any),
    row('CpuPercent', any),
    row('IOMaximumIOps', any),
    row('IOMaximumBandwidth', any),
];
const bindOptions = {
    name: 'BindOptions',
    rows: [
        row('Propagation', check(oneOf(['', 'private', 'rprivate', 'slave', 'rslave'], "shared propagation makes mounts made in the container appear on the host's side of the bind"))),
        row('NonRecursive', any),
        row('CreateMountpoint', unlessEmpty('it creates the bind source directory on the host'), { since: '1.42' }),
        row('ReadOnlyNonRecursive', any, { since: '1.44' }),
        row('ReadOnlyForceRecursive', any, { since: '1.44' }),
    ],
};
const driverConfig = {
    name: 'DriverConfig',
    rows: [
        row('Name', check(oneOf(['', 'local'], VOLUME_PLUGIN))),
        row('Options', elsewhere('binds.ts volumeOptionsProblem (from inspect.ts inspectVolumeMount)')),
    ],
};
const volumeOptions = {
    name: 'VolumeOptions',
    rows: [
        row('NoCopy', any),
        row('Labels', elsewhere("inspect.ts inspectVolumeMount (the job's labels added)")),
        row('DriverConfig', object(driverConfig)),
        row('Subpath', any, { since: '1.45', note: 'the daemon keeps it inside the volume, which is the job\'s own (ownership.ts prepareVolumes)' }),
    ],
};
const imageOptions = { name: 'ImageOptions', rows: [row('Subpath', any, { since: '1.48' })] };
const tmpfsOptions = {
    name: 'TmpfsOptions',
    rows: [row('SizeBytes', any), row('Mode', any), row('Options', check(checkTmpfsOptions), { since: '1.46' })],
};
const mount = {
    name: 'mount',
    rows: [
        row('Target', any),
        row('Source', elsewhere('inspect.ts inspectMounts and checkBinds (bind sources), ownership.ts prepareVolumes (volumes)')),
        row('Type', check(oneOf(['bind', 'volume', 'tmpfs', 'image'], 'npipe mounts a host named pipe and cluster a swarm cluster volume', '--mount type=')), { note: 'image since 1.48' }),
        row('ReadOnly', any),
        row('Consistency', any),
        row('BindOptions', object(bindOptions)),
        row('VolumeOptions', object(volumeOptions)),
        row('ImageOptions', object(imageOptions), { since: '1.48' }),
        row('TmpfsOptions', object(tmpfsOptions)),
        row('ClusterOptions', unlessNull('cluster volumes are swarm objects the proxy does not inspect'), { note: 'in the daemon\'s Go type, not in the reference' }),
    ],
};
const logConfig = {
    name: 'LogConfig',
    rows: [row('Type', check(checkLogDriver)), row('Config', check(checkLogOptions))],
};
const restartPolicy = { name: 'RestartPolicy', rows: [row('Name', any), row('MaximumRetryCount', any)] };
const portBinding = { name: 'port binding', rows: [row('HostIp', any), row('HostPort', any)] };
const UNMASKS = 'an empty list unmasks /proc and /sys paths that show and change the host (/proc/kcore, /proc/sysrq-trigger, ...)';
/** HostConfig: its own rows, then Resources' (inlined in Go). */
const hostConfigTable = {
    name: 'HostConfig',
    rows: [
        row('Binds', check(checkBindModes), { note: 'the modes here; the sources: inspect.ts inspectBinds and checkBinds (binds), ownership.ts prepareVolumes (volumes)' }),
        row('ContainerIDFile', any, { note: 'the CLI writes the file; the daemon ignores it' }),
        row('LogConfig', object(logConfig)),
        row('NetworkMode', check(namespaceMode('--network', "the host's network stack", ['', 'default', 'bridge', 'none'], { joins: true, names: true })), {
            note: 'container:<id> joins: inspect.ts checkJoins; a network by name: its ownership is for the wiring to check',
        }),
        row('PortBindings', map(portBinding, 'container ports, such as 80/tcp', { lists: true })),
        row('RestartPolicy', object(restartPolicy)),
        row('AutoRemove', any),
        row('VolumeDriver', check(oneOf(['', 'local'], VOLUME_PLUGIN, '--volume-driver'))),
        row('VolumesFrom', elsewhere('inspect.ts checkJoins (the job\'s own containers only)')),
        row('ConsoleSize', any),
        row('Annotations', unlessEmpty('annotations go to the OCI runtime, which may act on them (runtime options, hypervisor paths)'), { since: '1.43', flag: '--annotation' }),
        row('CapAdd', check(checkCapAdd)),
        row('CapDrop', any),
        row('CgroupnsMode', check(namespaceMode('--cgroupns', "the host's cgroups", ['', 'private']))),
        row('Dns', any),
        row('DnsOptions', any),
        row('DnsSearch', any),
        row('ExtraHosts', any),
        row('GroupAdd', any),
        row('IpcMode', check(namespaceMode('--ipc', "the host's IPC namespace", ['', 'none', 'private', 'shareable'], { joins: true }))),
        row('Cgroup', unlessEmpty("it puts the container in another container's cgroup"), { flag: '--cgroup' }),
        row('Links', elsewhere('ownership of the linked containers: not yet checked (a link reads the linked container\'s environment); the wiring must add it to checkJoins')),
        row('OomScoreAdj', check(atLeast(0, "a negative score makes the host's OOM killer pick host processes before the container", '--oom-score-adj'))),
        row('PidMode', check(namespaceMode('--pid', "the host's processes", [''], { joins: true }))),
        row('Privileged', elsewhere('inspect.ts inspectHostConfig (every policy but none)')),
        row('PublishAllPorts', any),
        row('ReadonlyRootfs', any),
        row('SecurityOpt', check(checkSecurityOpt)),
        row('StorageOpt', check(checkStorageOpt)),
        row('Tmpfs', any),
        row('UTSMode', check(namespaceMode('--uts', "the host's hostname", ['']))),
        row('UsernsMode', check(namespaceMode('--userns', "the host's user namespace", ['']))),
        row('ShmSize', any),
        row('Sysctls', check(checkSysctls)),
        row('Runtime', unlessEmpty("another runtime than the daemon's default may confine less (or not at all)"), { flag: '--runtime' }),
        row('Isolation', check(oneOf(['', 'default'], 'hyperv and process are for Windows daemons', '--isolation'))),
        row('Mounts', list(mount)),
        row('MaskedPaths', unlessNull(UNMASKS), { flag: '--security-opt systempaths=unconfined' }),
        row('ReadonlyPaths', unlessNull(UNMASKS.replace('unmasks', 'makes writable')), { flag: '--security-opt systempaths=unconfined' }),
        ...resourceRows,
    ],
};
/** POST /containers/{id}/update: Resources and RestartPolicy. */
const updateTable = {
    name: 'container update',
    rows: [...resourceRows, row('RestartPolicy', object(restartPolicy))],
};

;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_namespaceObject);
;// CONCATENATED MODULE: ./src/dood/fields/network-values.ts
/**
 * strict's value checks of networks: bridge driver options, endpoint driver
 * options and IPAM addresses (values.ts has the container's).
 */



/** Bridge driver options that name no host interface or bridge and stay on the job's own bridge. */
const BRIDGE_OPTIONS = [
    'com.docker.network.bridge.enable_icc',
    'com.docker.network.bridge.enable_ip_masquerade',
    'com.docker.network.bridge.host_binding_ipv4',
    'com.docker.network.driver.mtu',
    'com.docker.network.container_iface_prefix',
];
const BRIDGE_OPTION_REASONS = {
    'com.docker.network.bridge.name': "it names the Linux bridge, which may be an existing one (docker0, another job's br-...): the network would join it",
    'com.docker.network.bridge.inhibit_ipv4': 'it is for a bridge that exists already',
    'com.docker.network.bridge.trusted_host_interfaces': 'it lets host interfaces reach the containers directly',
    'com.docker.network.bridge.gateway_mode_ipv4': 'routed or unprotected modes make the containers reachable from outside without published ports',
    'com.docker.network.bridge.gateway_mode_ipv6': 'routed or unprotected modes make the containers reachable from outside without published ports',
};
/** POST /networks/create Options. */
const checkBridgeOptions = eachEntry((key) => BRIDGE_OPTIONS.includes(key)
    ? undefined
    : { what: `${shown(key)} (--opt ${key}=...)`, why: `${BRIDGE_OPTION_REASONS[key] ?? 'the proxy does not know the option'}; strict accepts ${BRIDGE_OPTIONS.join(', ')}` });
/** EndpointSettings.DriverOpts: the interface's name and sysctls of the container's own interface (net.*), no driver's own options. */
const checkEndpointDriverOpts = eachEntry((key, text) => {
    if (key === 'com.docker.network.endpoint.ifname')
        return undefined;
    if (key === 'com.docker.network.endpoint.sysctls') {
        const bad = text.split(',').map((entry) => entry.split('=')[0].trim()).find((name) => !name.startsWith('net.') || sysctlProblem(name.replace('IFNAME', 'eth0')) !== undefined);
        return bad === undefined ? undefined : { what: `${shown(bad)} (--network ...,driver-opt=${key}=...)`, why: "strict accepts net.* sysctls of the container's interface" };
    }
    return { what: `${shown(key)} (--network ...,driver-opt=${key}=...)`, why: 'the proxy does not know the endpoint option; strict accepts com.docker.network.endpoint.ifname and com.docker.network.endpoint.sysctls' };
});
/** Address ranges a job network may not claim: the host would route its own traffic there (metadata at 169.254.169.254, loopback) to the job. */
const RESERVED = [
    ['0.0.0.0', 8, 'ipv4'], ['127.0.0.0', 8, 'ipv4'], ['169.254.0.0', 16, 'ipv4'], ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
    ['::', 127, 'ipv6'], ['::ffff:0:0', 96, 'ipv6'], ['fe80::', 10, 'ipv6'], ['ff00::', 8, 'ipv6'],
];
/** The shortest prefixes strict accepts: shorter ones would take over routes to much of the internet. */
const SHORTEST_PREFIX = { ipv4: 8, ipv6: 16 };
function ipRange(text) {
    const [address = '', prefixText, extra] = text.split('/');
    const version = (0,external_node_net_namespaceObject.isIP)(address);
    if (version === 0 || extra !== undefined)
        return undefined;
    const family = version === 4 ? 'ipv4' : 'ipv6';
    const prefix = prefixText === undefined ? (version === 4 ? 32 : 128) : Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > (version === 4 ? 32 : 128))
        return undefined;
    return { address, prefix, family };
}
/** Two ranges overlap when one holds the other's first address. */
function overlaps(a, b) {
    if (a.family !== b.family)
        return false;
    const holds = (outer, inner) => {
        const list = new external_node_net_namespaceObject.BlockList();
        list.addSubnet(outer.address, outer.prefix, outer.family);
        return list.check(inner.address, inner.family);
    };
    return holds(a, b) || holds(b, a);
}
/** IPAM Subnet, IPRange, Gateway, AuxiliaryAddresses: an address or range outside RESERVED, not too wide. */
function addressProblem(text) {
    const range = ipRange(text);
    if (!range)
        return { what: shown(text), why: 'it is not an IP address or CIDR range' };
    if (range.prefix < SHORTEST_PREFIX[range.family]) {
        return { what: shown(text), why: `the range is so wide that the host would route much of the internet to the job's network; strict accepts /${SHORTEST_PREFIX[range.family]} or narrower` };
    }
    const reserved = RESERVED.find(([address, prefix, family]) => overlaps(range, { address, prefix, family }));
    if (reserved) {
        return { what: shown(text), why: `it overlaps ${reserved[0]}/${reserved[1]} (loopback, link-local such as the cloud metadata address, multicast or reserved), which the host uses itself` };
    }
    return undefined;
}
const checkAddress = (value) => {
    if (value === undefined || value === null || value === '')
        return undefined;
    return typeof value === 'string' ? addressProblem(value) : { what: shown(value), why: 'it must be a string' };
};
const checkAddressMap = eachEntry((_name, text) => addressProblem(text));

;// CONCATENATED MODULE: ./src/dood/fields/network.ts
/**
 * Networks: EndpointSettings (a container's place on a network, at create
 * and connect), POST /networks/create, and the connect and disconnect bodies.
 */


const endpointIpamConfig = {
    name: 'IPAMConfig',
    rows: [row('IPv4Address', any), row('IPv6Address', any), row('LinkLocalIPs', any)],
};
const endpointSettingsTable = {
    name: 'EndpointSettings',
    rows: [
        row('IPAMConfig', object(endpointIpamConfig)),
        row('Links', any, { note: "on a user-defined network a link is an alias for a container on the same network, which is the job's own" }),
        row('MacAddress', any),
        row('Aliases', any),
        row('DriverOpts', check(checkEndpointDriverOpts)),
        row('GwPriority', any, { since: '1.48' }),
        row('NetworkID', any),
        row('EndpointID', any),
        row('Gateway', any),
        row('IPAddress', any),
        row('IPPrefixLen', any),
        row('IPv6Gateway', any),
        row('GlobalIPv6Address', any),
        row('GlobalIPv6PrefixLen', any),
        row('DNSNames', any, { since: '1.44' }),
    ],
};
const ipamConfig = {
    name: 'IPAM config',
    rows: [
        row('Subnet', check(checkAddress), { flag: '--subnet' }),
        row('IPRange', check(checkAddress), { flag: '--ip-range' }),
        row('Gateway', check(checkAddress), { flag: '--gateway' }),
        row('AuxiliaryAddresses', check(checkAddressMap), { flag: '--aux-address' }),
    ],
};
const ipam = {
    name: 'IPAM',
    rows: [
        row('Driver', check(oneOf(['', 'default'], "an IPAM plugin runs with the host's privileges", '--ipam-driver'))),
        row('Config', list(ipamConfig)),
        row('Options', unlessEmpty('the default IPAM driver takes no options the proxy knows'), { flag: '--ipam-opt' }),
    ],
};
const SWARM = 'swarm networks are not for the job';
const networkCreateTable = {
    name: 'network create',
    rows: [
        row('Name', any),
        row('CheckDuplicate', any, { until: '1.45', note: 'the daemon ignores it from 1.44' }),
        row('Driver', check(oneOf(['', 'bridge'], "macvlan and ipvlan attach to the host's interfaces, overlay needs swarm, host and none exist once, others are plugins", '--driver'))),
        row('Scope', check(oneOf(['', 'local'], SWARM, '--scope'))),
        row('Internal', any),
        row('Attachable', any),
        row('Ingress', unlessEmpty(SWARM), { flag: '--ingress' }),
        row('ConfigOnly', unlessEmpty('a configuration-only network is a template for networks the proxy would not see'), { flag: '--config-only' }),
        row('ConfigFrom', unlessNull('the network would take its configuration from a network the proxy did not inspect'), { flag: '--config-from' }),
        row('IPAM', object(ipam)),
        row('EnableIPv4', any, { since: '1.47' }),
        row('EnableIPv6', any),
        row('Options', check(checkBridgeOptions)),
        row('Labels', elsewhere("inspect.ts inspectNetworkCreate (the job's labels added)")),
    ],
};
const containerRef = elsewhere('ownership.ts pinNetworkMembership (the job\'s own container)');
const networkConnectTable = {
    name: 'network connect',
    rows: [row('Container', containerRef), row('EndpointConfig', object(endpointSettingsTable))],
};
const networkDisconnectTable = {
    name: 'network disconnect',
    rows: [row('Container', containerRef), row('Force', any)],
};

;// CONCATENATED MODULE: ./src/dood/fields/container-config.ts
/**
 * POST /containers/create: the container's Config at the top level, with
 * HostConfig and NetworkingConfig beside it; and the exec and volume bodies.
 */




const healthcheck = {
    name: 'Healthcheck',
    rows: [
        row('Test', any),
        row('Interval', any),
        row('Timeout', any),
        row('Retries', any),
        row('StartPeriod', any),
        row('StartInterval', any, { since: '1.44' }),
    ],
};
const networkingConfig = {
    name: 'NetworkingConfig',
    rows: [row('EndpointsConfig', map(endpointSettingsTable, 'network names: their ownership is for the wiring to check'))],
};
/**
 * Daemons before 28.0 read HostConfig fields from the top level too (the
 * deprecated ContainerConfigWrapper form, for any request version). The
 * docker CLI never sends them there, so strict takes them under HostConfig
 * only: one place to check.
 */
const TOP_LEVEL_HOST_CONFIG = 'a HostConfig field at the top level of the create body, which daemons before 28.0 still read (a deprecated form the docker CLI never sends); strict takes it under HostConfig only';
const topLevelHostConfigRows = hostConfigTable.rows.map((hostRow) => row(hostRow.name, unlessNull(TOP_LEVEL_HOST_CONFIG), { note: 'the deprecated top-level form of the HostConfig field' }));
const containerCreateTable = {
    name: 'container create',
    rows: [
        row('Hostname', any),
        row('Domainname', any),
        row('User', any),
        row('AttachStdin', any),
        row('AttachStdout', any),
        row('AttachStderr', any),
        row('ExposedPorts', any),
        row('Tty', any),
        row('OpenStdin', any),
        row('StdinOnce', any),
        row('Env', any),
        row('Cmd', any),
        row('Healthcheck', object(healthcheck)),
        row('ArgsEscaped', any),
        row('Image', any),
        row('Volumes', any, { note: 'anonymous volumes: container paths only' }),
        row('WorkingDir', any),
        row('Entrypoint', any),
        row('NetworkDisabled', any),
        row('MacAddress', any),
        row('OnBuild', any),
        row('Labels', elsewhere("inspect.ts inspectContainerCreate (the job's labels added)")),
        row('StopSignal', any),
        row('StopTimeout', any),
        row('Shell', any),
        row('HostConfig', object(hostConfigTable)),
        row('NetworkingConfig', object(networkingConfig)),
        // dockerode (testcontainers) sends its query parameters in the body too; no daemon type has these fields.
        row('name', any, { note: 'dockerode sends the name query parameter in the body too; the daemon ignores it' }),
        row('platform', any, { note: 'dockerode sends the platform query parameter in the body too; the daemon ignores it' }),
        row('Cpuset', unlessEmpty(TOP_LEVEL_HOST_CONFIG), { note: "the wrapper's deprecated name for HostConfig.CpusetCpus, read before 28.0; not in the reference" }),
        ...topLevelHostConfigRows,
    ],
};
const execCreateTable = {
    name: 'exec create',
    rows: [
        row('AttachStdin', any),
        row('AttachStdout', any),
        row('AttachStderr', any),
        row('ConsoleSize', any, { since: '1.42' }),
        row('DetachKeys', any),
        row('Tty', any),
        row('Env', any),
        row('Cmd', any),
        row('Privileged', elsewhere('inspect.ts inspectExecCreate (every policy but none)')),
        row('User', any, { note: "any user of the container's own, root included: the container's confinement applies" }),
        row('WorkingDir', any),
        row('Detach', any, { note: "in the daemon's Go type (deprecated), not in the reference" }),
    ],
};
const execStartTable = {
    name: 'exec start',
    rows: [
        row('Detach', any),
        row('Tty', any),
        row('ConsoleSize', any, { since: '1.42' }),
        // dockerode (testcontainers) sends its own start options in the body too; the daemon ignores them.
        row('hijack', any, { note: 'not in the API: dockerode sends it' }),
        row('stdin', any, { note: 'not in the API: dockerode sends it' }),
    ],
};
const volumeCreateTable = {
    name: 'volume create',
    rows: [
        row('Name', any),
        row('Driver', check(oneOf(['', 'local'], VOLUME_PLUGIN, '--driver'))),
        row('DriverOpts', elsewhere('binds.ts volumeOptionsProblem (from inspect.ts inspectVolumeCreate)')),
        row('Labels', elsewhere("inspect.ts inspectVolumeCreate (the job's labels added)")),
        row('ClusterVolumeSpec', unlessNull('cluster volumes are swarm objects (CSI plugins) the proxy does not inspect'), { since: '1.42' }),
    ],
};

;// CONCATENATED MODULE: ./src/dood/fields.ts
/**
 * strict's allowlist of request bodies: every field of every body the proxy
 * forwards is in a table (src/dood/fields/), and a field no table names, or
 * a value its rule does not accept, is refused with a message naming it.
 *
 * The tables cover Engine API 1.41 to 1.51, read from the reference
 * (docs/api/v1.XX.yaml in moby/moby) and the daemon's Go types, which decode
 * a few fields the reference does not list (each such row has a `note`).
 *
 * Adding an API version (say 1.52):
 *  1. Regenerate the reference's field list:
 *     node scripts/dood-api-fields.mjs path/to/moby/docs/api/v1.{41..52}.yaml > test/fixtures/dood-api-fields.json
 *  2. Run test/unit/dood-fields.test.ts: it names each field the tables lack
 *     or whose since/until differ. Add a row per new field, in the table of its
 *     object, with `since: '1.52'` and a rule (`any` only when the field has no
 *     meaning outside the container; otherwise a check from fields/values.ts,
 *     or refused-unless-empty with the reason). A removed field keeps its row,
 *     with `until`: older daemons still read it.
 *  3. Add a test of the rule in test/unit/dood-fields.test.ts.
 *
 * The verdict does not depend on the request's API version (/v1.43/...): the
 * daemon decodes a body into its own types whatever version the URL names,
 * so a field newer than the request's version still reaches a newer daemon.
 */






/** The request bodies the proxy inspects, by the endpoint that takes them. */
const BODY_TABLES = {
    /** POST /containers/create */
    'container-create': containerCreateTable,
    /** POST /containers/{id}/start with a body: a HostConfig (API < 1.24) */
    'container-start': hostConfigTable,
    /** POST /containers/{id}/update */
    'container-update': updateTable,
    /** POST /containers/{id}/exec */
    'exec-create': execCreateTable,
    /** POST /exec/{id}/start */
    'exec-start': execStartTable,
    /** POST /networks/create */
    'network-create': networkCreateTable,
    /** POST /networks/{id}/connect */
    'network-connect': networkConnectTable,
    /** POST /networks/{id}/disconnect */
    'network-disconnect': networkDisconnectTable,
    /** POST /volumes/create */
    'volume-create': volumeCreateTable,
};
const KNOWN = 'the proxy knows the fields of Engine API 1.41 to 1.51 and refuses others, which a newer daemon may act on';
function child(path, name) {
    return path === '' ? name : `${path}.${name}`;
}
/** A refusal of the value at `path`. */
function fields_refusal(path, what, why) {
    return policyRefusal('strict', `${path} ${what}`.trim(), why);
}
function notAnObject(path, value, what) {
    return fields_refusal(path, shown(value), `it must be ${what}`);
}
/** A value under its row's rule. */
function checkValue(rowOf, value, path) {
    const rule = rowOf.rule;
    const flag = rowOf.flag ? ` (${rowOf.flag})` : '';
    switch (rule.kind) {
        case 'any':
        case 'checked-elsewhere':
            return undefined;
        case 'check': {
            const problem = rule.check(value);
            return problem ? fields_refusal(path, problem.what, problem.why) : undefined;
        }
        case 'refused-unless-empty':
            return isEmpty(value) ? undefined : fields_refusal(path, `${shown(value)}${flag}`, `${rule.why}; strict accepts it only unset`);
        case 'refused-unless-null':
            return value === undefined || value === null ? undefined : fields_refusal(path, `${shown(value)}${flag}`, `${rule.why}; strict accepts it only absent or null`);
        case 'object':
            return value === null ? undefined : isObject(value) ? checkObject(rule.table, value, path) : notAnObject(path, value, 'an object');
        case 'list':
            return checkList(rule.table, value, path);
        case 'map': {
            if (value === null)
                return undefined;
            if (!isObject(value))
                return notAnObject(path, value, `an object of ${rule.keys}`);
            for (const [key, item] of Object.entries(value)) {
                const itemPath = `${path}[${JSON.stringify(key)}]`;
                const problem = rule.lists ? checkList(rule.table, item, itemPath) : checkValue({ name: key, rule: { kind: 'object', table: rule.table } }, item, itemPath);
                if (problem)
                    return problem;
            }
            return undefined;
        }
    }
}
/** A list of objects; null (the whole list or an item) is Go's zero value. */
function checkList(table, value, path) {
    if (value === null)
        return undefined;
    if (!Array.isArray(value))
        return notAnObject(path, value, `a list of ${table.name} objects`);
    for (const [index, item] of value.entries()) {
        if (item === null)
            continue;
        if (!isObject(item))
            return notAnObject(`${path}[${index}]`, item, `a ${table.name} object`);
        const problem = checkObject(table, item, `${path}[${index}]`);
        if (problem)
            return problem;
    }
    return undefined;
}
/** Every key named by a row (as Go matches names), then every row's value under its rule. Throws Refused for a field named twice. */
function checkObject(table, value, path) {
    for (const key of Object.keys(value)) {
        if (!table.rows.some((known) => sameFieldName(key, known.name))) {
            return fields_refusal('', `the field ${child(path, key)}`, `it is not a field of ${table.name} the proxy knows; ${KNOWN}`);
        }
    }
    for (const known of table.rows) {
        const key = keyOf(value, known.name);
        if (key === undefined)
            continue;
        const problem = checkValue(known, value[key], child(path, known.name));
        if (problem)
            return problem;
    }
    return undefined;
}
/**
 * strict: the first field of `body` (a request body as JSON.parse gave it)
 * that is unknown or whose value its row does not accept, as a Refused
 * (403, or 400 for a field named twice); undefined when every field is
 * allowed. Pure: the body is not changed.
 */
function fieldProblems(object, body) {
    const table = BODY_TABLES[object];
    if (body === null || body === undefined)
        return undefined;
    if (!isObject(body))
        return notAnObject(table.name, body, 'a JSON object');
    try {
        return checkObject(table, body, '');
    }
    catch (error) {
        if (error instanceof Refused)
            return error;
        throw error;
    }
}
/** Every field path of a body object's tables (Mounts[].BindOptions.Propagation, ...), with its row: for the docs and tests. */
function fieldPaths(object) {
    const out = [];
    const walk = (table, prefix) => {
        for (const known of table.rows) {
            const path = child(prefix, known.name);
            out.push({ path, row: known });
            const { rule } = known;
            if (rule.kind === 'object')
                walk(rule.table, path);
            else if (rule.kind === 'list')
                walk(rule.table, `${path}[]`);
            else if (rule.kind === 'map')
                walk(rule.table, `${path}{}${rule.lists ? '[]' : ''}`);
        }
    };
    walk(BODY_TABLES[object], '');
    return out;
}

;// CONCATENATED MODULE: ./src/dood/image-requests.ts
/**
 * Which Engine API requests write or remove image tags, and which tags they
 * name, read from the method, the route path (decoded and without the API
 * version, as routes.ts's routePath gives it) and the query, the way the
 * daemon's image and build routers read them.
 */


/** httputils.BoolValue: anything but "", "0", "no", "false" and "none" is true. */
function boolValue(query, name) {
    return !['', '0', 'no', 'false', 'none'].includes((query.get(name) ?? '').trim().toLowerCase());
}
/** A write of repo/tag parameters (image tag, commit, import); no repo: no tag written. */
function repoTagWrite(verb, repo, tag) {
    if (repo === '')
        return undefined;
    const name = repoTagName(repo, tag);
    return name === undefined ? { kind: 'unreadable', verb, text: tag === '' ? repo : `${repo} (tag ${tag})` } : { kind: 'write', verb, tags: [name] };
}
/** The names a BuildKit `outputs` parameter gives its image exporter (attribute `name`, comma-separated). */
function outputNames(outputs) {
    if (outputs === '')
        return [];
    const parsed = parseFirstJsonValue(outputs)?.value;
    if (!Array.isArray(parsed))
        return undefined;
    const names = [];
    for (const output of parsed) {
        const attrs = isObject(output) ? field(output, 'Attrs') : undefined;
        const name = isObject(attrs) ? attrs.name : undefined;
        if (typeof name === 'string')
            names.push(...name.split(',').filter((part) => part !== ''));
    }
    return names;
}
/** POST /build: every non-empty `t` (sanitizeRepoAndTags), and the exporter names of `outputs`. */
function buildWrite(query) {
    const names = [...query.getAll('t').filter((name) => name !== '')];
    const exported = outputNames(query.get('outputs') ?? '');
    if (exported === undefined)
        return { kind: 'unreadable', verb: 'building', text: `outputs ${query.get('outputs')}` };
    const tags = [];
    for (const name of [...names, ...exported]) {
        const ref = parseNormalizedNamed(name);
        const tag = ref && ref.digest === undefined ? normalizedTag(name) : undefined;
        if (tag === undefined)
            return { kind: 'unreadable', verb: 'building', text: name };
        if (!tags.includes(tag))
            tags.push(tag);
    }
    return { kind: 'write', verb: 'building', tags };
}
/** What an image request does to tags; undefined for the requests that touch none (reads, push, search, ...). */
function imageRequest(method, path, query) {
    const verb = method.toUpperCase();
    let match;
    if (verb === 'DELETE' && (match = /^\/images\/(.+)$/.exec(path)))
        return { kind: 'remove', ref: match[1], force: boolValue(query, 'force') };
    if (verb !== 'POST')
        return undefined;
    if (path === '/build')
        return buildWrite(query);
    if (path === '/images/load')
        return { kind: 'load' };
    if (path === '/commit')
        return repoTagWrite('committing', query.get('repo') ?? '', query.get('tag') ?? '');
    if (path === '/images/create') {
        // fromImage set: a pull (fromSrc is then ignored); otherwise an import from fromSrc.
        const image = query.get('fromImage') ?? '';
        if (image !== '')
            return { kind: 'pull', image, tag: query.get('tag') ?? '' };
        // An import from a URL is downloaded by the daemon, from the host's network: only the body (fromSrc=-) may be imported.
        if ((query.get('fromSrc') ?? '-') !== '-')
            return { kind: 'unreadable', verb: 'importing from', text: `${query.get('fromSrc')} (the daemon would download it from the host's network; send the archive as the body)` };
        return repoTagWrite('importing', query.get('repo') ?? '', query.get('tag') ?? '');
    }
    // The route is /images/{name:.*}/tag: the name is everything before the last /tag.
    if ((match = /^\/images\/(.+)\/tag$/.exec(path)))
        return repoTagWrite('tagging', query.get('repo') ?? '', query.get('tag') ?? '');
    return undefined;
}

;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
var external_node_zlib_default = /*#__PURE__*/__nccwpck_require__.n(external_node_zlib_namespaceObject);
;// CONCATENATED MODULE: ./src/dood/tar-scan.ts
/**
 * A tar stream read as Go's archive/tar reads it, as the bytes go by: where
 * each header is, how much data follows it (the size field, octal or
 * base-256, or a PAX `size` record; none for links, devices, directories and
 * fifos), and where the first zero header block is, at which Go's reader
 * stops (it needs the next block or EOF to call it the end). The small
 * entries named manifest.json, index.json or repositories are kept, up to a
 * bound, for the tags they name.
 *
 * Where readers disagree about the layout (old and new Go differ on an 'x'
 * header before a 'g'; sparse files carry extra blocks) the scanner refuses,
 * so that what it calls the end of the archive is the end for the daemon too.
 */


const BLOCK = 512;
/** Go's maxSpecialFileSize: PAX and GNU long-name records larger than this are an error there. */
const MAX_SPECIAL_ENTRY = 1 << 20;
/** The most of one metadata entry (manifest.json, ...) the scanner keeps. */
const MAX_METADATA_ENTRY = 4 << 20;
/** Final path components of the entries the loaders read tags from. */
const METADATA_NAMES = new Set(['manifest.json', 'index.json', 'repositories']);
/** A refusal for an archive the proxy will not pass on: strict cannot vouch for what the daemon reads in it. */
function archiveRefusal(why) {
    return policyRefusal('strict', 'this docker load archive', why);
}
/** Go's parseString: up to the first NUL. */
function cString(bytes) {
    const nul = bytes.indexOf(0);
    return (nul >= 0 ? bytes.subarray(0, nul) : bytes).toString('latin1');
}
/** Go's parseNumeric for a size: base-256 when the top bit is set, else octal trimmed of spaces and NULs. */
function parseTarNumber(field) {
    if (field.length > 0 && (field[0] & 0x80) !== 0) {
        if ((field[0] & 0x40) !== 0)
            return undefined; // negative
        let value = 0n;
        for (let index = 0; index < field.length; index++)
            value = (value << 8n) | BigInt(index === 0 ? field[0] & 0x7f : field[index]);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
    }
    let start = 0;
    let end = field.length;
    while (start < end && (field[start] === 0x20 || field[start] === 0))
        start++;
    while (end > start && (field[end - 1] === 0x20 || field[end - 1] === 0))
        end--;
    if (start === end)
        return 0;
    const digits = cString(field.subarray(start, end));
    return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : undefined;
}
/** A header block's checksum is right (Go accepts the unsigned or the signed sum). */
function checksumMatches(block) {
    const stored = parseTarNumber(block.subarray(148, 156));
    let unsigned = 0;
    let signed = 0;
    for (let index = 0; index < BLOCK; index++) {
        const byte = index >= 148 && index < 156 ? 0x20 : block[index];
        unsigned += byte;
        signed += byte > 127 ? byte - 256 : byte;
    }
    return stored !== undefined && (stored === unsigned || stored === signed);
}
/** The name in a header block: USTAR's (and STAR's) prefix joined on, as Go does; GNU and V7 have none. */
function headerName(block) {
    const name = cString(block.subarray(0, 100));
    const magic = block.subarray(257, 263).toString('latin1');
    if (magic !== 'ustar\0')
        return name;
    const star = block.subarray(508, 512).toString('latin1') === 'tar\0';
    const prefix = cString(block.subarray(345, star ? 476 : 500));
    return prefix !== '' ? `${prefix}/${name}` : name;
}
/** Go's parsePAX over raw bytes: "%d %s=%s\n" records; an empty value deletes the key. */
function parsePaxRecords(data) {
    const records = new Map();
    let rest = data;
    while (rest.length > 0) {
        const space = rest.indexOf(0x20);
        if (space <= 0)
            return undefined;
        const lengthText = rest.subarray(0, space).toString('latin1');
        if (!/^[0-9]+$/.test(lengthText))
            return undefined;
        const length = Number(lengthText);
        if (length < 5 || length > rest.length || length <= space + 1 || rest[length - 1] !== 0x0a)
            return undefined;
        const record = rest.subarray(space + 1, length - 1);
        const equals = record.indexOf(0x3d);
        if (equals <= 0)
            return undefined;
        const key = record.subarray(0, equals).toString('latin1');
        const value = record.subarray(equals + 1).toString('latin1');
        if (key.includes('\0') || (['path', 'linkpath', 'uname', 'gname'].includes(key) && value.includes('\0')))
            return undefined;
        if (value === '')
            records.delete(key);
        else
            records.set(key, value);
        rest = rest.subarray(length);
    }
    return records;
}
/** The final path component a name has once cleaned (Go's loaders clean names). */
function finalComponent(name) {
    return external_node_path_namespaceObject.posix.basename(external_node_path_namespaceObject.posix.normalize(`/${name}`));
}
/** Types Go reads with no data whatever their size field says (isHeaderOnlyType). */
const HEADER_ONLY_TYPES = new Set(['1', '2', '3', '4', '5', '6']);
/** Types whose entries are files with their data as is. */
const REGULAR_TYPES = new Set(['0', '\0', '7']);
class TarScanner {
    /** Bytes of the tar stream consumed so far. */
    offset = 0;
    /** Where the first zero header block starts, once seen: Go's reader stops there. */
    endOfArchive;
    metadata = [];
    header = Buffer.alloc(0);
    entry;
    /** The records of the last 'x' header, for the next real header. */
    pax;
    longName;
    /** The previous header was an 'x' (an 'x' before a 'g' is read differently by old and new Go). */
    afterPax = false;
    /** Where a header that is still incomplete starts (nothing from there may reach the daemon yet), else undefined. */
    get pendingHeaderStart() {
        return this.entry === undefined && this.header.length > 0 ? this.offset - this.header.length : undefined;
    }
    /** Reads more of the stream; throws a Refused for an archive the scanner will not vouch for. Nothing is read past the end. */
    feed(chunk) {
        let at = 0;
        while (at < chunk.length && this.endOfArchive === undefined) {
            const used = this.entry ? this.feedEntry(chunk.subarray(at)) : this.feedHeader(chunk.subarray(at));
            at += used;
            this.offset += used;
        }
    }
    feedHeader(bytes) {
        const used = Math.min(BLOCK - this.header.length, bytes.length);
        this.header = Buffer.concat([this.header, bytes.subarray(0, used)]);
        if (this.header.length === BLOCK) {
            const block = this.header;
            this.header = Buffer.alloc(0);
            if (block.every((byte) => byte === 0))
                this.endOfArchive = this.offset + used - BLOCK;
            else
                this.readHeader(block);
        }
        return used;
    }
    feedEntry(bytes) {
        const entry = this.entry;
        if (entry.kind === 'skip') {
            const used = Math.min(entry.remaining + entry.padding, bytes.length);
            const data = Math.min(entry.remaining, used);
            entry.remaining -= data;
            entry.padding -= used - data;
            if (entry.remaining === 0 && entry.padding === 0)
                this.entry = undefined;
            return used;
        }
        const wanted = entry.size - entry.got;
        const data = bytes.subarray(0, Math.min(wanted, bytes.length));
        entry.chunks.push(data);
        entry.got += data.length;
        if (entry.got < entry.size)
            return data.length;
        this.entry = { kind: 'skip', remaining: 0, padding: entry.padding };
        if (entry.padding === 0)
            this.entry = undefined;
        this.finishCollected(entry.special, entry.name, Buffer.concat(entry.chunks));
        return data.length;
    }
    readHeader(block) {
        if (!checksumMatches(block))
            throw archiveRefusal('it has a tar header with a bad checksum, which the daemon rejects');
        const type = String.fromCharCode(block[156]);
        const fieldSize = parseTarNumber(block.subarray(124, 136));
        if (fieldSize === undefined)
            throw archiveRefusal('a tar header has a size the proxy cannot read');
        if (type === 'x' || type === 'g' || type === 'L' || type === 'K')
            return this.readSpecialHeader(type, fieldSize);
        const names = [headerName(block), this.pax?.get('path'), this.longName].filter((name) => name !== undefined);
        const size = this.pax?.has('size') ? paxSize(this.pax.get('size')) : fieldSize;
        if (type === 'S' || [...(this.pax?.keys() ?? [])].some((key) => key.startsWith('GNU.sparse.'))) {
            throw archiveRefusal('it holds a sparse file, whose layout the proxy does not follow');
        }
        this.pax = undefined;
        this.longName = undefined;
        this.afterPax = false;
        // Go reads no data for these types, and a '\0' entry named with a trailing slash is a directory to it.
        const noData = HEADER_ONLY_TYPES.has(type) || (type === '\0' && names.some((name) => name.endsWith('/')));
        if (noData && size !== 0)
            throw archiveRefusal('a link, directory or device entry claims data, which tar readers skip differently');
        const metadata = names.find((name) => METADATA_NAMES.has(finalComponent(name)));
        if (metadata !== undefined && (!REGULAR_TYPES.has(type) || noData)) {
            throw archiveRefusal(`its ${finalComponent(metadata)} is not a plain file (a link or directory there can point the daemon elsewhere)`);
        }
        if (metadata !== undefined) {
            if (size > MAX_METADATA_ENTRY)
                throw archiveRefusal(`its ${metadata} is larger than ${MAX_METADATA_ENTRY} bytes`);
            this.startEntry('metadata', metadata, size);
        }
        else
            this.startSkip(noData ? 0 : size);
    }
    readSpecialHeader(type, size) {
        if (type === 'g' && this.afterPax)
            throw archiveRefusal('a PAX global header follows a PAX header, which Go versions read differently');
        if (size > MAX_SPECIAL_ENTRY)
            throw archiveRefusal(`it has a PAX or GNU long-name record larger than ${MAX_SPECIAL_ENTRY} bytes`);
        // Old Go merges a pending 'x' into a 'g' (it reads 'g' as a file); new Go does not: refuse the mix above.
        if (type === 'x')
            this.afterPax = true;
        if (type === 'g')
            this.afterPax = false;
        this.startEntry(type, '', size);
    }
    startEntry(special, name, size) {
        if (size === 0) {
            this.entry = undefined;
            this.finishCollected(special, name, Buffer.alloc(0));
            return;
        }
        this.entry = { kind: 'collect', special, name, size, chunks: [], got: 0, padding: padding(size) };
    }
    startSkip(size) {
        this.entry = size === 0 ? undefined : { kind: 'skip', remaining: size, padding: padding(size) };
    }
    finishCollected(special, name, data) {
        if (special === 'metadata') {
            this.metadata.push({ name, data });
            return;
        }
        if (special === 'L' || special === 'K') {
            if (special === 'L')
                this.longName = cString(data);
            return;
        }
        const records = parsePaxRecords(data);
        if (!records)
            throw archiveRefusal('it has a PAX header the proxy cannot read');
        this.pax = records;
        if (special === 'g') {
            // Go returns a global header as an entry of its own: it applies to nothing after it.
            this.pax = undefined;
            this.longName = undefined;
        }
    }
}
/** The zeros that fill an entry's data to a whole block. */
function padding(size) {
    return (BLOCK - (size % BLOCK)) % BLOCK;
}
/** A PAX size record as Go's strconv.ParseInt reads it. */
function paxSize(text) {
    if (!/^[+-]?[0-9]+$/.test(text))
        throw archiveRefusal('a PAX size record is not a number');
    const size = Number(text);
    if (!Number.isSafeInteger(size) || size < 0)
        throw archiveRefusal('a PAX size record is out of range');
    return size;
}

;// CONCATENATED MODULE: ./src/dood/load-archive.ts
/**
 * docker load, watched: the body of POST /images/load passes through as it
 * comes, while a TarScanner reads it for the tags it names, and everything
 * from the tar's end-of-archive marker (its first zero header block) on is
 * held back. The daemon applies tags only once its tar reader has met that
 * marker (Go's archive/tar stops there), so until the decision nothing is
 * tagged; on a refusal the stream fails, the forwarder's pipeline destroys
 * the upstream request, and the daemon's body read ends in
 * io.ErrUnexpectedEOF: it loads nothing.
 *
 * gzip input is inflated alongside (the compressed bytes pass on, in slices
 * of at most SLICE bytes; the slice whose output reaches the marker is held
 * with all after it). bzip2, xz and zstd, which the daemon also reads, are
 * refused: node cannot inflate them here.
 */






/** The most the watcher holds back: what follows the end marker (GNU tar pads to 10 KiB) and, for gzip, one slice. */
const MAX_HELD_BACK = 1 << 20;
/** gzip input is inflated and passed on in slices this large at most. */
const SLICE = 64 << 10;
const MAGIC_LENGTH = 6;
function detectCompression(head) {
    if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08)
        return 'gzip';
    if (head.subarray(0, 3).toString('latin1') === 'BZh')
        return 'bzip2';
    if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])))
        return 'xz';
    if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])))
        return 'zstd';
    // zstd skippable frames: 0x184D2A50 to 0x184D2A5F, little-endian.
    if (head.length >= 4 && (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18)
        return 'zstd';
    return 'none';
}
/** The tags in the metadata entries, read as the daemon's JSON decoder reads them (field names case-insensitive). */
function archiveNames(entries) {
    const names = [];
    for (const entry of entries) {
        const parsed = parseFirstJsonValue(entry.data.toString('utf8'));
        if (!parsed)
            throw archiveRefusal(`its ${entry.name} is not JSON the proxy can read`);
        names.push(...namesIn(entry.name, parsed.value));
    }
    const result = { tags: [], unreadable: [] };
    for (const name of names) {
        const tag = isTagReference(name) ? normalizedTag(name) : undefined;
        if (tag === undefined)
            result.unreadable.push(name);
        else if (!result.tags.includes(tag))
            result.tags.push(tag);
    }
    return result;
}
/** manifest.json: [{RepoTags}]; index.json: manifests' image-name annotations; repositories: {repo: {tag: id}}. */
function namesIn(entryName, value) {
    const base = entryName.split('/').pop();
    if (base === 'manifest.json')
        return Array.isArray(value) ? value.flatMap((item) => (isObject(item) ? strings(field(item, 'RepoTags')) : [])) : [];
    if (base === 'index.json') {
        const manifests = isObject(value) ? field(value, 'manifests') : undefined;
        return Array.isArray(manifests) ? manifests.flatMap(indexEntryName) : [];
    }
    if (!isObject(value))
        return [];
    return Object.entries(value).flatMap(([repo, tags]) => (isObject(tags) ? Object.keys(tags).map((tag) => `${repo}:${tag}`) : []));
}
/** containerd's import names an index entry by io.containerd.image.name, else org.opencontainers.image.ref.name. */
function indexEntryName(manifest) {
    const annotations = isObject(manifest) ? field(manifest, 'annotations') : undefined;
    if (!isObject(annotations))
        return [];
    const name = annotations['io.containerd.image.name'];
    if (typeof name === 'string' && name !== '')
        return [name];
    const ref = annotations['org.opencontainers.image.ref.name'];
    // A bare tag ("latest", as OCI layouts write it) names no repository: containerd keeps it as an image named so, no Docker tag.
    return typeof ref === 'string' && ref !== '' && !/^[\w][\w.-]{0,127}$/.test(ref) ? [ref] : [];
}
/** gzip inflated alongside: each slice's whole output, read before the slice is passed on. */
class Inflater {
    gunzip = external_node_zlib_default().createGunzip();
    output = [];
    failure;
    constructor() {
        // Paused mode: output waits in the stream's buffer until read; 'readable' drains it, so zlib never stalls.
        this.gunzip.on('readable', () => this.drain());
        this.gunzip.on('error', (error) => (this.failure = error));
    }
    drain() {
        let chunk;
        while ((chunk = this.gunzip.read()) !== null)
            this.output.push(chunk);
    }
    /** All the output of `slice` (zlib calls back once the slice is consumed, after pushing its output). */
    inflate(slice) {
        return new Promise((resolve, reject) => {
            this.gunzip.write(slice, (error) => {
                this.drain();
                const failure = error ?? this.failure;
                if (failure)
                    return reject(archiveRefusal(`its gzip stream cannot be read (${failure.message})`));
                const output = this.output;
                this.output = [];
                resolve(output);
            });
        });
    }
    /** Ends the stream: what output is left. */
    finish() {
        return new Promise((resolve, reject) => {
            this.gunzip.once('end', () => {
                const output = this.output;
                this.output = [];
                resolve(output);
            });
            this.gunzip.once('error', (error) => reject(archiveRefusal(`its gzip stream cannot be read (${error.message})`)));
            this.gunzip.end();
        });
    }
    close() {
        this.gunzip.destroy();
    }
}
/**
 * The pass-through for POST /images/load. Pipe the request through it to
 * the daemon with stream.pipeline (which destroys the upstream request when
 * it fails); its error is the Refused to answer the client with.
 */
class LoadArchiveWatcher extends external_node_stream_namespaceObject.Transform {
    decide;
    scanner = new TarScanner();
    /** Bytes of the upload received and passed on. */
    received = 0;
    released = 0;
    compression;
    inflater;
    /** Bytes not passed on yet, from `released` on. */
    held = [];
    heldLength = 0;
    constructor(decide) {
        super();
        this.decide = decide;
    }
    /** Where in the upload holding back began, once the end marker was seen (for the log and the tests). */
    heldFrom;
    /** Bytes held back now. */
    get heldBack() {
        return this.heldLength;
    }
    _transform(chunk, _encoding, callback) {
        this.received += chunk.length;
        this.hold(chunk);
        this.advance().then(() => callback(), (error) => callback(asRefusal(error)));
    }
    _flush(callback) {
        this.advance(true)
            .then(() => this.finishGzip())
            .then(() => this.decide(archiveNames(this.scanner.metadata)))
            .then(() => {
            this.releaseUpTo(this.received);
            callback();
        })
            .catch((error) => callback(asRefusal(error)))
            .finally(() => this.inflater?.close());
    }
    hold(chunk) {
        this.held.push(chunk);
        this.heldLength += chunk.length;
    }
    /** Passes on what may go to the daemon now; at the end of the upload (`ending`) the compression is known whatever the length. */
    async advance(ending = false) {
        if (this.compression === undefined) {
            if (this.heldLength < MAGIC_LENGTH && !ending)
                return;
            this.compression = detectCompression(Buffer.concat(this.held).subarray(0, MAGIC_LENGTH));
            if (this.compression !== 'none' && this.compression !== 'gzip') {
                throw archiveRefusal(`it is ${this.compression}-compressed; the proxy reads plain and gzip archives only (decompress it first, e.g. ${this.compression === 'zstd' ? 'zstd' : this.compression === 'xz' ? 'xz' : 'bzip2'} -dc archive | docker load)`);
            }
            if (this.compression === 'gzip')
                this.inflater = new Inflater();
        }
        if (this.compression === 'gzip')
            await this.advanceGzip();
        else
            this.advancePlain();
        if (this.scanner.endOfArchive !== undefined)
            this.heldFrom ??= this.released;
        if (this.heldLength > MAX_HELD_BACK)
            throw archiveRefusal(`more than ${MAX_HELD_BACK} bytes follow the end of its tar archive`);
    }
    /** Plain tar: everything before the end marker, or before a header still incomplete, goes on. */
    advancePlain() {
        const scanned = this.scanner.offset;
        if (this.scanner.endOfArchive === undefined && this.received > scanned)
            this.scanner.feed(this.bytesFrom(scanned));
        const safe = this.scanner.endOfArchive ?? this.scanner.pendingHeaderStart ?? this.scanner.offset;
        this.releaseUpTo(safe);
    }
    /** gzip: each slice goes on once its output is scanned without reaching the end marker. */
    async advanceGzip() {
        while (this.scanner.endOfArchive === undefined && this.heldLength > 0) {
            const slice = this.bytesFrom(this.released).subarray(0, SLICE);
            for (const output of await this.inflater.inflate(slice))
                this.scanner.feed(output);
            if (this.scanner.endOfArchive !== undefined)
                return;
            this.releaseUpTo(this.released + slice.length);
        }
    }
    /** The last of a gzip stream's output, should zlib keep any until the end (the held bytes are all scanned by now). */
    async finishGzip() {
        if (!this.inflater || this.scanner.endOfArchive !== undefined)
            return;
        for (const output of await this.inflater.finish())
            this.scanner.feed(output);
    }
    /** The held bytes from upload offset `from` on (`from` ≥ released). */
    bytesFrom(from) {
        const all = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
        this.held = [all];
        return all.subarray(from - this.released);
    }
    releaseUpTo(offset) {
        if (offset <= this.released)
            return;
        const all = this.bytesFrom(this.released);
        const count = offset - this.released;
        this.push(all.subarray(0, count));
        this.held = count < all.length ? [all.subarray(count)] : [];
        this.heldLength = all.length - count;
        this.released = offset;
    }
}
function asRefusal(error) {
    if (error instanceof Refused)
        return error;
    return archiveRefusal(`the proxy could not read it (${error instanceof Error ? error.message : String(error)})`);
}

;// CONCATENATED MODULE: ./src/dood/mount-check.ts
/**
 * strict, when the daemon mounts: the create-time checks (inspect.ts) look at
 * bind sources when a container is created, but the daemon mounts them each
 * time the container starts, and the kernel follows links in every path
 * component then. A job can create a container over `$WORKSPACE/a`, swap `a`
 * for a link to `/` and start it. So a start is checked again, on what the
 * daemon recorded (GET /containers/{id}/json), in two ways:
 *
 * - before it (checkContainerMounts): every bind source, and the device of
 *   every local volume that is a bind, resolved now as the kernel will
 *   resolve it, must lie under the roots and not be the Docker socket;
 * - after it (mountedProblem): what the daemon actually mounted, read from
 *   the container's /proc/<pid>/mountinfo (device and path in that file
 *   system) and mapped back to host paths through the proxy's own mount
 *   table, must lie there too. This one judges the effect, so it catches a
 *   swap that raced the first check and was undone since; it needs the proxy
 *   to see the host's /proc (it does when it runs on the host, not in a job
 *   container).
 *
 * Nothing here can stop the mount itself: a swap between the first check and
 * the mount is seen only afterwards, and the container is then killed
 * (restart-watcher.ts). scripts/measure-bind-window.mjs measures both
 * windows: check to mount, and mount to kill.
 */






/** The resolver of a context: its own, or the default for where the proxy runs. */
function hostResolver(context) {
    if (context.resolveHost)
        return context.resolveHost;
    const { pathMap } = context;
    if (pathMap)
        return (hostPath) => resolveThroughMounts(hostPath, pathMap);
    return (hostPath) => ({ path: resolveExisting(hostPath) });
}
/**
 * The bind sources and named volumes of a container, from its inspect JSON:
 * `Mounts` (what the daemon will mount: sources cleaned, volumes by name)
 * and, in case a daemon leaves that out, HostConfig.Binds and
 * HostConfig.Mounts too. Each source once; a bind with a relative source (the
 * daemon refuses those) is kept so that the check refuses it.
 */
function mountSources(inspect) {
    const out = new Map();
    const add = (source) => {
        const key = `${source.kind}\0${source.source}`;
        const known = out.get(key);
        if (!known)
            out.set(key, source);
        else if (known.destination === undefined && source.destination !== undefined)
            known.destination = source.destination;
    };
    if (!isObject(inspect))
        return [];
    const mounts = field(inspect, 'Mounts');
    for (const mount of Array.isArray(mounts) ? mounts : []) {
        if (!isObject(mount))
            continue;
        const type = field(mount, 'Type');
        const destination = field(mount, 'Destination');
        const where = typeof destination === 'string' ? { destination } : {};
        const source = field(mount, 'Source');
        const name = field(mount, 'Name');
        if (type === 'bind' && typeof source === 'string')
            add({ kind: 'bind', source: cleanAbsolute(source) ?? source, ...where });
        else if (type === 'volume' && typeof name === 'string' && name !== '')
            add({ kind: 'volume', source: name, ...where });
    }
    const hostConfig = field(inspect, 'HostConfig');
    if (isObject(hostConfig)) {
        for (const entry of strings(field(hostConfig, 'Binds'))) {
            const bind = parseBind(entry);
            if (bind)
                add({ kind: bind.kind, source: bind.kind === 'bind' ? (cleanAbsolute(bind.source) ?? bind.source) : bind.source });
        }
        const hostMounts = field(hostConfig, 'Mounts');
        for (const mount of Array.isArray(hostMounts) ? hostMounts : []) {
            if (!isObject(mount))
                continue;
            const type = field(mount, 'Type');
            const source = field(mount, 'Source');
            if (typeof source !== 'string' || source === '')
                continue;
            if (type === 'bind')
                add({ kind: 'bind', source: cleanAbsolute(source) ?? source });
            else if (type === 'volume')
                add({ kind: 'volume', source });
        }
    }
    return [...out.values()];
}
/** strict: why a host path, resolved now as the kernel will, may not be mounted; undefined when it may. */
function hostPathProblem(hostPath, context) {
    const clean = cleanAbsolute(hostPath);
    if (clean === undefined)
        return { resolved: hostPath, problem: 'a bind source must be an absolute path' };
    const resolution = hostResolver(context)(clean);
    if (resolution.loop)
        return { resolved: resolution.path, problem: 'its path has too many levels of symbolic links' };
    const problem = bindSourceProblem(resolution.path, context);
    if (problem)
        return { resolved: resolution.path, problem };
    if (resolution.unseen !== undefined) {
        return { resolved: resolution.path, problem: `the proxy cannot see ${resolution.unseen} on the host to follow its links` };
    }
    return undefined;
}
function describe(source, resolved) {
    return resolved === source ? source : `${source} (which now resolves to ${resolved})`;
}
/** strict: the refusal for the first bind source of a container that now resolves outside the roots or onto the socket. */
function bindsProblem(inspect, context) {
    if (context.policy !== 'strict')
        return undefined;
    for (const mount of mountSources(inspect)) {
        if (mount.kind !== 'bind')
            continue;
        const found = hostPathProblem(mount.source, context);
        if (found)
            return policyRefusal('strict', `bind mount of ${describe(mount.source, found.resolved)}`, found.problem);
    }
    return undefined;
}
/** A local volume whose options make it a bind of `device`: the daemon mounts it from there (following links) when a container starts. */
function bindVolumeDevice(driver, options) {
    if (driver !== undefined && driver !== '' && driver !== 'local')
        return undefined;
    if (!isObject(options))
        return undefined;
    const o = typeof options.o === 'string' ? options.o : '';
    const device = typeof options.device === 'string' ? options.device : undefined;
    const flags = o.split(',').map((flag) => flag.trim());
    return device !== undefined && (flags.includes('bind') || flags.includes('rbind')) ? device : undefined;
}
/**
 * strict: a named volume re-checked from its options now (GET /volumes/{name}):
 * a local bind's device resolved as the kernel will (under the roots, not the
 * socket), any other option as at create (volumeOptionsProblem). A volume the
 * daemon cannot describe is refused (fail closed); one that is gone is not
 * mounted (the daemon fails the start).
 */
async function volumeProblem(name, context, volumes) {
    if (context.policy !== 'strict')
        return undefined;
    const { status, json } = await volumes.inspect('volume', name);
    if (status === 404)
        return undefined;
    if (status !== 200 || !isObject(json))
        return policyRefusal('strict', `volume ${name}`, `the daemon did not describe it (status ${status}), so it cannot be checked`);
    const driver = field(json, 'Driver');
    const options = field(json, 'Options');
    const device = bindVolumeDevice(driver, options);
    if (device === undefined)
        return volumeOptionsProblem(driver, options, context, `volume ${name}`);
    if (!device.startsWith('/'))
        return policyRefusal('strict', `volume ${name} binding ${JSON.stringify(device)}`, 'a bind device must be an absolute path');
    const found = hostPathProblem(device, context);
    return found ? policyRefusal('strict', `volume ${name} binding ${describe(device, found.resolved)}`, found.problem) : undefined;
}
/**
 * strict, before a start (POST /containers/{id}/start, /restart): the
 * refusal for the first bind source or bind volume of the container (its
 * inspect JSON) that would now be mounted from outside the roots or from
 * the socket; undefined when all may be mounted.
 */
async function checkContainerMounts(inspect, context, volumes) {
    if (context.policy !== 'strict')
        return undefined;
    const binds = bindsProblem(inspect, context);
    if (binds)
        return binds;
    for (const mount of mountSources(inspect)) {
        if (mount.kind !== 'volume')
            continue;
        const refusal = await volumeProblem(mount.source, context, volumes);
        if (refusal)
            return refusal;
    }
    return undefined;
}
/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountInfo(text) {
    return text.replace(/\\([0-7]{3})/g, (_match, octal) => String.fromCharCode(parseInt(octal, 8)));
}
/** The lines of a mountinfo file (proc(5)): ID, parent, major:minor, root, mount point, options, optional fields, -, type, …. */
function parseMountInfo(text) {
    const entries = [];
    for (const line of text.split('\n')) {
        const fields = line.split(' ');
        const separator = fields.indexOf('-', 6);
        if (separator < 0 || !/^\d+:\d+$/.test(fields[2] ?? ''))
            continue;
        // A root whose dentry was removed reads "<path>//deleted".
        const root = unescapeMountInfo(fields[3]).replace(/\/\/deleted$/, '');
        entries.push({ device: fields[2], root, mountPoint: unescapeMountInfo(fields[4]), type: fields[separator + 1] ?? '' });
    }
    return entries;
}
/**
 * The host paths at which the proxy's own mount table (`hostMounts`, its
 * /proc/self/mountinfo) shows what `mounted` mounts: every mount of the same
 * file system whose root holds it.
 */
function hostPathsOf(mounted, hostMounts) {
    const paths = new Set();
    for (const host of hostMounts) {
        if (host.device !== mounted.device || !isWithin(mounted.root, host.root))
            continue;
        const rest = host.root === '/' ? mounted.root.slice(1) : mounted.root.slice(host.root.length + 1);
        paths.add(rest === '' ? host.mountPoint : external_node_path_namespaceObject.posix.join(host.mountPoint, rest));
    }
    return [...paths];
}
const procMountTables = {
    container: (pid) => readText(`/proc/${pid}/mountinfo`),
    own: () => readText('/proc/self/mountinfo'),
};
function readText(path) {
    try {
        return (0,external_node_fs_.readFileSync)(path, 'utf8');
    }
    catch {
        return undefined;
    }
}
/** Device files the daemon (or runc, in a user namespace) binds from the host's /dev. */
const HOST_DEVICE_FILES = new Set(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
/**
 * Directories of the host's programs: `--init` (or the daemon's `init`
 * setting) binds the daemon's init binary (docker-init, tini) from one of
 * them at /sbin/docker-init. A program file is no secret of the host.
 */
const HOST_PROGRAM_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin', '/usr/libexec/docker', '/usr/lib/docker'];
/** The daemon's init binary at the place it binds it. */
function isInitBinary(entry, path) {
    return entry.mountPoint === '/sbin/docker-init' && HOST_PROGRAM_DIRS.includes(external_node_path_namespaceObject.posix.dirname(path));
}
/**
 * What the daemon itself mounts into this container, as host paths: its
 * root file system, its hosts, hostname and resolv.conf files, its shm and
 * secrets (under its directory's mounts/), its volumes' directories. Files,
 * not the container's whole directory: its hostconfig.json, which the
 * daemon reads when it restarts, is no place for a job to write.
 */
function daemonPaths(inspect) {
    const paths = [];
    const add = (value) => {
        const clean = typeof value === 'string' ? cleanAbsolute(value) : undefined;
        if (clean !== undefined && clean !== '/')
            paths.push(clean);
    };
    const graph = field(inspect, 'GraphDriver');
    const data = isObject(graph) ? field(graph, 'Data') : undefined;
    if (isObject(data))
        add(field(data, 'MergedDir'));
    for (const name of ['HostnamePath', 'HostsPath', 'ResolvConfPath']) {
        const path = field(inspect, name);
        add(path);
        if (name === 'HostnamePath' && typeof path === 'string' && path.startsWith('/'))
            add(external_node_path_namespaceObject.posix.join(external_node_path_namespaceObject.posix.dirname(path), 'mounts'));
    }
    const mounts = field(inspect, 'Mounts');
    for (const mount of Array.isArray(mounts) ? mounts : []) {
        if (isObject(mount) && field(mount, 'Type') === 'volume')
            add(field(mount, 'Source'));
    }
    return paths;
}
/**
 * strict, after a start: every mount in the container's mount table (read at
 * /proc/<State.Pid>/mountinfo) that the host's table shows somewhere must be,
 * at every host path it shows there, under the roots (and not the socket),
 * or be what the daemon mounts itself (the container's root file system, its
 * own directory, its volumes' directories, its cgroups, device files, its
 * init binary). So a
 * bind whose source was swapped for a link after the check, and swapped
 * back, is seen by what it mounted: `/` of the disk, say. Every entry is
 * looked at, not just the binds' destinations: the image decides where a
 * destination lands (runc follows the image's links there).
 *
 * `unverified` when the tables cannot be read (the container no longer
 * runs, or the proxy runs in a job container and sees neither the host's
 * pids nor its mounts): the caller falls back on the path check. File
 * systems the host's table does not show (the container's own proc, tmpfs,
 * devpts, mqueue) name no host path and pass.
 */
function mountedProblem(inspect, context, tables = procMountTables) {
    if (!isObject(inspect))
        return { unverified: 'no container' };
    if (context.pathMap)
        return { unverified: "the proxy runs in the job's container and cannot see the host's mount tables" };
    const state = field(inspect, 'State');
    const pid = isObject(state) ? field(state, 'Pid') : undefined;
    if (typeof pid !== 'number' || pid <= 0)
        return { unverified: 'the container does not run' };
    const containerText = tables.container(pid);
    const ownText = tables.own();
    if (containerText === undefined || ownText === undefined)
        return { unverified: `cannot read /proc/${pid}/mountinfo` };
    const host = parseMountInfo(ownText);
    const id = field(inspect, 'Id');
    const own = daemonPaths(inspect);
    const allowed = (entry, path) => bindSourceProblem(path, context) === undefined ||
        own.some((root) => isWithin(path, root)) ||
        ((entry.type === 'cgroup' || entry.type === 'cgroup2') && typeof id === 'string' && id.length >= 12 && entry.root.includes(id)) ||
        HOST_DEVICE_FILES.has(path) ||
        isInitBinary(entry, path);
    let checked = 0;
    for (const entry of parseMountInfo(containerText)) {
        const paths = hostPathsOf(entry, host);
        if (paths.length === 0)
            continue;
        checked++;
        const outside = paths.find((path) => !allowed(entry, path));
        if (outside === undefined)
            continue;
        const problem = bindSourceProblem(outside, context) ?? 'it is outside the roots';
        return {
            refusal: policyRefusal('strict', `the mount at ${entry.mountPoint} in the container`, `the daemon mounted the host's ${outside} there: a bind source led there when it was mounted, through a link put in after its check; ${problem}`),
        };
    }
    return { ok: true, checked };
}
/** The restart policy's name in a HostConfig ("no" when none). */
function restartPolicyName(config) {
    const policy = field(config, 'RestartPolicy');
    const name = isObject(policy) ? field(policy, 'Name') : undefined;
    return typeof name === 'string' && name !== '' ? name : 'no';
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
    /** Every container a new one joins (namespaces, volumes-from, links) must be the job's own; each join is pinned to what was checked. */
    async ownJoins(joins) {
        for (const join of joins) {
            const { id, json } = await this.ownContainerConfig(join.ref, join.what);
            join.pin({ id, name: typeof json.Name === 'string' && json.Name !== '' ? json.Name.replace(/^\//, '') : id });
        }
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
            const reserved = strict ? claimNameProblem(volume.name) : undefined;
            if (reserved)
                throw policyRefusal('strict', `creating volume ${volume.name}`, reserved);
            const created = await daemon.createVolume({
                Name: volume.name,
                ...(volume.driver ? { Driver: volume.driver } : {}),
                ...(volume.driverOpts ? { DriverOpts: volume.driverOpts } : {}),
                Labels: { ...(volume.labels ?? {}), ...labels },
            });
            // The daemon answers a create of a name that exists by then with that volume, its labels as they were.
            if (strict && created.status < 300 && !(isObject(created.json) && this.isOurs(created.json.Labels))) {
                throw policyRefusal('strict', `using volume ${volume.name}`, 'the volume was created by someone else at the same moment');
            }
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
const endpoints_SWARM = { what: 'swarm mode and its objects', why: 'the proxy cannot inspect what services mount, and swarm objects are the whole host\'s' };
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
    ['GET', '/swarm/unlockkey', 'forbidden', { refusal: endpoints_SWARM }],
    ...(['/swarm/init', '/swarm/join', '/swarm/leave', '/swarm/update', '/swarm/unlock', '/services/create', '/services/{id}/update',
        '/nodes/{id}/update', '/secrets/create', '/secrets/{id}/update', '/configs/create', '/configs/{id}/update'].map((path) => ['POST', path, 'forbidden', { refusal: endpoints_SWARM }])),
    ...(['/services/{id}', '/nodes/{id}', '/secrets/{id}', '/configs/{id}'].map((path) => ['DELETE', path, 'forbidden', { refusal: endpoints_SWARM }])),
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











/** Container endpoints at which the daemon mounts the container's binds: a restart, and docker cp (archive). */
const MOUNTING = /\/(restart|archive)$/;
/** The field table (fields.ts) that strict checks each body against, by route kind. */
const BODY_OBJECTS = {
    'container-create': 'container-create',
    'container-start': 'container-start',
    'container-update': 'container-update',
    'exec-create': 'exec-create',
    exec: 'exec-start',
    'network-create': 'network-create',
    'network-connect': 'network-connect',
    'network-disconnect': 'network-disconnect',
    'volume-create': 'volume-create',
};
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
/**
 * strict: classic build options the daemon applies to the build's RUN
 * containers, or acts on itself, that strict refuses elsewhere. Throws Refused.
 */
function buildQueryProblem(query) {
    if ((query.get('cgroupparent') ?? '') !== '')
        throw policyRefusal('strict', 'build --cgroup-parent', "it places the build's containers in any cgroup of the host, outside the limits of the job");
    if ((query.get('remote') ?? '') !== '') {
        throw policyRefusal('strict', 'a build context the daemon fetches (remote)', "the daemon clones or downloads it from the host's network, with the host's credentials; send the context instead");
    }
    const ulimits = parseFirstJsonValue(query.get('ulimits') ?? '[]')?.value;
    for (const ulimit of Array.isArray(ulimits) ? ulimits : [ulimits]) {
        const problem = checkUlimitName(isObject(ulimit) ? field(ulimit, 'Name') : ulimit);
        if (problem)
            throw policyRefusal('strict', `build --ulimit ${problem.what}`, problem.why);
    }
    // With pull, the daemon moves the base image's tag to the platform asked for: another job's docker:dind, say.
    if (boolValue(query, 'pull') && (query.get('platform') ?? '') !== '') {
        throw policyRefusal('strict', 'build --pull --platform', 'the pull moves the base image\'s tag, which other jobs use, to another platform');
    }
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
    /** The IDs the job's builds gave (`/build?buildid=`): the builds it may cancel. */
    buildIds = new Set();
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
        if (route.pattern === '/build/cancel' && !this.buildIds.has(route.query.get('id') ?? '')) {
            throw policyRefusal('strict', `cancelling the build ${route.query.get('id') ?? ''}`, 'it is not a build of this job');
        }
        switch (route.kind) {
            case 'unknown':
                throw policyRefusal('strict', `${method} ${routePath(url)}`, 'it is not an Engine API endpoint the proxy knows (API 1.41 to 1.51); strict forwards only those');
            case 'forbidden':
                throw policyRefusal('strict', route.refusal.what, route.refusal.why);
            case 'prune':
                return this.checkPrune(route);
            case 'build': {
                buildQueryProblem(route.query);
                const mode = route.query.get('networkmode') ?? '';
                if (mode.toLowerCase() === 'host')
                    throw policyRefusal('strict', 'build --network host', "it shares the host's network stack");
                const joined = /^container:(.+)$/.exec(mode);
                const target = joined ? withQuery(url, 'networkmode', `container:${await ownership.ownContainer(joined[1], `build --network ${mode}`)}`) : undefined;
                if (!joined)
                    await ownership.ownNetworks([{ ref: mode, what: `build --network ${mode}` }]);
                // Recorded once the build passed: a refused one cannot make another job's build ID the job's.
                if ((route.query.get('buildid') ?? '') !== '')
                    this.buildIds.add(route.query.get('buildid'));
                return target;
            }
            case 'container-start': {
                // The daemon joins the networks its config names when it starts, resolving their names again then.
                const { id, json } = await ownership.ownContainerConfig(route.ref, 'start');
                await ownership.ownNetworks(containerNetworks(json));
                await this.checkMounts(json);
                return pinnedUrl(url, route, id);
            }
            case 'container':
                if (!MOUNTING.test(route.pattern))
                    return pinnedUrl(url, route, await ownership.ownContainer(route.ref, described(method, route)));
                {
                    const { id, json } = await ownership.ownContainerConfig(route.ref, described(method, route));
                    await this.checkMounts(json);
                    return pinnedUrl(url, route, id);
                }
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
    /** The daemon mounts binds again at each start and cp, following links as they are then: checked again first (mount-check.ts). */
    async checkMounts(container) {
        const refusal = await checkContainerMounts(container, this.options.context, this.options.volumes);
        if (refusal)
            throw refusal;
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
                const { raw, inspected } = await this.inspectBody(req, (body) => inspectContainerCreate(body, context), route);
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
                const { raw, inspected } = await this.inspectBody(req, (body) => inspect(body, context), route);
                return { ...path, body: serialize(inspected, raw) };
            }
            case 'container-start': {
                const { raw, inspected } = await this.inspectBody(req, (body) => inspectStartBody(body, context), route);
                if (inspected && this.strict)
                    await this.ownReferences(inspected);
                if (inspected)
                    await ownership.prepareVolumes(inspected.volumes);
                return { ...path, body: serialize(inspected, raw), explainErrors: true };
            }
            case 'container-update':
            case 'exec': {
                // Bodies with no labels to add or paths to translate: strict reads them to check their fields.
                if (!this.strict || (route.kind === 'exec' && !route.pattern.endsWith('/start')))
                    return path;
                const { raw, inspected } = await this.inspectBody(req, emptyInspection, route);
                return { ...path, body: serialize(inspected, raw) };
            }
            case 'build':
            case 'image-write':
                return this.strict ? { ...path, ...(await this.checkImageWrite(route, req)) } : {};
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
    async inspectBody(req, inspect, route) {
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
        const object = BODY_OBJECTS[route.kind];
        if (this.strict && object) {
            const problem = fieldProblems(object, parsed.value);
            if (problem)
                throw problem;
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
        const problem = fieldProblems(route.kind === 'network-connect' ? 'network-connect' : 'network-disconnect', parsed.value);
        if (problem)
            throw problem;
        const pinned = await ownership.pinNetworkMembership(route.ref, `network ${action}`, parsed.value);
        return { body: Buffer.from(JSON.stringify(pinned.body)), path: pinnedUrl(url, route, pinned.network) };
    }
    /**
     * strict: a request that writes or removes image tags (build -t, tag,
     * commit, import, load, rmi) may create new tags and change only the job's
     * own (tags.ts). A load's tags are in its archive: it streams through a
     * watcher that holds back the archive's end until they are checked.
     */
    async checkImageWrite(route, req) {
        const url = req.url ?? '/';
        const request = imageRequest(req.method ?? 'GET', routePath(url), route.query);
        if (!request)
            return {};
        if (request.kind === 'load')
            return { through: new LoadArchiveWatcher((names) => this.options.tags.checkLoad(names)) };
        const decision = await this.options.tags.decide(request, url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
        if (decision.note)
            this.options.log(decision.note);
        return decision.path ? { path: withRoutePath(url, decision.path) } : {};
    }
    /** strict: a prune's target with the job's label filters added. */
    scopedPrune(url) {
        const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
        return `${url.split('?')[0]}?${scopePruneFilters(query, this.options.context.labels)}`;
    }
}

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

;// CONCATENATED MODULE: ./src/dood/ping-cache.ts
/**
 * The daemon's answer to /_ping, kept for a moment. Every docker command
 * pings before its real request, so in a loop of small commands half the
 * requests are pings, and each one forwarded costs a connection to the
 * daemon. An unversioned ping (the CLI's; a versioned one may be refused by
 * the daemon) is answered from what the daemon said less than a second
 * ago; when it has not said so (a failed ping, or none lately) the request
 * goes to the daemon as any other, so a stopped daemon is still found out.
 */
/** The daemon's headers the proxy does not repeat: its framing and its Date (the proxy's answer has its own). */
const NOT_REPEATED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);
const PING_FRESH_MS = 1000;
class PingCache {
    ping;
    now;
    last;
    pending;
    constructor(ping, now = () => performance.now()) {
        this.ping = ping;
        this.now = now;
    }
    /** The headers of a fresh 200 answer (asking the daemon when there is none), or undefined: forward the ping. */
    async headers() {
        if (this.last && this.now() - this.last.at < PING_FRESH_MS)
            return this.last.headers;
        this.pending ??= this.ask().finally(() => (this.pending = undefined));
        return this.pending;
    }
    async ask() {
        const at = this.now();
        const answer = await this.ping().catch(() => undefined);
        if (answer?.status !== 200) {
            this.last = undefined;
            return undefined;
        }
        const headers = [];
        for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
            if (!NOT_REPEATED.has(answer.rawHeaders[index].toLowerCase()))
                headers.push(answer.rawHeaders[index], answer.rawHeaders[index + 1]);
        }
        this.last = { at, headers };
        return headers;
    }
}
/** The ping's answer as the daemon gives it: `OK` to GET, no body to HEAD. */
function pingBody(method) {
    return method === 'HEAD' ? '' : 'OK';
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

;// CONCATENATED MODULE: ./src/dood/restart-watcher.ts
/**
 * strict: the daemon mounts a container's binds again each time it starts
 * it, also when no request passes the proxy (a restart policy, the daemon's
 * own restart). The RestartWatcher follows the daemon's events for the
 * job's containers and, on each start, checks what was mounted
 * (mount-check.ts: the mount tables when the proxy sees the host, else the
 * paths as they are now) and kills the container at once on a problem.
 * This is after the fact: the container ran from its mount to the kill.
 *
 * Lifecycle: the proxy starts one watcher with the proxy (strict only) and
 * stops it when it closes; the guard calls verify() itself after a start or
 * restart it forwarded (no wait for the event). The event stream is
 * followed again when it ends or fails (the daemon restarting is exactly
 * when restart policies fire), from the last event seen (`since`), and the
 * job's running containers are checked then, for starts the stream missed.
 */





/** The events query: starts of containers carrying the job's labels, from `since` (seconds.nanoseconds). */
function eventsQuery(labels, since) {
    const filters = { type: ['container'], event: ['start'], label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
    return `filters=${encodeURIComponent(JSON.stringify(filters))}${since ? `&since=${since}` : ''}`;
}
/** An event's time as the API's `since` takes it, from the line's digits (timeNano is beyond a double's precision). */
function sinceOf(line, event) {
    const nano = /"timeNano"\s*:\s*(\d{10,})/.exec(line)?.[1];
    if (nano !== undefined)
        return `${nano.slice(0, -9)}.${nano.slice(-9)}`;
    return typeof event.time === 'number' ? String(event.time) : undefined;
}
class RestartWatcher {
    options;
    abort = new AbortController();
    loop;
    since;
    seen = new Set();
    readyResolve;
    /** Resolves once the event stream is followed (the first time). */
    ready = new Promise((resolve) => (this.readyResolve = resolve));
    constructor(options) {
        this.options = options;
    }
    /** Follows the daemon's events until stop(). */
    start() {
        this.loop ??= this.follow();
    }
    async stop() {
        this.abort.abort();
        this.readyResolve();
        await this.loop;
    }
    get stopped() {
        return this.abort.signal.aborted;
    }
    async follow() {
        const { daemon, labels, log } = this.options;
        const first = this.options.retryMs ?? 250;
        let wait = first;
        let connected = false;
        while (!this.stopped) {
            try {
                const stream = await daemon.events(eventsQuery(labels, this.since), this.abort.signal);
                wait = first;
                if (connected)
                    await this.sweep('the event stream was followed again');
                connected = true;
                this.readyResolve();
                let buffer = '';
                for await (const chunk of stream) {
                    buffer += chunk;
                    let newline;
                    while ((newline = buffer.indexOf('\n')) >= 0) {
                        const line = buffer.slice(0, newline).trim();
                        buffer = buffer.slice(newline + 1);
                        if (line !== '')
                            await this.onLine(line);
                    }
                }
                if (this.stopped)
                    return;
                log('setup-dind dood: the daemon ended the event stream; following it again');
            }
            catch (error) {
                if (this.stopped)
                    return;
                log(`setup-dind dood: following the daemon's events failed (${error instanceof Error ? error.message : String(error)}); trying again in ${wait} ms`);
            }
            await this.sleep(wait);
            wait = Math.min(wait * 2, this.options.maxRetryMs ?? 5000);
        }
    }
    sleep(ms) {
        return new Promise((resolve) => {
            const { signal } = this.abort;
            const done = () => {
                clearTimeout(timer);
                signal.removeEventListener('abort', done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            signal.addEventListener('abort', done, { once: true });
        });
    }
    /** One event: a start of a job container (by its labels) is verified; anything else is ignored. */
    async onLine(line) {
        const parsed = parseFirstJsonValue(line)?.value;
        if (!isObject(parsed)) {
            this.options.log(`setup-dind dood: ignored an event that is not JSON: ${line.slice(0, 200)}`);
            return;
        }
        const since = sinceOf(line, parsed);
        if (since !== undefined)
            this.since = since;
        const action = parsed.Action ?? parsed.status;
        const actor = isObject(parsed.Actor) ? parsed.Actor : {};
        const id = typeof actor.ID === 'string' ? actor.ID : typeof parsed.id === 'string' ? parsed.id : undefined;
        if (parsed.Type !== 'container' || action !== 'start' || id === undefined)
            return;
        const attributes = isObject(actor.Attributes) ? actor.Attributes : {};
        if (!Object.entries(this.options.labels).every(([key, value]) => attributes[key] === value))
            return;
        // The same event again after following the stream from `since` (the same start twice in a second is two events).
        const key = since?.includes('.') ? `${id} ${since}` : line;
        if (this.seen.has(key))
            return;
        this.seen.add(key);
        if (this.seen.size > 1000)
            this.seen.delete(this.seen.values().next().value);
        try {
            await this.verify(id, 'started');
        }
        catch (error) {
            // The daemon did not answer the check: the stream goes on (and is followed again, with a sweep, if the daemon is gone).
            this.options.log(`setup-dind dood: could not check the mounts of started container ${id}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
    /** The job's running containers, each verified: for starts the event stream may have missed. */
    async sweep(why) {
        let ids;
        try {
            ids = await this.options.daemon.running(this.options.labels);
        }
        catch (error) {
            this.options.log(`setup-dind dood: could not list the job's containers after ${why}: ${error instanceof Error ? error.message : String(error)}`);
            return;
        }
        for (const id of ids)
            await this.verify(id, why);
    }
    /**
     * Checks a container that (re)started: what was mounted (the mount
     * tables), or when that cannot be read, its sources as they resolve now;
     * on a problem, kills it at once and logs why. The guard calls this after
     * a start or restart it forwarded; the events call it for the others.
     */
    async verify(id, why) {
        const { daemon, labels, context, log } = this.options;
        const { status, json } = await daemon.inspect('container', id);
        if (status === 404)
            return 'gone';
        if (status !== 200 || !isObject(json)) {
            log(`setup-dind dood: could not inspect container ${id} (status ${status}) to check its mounts`);
            return 'gone';
        }
        const config = isObject(json.Config) ? json.Config : {};
        const ownLabels = isObject(config.Labels) ? config.Labels : {};
        if (!Object.entries(labels).every(([key, value]) => ownLabels[key] === value))
            return 'not ours';
        const state = isObject(json.State) ? json.State : {};
        if (state.Running !== true && state.Status !== 'running')
            return 'not running';
        const verdict = mountedProblem(json, context, this.options.tables ?? procMountTables);
        const refusal = 'refusal' in verdict ? verdict.refusal : 'unverified' in verdict ? await checkContainerMounts(json, context, daemon) : undefined;
        if (!refusal)
            return 'ok';
        const name = typeof json.Name === 'string' ? json.Name.replace(/^\//, '') : id;
        const killed = await daemon.kill(id);
        log(`setup-dind dood: killed container ${name} (${why}): ${refusal.message}${killed.status < 300 || killed.status === 409 ? '' : ` (kill answered ${killed.status})`}`);
        // A killed container counts as stopped by hand, but `always` still restarts it when the daemon restarts: set the policy to no.
        const hostConfig = isObject(json.HostConfig) ? json.HostConfig : {};
        if (restartPolicyName(hostConfig) !== 'no') {
            const updated = await daemon.update(id, { RestartPolicy: { Name: 'no' } });
            log(`setup-dind dood: set the restart policy of container ${name} to no${updated.status < 300 ? '' : ` (failed: status ${updated.status})`}`);
        }
        return 'killed';
    }
}
/** The WatcherDaemon of the daemon at `upstreamPath`; `track` gets each connection, so the proxy's close ends them. */
function watcherDaemon(upstreamPath, track = () => { }) {
    const client = daemonClient(upstreamPath, track);
    const request = (method, path, body) => new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers = { Host: 'docker', ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) };
        const sent = external_node_http_default().request({ socketPath: upstreamPath, method, path, agent: false, headers }, (response) => {
            readBody(response, MAX_ERROR_BODY << 4).then((data) => resolve({ status: response.statusCode ?? 0, json: parseFirstJsonValue(data.toString('utf8'))?.value }), reject);
        });
        sent.on('socket', (socket) => track(socket));
        sent.on('error', reject);
        sent.end(payload);
    });
    return {
        inspect: client.inspect,
        kill: (id) => request('POST', `/containers/${encodeURIComponent(id)}/kill`),
        update: (id, body) => request('POST', `/containers/${encodeURIComponent(id)}/update`, body),
        running: async (labels) => {
            const filters = { status: ['running'], label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
            const { json } = await request('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify(filters))}`);
            return Array.isArray(json) ? json.flatMap((entry) => (isObject(entry) && typeof entry.Id === 'string' ? [entry.Id] : [])) : [];
        },
        events: (query, signal) => eventStream(upstreamPath, `/events?${query}`, signal, track),
    };
}
/** A streamed GET: resolves on a 200 answer, with its body as text chunks. */
async function eventStream(socketPath, path, signal, track) {
    if (signal.aborted)
        throw new Error('stopped');
    const response = await new Promise((resolve, reject) => {
        const sent = external_node_http_default().request({ socketPath, method: 'GET', path, agent: false, headers: { Host: 'docker' } }, resolve);
        sent.on('socket', (socket) => track(socket));
        sent.on('error', reject);
        signal.addEventListener('abort', () => sent.destroy(), { once: true });
        sent.end();
    });
    if (response.statusCode !== 200) {
        response.resume();
        throw new Error(`GET /events answered ${response.statusCode}`);
    }
    response.setEncoding('utf8');
    signal.addEventListener('abort', () => response.destroy(), { once: true });
    return (async function* () {
        try {
            for await (const chunk of response)
                yield chunk;
        }
        catch (error) {
            if (!signal.aborted)
                throw error;
        }
    })();
}

;// CONCATENATED MODULE: ./src/dood/tags.ts
/**
 * strict's rule for image tags: the job may read any image and create new
 * tags; it may not delete, untag or replace a tag it did not create. The
 * tags it created are in a TagLedger (in memory: one proxy per job), each
 * under a claim that keeps other jobs from creating it too (tag-claims.ts); each
 * rule asks the daemon through ImageLookup (which the tests fake) and pins a
 * removal to what was checked, so a name or ID prefix that means another
 * image by then is not what the daemon acts on.
 */



/** The tags this job created, normalized (docker.io/library/x:latest). */
class TagLedger {
    tags = new Set();
    has(tag) {
        return this.tags.has(tag);
    }
    record(tag) {
        this.tags.add(tag);
    }
    /** Forgotten before an untag is sent (the claim stays: released first, another job could create the tag before the untag runs). */
    forget(tag) {
        this.tags.delete(tag);
    }
    list() {
        return [...this.tags];
    }
}
const NOT_OURS = 'the tag exists and was not created by this job; strict lets a job create new tags and change only its own';
const DIGEST_NOT_OURS = "the image carries no tag of this job's in that repository; strict lets a job remove only its own tags and what its pushes added";
function inspected(json) {
    if (!isObject(json) || typeof json.Id !== 'string' || json.Id === '')
        return undefined;
    const normalize = (list) => strings(list).map((name) => normalizedTag(name) ?? name);
    return { id: json.Id, tags: normalize(json.RepoTags), digests: normalize(json.RepoDigests) };
}
class TagRules {
    options;
    claims;
    constructor(options) {
        this.options = options;
        this.claims = options.claims;
    }
    /** strict's decision on one image request (imageRequest's answer); throws Refused. `query` is the raw query string. */
    async decide(request, query) {
        switch (request.kind) {
            case 'write':
                await this.checkWrites(request.tags, request.verb);
                return { note: request.tags.length > 0 ? `${request.verb}: the job's tags now include ${request.tags.join(', ')}` : undefined };
            case 'unreadable':
                throw policyRefusal('strict', `${request.verb} ${request.text}`, 'the proxy cannot read it as an image reference to check');
            case 'pull':
                await this.checkPull(request, new URLSearchParams(query.replace(/;/g, '&')));
                return {};
            case 'load':
                // The names are in the body: the guard pipes it through a LoadArchiveWatcher whose decision is checkLoad.
                return {};
            case 'remove':
                return this.planRemove(request.ref);
        }
    }
    /**
     * A digest reference is the job's to remove when the image carries one of
     * the job's tags in that repository (a push of the job's tag adds it):
     * a tag of the job's elsewhere in the repository is not enough, or any job
     * could tag into a repository and strip another's pulled or pushed image.
     */
    ownsDigest(digest, image) {
        const repository = repositoryOf(parseNormalizedNamed(digest) ?? { domain: '', path: digest });
        return image.tags.some((tag) => this.isJobs(tag) && repositoryOf(parseNormalizedNamed(tag)) === repository);
    }
    /** The job's tag: one it created through the proxy (a pull's is the registry's, and nobody's to change). */
    isJobs(tag) {
        return this.options.ledger.has(tag);
    }
    /**
     * A pull writes what the registry serves under that name: the host's tags
     * may be refreshed so, but not a tag another job made (any job can serve a
     * registry on the host's ports), nor every tag of a repository at once,
     * nor a tag that is not the job's for another platform.
     */
    async checkPull(request, query) {
        const named = parseNormalizedNamed(request.image);
        if (named && request.tag === '' && named.tag === undefined && named.digest === undefined) {
            throw policyRefusal('strict', `pulling every tag of ${repositoryOf(named)} (docker pull --all-tags)`, 'it may replace tags other jobs made; pull the tags the job needs by name');
        }
        const tag = request.tag === '' ? normalizedTag(request.image) : repoTagName(request.image, request.tag);
        if (tag === undefined)
            throw policyRefusal('strict', `pulling ${request.image}`, 'the proxy cannot read it as an image reference to check');
        if (this.isJobs(tag))
            return;
        const holder = await this.claims.heldElsewhere(tag);
        if (holder !== undefined) {
            throw policyRefusal('strict', `pulling ${tag}`, `another job created this tag (its claim is held by ${holder}); a pull would replace it with what a registry serves under that name`);
        }
        if ((query.get('platform') ?? '') === '')
            return;
        const { status } = await this.options.lookup.inspectImage(tag);
        if (status === 200 && !this.isJobs(tag)) {
            throw policyRefusal('strict', `pulling ${tag} for platform ${query.get('platform')}`, `it moves the tag to that platform's image; ${NOT_OURS}`);
        }
    }
    /** The decision hook of a LoadArchiveWatcher: every tag the archive names must be new or the job's. */
    async checkLoad(names) {
        if (names.unreadable.length > 0) {
            throw policyRefusal('strict', `loading an archive that names ${names.unreadable[0]}`, 'the proxy cannot read it as an image reference to check');
        }
        await this.checkWrites(names.tags, 'loading');
    }
    /** Each tag is the job's already, or new (then claimed and recorded before the request goes on). */
    async checkWrites(tags, verb) {
        for (const tag of tags)
            await this.checkWrite(tag, verb);
    }
    async checkWrite(tag, verb) {
        const { ledger, lookup } = this.options;
        if (ledger.has(tag))
            return;
        const claim = await this.claims.claim(tag);
        if (!claim.held) {
            throw policyRefusal('strict', `${verb} ${tag}`, `another job created or is creating this tag (its claim is held by ${claim.holder}); strict lets a job create new tags and change only its own`);
        }
        const { status } = await lookup.inspectImage(tag);
        if (status === 404) {
            ledger.record(tag);
            return;
        }
        await this.claims.release(tag);
        if (status === 200)
            throw policyRefusal('strict', `${verb} ${tag}`, NOT_OURS);
        throw policyRefusal('strict', `${verb} ${tag}`, `the daemon did not say whether the tag exists (status ${status})`);
    }
    /**
     * DELETE /images/{ref}, as the daemon reads it: `ref` is resolved (a name
     * first, then an ID prefix); when it is a prefix of the resolved image's
     * ID the image is removed with every reference, otherwise the normalized
     * name is untagged. Returns the path pinned to what was checked.
     */
    async planRemove(ref) {
        const { status, json } = await this.options.lookup.inspectImage(ref);
        if (status === 404)
            throw new Refused(404, `setup-dind dood proxy: no such image: ${ref}`);
        const image = status === 200 ? inspected(json) : undefined;
        if (!image)
            throw policyRefusal('strict', `removing image ${ref}`, `the daemon did not say which image it is (status ${status})`);
        return isImageIdPrefix(image.id, ref) ? this.planRemoveById(ref, image) : this.planUntag(ref, image);
    }
    /** An untag: only of the job's own tag, or of a digest reference on an image with the job's tag in that repository. */
    async planUntag(ref, image) {
        const { ledger } = this.options;
        const named = parseNormalizedNamed(ref);
        if (!named)
            throw new Refused(400, `setup-dind dood proxy: ${ref} is not an image reference`);
        const name = referenceString(tagNameOnly(named));
        if (named.digest !== undefined) {
            if (!this.ownsDigest(name, image)) {
                throw policyRefusal('strict', `removing ${name}`, DIGEST_NOT_OURS);
            }
        }
        else if (!this.isJobs(name)) {
            throw policyRefusal('strict', `untagging ${name}`, NOT_OURS);
        }
        ledger.forget(name);
        return { path: `/images/${encodeURIComponent(name)}` };
    }
    /**
     * A removal by ID takes every tag and digest reference of the image: all
     * must be the job's. An image with none (dangling) is nobody's tag and may
     * go. With a single tag the request is sent as an untag of it, which the
     * daemon turns into the image's removal only while that is its last
     * reference: a tag another job adds meanwhile survives.
     */
    async planRemoveById(ref, image) {
        const { ledger } = this.options;
        const foreign = image.tags.find((tag) => !this.isJobs(tag));
        if (foreign !== undefined)
            throw policyRefusal('strict', `removing image ${ref}`, `it is tagged ${foreign}, which was not created by this job; strict lets a job remove only its own tags`);
        const foreignDigest = image.digests.find((digest) => !this.ownsDigest(digest, image));
        if (foreignDigest !== undefined) {
            throw policyRefusal('strict', `removing image ${ref}`, `it has the digest reference ${foreignDigest}: ${DIGEST_NOT_OURS}`);
        }
        for (const tag of image.tags)
            ledger.forget(tag);
        const only = image.tags.length === 1 ? image.tags[0] : undefined;
        const sameRepository = only !== undefined && image.digests.every((digest) => repositoryOf(parseNormalizedNamed(digest)) === repositoryOf(parseNormalizedNamed(only)));
        return { path: `/images/${encodeURIComponent(only !== undefined && sameRepository ? only : image.id)}` };
    }
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
 * transport), daemon-client.ts (the proxy's own requests), listen.ts,
 * grpc-relay.ts and buildkit.ts (BuildKit's calls), restart-watcher.ts
 * (each start of a job container, judged by what it mounted).
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
/** How long the proxy waits for the daemon's event stream before it listens anyway (the watcher keeps trying). */
const WATCHER_READY_MS = 5000;
/** Resolves once the watcher follows the daemon's events, or after `ms` with a log line: no job start is missed when it does. */
async function watchedWithin(watcher, ms, log) {
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
    const first = await Promise.race([watcher.ready.then(() => 'ready'), late]);
    clearTimeout(timer);
    if (first === 'late')
        log(`setup-dind dood: the daemon's event stream did not answer within ${ms} ms; starts are checked once it does`);
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
    // The job's new tags are claimed in the daemon, where every job's proxy sees the claims.
    const tags = new TagRules({ lookup: daemon, ledger: new TagLedger(), claims: daemonClaims(daemon, context.labels) });
    const guard = new RequestGuard({ context, ownership, tags, volumes: daemon, log });
    const buildkit = options.policy === 'strict' ? new BuildKitRules({ checkTags: (list, verb) => tags.checkWrites(list, verb) }) : undefined;
    const grpcRelay = (client, early, upstream, upstreamHead) => relayGrpc(client, early, upstream, upstreamHead, { rules: buildkit, log });
    // strict: the daemon mounts binds again at every start, also one no request asked for (a restart policy):
    // each start of a job container is judged by what it mounted, and killed on a problem.
    const watcher = options.policy === 'strict' ? new RestartWatcher({ daemon: watcherDaemon(upstreamPath, track), labels: context.labels, context, log }) : undefined;
    watcher?.start();
    const forwarder = new Forwarder({
        upstreamPath,
        track,
        log,
        closing: () => closing,
        explainError: (answer) => withPortHolder(answer, daemon.listContainers, log),
    });
    const pings = new PingCache(daemon.ping);
    /** A ping answered from the daemon's recent answer; false when there is none (then it is forwarded). */
    const answerPing = async (req, res) => {
        const headers = await pings.headers();
        if (!headers)
            return false;
        req.resume();
        const body = pingBody(req.method ?? 'GET');
        res.writeHead(200, [...headers, 'Content-Length', String(Buffer.byteLength(body))]);
        res.end(body);
        return true;
    };
    const handle = async (req, res) => {
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const route = classifyRequest(method, url);
        try {
            const refusal = targetRefusal(url);
            if (refusal)
                throw refusal;
            // Unversioned only (the CLI's): the daemon answers a version it does not serve with 400, which no cache knows.
            if (url === '/_ping' && (await answerPing(req, res)))
                return;
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
        // strict reads BuildKit's calls one by one (buildkit.ts); the session and hijacked streams go byte for byte.
        const relay = buildkit && route.pattern === '/grpc' ? grpcRelay : undefined;
        forwarder.hijack(req, socket, head, () => guard.checkRoute(route, req), relay);
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
    const stopWatching = () => watcher?.stop() ?? Promise.resolve();
    try {
        if (watcher)
            await watchedWithin(watcher, WATCHER_READY_MS, log);
        await listenPrivately(server, listenPath);
    }
    catch (error) {
        await stopWatching();
        throw error;
    }
    log(`DooD proxy listening on ${listenPath} for ${upstreamPath} (dood-policy ${options.policy}` +
        `${options.pathMap ? `; bind sources translated through ${options.pathMap.length} mounts of the job's container` : ''})`);
    let closed;
    return {
        close() {
            const shut = () => new Promise((resolve) => {
                closing = true;
                server.close(() => resolve());
                for (const socket of sockets)
                    socket.destroy();
                server.closeAllConnections();
            });
            closed ??= stopWatching()
                .then(shut)
                .then(() => {
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
