import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 433:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   FC: () => (/* binding */ apiVersionError),
/* harmony export */   Zy: () => (/* binding */ compareVersions),
/* harmony export */   fj: () => (/* binding */ pinnedRefusal)
/* harmony export */ });
/* unused harmony export apiVersionRefusal */
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7679);
/**
 * Engine API versions between a docker client and a daemon. A daemon serves
 * a range of API versions; the docker CLI negotiates down to the daemon's
 * newest, but cannot go below the daemon's minimum. Docker 29.0 raised that
 * minimum from 1.24 to 1.44 (later releases lowered it again), so a runner's
 * older CLI can be refused by a new daemon, and a DOCKER_API_VERSION pinned
 * above an old daemon's newest is refused too. Our own API calls use
 * unversioned paths, which every daemon serves at its own version.
 */

/** Negative, 0 or positive as version `a` ("1.9", "29.1.3") is older than, the same as or newer than `b`: numerically, part by part. */
function compareVersions(a, b) {
    const [left, right] = [a, b].map((version) => version.split('.').map(Number));
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
        const difference = (left[i] ?? 0) - (right[i] ?? 0);
        if (difference !== 0)
            return Math.sign(difference);
    }
    return 0;
}
/** The daemon's refusal of a client's API version, as it words it, or undefined. */
function apiVersionRefusal(stderr) {
    const old = /client version ([\d.]+) is too old\. Minimum supported API version is ([\d.]+)/i.exec(stderr);
    if (old)
        return { client: old[1], limit: old[2], side: 'client' };
    const recent = /client version ([\d.]+) is too new\. Maximum supported API version is ([\d.]+)/i.exec(stderr);
    if (recent)
        return { client: recent[1], limit: recent[2], side: 'daemon' };
    return undefined;
}
/** A clear error for a refused API version, naming the side that is too old; undefined for any other failure. */
function apiVersionError(stderr, daemon, env = {}) {
    const refusal = apiVersionRefusal(stderr);
    if (refusal === undefined)
        return undefined;
    // Blame a pinned DOCKER_API_VERSION only when it is the version that was refused.
    const pinned = env.DOCKER_API_VERSION?.trim() === refusal.client ? env.DOCKER_API_VERSION.trim() : undefined;
    if (refusal.side === 'client') {
        return new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .SetupDindError */ .bw(`The docker CLI is too old for ${daemon}: it speaks Engine API ${refusal.client}, and the daemon accepts ${refusal.limit} and newer.`, {
            hint: pinned !== undefined
                ? `DOCKER_API_VERSION=${pinned} pins the client below the daemon's minimum: unset it, and the CLI negotiates.`
                : 'Use a newer docker CLI (input "docker-version", e.g. latest), or lower the daemon\'s minimum API version: "min-api-version" in its daemon.json (Docker 29+; for the DinD daemon, input "daemon-config").',
        });
    }
    return new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .SetupDindError */ .bw(`${capitalised(daemon)} is too old for the client's API version: the client asks for ${refusal.client}, and the daemon serves up to ${refusal.limit}.`, {
        hint: pinned !== undefined
            ? `DOCKER_API_VERSION=${pinned} pins a version this daemon does not serve: unset it, and the CLI negotiates down by itself.`
            : 'Use a newer Docker engine, or a docker CLI that negotiates (any since 1.13 does unless DOCKER_API_VERSION is set).',
    });
}
function capitalised(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
/** A DOCKER_API_VERSION outside a daemon's range, in the daemon's own words (as apiVersionRefusal reads them), or ''. */
function pinnedRefusal(pinned, min, max) {
    if (compareVersions(pinned, min) < 0)
        return `client version ${pinned} is too old. Minimum supported API version is ${min}`;
    if (max !== undefined && compareVersions(pinned, max) > 0)
        return `client version ${pinned} is too new. Maximum supported API version is ${max}`;
    return '';
}


/***/ }),

/***/ 7005:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C9: () => (/* binding */ mountField),
/* harmony export */   Eo: () => (/* binding */ isNoSuchObject),
/* harmony export */   Vo: () => (/* binding */ DockerCli),
/* harmony export */   ev: () => (/* binding */ daemonName),
/* harmony export */   hf: () => (/* binding */ firstErrorLine),
/* harmony export */   n8: () => (/* binding */ mountFields)
/* harmony export */ });
/* unused harmony export DockerCommandError */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _api_version_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(433);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7679);
/**
 * The docker command-line client, run with an argument vector (never through
 * a shell) against one daemon, chosen by the environment it is given.
 *
 * The CLI rather than the Engine API: it honours everything that selects and
 * authenticates a daemon (DOCKER_HOST, contexts, TLS variables, config
 * files) exactly as the user's own docker commands do.
 * node:child_process rather than @actions/exec: the engine must cancel a
 * command (AbortSignal) and bound its time, and must stay CI-agnostic.
 */



/** A docker command that failed; `stderr` holds the engine's own words. */
class DockerCommandError extends _engine_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SetupDindError */ .bw {
    result;
    constructor(args, result, env = {}) {
        // A refused API version says which side is too old, whichever command met it.
        const refused = (0,_api_version_js__WEBPACK_IMPORTED_MODULE_1__/* .apiVersionError */ .FC)(result.stderr, daemonName(env), env);
        super(refused?.message ?? `docker ${args.slice(0, 2).join(' ')} failed (exit code ${result.code}): ${firstErrorLine(result.stderr)}`, {
            hint: refused?.hint,
        });
        this.name = 'DockerCommandError';
        this.result = result;
    }
}
/** The daemon an environment's docker commands reach, in words. */
function daemonName(env) {
    // The CLI's own order: DOCKER_HOST wins over DOCKER_CONTEXT.
    if (env.DOCKER_HOST)
        return `the Docker daemon at ${env.DOCKER_HOST}`;
    return env.DOCKER_CONTEXT ? `the Docker daemon of context ${env.DOCKER_CONTEXT}` : "the runner's Docker daemon";
}
/** One `key=value` field of a CSV option value (`--mount`, `context create --docker`): quoted when it must be. */
function mountField(key, value) {
    const field = `${key}=${value}`;
    return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
/** The fields of a CSV option value as mountField writes them (double quotes, `""` for a quote); a bare flag (`readonly`) has no value. */
function mountFields(spec) {
    const fields = [];
    let field = '';
    let quoted = false;
    for (let index = 0; index < spec.length; index++) {
        const char = spec[index];
        if (quoted && char === '"' && spec[index + 1] === '"') {
            field += '"';
            index++;
        }
        else if (char === '"') {
            quoted = !quoted;
        }
        else if (char === ',' && !quoted) {
            fields.push(field);
            field = '';
        }
        else {
            field += char;
        }
    }
    fields.push(field);
    return fields.map((entry) => {
        const equals = entry.indexOf('=');
        return equals < 0 ? [entry, undefined] : [entry.slice(0, equals), entry.slice(equals + 1)];
    });
}
/** The most telling line of a docker CLI error output. */
function firstErrorLine(stderr) {
    const lines = stderr
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith("Run 'docker") && !line.startsWith('See '));
    return lines.find((line) => /error|denied|cannot|failed|no such/i.test(line)) ?? lines[0] ?? '(no error output)';
}
class DockerCli {
    env;
    binary;
    constructor(
    /** The environment the CLI runs in; its DOCKER_* variables choose the daemon. */
    env, binary = 'docker') {
        this.env = env;
        this.binary = binary;
    }
    /** Runs `docker ARGS`; resolves with the exit code and output, whatever the code. */
    exec(args, options = {}) {
        return new Promise((resolve, reject) => {
            const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(this.binary, args, {
                env: this.env,
                stdio: ['ignore', 'pipe', 'pipe'],
                signal: options.signal,
            });
            // Our own timer rather than spawn's `timeout`, whose timer outlives a
            // command that could not start (ENOENT) and keeps the process alive.
            let timedOut = false;
            const timer = options.timeoutMs === undefined
                ? undefined
                : setTimeout(() => {
                    timedOut = true;
                    child.kill('SIGKILL');
                }, options.timeoutMs);
            let stdout = '';
            let stderr = '';
            let output = '';
            let partial = '';
            child.stdout.setEncoding('utf8').on('data', (chunk) => {
                stdout += chunk;
                output += chunk;
            });
            child.stderr.setEncoding('utf8').on('data', (chunk) => {
                stderr += chunk;
                output += chunk;
                if (!options.onStderrLine)
                    return;
                const lines = (partial + chunk).split('\n');
                partial = lines.pop() ?? '';
                for (const line of lines)
                    if (line.trim() !== '')
                        options.onStderrLine(line);
            });
            child.on('error', (error) => {
                clearTimeout(timer);
                if (error.code === 'ENOENT') {
                    reject(new _engine_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SetupDindError */ .bw(`The docker command was not found (${this.binary.includes('/') ? `no ${this.binary}` : `looked for "${this.binary}" on PATH`}).`, {
                        hint: 'Install the Docker CLI on the runner, or run the job on an image that has it.',
                    }));
                }
                else if (error.name === 'AbortError') {
                    reject(error);
                }
                else {
                    reject(new _engine_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SetupDindError */ .bw(`Could not run docker ${args[0] ?? ''}: ${error.message}`, { cause: error }));
                }
            });
            child.on('close', (code) => {
                clearTimeout(timer);
                if (options.onStderrLine && partial.trim() !== '')
                    options.onStderrLine(partial);
                if (timedOut) {
                    const note = `\ntimed out after ${options.timeoutMs} ms`;
                    resolve({ code: 124, stdout, stderr: stderr + note, output: output + note });
                    return;
                }
                resolve({ code: code ?? 128, stdout, stderr, output });
            });
        });
    }
    /** The daemon's refusal of this client's API version in a failed result, as a clear error; undefined for any other failure. */
    apiRefusal(result) {
        return (0,_api_version_js__WEBPACK_IMPORTED_MODULE_1__/* .apiVersionError */ .FC)(result.stderr, daemonName(this.env), this.env);
    }
    /** Runs `docker ARGS` and returns its trimmed stdout; a non-zero exit throws DockerCommandError. */
    async run(args, options = {}) {
        const result = await this.exec(args, options);
        if (result.code !== 0)
            throw new DockerCommandError(args, result, this.env);
        return result.stdout.trim();
    }
    /**
     * Resolves once the container stops (`docker wait`: one process that
     * blocks, instead of polling), or once the daemon running it can no longer
     * be asked. `cancel` ends the watch.
     */
    watchExit(container) {
        const controller = new AbortController();
        const exited = this.exec(['wait', container], { signal: controller.signal }).then((result) => {
            const code = Number.parseInt(result.stdout.trim(), 10);
            if (result.code === 0 && !Number.isNaN(code))
                return { kind: 'exited', code };
            return { kind: 'lost', message: firstErrorLine(result.stderr) };
        }, 
        // Cancelled: the watch just never fires.
        () => new Promise(() => { }));
        return { exited, cancel: () => controller.abort() };
    }
    /** The last lines the container wrote (stdout and stderr), or [] if it cannot be read. */
    async logTail(container, lines) {
        const result = await this.exec(['logs', '--tail', String(lines), container], { timeoutMs: 10_000 }).catch(() => undefined);
        if (!result || result.code !== 0)
            return [];
        return result.output.split('\n').filter((line) => line.trim() !== '');
    }
}
function isNoSuchObject(result) {
    return /no such (container|volume|object)|not found/i.test(result.stderr);
}


/***/ }),

/***/ 5380:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ki: () => (/* binding */ checkContextFree),
/* harmony export */   eQ: () => (/* binding */ withContext),
/* harmony export */   wr: () => (/* binding */ removeContext)
/* harmony export */ });
/* unused harmony exports contextMarker, contextCli, contextDescription */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7679);
/* harmony import */ var _teardown_plan_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(385);
/* harmony import */ var _docker_cli_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7005);
/**
 * Input `context`: a named docker context for the daemon, in the job's CLI
 * configuration (DOCKER_CONFIG, else ~/.docker), for tools that take a
 * context name (`docker --context`, `docker buildx create NAME`). It is not
 * selected with DOCKER_CONTEXT: SDKs ignore contexts and would silently reach
 * /var/run/docker.sock, so DOCKER_HOST stays what every client follows. Its
 * description names the set-up that made it, so a teardown removes only its
 * own, never a context of the same name made since by someone else.
 */




/** What a context's description carries to name the set-up that made it. */
function contextMarker(instance) {
    return `setup-dind set-up ${instance}`;
}
/** The docker CLI for contexts: the job's CLI configuration (DOCKER_CONFIG), no daemon selected. */
function contextCli(docker, env) {
    const { DOCKER_CONFIG } = (0,_teardown_plan_js__WEBPACK_IMPORTED_MODULE_3__/* .dockerEnvOf */ .dE)(env);
    return docker.cli((0,_teardown_plan_js__WEBPACK_IMPORTED_MODULE_3__/* .envWithDocker */ .Iz)(env, DOCKER_CONFIG === undefined ? {} : { DOCKER_CONFIG }));
}
/**
 * A context's description; 'gone' when there is no such context. Read from
 * `docker context inspect`'s JSON rather than a --format template, whose
 * field paths follow the CLI's internal types.
 */
async function contextDescription(docker, name, signal) {
    const inspect = await docker.exec(['context', 'inspect', name], { timeoutMs: 30_000, signal });
    if (inspect.code !== 0) {
        if (/not found|does not exist/i.test(inspect.stderr))
            return 'gone';
        throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SetupDindError */ .bw(`docker context inspect ${name} failed: ${(0,_docker_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .firstErrorLine */ .hf)(inspect.stderr)}`);
    }
    try {
        const [found] = JSON.parse(inspect.stdout);
        const description = found?.Metadata?.Description;
        return typeof description === 'string' ? description : '';
    }
    catch {
        return '';
    }
}
/** Input `context` must not name an existing context: it may be someone's, and post would remove it. */
async function checkContextFree(name, context) {
    const description = await contextDescription(contextCli(context.docker, context.env), name, context.signal);
    if (description === 'gone')
        return;
    const leftover = description.includes(contextMarker(''));
    throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SetupDindError */ .bw(`Input "context": a docker context named ${name} already exists${leftover ? ` (${description})` : ''}.`, {
        hint: leftover
            ? `It was made by an earlier set-up: a job still running on this machine, or one that died before its teardown (then remove it: docker context rm ${name}). Concurrent jobs sharing a docker configuration need different names (e.g. with the runner name).`
            : `Choose another name, or remove it first (docker context rm ${name}); the action only removes contexts it created.`,
    });
}
/** Creates the context and records it in the plan; the daemon's variables stay as they are. */
async function withContext(daemon, name, instance, record, context) {
    // In the plan before it exists; teardown removes it only if its description names this set-up.
    record({ contexts: [name] });
    // The CLI reads --docker as CSV, like --mount.
    const endpoint = [(0,_docker_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .mountField */ .C9)('host', daemon.endpoint.dockerHost)];
    if (daemon.certPath !== undefined && daemon.env.DOCKER_TLS_VERIFY) {
        for (const [key, file] of [['ca', 'ca.pem'], ['cert', 'cert.pem'], ['key', 'key.pem']])
            endpoint.push((0,_docker_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .mountField */ .C9)(key, (0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(daemon.certPath, file)));
    }
    const description = `${daemon.mode} daemon of ${contextMarker(instance)}`;
    const create = await contextCli(context.docker, context.env).exec(['context', 'create', name, '--description', description, '--docker', endpoint.join(',')], {
        timeoutMs: 30_000,
        signal: context.signal,
    });
    if (create.code !== 0) {
        // Not ours to remove: a context of this name that exists now is another job's (the engine tears down the rest).
        record({ contexts: [] });
        const taken = /already exists/i.test(create.stderr);
        throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SetupDindError */ .bw(`Input "context": creating docker context ${name} failed: ${(0,_docker_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .firstErrorLine */ .hf)(create.stderr)}`, {
            hint: taken
                ? 'Another job sharing this docker configuration created it meanwhile: give concurrent jobs different names (e.g. with the runner name).'
                : 'Check that the docker CLI supports contexts (19.03+) and that its configuration directory (DOCKER_CONFIG, else ~/.docker) is writable.',
        });
    }
    context.logger.info(`Created docker context ${name} for ${daemon.endpoint.dockerHost} (docker --context ${name}, docker buildx create ${name}).`);
    return { ...daemon, context: name };
}
/** Removes a context this set-up created; leaves one that another set-up (or someone) made under the name. */
async function removeContext(docker, name, instance) {
    const description = await contextDescription(docker, name);
    if (description === 'gone')
        return 'gone';
    if (!description.includes(contextMarker(instance)))
        return 'not ours';
    // --force: it may be the current context.
    const removal = await docker.exec(['context', 'rm', '--force', name], { timeoutMs: 30_000 });
    if (removal.code === 0)
        return 'removed';
    if (/not found|does not exist/i.test(removal.stderr))
        return 'gone';
    throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SetupDindError */ .bw((0,_docker_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .firstErrorLine */ .hf)(removal.stderr));
}


/***/ }),

/***/ 1384:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  nY: () => (/* binding */ addsToPath),
  qX: () => (/* binding */ defaultToolCache),
  Fp: () => (/* binding */ ensureDockerCli)
});

// UNUSED EXPORTS: DEFAULT_DOCKER_VERSION, archiveUrl, dockerArch, findOnPath, latestFromIndex, parseVersionOutput, sameRelease

// EXTERNAL MODULE: ./src/docker/api-version.ts
var api_version = __nccwpck_require__(433);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __nccwpck_require__(4708);
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_);
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __nccwpck_require__(7679);
;// CONCATENATED MODULE: ./src/docker/download.ts
/**
 * The download of the docker CLI's archive (and of Docker's listing for
 * docker-version latest): streamed to a file, tried again on errors that
 * another try may cure, failing after a time without data rather than after
 * a total time, torn down at once when cancelled. Through https_proxy/no_proxy
 * (@actions/http-client's agents), imported only when a download is needed.
 */





/**
 * A job waiting for its daemon should learn of a dead mirror within seconds
 * (a refused connection: ~6 s over 3 tries), and of one that accepts but
 * never answers within the idle timeout per try, not the 3 minutes per try
 * of the toolkit's defaults.
 */
const DOWNLOAD_POLICY = { attempts: 3, idleTimeoutMs: 30_000, pauseMs: [2_000, 4_000] };
/** A failed download: `tries` says how often it was tried. */
class DownloadError extends Error {
    tries = 1;
    /** Whether another try may help: a connection error, a timeout, 5xx, 408, 429. */
    retryable;
    constructor(text, options) {
        super(text, { cause: options.cause });
        this.retryable = options.retryable;
    }
}
class HttpStatusError extends DownloadError {
    httpStatusCode;
    constructor(httpStatusCode) {
        super(`HTTP ${httpStatusCode}`, { retryable: httpStatusCode >= 500 || httpStatusCode === 408 || httpStatusCode === 429 });
        this.httpStatusCode = httpStatusCode;
    }
}
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** What a CancelledError says was interrupted. */
const DOWNLOADING = 'downloading the docker CLI';
/**
 * Downloads `url` to `file` (streamed; replaced on each try), tried as
 * `options.policy` says. Rejects with a DownloadError, a CancelledError on
 * the signal (the request is torn down at once, so nothing holds the
 * process), or a SetupDindError when the file cannot be written.
 */
async function download(url, file, options) {
    const policy = options.policy ?? DOWNLOAD_POLICY;
    const { signal } = options;
    const client = await __nccwpck_require__.e(/* import() */ 942).then(__nccwpck_require__.bind(__nccwpck_require__, 4942));
    for (let attempt = 1;; attempt++) {
        checkCancelled(signal);
        try {
            await downloadOnce(client, url, file, policy.idleTimeoutMs, signal);
            return;
        }
        catch (error) {
            if (signal?.aborted)
                throw new errors/* CancelledError */.cc(DOWNLOADING);
            if (!(error instanceof DownloadError))
                throw error;
            error.tries = attempt;
            if (!error.retryable || attempt >= policy.attempts)
                throw error;
            const [min, max] = policy.pauseMs;
            const pause = min + Math.random() * (max - min);
            options.logger.info(`Downloading ${url} failed (${error.message}); trying again in ${(pause / 1000).toFixed(1)} s (${attempt + 1} of ${policy.attempts}).`);
            await sleep(pause, signal);
        }
    }
}
/** One try: follows redirects (not from https to http), fails after `idleMs` without data. */
function downloadOnce(client, url, file, idleMs, signal) {
    return new Promise((resolve, reject) => {
        const target = new URL(url);
        const settle = (error) => (error === undefined ? resolve() : reject(error));
        new DownloadTry(client, url, file, idleMs, signal, settle).start(target);
    });
}
/**
 * The state of one try: the request in flight (a redirect replaces it), its
 * answer, the idle timer. Settles once: the first of success, failure, idle
 * timeout or cancellation wins, and everything else is torn down.
 */
class DownloadTry {
    url;
    file;
    idleMs;
    signal;
    settle;
    agents;
    request;
    response;
    timer;
    settled = false;
    onAbort = () => this.finish(new errors/* CancelledError */.cc(DOWNLOADING));
    constructor(client, url, file, idleMs, signal, settle) {
        this.url = url;
        this.file = file;
        this.idleMs = idleMs;
        this.signal = signal;
        this.settle = settle;
        // A fresh client per try: its agent routes through https_proxy unless no_proxy says otherwise.
        this.agents = new client.HttpClient('setup-dind', [], { keepAlive: false });
    }
    start(target) {
        if (this.signal?.aborted)
            return this.onAbort();
        this.signal?.addEventListener('abort', this.onAbort, { once: true });
        this.restartIdleTimer();
        this.get(target, 0);
    }
    get(target, redirects) {
        let request;
        try {
            const options = { agent: this.agents.getAgent(target.href), headers: { 'user-agent': 'setup-dind' } };
            request = (target.protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default())).request(target, options, (answer) => this.onAnswer(request, answer, target, redirects));
        }
        catch (error) {
            // e.g. a malformed https_proxy
            return this.finish(new DownloadError((0,errors/* errorMessage */.gJ)(error), { retryable: false, cause: error }));
        }
        this.request = request;
        request.on('error', (error) => {
            // An error of a request a redirect has replaced is no longer this try's.
            if (this.request === request)
                this.finish(new DownloadError((0,errors/* errorMessage */.gJ)(error), { retryable: true, cause: error }));
        });
        request.end();
    }
    onAnswer(request, answer, target, redirects) {
        if (this.request !== request || this.settled)
            return void answer.destroy();
        this.response = answer;
        this.restartIdleTimer();
        const status = answer.statusCode ?? 0;
        const location = answer.headers.location;
        if (REDIRECT_STATUSES.has(status) && location) {
            answer.resume();
            return this.redirect(target, status, location, redirects);
        }
        if (status !== 200) {
            answer.resume();
            return this.finish(new HttpStatusError(status));
        }
        this.saveBody(answer);
    }
    redirect(from, status, location, redirects) {
        let next;
        try {
            next = new URL(location, from);
        }
        catch {
            return this.finish(new DownloadError(`HTTP ${status} to an invalid location ${JSON.stringify(location)}`, { retryable: false }));
        }
        if (from.protocol === 'https:' && next.protocol !== 'https:') {
            return this.finish(new DownloadError(`redirected from https to ${next.href}, refused`, { retryable: false }));
        }
        if (redirects >= MAX_REDIRECTS)
            return this.finish(new DownloadError(`more than ${MAX_REDIRECTS} redirects`, { retryable: false }));
        this.response = undefined;
        this.get(next, redirects + 1);
    }
    /** Streams the body to the file; each chunk restarts the idle timer. */
    saveBody(answer) {
        const out = (0,external_node_fs_.createWriteStream)(this.file);
        let writeFailed;
        out.on('error', (error) => {
            writeFailed ??= error;
        });
        (0,promises_namespaceObject.pipeline)(answer, onEachChunk(() => this.restartIdleTimer()), out).then(() => this.finish(), (error) => this.finish(writeFailed === undefined ? new DownloadError(`the connection broke mid-download (${(0,errors/* errorMessage */.gJ)(error)})`, { retryable: true, cause: error }) : this.writeError(writeFailed)));
    }
    writeError(error) {
        return new errors/* SetupDindError */.bw(`Could not write the download of ${this.url} to ${this.file}: ${error.message}`, {
            hint: 'Check the free space and permissions of the temporary directory (RUNNER_TEMP, or TMPDIR for the CLI).',
            cause: error,
        });
    }
    restartIdleTimer() {
        clearTimeout(this.timer);
        // A settled try keeps no timer: it would hold the process.
        if (this.settled)
            return;
        this.timer = setTimeout(() => this.finish(new DownloadError(`no data for ${formatSeconds(this.idleMs)}`, { retryable: true })), this.idleMs);
    }
    finish(error) {
        if (this.settled)
            return;
        this.settled = true;
        clearTimeout(this.timer);
        this.signal?.removeEventListener('abort', this.onAbort);
        if (error !== undefined) {
            // Tear the connection down now: a socket left open would hold the process.
            this.response?.destroy();
            this.request?.destroy();
        }
        this.agents.dispose();
        this.settle(error);
    }
}
/** A pipeline step passing the chunks on unchanged, calling `onChunk` for each. */
function onEachChunk(onChunk) {
    return async function* (chunks) {
        for await (const chunk of chunks) {
            onChunk();
            yield chunk;
        }
    };
}
function formatSeconds(ms) {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
/** Waits `ms`; rejects with a CancelledError at once on the signal. */
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        const onAbort = () => {
            clearTimeout(timer);
            reject(new errors/* CancelledError */.cc(DOWNLOADING));
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        if (signal?.aborted)
            return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
function checkCancelled(signal) {
    if (signal?.aborted)
        throw new errors/* CancelledError */.cc(DOWNLOADING);
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./src/docker/docker-install.ts
/**
 * A docker CLI for jobs that have none: the `docker` on PATH, or Docker's
 * static client (`<url>/<arch>/docker-<version>.tgz`), downloaded once,
 * checked to run, and kept in the tool cache (@actions/tool-cache's layout,
 * RUNNER_TOOL_CACHE), so later jobs on the runner find it without a download.
 *
 * CI-agnostic: the front ends put the returned directory on PATH their own
 * way, and see to RUNNER_TOOL_CACHE in their process's environment (the
 * Actions runner sets it; the CLI defaults it to defaultToolCache), as
 * @actions/tool-cache reads it from there. @actions/tool-cache (cache lookup
 * and layout) and @actions/http-client (the download, in download.ts) are
 * imported only when needed: most jobs have a docker CLI, and the action's
 * start-up time counts.
 */








/** The client used when docker-version is empty and PATH has no docker: a stable release. */
const DEFAULT_DOCKER_VERSION = '29.1.3';
/** The name under which the client is kept in the tool cache. */
const TOOL_NAME = 'docker';
/** Docker's directory names under linux/static/<channel>/, by Node's process.arch. */
const DOCKER_ARCH = {
    x64: 'x86_64',
    arm64: 'aarch64',
    arm: 'armhf',
    s390x: 's390x',
    ppc64: 'ppc64le',
};
/** Docker's name for this machine's architecture in the static download tree. */
function dockerArch(arch = process.arch, platform = process.platform) {
    if (platform !== 'linux') {
        // Reached with no docker on PATH, or with input "docker-version" given (which skips PATH): right for both.
        throw new errors/* SetupDindError */.bw(`Cannot download a docker CLI here: Docker's static client (input "docker-download-url") is for Linux, and this runner is ${platform}.`, {
            hint: 'Install the docker CLI on the runner (e.g. Docker Desktop, or a package manager) and leave input "docker-version" empty, so that the docker on PATH is used.',
        });
    }
    const name = DOCKER_ARCH[arch];
    if (name === undefined) {
        throw new errors/* SetupDindError */.bw(`Docker publishes no static docker CLI for this machine's architecture (${arch}).`, {
            hint: `Install the docker CLI on the runner. Static clients exist for ${Object.keys(DOCKER_ARCH).join(', ')}.`,
        });
    }
    return name;
}
function archiveUrl(baseUrl, arch, version) {
    return `${baseUrl}/${arch}/docker-${version}.tgz`;
}
/** The highest stable release named in a directory listing (docker-X.Y.Z.tgz; rc and -ce names are skipped). */
function latestFromIndex(html) {
    let best;
    for (const match of html.matchAll(/(?<![\w.-])docker-(\d+)\.(\d+)\.(\d+)\.tgz/g)) {
        const version = `${match[1]}.${match[2]}.${match[3]}`;
        if (best === undefined || (0,api_version/* compareVersions */.Zy)(version, best) > 0)
            best = version;
    }
    return best;
}
/** The version in `docker --version` output (`Docker version 29.1.3, build f52814d`), as printed. */
function parseVersionOutput(text) {
    return /^Docker version ([^\s,]+)/m.exec(text)?.[1];
}
/** Whether a client reporting `reported` is release `wanted`: distributions append +build or -ce. */
function sameRelease(reported, wanted) {
    return reported.replace(/^v/, '').replace(/\+.*$/, '').replace(/-ce$/, '') === wanted;
}
/** The first executable `name` on the environment's PATH (empty entries skipped: they mean the working directory). */
function findOnPath(name, env) {
    for (const dir of (env.PATH ?? '').split(external_node_path_.delimiter)) {
        if (dir === '')
            continue;
        const candidate = (0,external_node_path_.join)(dir, name);
        try {
            if (!(0,external_node_fs_.statSync)(candidate).isFile())
                continue;
            (0,external_node_fs_.accessSync)(candidate, external_node_fs_.constants.X_OK);
            return candidate;
        }
        catch {
            // not here
        }
    }
    return undefined;
}
/** Where the CLI keeps downloads when RUNNER_TOOL_CACHE is not set: a per-user cache directory. */
function defaultToolCache(env) {
    return (0,external_node_path_.join)(env.XDG_CACHE_HOME || (0,external_node_path_.join)(env.HOME || (0,external_node_os_.homedir)(), '.cache'), 'setup-dind', 'tool-cache');
}
/** Whether the front end must put the client's directory on PATH: it was not there already. */
function addsToPath(cli) {
    return cli.source === 'cache' || cli.source === 'download';
}
async function ensureDockerCli(options) {
    if (options.dockerVersion === undefined || options.dockerVersion === 'none') {
        const onPath = dockerOnPath(options);
        if (onPath !== undefined)
            return onPath;
        if (options.dockerVersion === 'none')
            return noDockerCli(options.logger);
    }
    const arch = dockerArch();
    docker_install_checkCancelled(options.signal);
    const tc = await loadToolCache();
    const work = await (0,promises_.mkdtemp)((0,external_node_path_.join)(options.tempDir, 'setup-dind-docker-cli-'));
    try {
        const version = await resolveVersion(options, arch, work);
        return (await fromToolCache(tc, version, options)) ?? (await downloadClient(tc, arch, version, work, options));
    }
    finally {
        await (0,promises_.rm)(work, { recursive: true, force: true });
    }
}
/** The docker on PATH, if any; its version is asked for in the background. */
function dockerOnPath({ logger, env }) {
    const found = findOnPath('docker', env);
    if (found === undefined)
        return undefined;
    const version = reportedVersion(found, env).then((reported) => {
        logger.info(`Docker CLI ${reported}: ${found} (found on PATH).`);
        return reported;
    }, (error) => {
        logger.warn(`The docker CLI on PATH (${found}) does not report its version (${(0,errors/* errorMessage */.gJ)(error)}); using it anyway.`);
        return '';
    });
    return { path: found, dir: (0,external_node_path_.dirname)(found), version, source: 'path' };
}
function noDockerCli(logger) {
    // Mode dind still needs one for itself: its docker calls say so then, with a hint.
    logger.info('No docker CLI on PATH, and docker-version is none: none is downloaded.');
    return { path: '', dir: '', version: Promise.resolve(''), source: 'none' };
}
/** @actions/tool-cache, once RUNNER_TOOL_CACHE is known to be set: it reads it from process.env at each call. */
async function loadToolCache() {
    if (!process.env.RUNNER_TOOL_CACHE) {
        // The front ends set it (the runner for the action, the CLI's `up` otherwise); without it tool-cache fails an assertion.
        throw new errors/* SetupDindError */.bw('Cannot keep a downloaded docker CLI: RUNNER_TOOL_CACHE is not set.', {
            hint: 'Run setup-dind as a GitHub Action on a runner (which sets RUNNER_TOOL_CACHE) or through its CLI, or set RUNNER_TOOL_CACHE to a directory for downloaded tools.',
        });
    }
    return Promise.all(/* import() */[__nccwpck_require__.e(942), __nccwpck_require__.e(58), __nccwpck_require__.e(805)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9805));
}
/** The cached client of `version`, if it is there and runs. */
async function fromToolCache(tc, version, { logger, env }) {
    const cached = tc.find(TOOL_NAME, version, process.arch);
    if (!cached)
        return undefined;
    const path = (0,external_node_path_.join)(cached, 'docker');
    const reported = await reportedVersion(path, env).catch(() => undefined);
    if (reported === undefined) {
        logger.warn(`The cached docker CLI ${version} (${path}) does not run; downloading it again.`);
        return undefined;
    }
    logger.info(`Docker CLI ${reported}: ${path} (from the tool cache).`);
    return { path, dir: cached, version: Promise.resolve(reported), source: 'cache' };
}
/** Downloads and unpacks the client of `version` in `work`, checks it, and caches it. */
async function downloadClient(tc, arch, version, work, options) {
    const url = archiveUrl(options.dockerDownloadUrl, arch, version);
    options.logger.info(`Downloading the docker CLI ${version} from ${url}`);
    const started = performance.now();
    const archive = (0,external_node_path_.join)(work, `docker-${version}.tgz`);
    await fetchFile(url, archive, options, version);
    docker_install_checkCancelled(options.signal);
    const binary = await unpackClient(archive, work, url, options.signal);
    const reported = await checkedVersion(binary, url, arch, version, options.env);
    const dir = await tc.cacheFile(binary, 'docker', TOOL_NAME, version, process.arch);
    const seconds = (performance.now() - started) / 1000;
    const path = (0,external_node_path_.join)(dir, 'docker');
    options.logger.info(`Docker CLI ${reported}: ${path} (downloaded in ${seconds.toFixed(2)} s, cached for later jobs).`);
    return { path, dir, version: Promise.resolve(reported), source: 'download', url, seconds };
}
/** The version a downloaded client reports, when it runs and is the release asked for. */
async function checkedVersion(binary, url, arch, version, env) {
    const reported = await reportedVersion(binary, env).catch((error) => {
        throw new errors/* SetupDindError */.bw(`The docker CLI from ${url} does not run on this machine: ${(0,errors/* errorMessage */.gJ)(error)}`, {
            hint: `A mirror at input "docker-download-url" must serve Docker's own archives for ${arch}, unchanged.`,
            cause: error,
        });
    });
    if (!sameRelease(reported, version)) {
        throw new errors/* SetupDindError */.bw(`The docker CLI from ${url} reports version ${reported}, not ${version}.`, {
            hint: 'The mirror at input "docker-download-url" serves a different file under this name; it must keep Docker\'s names and contents.',
        });
    }
    return reported;
}
async function resolveVersion(options, arch, work) {
    if (options.dockerVersion === undefined) {
        options.logger.info(`No docker CLI on PATH: using Docker's static client ${DEFAULT_DOCKER_VERSION} (set input "docker-version" to choose another).`);
        return DEFAULT_DOCKER_VERSION;
    }
    if (options.dockerVersion !== 'latest')
        return options.dockerVersion;
    const indexUrl = `${options.dockerDownloadUrl}/${arch}/`;
    const indexFile = (0,external_node_path_.join)(work, 'index.html');
    await fetchFile(indexUrl, indexFile, options, 'latest');
    const latest = latestFromIndex(await (0,promises_.readFile)(indexFile, 'utf8'));
    if (latest === undefined) {
        throw new errors/* SetupDindError */.bw(`docker-version latest: the listing at ${indexUrl} names no docker-X.Y.Z.tgz.`, {
            hint: 'Give input "docker-version" a release (e.g. 29.1.3), or point input "docker-download-url" at a directory tree with Docker\'s listing.',
        });
    }
    options.logger.info(`docker-version latest is ${latest} (from ${indexUrl}).`);
    return latest;
}
/** Downloads `url` to `file`; a failure says which input to fix. */
async function fetchFile(url, file, options, version) {
    await download(url, file, { logger: options.logger, signal: options.signal, policy: options.downloadPolicy }).catch((error) => {
        throw downloadError(error, url, options, version);
    });
}
/** What a failed download means, naming the input to fix. */
function downloadError(error, url, options, version) {
    // Cancelled, or the file could not be written: said already.
    if (error instanceof errors/* SetupDindError */.bw)
        return error;
    const status = error instanceof HttpStatusError ? error.httpStatusCode : undefined;
    const tried = error instanceof DownloadError && error.tries > 1 ? `${error.tries} tries` : undefined;
    const inputs = `Check input "docker-version" and input "docker-download-url" (${options.dockerDownloadUrl}); a mirror must keep Docker's layout, <url>/<arch>/docker-<version>.tgz.`;
    const what = options.dockerVersion === undefined ? `The docker CLI ${version} (the default docker-version)` : `docker-version ${version}`;
    if (status === 404) {
        return new errors/* SetupDindError */.bw(`${what} is not at ${url} (HTTP 404).`, { hint: inputs, cause: error });
    }
    if (status !== undefined) {
        return new errors/* SetupDindError */.bw(`Downloading ${url} (input "docker-download-url") failed: HTTP ${status}${tried ? ` (${tried})` : ''}.`, { hint: inputs, cause: error });
    }
    return new errors/* SetupDindError */.bw(`Could not download ${url}: input "docker-download-url" (${options.dockerDownloadUrl}) cannot be reached (${(0,errors/* errorMessage */.gJ)(error)}${tried ? `; ${tried}` : ''}).`, {
        hint: 'Check the URL and the network (proxies are taken from https_proxy/no_proxy). On an air-gapped network, point docker-download-url at a mirror of https://download.docker.com/linux/static/stable, or put a docker CLI on PATH; a job that needs none (mode attach or dood with an SDK) can set docker-version to none.',
        cause: error,
    });
}
/** Extracts docker/docker from the archive; resolves with its path. */
async function unpackClient(archive, work, url, signal) {
    try {
        await run('tar', ['-xzf', archive, '-C', work, 'docker/docker'], signal, 120_000);
    }
    catch (error) {
        if (signal?.aborted)
            throw new errors/* CancelledError */.cc('unpacking the docker CLI');
        if (error.code === 'ENOENT') {
            throw new errors/* SetupDindError */.bw('tar is needed to unpack the docker CLI and is not on PATH.', { hint: 'Install tar (and gzip) on the runner, or put a docker CLI on PATH.' });
        }
        throw new errors/* SetupDindError */.bw(`The file at ${url} is not a docker static client archive (tar: ${(0,errors/* errorMessage */.gJ)(error)}).`, {
            hint: 'A mirror at input "docker-download-url" must serve Docker\'s own docker-<version>.tgz files unchanged (a gzipped tar holding docker/docker).',
            cause: error,
        });
    }
    return (0,external_node_path_.join)(work, 'docker', 'docker');
}
/** The version a docker binary reports; works without a daemon. */
async function reportedVersion(binary, env) {
    const output = await run(binary, ['--version'], undefined, 15_000, env);
    const version = parseVersionOutput(output);
    if (version === undefined)
        throw new Error(`unexpected output of docker --version: ${JSON.stringify(output.trim().slice(0, 100))}`);
    return version;
}
function run(file, args, signal, timeout, env) {
    return new Promise((resolve, reject) => {
        (0,external_node_child_process_.execFile)(file, args, { signal, timeout, env, encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
            if (!error)
                return resolve(stdout);
            const code = error.code;
            const line = stderr.split('\n').map((text) => text.trim()).find((text) => text !== '');
            const said = line ?? (error.killed ? `killed (${error.signal ?? 'timeout'})` : typeof code === 'number' ? `exit code ${code}, no error output` : error.message.split('\n')[0]);
            const failure = Object.assign(new Error(said), { code });
            reject(failure);
        });
    });
}
function docker_install_checkCancelled(signal) {
    if (signal?.aborted)
        throw new errors/* CancelledError */.cc('getting the docker CLI');
}


/***/ }),

/***/ 3234:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   l: () => (/* binding */ realDocker),
/* harmony export */   m: () => (/* binding */ systemClock)
/* harmony export */ });
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _docker_cli_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7005);
/* harmony import */ var _probe_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9894);
/**
 * The engine's one door to Docker: the docker CLI against a daemon, and a
 * daemon's Engine API. The front ends hand the engine the real one; unit
 * tests hand it a scripted fake, so the orchestration is tested without a
 * daemon. No engine module makes its own client.
 */



/** Docker for real: `binary` is the docker CLI the engine runs (a downloaded one, or `docker` from PATH). */
function realDocker(binary = 'docker') {
    return {
        binary,
        cli: (env) => new _docker_cli_js__WEBPACK_IMPORTED_MODULE_1__/* .DockerCli */ .Vo(env, binary),
        waitUntilReady: _probe_js__WEBPACK_IMPORTED_MODULE_2__/* .waitUntilReady */ .bs,
        ping: _probe_js__WEBPACK_IMPORTED_MODULE_2__/* .ping */ .hU,
        version: (endpoint) => (0,_probe_js__WEBPACK_IMPORTED_MODULE_2__/* .daemonVersion */ .De)(endpoint),
        get: (endpoint, path, timeoutMs) => (0,_probe_js__WEBPACK_IMPORTED_MODULE_2__/* .apiGet */ .Vg)(endpoint, path, timeoutMs),
    };
}
const systemClock = {
    now: () => performance.now(),
    sleep: (ms, signal) => (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_0__.setTimeout)(ms, undefined, { signal }),
};


/***/ }),

/***/ 9894:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BU: () => (/* binding */ ProbeFailure),
/* harmony export */   De: () => (/* binding */ daemonVersion),
/* harmony export */   Vg: () => (/* binding */ apiGet),
/* harmony export */   bs: () => (/* binding */ waitUntilReady),
/* harmony export */   hU: () => (/* binding */ ping),
/* harmony export */   mB: () => (/* binding */ parseDockerHost),
/* harmony export */   r1: () => (/* binding */ NotReadyError)
/* harmony export */ });
/* unused harmony export serverVersion */
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(8500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7679);
/**
 * Readiness: a daemon is ready when its Engine API answers `GET /_ping` with
 * `OK`. An open port proves nothing: Docker's port proxy accepts connections
 * before the daemon inside listens, and dockerd binds before it serves.
 */





function parseDockerHost(dockerHost) {
    if (dockerHost.startsWith('unix://')) {
        return { kind: 'unix', socketPath: dockerHost.slice('unix://'.length) };
    }
    const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(dockerHost);
    if (!match)
        throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .SetupDindError */ .bw(`Not a Docker endpoint: ${dockerHost} (expected tcp://HOST:PORT or unix:///PATH).`);
    return { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}
/** One request to the Engine API, bounded in time. Rejects with a ProbeFailure. */
function apiGet(endpoint, path, timeoutMs, signal) {
    const target = parseDockerHost(endpoint.dockerHost);
    const transport = endpoint.tls ? (node_https__WEBPACK_IMPORTED_MODULE_1___default()) : (node_http__WEBPACK_IMPORTED_MODULE_0___default());
    const options = {
        method: 'GET',
        path,
        agent: false,
        timeout: timeoutMs,
        signal,
        headers: { host: 'docker' },
        ...(target.kind === 'unix' ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
        // TLS verifies the name dialled against the server certificate; SNI only for DNS names (RFC 6066).
        ...(endpoint.tls ? { ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key } : {}),
        ...(endpoint.tls && target.kind === 'tcp' && (0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(target.host) === 0 ? { servername: target.host } : {}),
    };
    return new Promise((resolve, reject) => {
        const request = transport.request(options, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk) => {
                if (body.length < 1 << 20)
                    body += chunk;
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
            response.on('error', (error) => reject(describeProbeError(error, endpoint, timeoutMs)));
        });
        request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        request.on('error', (error) => reject(describeProbeError(error, endpoint, timeoutMs)));
        request.end();
    });
}
/** Why an attempt got no good answer, in words a user can act on. */
class ProbeFailure extends Error {
    reason;
    constructor(reason, message) {
        super(message);
        this.reason = reason;
        this.name = 'ProbeFailure';
    }
}
function describeProbeError(error, endpoint, timeoutMs) {
    const where = endpoint.dockerHost;
    switch (error.code) {
        case 'ECONNREFUSED':
            return new ProbeFailure('refused', `connection refused at ${where}`);
        case 'ECONNRESET':
        case 'EPIPE':
            return new ProbeFailure('closed', `${where} accepted the connection and closed it without an answer`);
        case 'ETIMEDOUT':
            return new ProbeFailure('timeout', `no answer from ${where} within ${timeoutMs} ms`);
        case 'ENOENT':
            return new ProbeFailure('not-found', `no socket at ${where}`);
        case 'EACCES':
            return new ProbeFailure('permission', `permission denied opening ${where}`);
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
            return new ProbeFailure('not-found', `host name in ${where} does not resolve`);
        default:
            if (error.message === 'socket hang up') {
                return new ProbeFailure('closed', `${where} accepted the connection and closed it without an answer`);
            }
            if (/SSL|TLS|certificate|wrong version number/i.test(`${error.code ?? ''} ${error.message}`)) {
                return new ProbeFailure('tls', `TLS handshake with ${where} failed: ${error.message}`);
            }
            return new ProbeFailure('other', `${where}: ${error.message}`);
    }
}
/** One `GET /_ping`: resolves if the daemon answered 200 OK, rejects with a ProbeFailure otherwise. */
async function ping(endpoint, timeoutMs, signal) {
    const response = await apiGet(endpoint, '/_ping', timeoutMs, signal);
    if (response.status === 200 && response.body.trim() === 'OK')
        return;
    if (/HTTP request to an HTTPS server/i.test(response.body)) {
        throw new ProbeFailure('tls', `${endpoint.dockerHost} expects TLS (HTTP request to an HTTPS server)`);
    }
    throw new ProbeFailure('http', `${endpoint.dockerHost} answered /_ping with HTTP ${response.status}: ${response.body.trim().slice(0, 200)}`);
}
/** Thrown when the deadline passed; `lastFailure` says what the last attempt saw. */
class NotReadyError extends _engine_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .SetupDindError */ .bw {
    lastFailure;
    timeoutMs;
    attempts;
    constructor(lastFailure, timeoutMs, attempts) {
        super(`The daemon did not answer GET /_ping within ${timeoutMs / 1000} s (${attempts} attempts; last: ${lastFailure?.message ?? 'no attempt finished'}).`);
        this.lastFailure = lastFailure;
        this.timeoutMs = timeoutMs;
        this.attempts = attempts;
        this.name = 'NotReadyError';
    }
}
/**
 * Pings until the daemon answers, the deadline passes, `giveUp` fires or the
 * signal aborts. Attempts are bounded by the time left; pauses between them
 * are tens of milliseconds, so readiness is seen within that of happening.
 */
async function waitUntilReady(endpoint, options) {
    const now = options.now ?? (() => performance.now());
    const start = now();
    const deadline = start + options.timeoutMs;
    const attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    let backoff = options.backoffMs ?? 20;
    const maxBackoff = options.maxBackoffMs ?? 100;
    let attempts = 0;
    let lastFailure;
    // One controller ends an in-flight attempt or pause when we stop for any reason.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let gaveUp;
    options.giveUp?.catch((reason) => {
        gaveUp = reason ?? new Error('gave up');
        stop.abort();
    });
    try {
        for (;;) {
            const left = deadline - now();
            if (left <= 0)
                throw new NotReadyError(lastFailure, options.timeoutMs, attempts);
            attempts += 1;
            const budget = Math.max(1, Math.min(attemptTimeoutMs, Math.ceil(left)));
            try {
                await ping(endpoint, budget, stop.signal);
                return { attempts, elapsedMs: now() - start };
            }
            catch (error) {
                if (stop.signal.aborted) {
                    // stopped on purpose: reported below
                }
                else if (!(error instanceof ProbeFailure)) {
                    throw error;
                }
                else if (!(error.reason === 'timeout' && budget < attemptTimeoutMs && lastFailure)) {
                    // An attempt cut short by the deadline says less than what came before it.
                    lastFailure = error;
                }
            }
            if (!stop.signal.aborted) {
                const pause = Math.min(backoff, Math.max(0, deadline - now()));
                backoff = Math.min(maxBackoff, backoff * 1.5);
                await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_3__.setTimeout)(pause, undefined, { signal: stop.signal }).catch(() => { });
            }
            if (gaveUp !== undefined)
                throw gaveUp;
            if (options.signal?.aborted)
                throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .CancelledError */ .cc('waiting for the daemon to answer');
        }
    }
    finally {
        options.signal?.removeEventListener('abort', onAbort);
        stop.abort();
    }
}
/** The daemon's version and API range, from GET /version (unversioned: every daemon serves it). */
async function daemonVersion(endpoint, timeoutMs = 5000) {
    const response = await apiGet(endpoint, '/version', timeoutMs);
    if (response.status !== 200)
        throw new ProbeFailure('http', `GET /version answered HTTP ${response.status}`);
    const body = JSON.parse(response.body);
    return {
        version: typeof body.Version === 'string' ? body.Version : 'unknown',
        apiVersion: typeof body.ApiVersion === 'string' ? body.ApiVersion : undefined,
        minApiVersion: typeof body.MinAPIVersion === 'string' ? body.MinAPIVersion : undefined,
    };
}
/** The daemon's version, from GET /version. */
async function serverVersion(endpoint, timeoutMs = 5000) {
    return (await daemonVersion(endpoint, timeoutMs)).version;
}


/***/ }),

/***/ 4244:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   r: () => (/* binding */ startBackground)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7679);
/**
 * Our background processes (the DooD proxy, the DinD port forwarder): node
 * bundles beside the running entry (dist/), started detached so that they
 * outlive the step that starts them, and stopped by the teardown (the plan
 * names them by pid and a marker in their command line).
 */





const START_TIMEOUT_MS = 15_000;
/** Where a bundle is: beside the script that runs (dist/main.js, dist/cli.js). */
function bundlePath(bundle) {
    return (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.dirname)((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.realpathSync)(process.argv[1] ?? '')), bundle);
}
/** Starts it detached; resolves with its pid once it printed "ready". */
function startBackground(process_) {
    return new Promise((resolve, reject) => {
        const errors = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(process_.stderrPath, 'a', 0o600);
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(process.execPath, [bundlePath(process_.bundle), process_.marker], {
            detached: true,
            stdio: ['ignore', 'pipe', errors],
            env: { ...process.env, [process_.optionsVariable]: JSON.stringify(process_.options) },
        });
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(errors);
        let output = '';
        const fail = async (why) => {
            clearTimeout(timer);
            const stderr = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile)(process_.stderrPath, 'utf8').catch(() => '');
            reject(new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .SetupDindError */ .bw(`${process_.what} did not start: ${why}`, { details: stderr.split('\n').filter(Boolean).slice(-20) }));
        };
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            void fail(`no "ready" within ${START_TIMEOUT_MS / 1000} s`);
        }, START_TIMEOUT_MS);
        child.on('error', (error) => void fail(error.message));
        child.on('exit', (code) => void fail(`it exited with code ${code}`));
        child.stdout.setEncoding('utf8').on('data', (chunk) => {
            output += chunk;
            if (output.includes('ready\n')) {
                clearTimeout(timer);
                child.removeAllListeners('exit');
                child.stdout.destroy();
                child.unref();
                resolve(child.pid);
            }
        });
    });
}


/***/ }),

/***/ 1986:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A: () => (/* binding */ onCancel)
/* harmony export */ });
function onCancel(logger) {
    const controller = new AbortController();
    const onSignal = (name) => {
        if (controller.signal.aborted)
            process.exit(130);
        logger.warn(`Received ${name}: cancelling and removing what was started.`);
        controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return {
        signal: controller.signal,
        dispose() {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        },
    };
}


/***/ }),

/***/ 1736:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ ciJob)
/* harmony export */ });
function ciJob(env) {
    if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_RUN_ID) {
        return { ci: 'github', runId: env.GITHUB_RUN_ID ?? '', attempt: env.GITHUB_RUN_ATTEMPT ?? '1', job: env.GITHUB_JOB, repository: env.GITHUB_REPOSITORY };
    }
    if (env.GITLAB_CI === 'true' || env.CI_JOB_ID)
        return { ci: 'gitlab', jobId: env.CI_JOB_ID ?? '', projectPath: env.CI_PROJECT_PATH };
    if (env.BUILDKITE_JOB_ID)
        return { ci: 'buildkite', jobId: env.BUILDKITE_JOB_ID };
    if (env.BUILD_TAG)
        return { ci: 'jenkins', buildTag: env.BUILD_TAG };
    return { ci: 'local' };
}


/***/ }),

/***/ 5743:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  s: () => (/* binding */ setUp)
});

// UNUSED EXPORTS: tearDown

// EXTERNAL MODULE: ./src/docker/docker-context.ts
var docker_context = __nccwpck_require__(5380);
// EXTERNAL MODULE: ./src/docker/probe.ts
var probe = __nccwpck_require__(9894);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/engine/errors.ts
var engine_errors = __nccwpck_require__(7679);
// EXTERNAL MODULE: ./src/teardown/plan.ts
var plan = __nccwpck_require__(385);
;// CONCATENATED MODULE: ./src/modes/attach.ts
/**
 * Attach: the daemon belongs to someone else (a GitLab `services:
 * docker:dind`, a Kubernetes sidecar, a remote host). Wait until it truly
 * answers, with the same probe and deadline as DinD, then point the job at
 * it. Nothing is created, so teardown has nothing to do.
 */






const CERT_FILES = ['ca.pem', 'cert.pem', 'key.pem'];
function hasCerts(dir) {
    return dir !== undefined && dir !== '' && CERT_FILES.every((file) => (0,external_node_fs_.existsSync)((0,external_node_path_.join)(dir, file)));
}
/**
 * The endpoint and certificates to use: the inputs, else the environment the
 * platform set (DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_TLS_CERTDIR), else
 * GitLab's conventions for a `docker` service.
 */
function resolveAttachTarget(options, env) {
    if (options.certPath !== undefined && !hasCerts(options.certPath)) {
        const missing = CERT_FILES.filter((file) => !(0,external_node_fs_.existsSync)((0,external_node_path_.join)(options.certPath, file)));
        throw new engine_errors/* InputError */.dz('cert-path', `${options.certPath} lacks ${missing.join(', ')}`, 'a directory with ca.pem, cert.pem and key.pem');
    }
    const found = [options.certPath, env.DOCKER_CERT_PATH, env.DOCKER_TLS_CERTDIR ? (0,external_node_path_.join)(env.DOCKER_TLS_CERTDIR, 'client') : undefined].find(hasCerts);
    const [dockerHost, source] = options.dockerHost
        ? [options.dockerHost, 'input docker-host']
        : env.DOCKER_HOST
            ? [env.DOCKER_HOST, 'DOCKER_HOST']
            : [found ? 'tcp://docker:2376' : 'tcp://docker:2375', 'default'];
    if (options.certPath !== undefined && !dockerHost.startsWith('tcp://')) {
        throw new engine_errors/* InputError */.dz('cert-path', `only applies to a tcp:// endpoint, and the endpoint is ${dockerHost}`, 'no value for a unix:// endpoint');
    }
    return { dockerHost, source, certPath: dockerHost.startsWith('tcp://') ? found : undefined };
}
/**
 * Where client certificates would be, when the environment says the daemon
 * speaks TLS (DOCKER_TLS_VERIFY, DOCKER_TLS_CERTDIR) but they are not there
 * yet: a daemon that makes its own certificates writes them when it starts,
 * possibly after the job did.
 */
function expectedCertDirs(options, env) {
    const tlsExpected = ((env.DOCKER_TLS_VERIFY ?? '') !== '' && env.DOCKER_TLS_VERIFY !== '0') || (env.DOCKER_TLS_CERTDIR ?? '') !== '';
    const host = options.dockerHost ?? env.DOCKER_HOST ?? 'tcp://';
    if (!tlsExpected || !host.startsWith('tcp://'))
        return [];
    return [env.DOCKER_CERT_PATH, env.DOCKER_TLS_CERTDIR ? (0,external_node_path_.join)(env.DOCKER_TLS_CERTDIR, 'client') : undefined].filter((dir) => !!dir);
}
async function waitForCerts(dirs, deadline, context) {
    if (dirs.length === 0 || dirs.some(hasCerts))
        return;
    context.logger.info(`Waiting for the daemon's client certificates in ${dirs.join(' or ')}`);
    while (!dirs.some(hasCerts)) {
        if (context.clock.now() > deadline || context.signal?.aborted) {
            throw new engine_errors/* SetupDindError */.bw(`The environment asks for TLS, but no client certificates (ca.pem, cert.pem, key.pem) appeared in ${dirs.join(' or ')}.`, {
                hint: 'Share the daemon\'s client certificates with the job (GitLab Runner: volumes = ["/certs/client"]; Kubernetes: an emptyDir mounted in both containers), or turn TLS off on both sides.',
            });
        }
        await context.clock.sleep(100).catch(() => { });
    }
}
function attachMode(options, identity, context) {
    const deadline = context.clock.now() + options.timeoutSeconds * 1000;
    let target;
    let parsed;
    return {
        async check() {
            if (options.certPath === undefined)
                await waitForCerts(expectedCertDirs(options, context.env), deadline, context);
            target = resolveAttachTarget(options, context.env);
            try {
                parsed = (0,probe/* parseDockerHost */.mB)(target.dockerHost);
            }
            catch {
                throw new engine_errors/* SetupDindError */.bw(`${target.source} is ${JSON.stringify(target.dockerHost)}, which mode attach cannot use.`, {
                    hint: 'Give docker-host as tcp://HOST:PORT or unix:///PATH.',
                });
            }
        },
        // Nothing will be created; the plan says so, for the teardown step.
        plan: () => (0,plan/* startingPlan */.Cz)('attach', identity.instance, (0,plan/* dockerEnvOf */.dE)(context.env)),
        async start() {
            const found = target;
            const endpoint = { dockerHost: found.dockerHost };
            if (found.certPath) {
                const [ca, cert, key] = await Promise.all(CERT_FILES.map((file) => (0,promises_.readFile)((0,external_node_path_.join)(found.certPath, file))));
                endpoint.tls = { ca: ca, cert: cert, key: key };
            }
            const how = found.certPath ? `TLS, client certificates from ${found.certPath}` : parsed.kind === 'unix' ? 'unix socket' : 'plain TCP';
            context.logger.info(`Waiting for the Docker daemon at ${found.dockerHost} (${found.source}; ${how}), up to ${options.timeoutSeconds} s`);
            const env = { DOCKER_HOST: found.dockerHost };
            if (found.certPath)
                Object.assign(env, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: found.certPath });
            return {
                endpoint,
                env,
                ...(found.certPath === undefined ? {} : { certPath: found.certPath }),
                notReady: (error) => new engine_errors/* SetupDindError */.bw(`No Docker daemon answered at ${found.dockerHost} (${found.source}) within input "timeout" (${options.timeoutSeconds} s): ${error.lastFailure?.message ?? 'no attempt finished'}.`, { hint: attachHint(error.lastFailure, found, parsed) }),
                describe: { transport: how, warnings: [] },
            };
        },
    };
}
/** What to check, from what the last attempt saw. */
function attachHint(failure, target, parsed) {
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

// EXTERNAL MODULE: ./src/docker/docker-cli.ts
var docker_cli = __nccwpck_require__(7005);
;// CONCATENATED MODULE: ./src/docker/own-container.ts
/**
 * Whether this process runs in a container of the runner's Docker daemon (a
 * GitHub container job, a GitLab docker-executor job with the socket mounted),
 * and how that container's paths map to host paths. Found from the
 * container's own /etc/hostname bind mount (/var/lib/docker/containers/<id>/
 * hostname): a path only the daemon that made the container knows.
 */

/** The container ID in /proc/self/mountinfo, if this process runs in a Docker container. */
async function ownContainerId(mountinfo) {
    const text = mountinfo ?? (await (0,promises_.readFile)('/proc/self/mountinfo', 'utf8').catch(() => ''));
    return /\/containers\/([0-9a-f]{64})\/(?:hostname|resolv\.conf|hosts)\s/.exec(text)?.[1];
}
/** The path mappings of an inspected container (GET /containers/{id}/json). */
function mountsOf(inspected) {
    const mounts = inspected?.Mounts ?? [];
    return mounts
        .filter((mount) => !!mount.Source && !!mount.Destination)
        .map((mount) => ({ containerPath: mount.Destination, hostPath: mount.Source }));
}
/** This process's container, asked over the Engine API at `endpoint`; undefined when it is not that daemon's. */
async function ownContainerMounts(docker, endpoint, mountinfo) {
    const id = await ownContainerId(mountinfo);
    if (!id)
        return undefined;
    const response = await docker.get(endpoint, `/containers/${id}/json`, 5000).catch(() => undefined);
    if (!response || response.status !== 200)
        return undefined;
    return { id, mounts: mountsOf(JSON.parse(response.body)) };
}
/** The same, asked with the docker CLI (whatever DOCKER_HOST and TLS variables it has). */
async function ownContainerByCli(docker, signal, mountinfo) {
    const id = await ownContainerId(mountinfo);
    if (!id)
        return undefined;
    const inspect = await docker.exec(['container', 'inspect', id], { timeoutMs: 15_000, signal });
    if (inspect.code !== 0)
        return undefined;
    try {
        const [inspected] = JSON.parse(inspect.stdout);
        const networkMode = inspected?.HostConfig?.NetworkMode;
        return { id, mounts: mountsOf(inspected), ...(typeof networkMode === 'string' ? { networkMode } : {}) };
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/engine/identity.ts
var engine_identity = __nccwpck_require__(7106);
// EXTERNAL MODULE: ./src/inputs/inputs.ts
var inputs = __nccwpck_require__(8028);
;// CONCATENATED MODULE: ./src/modes/dind/cache-volume.ts
/**
 * `cache-volume`: the inner daemon's /var/lib/docker in a named volume that
 * outlives the job. Two daemons on one data root corrupt it, so the volume is
 * used by one DinD container at a time. The lock is the container's name,
 * derived from the volume: Docker refuses a second container of the same
 * name atomically, so two jobs can never both start on the volume. A job that
 * finds the name taken waits (within its `timeout`) for the holder to go; a
 * container of that name that is no daemon of ours on the volume would never
 * go, and fails the job at once.
 */



/** The DinD container that holds a cache volume: one name per volume is the lock. */
function cacheHolderName(volume) {
    return `${engine_identity/* LABEL_PREFIX */.Ag}-cache-${volume}`;
}
/** Labels a cache volume gets when the first job creates it: no `created`, so stale sweeps never take it. */
const CACHE_VOLUME_LABELS = { [engine_identity/* LABELS */.kg.role]: 'cache' };
/**
 * A cache volume is one setup-dind made (or none yet). Any other volume of
 * that name may hold another program's data, which a daemon would write over:
 * a typo in the input must not cost someone their database.
 */
async function checkCacheVolume(docker, volume, signal) {
    const inspect = await docker.exec(['volume', 'inspect', '--format', `{{index .Labels "${engine_identity/* LABELS */.kg.role}"}}`, volume], { timeoutMs: 30_000, signal });
    if (inspect.code !== 0) {
        const refused = docker.apiRefusal(inspect);
        if (refused)
            throw refused;
        if ((0,docker_cli/* isNoSuchObject */.Eo)(inspect))
            return; // the first job creates it, labelled
        throw new engine_errors/* SetupDindError */.bw(`Input "cache-volume": could not inspect volume ${volume}: ${(0,docker_cli/* firstErrorLine */.hf)(inspect.stderr)}`);
    }
    if (inspect.stdout.trim() === CACHE_VOLUME_LABELS[engine_identity/* LABELS */.kg.role])
        return;
    throw new engine_errors/* SetupDindError */.bw(`Input "cache-volume": volume ${volume} exists and was not made by setup-dind (it has no ${engine_identity/* LABELS */.kg.role}=cache label): it may hold another program's data, which the DinD daemon would write over.`, {
        hint: `Choose another name. To use a volume prepared on purpose, create it with: docker volume create --label ${engine_identity/* LABELS */.kg.role}=cache ${volume}`,
    });
}
/** How long the daemon gets to stop cleanly at teardown, so its data root is consistent for the next job. */
const CACHE_STOP_SECONDS = 30;
const POLL_MS = 500;
function isNameConflict(result) {
    return /is already in use by container|Conflict\. The container name/i.test(result.stderr);
}
/** A `created` holder older than this never started: its set-up died between create and start. */
const NEVER_STARTED_MS = 60_000;
/** Where the holder mounts the volume (run-args.ts). */
const DATA_ROOT = '/var/lib/docker';
/** Who holds the volume: the holder container, or any other running container that mounts it. */
async function findHolder(docker, volume) {
    const name = cacheHolderName(volume);
    // JSON last: it never holds a raw tab.
    const format = ['{{.Id}}', '{{.State.Status}}', '{{.State.StartedAt}}', '{{.Created}}', '{{.Config.Image}}', '{{json .Config.Labels}}', '{{json .Mounts}}'].join('\t');
    const inspect = await docker.exec(['container', 'inspect', '--format', format, name], { timeoutMs: 15_000 });
    if (inspect.code === 0) {
        const [id = '', status = '', startedAt = '', created = '', image = '', labelsJson = '', mountsJson = ''] = inspect.stdout.trim().split('\t');
        const labels = parseJson(labelsJson) ?? {};
        const mounts = parseJson(mountsJson) ?? [];
        const reasons = [];
        if (labels[engine_identity/* LABELS */.kg.role] !== 'daemon')
            reasons.push(`it has no ${engine_identity/* LABELS */.kg.role}=daemon label`);
        if (!mounts.some((mount) => mount.Type === 'volume' && mount.Name === volume && mount.Destination === DATA_ROOT)) {
            reasons.push(`it does not mount volume ${volume} at ${DATA_ROOT}`);
        }
        const ageMs = Date.now() - Date.parse(created);
        return {
            name,
            id,
            status,
            ours: reasons.length === 0,
            ...(reasons.length === 0 ? {} : { squatter: { reasons, image, labels } }),
            owner: labels[engine_identity/* LABELS */.kg.owner] ?? '',
            startedAt,
            ageMs: Number.isFinite(ageMs) ? ageMs : 0,
        };
    }
    const users = await docker.exec(['ps', '--filter', `volume=${volume}`, '--format', '{{.Names}}'], { timeoutMs: 15_000 });
    const user = users.stdout.split('\n').find((line) => line.trim() !== '');
    return user ? { name: user.trim(), id: '', status: 'running', ours: false, owner: '', startedAt: '', ageMs: 0 } : undefined;
}
function parseJson(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}
/** A holder that no longer uses the data root: a stopped daemon of ours, or one that never started. */
function isDeadHolder(holder) {
    if (!holder.ours || holder.id === '')
        return false;
    return holder.status === 'exited' || holder.status === 'dead' || (holder.status === 'created' && holder.ageMs > NEVER_STARTED_MS);
}
/** A label value or name as one line of the log, whatever it holds. */
// eslint-disable-next-line no-control-regex -- control characters are what it replaces
const oneLine = (text) => text.replace(/[\x00-\x1f\x7f]/g, '?');
function describeHolder(holder) {
    const about = [holder.owner && `owner ${oneLine(holder.owner)}`, holder.startedAt && !holder.startedAt.startsWith('0001-') && `started ${holder.startedAt}`].filter(Boolean);
    return about.length > 0 ? `${holder.name} (${about.join(', ')})` : holder.name;
}
/** Labels shown for a squatter: ours first, then the others, each value quoted; a few at most. */
const SHOWN_LABELS = 8;
/**
 * The holder's name taken by a container that is no daemon of ours on the
 * volume: it would never go away by itself, and every job on the volume would
 * wait for it until its timeout.
 */
function squattedError(holder, { reasons, image, labels }, volume) {
    const names = Object.keys(labels).sort((a, b) => Number(!a.startsWith(`${engine_identity/* LABEL_PREFIX */.Ag}.`)) - Number(!b.startsWith(`${engine_identity/* LABEL_PREFIX */.Ag}.`)) || a.localeCompare(b));
    const shown = names.slice(0, SHOWN_LABELS).map((label) => `${oneLine(label)}=${JSON.stringify(labels[label])}`);
    if (names.length > SHOWN_LABELS)
        shown.push(`${names.length - SHOWN_LABELS} more`);
    const what = [`id ${holder.id.slice(0, 12)}`, `image ${oneLine(image)}`, `status ${holder.status}`, shown.length > 0 ? `labels ${shown.join(', ')}` : 'no labels'];
    return new engine_errors/* SetupDindError */.bw(`Input "cache-volume": the container named ${holder.name}, the lock on volume ${volume}, is not a setup-dind daemon using the volume (${reasons.join('; ')}), so it would never free the volume: ${what.join(', ')}.`, {
        hint: `Find out who made it (docker container inspect ${holder.name}); if nothing needs it, remove it (docker rm --force ${holder.name}). Or give this job another cache volume.`,
    });
}
/**
 * Runs `docker run` for the holder container once the volume is free. Resolves
 * with the result of the `docker run` that was not refused for the name (it
 * may have failed for another reason); throws when the volume stays in use
 * for `timeoutSeconds`.
 */
async function runWhenCacheFree(docker, volume, run, options) {
    const deadline = options.clock.now() + options.timeoutSeconds * 1000;
    let announced = false;
    for (;;) {
        const holder = await findHolder(docker, volume);
        if (holder === undefined) {
            const result = await run();
            if (!isNameConflict(result))
                return result;
            // Another job took it between our look and our run: look again after a pause.
        }
        else if (holder.squatter) {
            throw squattedError(holder, holder.squatter, volume);
        }
        else if (isDeadHolder(holder)) {
            // Its job's teardown never came (or is just finishing: then it finds the container gone). By id: the name may pass on.
            options.logger.info(`Removing ${holder.name}, a stopped daemon that still held cache volume ${volume}`);
            await docker.exec(['rm', '--force', '--volumes', holder.id], { timeoutMs: 60_000 });
            continue;
        }
        const who = holder === undefined ? cacheHolderName(volume) : describeHolder(holder);
        if (options.clock.now() >= deadline) {
            throw new engine_errors/* SetupDindError */.bw(`Input "cache-volume": volume ${volume} is still in use by ${who} after waiting ${options.timeoutSeconds} s (input "timeout"); one daemon at a time may use a data root.`, {
                hint: 'Jobs that share a cache volume run one after the other: give concurrent jobs different volumes (e.g. one per runner), or raise timeout to wait longer.',
            });
        }
        if (!announced) {
            options.logger.info(`Cache volume ${volume} is in use by ${who}; waiting up to ${options.timeoutSeconds} s for it`);
            announced = true;
        }
        try {
            await options.clock.sleep(POLL_MS, options.signal);
        }
        catch {
            throw new engine_errors/* CancelledError */.cc(`waiting for cache volume ${volume}`);
        }
    }
}

// EXTERNAL MODULE: ./src/modes/dind/daemon-config.ts
var daemon_config = __nccwpck_require__(2909);
;// CONCATENATED MODULE: ./src/modes/dind/failures.ts
/**
 * What went wrong when a DinD daemon would not start, in words that say what
 * to do: a refused `docker run`, a daemon that died, a privileged container
 * the engine will not run.
 */


/** Turns a failed `docker run` into an error that says what happened and what to do. */
function explainRunFailure(result, options) {
    const line = (0,docker_cli/* firstErrorLine */.hf)(result.stderr);
    // Match the error lines only: pull progress (stderr too) may name a registry host.
    const errors = result.stderr
        .split('\n')
        .filter((text) => /error|denied|cannot|failed|refused|not permitted|no such/i.test(text))
        .join('\n');
    if (/Cannot connect to the Docker daemon|error during connect|Is the docker daemon running/i.test(errors)) {
        return new engine_errors/* SetupDindError */.bw(`Cannot reach the Docker daemon that should start the DinD container: ${line}`, {
            hint: 'mode dind needs a running Docker engine on the runner (check DOCKER_HOST and that dockerd is running).',
        });
    }
    if (/port is already allocated|address already in use/i.test(errors)) {
        return new engine_errors/* SetupDindError */.bw(`Input "port": host port ${options.port} on ${options.bindAddress} is already in use: ${line}`, {
            hint: 'Choose another port, or set port to 0 to let Docker pick a free one.',
        });
    }
    if (/unable to apply caps|operation not permitted|privileged mode is (disabled|not allowed)|authorization denied|privileged/i.test(errors)) {
        return privilegedRefused(line);
    }
    if (/No such image/i.test(errors) && options.pull === 'never') {
        return new engine_errors/* SetupDindError */.bw(`Image ${options.image} is not present and input "pull" is "never": ${line}`, {
            hint: 'Load the image beforehand, or set pull to "missing".',
        });
    }
    if (/pull access denied|manifest unknown|not found: manifest|repository does not exist/i.test(errors)) {
        return new engine_errors/* SetupDindError */.bw(`Image ${options.image} cannot be pulled: ${line}`, {
            hint: 'Check the image name and tag, and registry credentials (docker login) for a private image.',
        });
    }
    if (/registry|dial tcp|no such host|i\/o timeout|TLS handshake|connection refused|net\/http/i.test(errors)) {
        return new engine_errors/* SetupDindError */.bw(`Image ${options.image} could not be pulled (pull: ${options.pull}): ${line}`, {
            hint: options.pull === 'always'
                ? 'The registry is unreachable; with pull "missing" a local copy of the image is used.'
                : 'The registry is unreachable; load the image on the runner beforehand (docker load).',
        });
    }
    return new engine_errors/* SetupDindError */.bw(`Starting the DinD container failed: ${line}`);
}
function privilegedRefused(engineLine) {
    // userns-remap refuses --privileged on every engine version; --userns=host would undo the host's choice, so it is not tried.
    const remapped = /user namespace/i.test(engineLine)
        ? 'This engine remaps user namespaces (userns-remap), which rules out privileged containers. '
        : '';
    return new engine_errors/* SetupDindError */.bw(`The Docker engine refused to run a privileged container, which DinD needs: ${engineLine}`, {
        hint: remapped +
            'Use a runner that allows privileged containers (Kubernetes: securityContext.privileged; GitLab Runner: privileged = true), ' +
            'or use mode dood (the host socket, no privileged container), or a runtime such as Sysbox that runs Docker without --privileged.',
    });
}
/**
 * The most telling line of a daemon's log: its fatal error, not the noise
 * before it. dockerd reports a fatal start error as "Status: MESSAGE, Code: N"
 * (MESSAGE may run over several lines), so that line comes first.
 */
function daemonErrorLine(lines) {
    const status = lines.find((line) => /^Status: /.test(line.trim()));
    if (status !== undefined)
        return status.trim().replace(/^Status: /, '').replace(/, Code: \d+$/, '');
    const telling = [...lines]
        .reverse()
        .find((line) => /level=(fatal|error)|failed to start daemon|unknown (flag|shorthand)|invalid|error/i.test(line));
    return (telling ?? lines.at(-1) ?? '(the container wrote no log)').trim();
}
/**
 * The log without dockerd's usage text: since Docker 23 a flag error is
 * followed by the whole option list (about 150 lines), which would push the
 * error itself out of any tail.
 */
function withoutUsage(lines) {
    const start = lines.findIndex((line) => /^Usage:\s+dockerd\b/.test(line));
    if (start === -1)
        return [...lines];
    const end = lines.findIndex((line, index) => index > start && /^, Code: \d+$/.test(line.trim()));
    return [...lines.slice(0, start), ...(end === -1 ? [] : lines.slice(end))];
}
function daemonExited(code, logs, options) {
    const line = daemonErrorLine(logs);
    return new engine_errors/* SetupDindError */.bw(`The DinD daemon exited during start (exit code ${code}): ${line}`, {
        hint: exitHint(logs.join('\n'), line, options),
        details: logs,
    });
}
function exitHint(log, fatalLine, options) {
    if (/daemon\.json|configuration file|directives/i.test(log)) {
        return 'The daemon refused its configuration: check inputs "daemon-config", "registry-mirrors", "insecure-registries" and "daemon-args" (an option may not be given both as a flag and in daemon.json); the daemon log is below.';
    }
    // Docker 26+ warn that an unencrypted TCP API "will be a hard failure preventing the daemon from starting",
    // or a release may refuse --tls=false itself; every plain-TCP start logs such warnings, so only the fatal line counts.
    if (options.transport === 'tcp' && !options.tls && /without (encryption|TLS)|api-security|--tls\b|unauthenticated|\binsecure\b(?![-_ ]registr)/i.test(fatalLine)) {
        return 'This daemon refuses to serve its API on plain TCP: set input "tls" to true (mutual TLS with per-job certificates) or "transport" to unix.';
    }
    if (/operation not permitted|permission denied|read-only file system/i.test(log)) {
        return 'The daemon lacked a permission it needs; the runner may not grant full privileges to containers (see the log below).';
    }
    return 'Check input "daemon-args" and "image"; the daemon log is below.';
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
// EXTERNAL MODULE: ./src/docker/api-version.ts
var api_version = __nccwpck_require__(433);
;// CONCATENATED MODULE: ./src/modes/dind/image-copy.ts
/**
 * load-images: `docker save` on the runner's daemon streamed into `docker
 * load` of the new one, no temporary file and no registry. The two daemons
 * may keep images differently (graphdriver through 28, the containerd image
 * store by default on a fresh Docker 29): the archive format is common to
 * both, but a containerd store can hold a multi-platform index without the
 * content of the platform that was pulled last time for another one, and
 * saving the whole index then fails. The copy is then retried once for the
 * platform the images do have (`docker save --platform`, CLI and daemon 28+).
 */




/** A containerd store lacks the content of some platform of an image (docker save without --platform). */
function missingPlatformContent(saveErrors) {
    return /content digest \S+ not found|blob \S+ .*not found|NotFound: content|no suitable export target/i.test(saveErrors);
}
async function copyImages(images, route) {
    const first = await saveIntoLoad(['save', ...images], route);
    if (first.code === 0)
        return;
    let retry;
    if (missingPlatformContent(first.saveErrors)) {
        const platform = await platformOf(images, route);
        if (platform !== undefined) {
            route.logger.info(`The runner's daemon lacks some platforms of ${images.join(', ')}; copying only ${platform}.`);
            retry = await saveIntoLoad(['save', '--platform', platform, ...images], route);
            if (retry.code === 0)
                return;
        }
    }
    throw copyFailed(images, first, retry, route);
}
/** The one platform all the images have on the runner's daemon (os/arch[/variant]), or undefined. */
async function platformOf(images, route) {
    const format = '{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}';
    const result = await route.docker.cli(route.from).exec(['image', 'inspect', '--format', format, ...images], { timeoutMs: 30_000, signal: route.signal });
    const platforms = new Set(result.stdout.split('\n').filter(Boolean));
    return result.code === 0 && platforms.size === 1 ? [...platforms][0] : undefined;
}
function copyFailed(images, first, retry, route) {
    if (route.signal?.aborted)
        return new engine_errors/* CancelledError */.cc('copying images into the DinD daemon');
    // Either daemon may refuse the client's API version: the runner's on save, the new one on load.
    const refused = (0,api_version/* apiVersionError */.FC)(first.saveErrors, (0,docker_cli/* daemonName */.ev)(route.from), route.from) ?? (0,api_version/* apiVersionError */.FC)(first.loadErrors, 'the DinD daemon', route.to);
    if (refused)
        return refused;
    // The side that failed first tells why: a failed save also makes load fail (a cut archive).
    const why = (0,docker_cli/* firstErrorLine */.hf)(first.saveErrors.trim() !== '' ? first.saveErrors : first.loadErrors);
    const message = `Copying ${images.join(', ')} into the DinD daemon failed: ${why}`;
    if (!missingPlatformContent(first.saveErrors))
        return new engine_errors/* SetupDindError */.bw(message);
    return new engine_errors/* SetupDindError */.bw(message, {
        hint: (retry ? `Saving one platform failed too (${(0,docker_cli/* firstErrorLine */.hf)(retry.saveErrors || retry.loadErrors)}). ` : '') +
            'The runner\'s containerd image store lacks some content of these images: pull each for one platform on the runner (docker pull --platform), or use a docker CLI and engine 28+ (docker save --platform).',
    });
}
/** One `docker SAVE_ARGS | docker load`, settled once both have exited. */
function saveIntoLoad(saveArgs, route) {
    return new Promise((resolve, reject) => {
        const save = (0,external_node_child_process_.spawn)(route.docker.binary, saveArgs, { env: route.from, stdio: ['ignore', 'pipe', 'pipe'], signal: route.signal });
        const load = (0,external_node_child_process_.spawn)(route.docker.binary, ['load', '--quiet'], { env: route.to, stdio: ['pipe', 'ignore', 'pipe'], signal: route.signal });
        const errors = { save: '', load: '' };
        const codes = {};
        for (const [side, child] of [['save', save], ['load', load]]) {
            child.stderr.setEncoding('utf8').on('data', (chunk) => (errors[side] += chunk));
            child.on('error', (error) => {
                if (error.name === 'AbortError')
                    return; // close follows; copyFailed names the cancellation
                reject(new engine_errors/* SetupDindError */.bw(`Copying images into the DinD daemon failed: docker ${side}: ${error.message}`));
            });
            child.on('close', (code) => {
                codes[side] = code ?? 1;
                // A load that ended (refused, say) reads no more: without this, save would block on a full pipe for ever.
                if (side === 'load')
                    save.stdout.destroy();
                if (codes.save === undefined || codes.load === undefined)
                    return;
                // Save's "broken pipe" after that says nothing: load's own error tells why.
                const saveErrors = /broken pipe/i.test(errors.save) ? '' : errors.save;
                resolve({ code: codes.save || codes.load, saveErrors, loadErrors: errors.load });
            });
        }
        save.stdout.pipe(load.stdin);
        load.stdin.on('error', () => { }); // the load side's error is reported from its stderr
    });
}

;// CONCATENATED MODULE: ./src/modes/dind/image.ts
function daemonImage(options, docker, signal) {
    let read;
    return { engineVersion: () => (read ??= imageEngineVersion(options, docker, signal)) };
}
/**
 * The Docker release of the image's dockerd, read from the image's
 * configuration without starting it: the official docker images declare it
 * as DOCKER_VERSION (inherited by images built FROM them). An image that is
 * not there yet is pulled first when the pull policy allows, as `docker run
 * --pull` would pull it a moment later anyway.
 */
async function imageEngineVersion(options, docker, signal) {
    const inspect = () => docker.exec(['image', 'inspect', '--format', '{{json .Config.Env}}\n{{json .Config.Labels}}', options.image], { signal, timeoutMs: 30_000 });
    // pull: always may bring a newer image than the local one: read the one that will run.
    let result = options.pull === 'always' ? { code: 1, stdout: '', stderr: '', output: '' } : await inspect();
    if (result.code !== 0 && options.pull !== 'never') {
        const pull = await docker.exec(['pull', '--quiet', options.image], { signal });
        if (pull.code !== 0)
            return { absent: true, why: 'the image could not be pulled to read it' };
        result = await inspect();
    }
    if (result.code !== 0)
        return { absent: true, why: 'the image is not on the runner\'s daemon' };
    return engineVersionOf(result.stdout);
}
/** Parses `{{json .Config.Env}}` and `{{json .Config.Labels}}` output, one a line. */
function engineVersionOf(inspectOutput) {
    const [envJson = 'null', labelsJson = 'null'] = inspectOutput.trim().split('\n');
    const env = image_parseJson(envJson);
    const labels = image_parseJson(labelsJson);
    const fromEnv = Array.isArray(env)
        ? env.map(String).find((entry) => entry.startsWith('DOCKER_VERSION='))?.slice('DOCKER_VERSION='.length)
        : undefined;
    // An image of another make may say it with the OCI label instead.
    const fromLabel = typeof labels === 'object' && labels !== null ? labels['org.opencontainers.image.version'] : undefined;
    for (const candidate of [fromEnv, typeof fromLabel === 'string' ? fromLabel : undefined]) {
        const major = dockerMajor(candidate);
        if (major !== undefined)
            return { version: candidate.replace(/^v/, ''), major };
    }
    return { why: fromEnv === undefined ? 'no DOCKER_VERSION in its environment' : `DOCKER_VERSION=${fromEnv} is not a release number` };
}
/** The major number of a Docker release such as 29.1.3, v24.0.0-rc.1 or 20.10.24+dfsg1. */
function dockerMajor(version) {
    const match = /^v?(\d+)\.\d+/.exec(version ?? '');
    return match ? Number(match[1]) : undefined;
}
function image_parseJson(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/modes/dind/mtu.ts
var mtu = __nccwpck_require__(2452);
;// CONCATENATED MODULE: ./src/ports/helper-script.ts
/**
 * The inner dockerd's userland proxy (`--userland-proxy-path`): a POSIX sh
 * script, as the daemon image has no node, run by dockerd for every port a
 * container publishes, while the container starts. It asks the runner's
 * forwarder (forwarder.ts) to open the same port on the runner's loopback,
 * waits for the answer ("ok"; "relay ADDRESS" for a publish on the DinD
 * container's loopback, which needs a second docker-proxy on that address;
 * "pass": not forwarded; or "error MESSAGE"),
 * then becomes the real docker-proxy, keeping open the
 * write end of a FIFO whose reader is the forwarder: when dockerd stops the
 * proxy (the container stops or goes), the forwarder sees the end and closes
 * the runner's port. A refusal goes to dockerd on fd 3 in docker-proxy's own
 * protocol ("1\n" and the error), so `docker run` fails with it.
 *
 * The files, in a directory shared with the forwarder (mounted at
 * CONTAINER_PORTS_DIR; 0700 on the runner, so the FIFOs root makes in it can
 * be 0666 for the forwarder, which runs as the runner's user): ID.req (the
 * request: proto host-ip host-port, moved into place whole), ID.reply (FIFO:
 * "ok" or "error MESSAGE"), ID.alive (FIFO, removed once both ends are open).
 */
const HELPER_NAME = 'setup-dind-port';
/** Where the DinD container sees the shared directory. */
const CONTAINER_PORTS_DIR = '/run/setup-dind-ports';
const HELPER_SCRIPT = `#!/bin/sh
# setup-dind: publishes this port on the runner's loopback too, then runs docker-proxy.
dir=\${0%/*}
proto=tcp host_ip= host_port= container_ip= container_port=
parse() {
  while [ $# -gt 1 ]; do
    case $1 in
      -proto) proto=$2 ;;
      -host-ip) host_ip=$2 ;;
      -host-port) host_port=$2 ;;
      -container-ip) container_ip=$2 ;;
      -container-port) container_port=$2 ;;
    esac
    shift
  done
}
parse "$@"
id="$proto-$host_port-$$"
refuse() {
  rm -f "$dir/$id.reply" "$dir/$id.alive" "$dir/$id.tmp"
  printf '1\\n%s' "$1" >&3
  exit 1
}
mkfifo -m 666 "$dir/$id.reply" "$dir/$id.alive" || refuse "setup-dind: cannot make the port request files in $dir"
# Open for reading (and writing, so that the open does not wait) before the request exists: the answer may come at once.
exec 6<> "$dir/$id.reply"
printf '%s %s %s\\n' "$proto" "$host_ip" "$host_port" > "$dir/$id.tmp" && mv "$dir/$id.tmp" "$dir/$id.req" || refuse "setup-dind: cannot write the port request in $dir"
read -r answer <&6
exec 6<&-
rm -f "$dir/$id.reply"
case $answer in
  ok)
    exec 5> "$dir/$id.alive"
    rm -f "$dir/$id.alive"
    printf x >&5
    exec docker-proxy "$@"
    ;;
  "relay "*)
    # Published on the DinD container's loopback only: a second docker-proxy on
    # its address on the runner's network (the answer names it) serves the forwarder.
    exec 5> "$dir/$id.alive"
    rm -f "$dir/$id.alive"
    printf x >&5
    docker-proxy -proto "$proto" -host-ip "\${answer#relay }" -host-port "$host_port" \\
      -container-ip "$container_ip" -container-port "$container_port" 3>/dev/null &
    relay=$!
    docker-proxy "$@" &
    proxy=$!
    trap 'kill "$proxy" "$relay" 2>/dev/null' INT TERM
    wait "$proxy"
    kill "$relay" 2>/dev/null
    ;;
  pass)
    # Not forwarded (a publish on one address of the DinD container): docker-proxy alone.
    rm -f "$dir/$id.alive"
    exec docker-proxy "$@"
    ;;
  *) refuse "\${answer#error }" ;;
esac
`;

;// CONCATENATED MODULE: ./src/modes/dind/ports.ts
/**
 * Ports that containers in the DinD daemon publish answer on the runner's
 * loopback too, as on a local engine: the inner dockerd runs our helper as
 * its userland proxy, and a forwarder process on the runner opens each port
 * before the container start goes on (src/ports/).
 */





const FORWARDER_BUNDLE = 'port-forwarder.js';
/** Whether the user left dockerd's userland proxy to us (daemon-args or daemon-config may turn it off or replace it). */
function forwardsPorts(options) {
    const flags = options.daemonArgs.some((arg) => /^--userland-proxy(-path)?(=|$)/.test(arg));
    const config = options.daemonConfig !== undefined && ('userland-proxy' in options.daemonConfig || 'userland-proxy-path' in options.daemonConfig);
    return !flags && !config;
}
/** The shared directory with the helper in it, and what the container and dockerd need to use it. */
async function preparePorts(workDir) {
    const dir = (0,external_node_path_.join)(workDir, 'ports');
    await (0,promises_.mkdir)(dir, { mode: 0o700 });
    const helper = (0,external_node_path_.join)(dir, HELPER_NAME);
    await (0,promises_.writeFile)(helper, HELPER_SCRIPT, { mode: 0o755 });
    await (0,promises_.chmod)(helper, 0o755);
    return {
        dir,
        mount: `type=bind,${(0,docker_cli/* mountField */.C9)('src', dir)},dst=${CONTAINER_PORTS_DIR}`,
        daemonArgs: [`--userland-proxy-path=${CONTAINER_PORTS_DIR}/${HELPER_NAME}`],
    };
}
/** Starts the forwarder for the DinD container `containerId`; resolves with what the plan must stop. */
async function startPortForwarder(docker, background, containerId, ports, workDir) {
    const addresses = await docker.run(['container', 'inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', containerId], { timeoutMs: 15_000 });
    const target = addresses.split(/\s+/).find((address) => address !== '');
    if (target === undefined) {
        throw new engine_errors/* SetupDindError */.bw('The DinD container has no IP address on the runner\'s Docker network, so its published ports cannot be forwarded.', {
            hint: 'Start it on a network the runner reaches (the default bridge), or turn the forwarding off with --userland-proxy=false in daemon-args.',
        });
    }
    const marker = `--setup-dind-ports=${ports.dir}`;
    const pid = await background({
        bundle: FORWARDER_BUNDLE,
        what: 'The DinD port forwarder',
        marker,
        optionsVariable: 'SETUP_DIND_FORWARDER_OPTIONS',
        options: { dir: ports.dir, target, logPath: (0,external_node_path_.join)(workDir, 'ports.log') },
        stderrPath: (0,external_node_path_.join)(workDir, 'ports.stderr'),
    });
    return { pid, marker };
}

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
;// CONCATENATED MODULE: ./src/modes/dind/transport.ts
/**
 * How a DinD daemon listens and how the job reaches it. The action runs
 * `dockerd` with listeners it chooses (the image's entrypoint passes a
 * command that starts with `dockerd` through to the daemon, after its own
 * container set-up), so the daemon listens exactly where the transport says:
 *
 * - tcp, plain: 2375 inside, published on bind-address (127.0.0.1);
 * - tcp, TLS: 2376 inside with --tlsverify and this job's certificates;
 * - unix: a socket in a per-job host directory, and no TCP listener at all.
 */




/** Where the certificates appear inside the container: the image's default DOCKER_TLS_CERTDIR. */
const CONTAINER_CERT_DIR = '/certs';
/** Where the per-job socket directory appears inside the container. */
const CONTAINER_SOCKET_DIR = '/run/setup-dind';
/** The inner daemon's own socket, in the DinD container (where its containers would mount it). */
const INNER_SOCKET_PATH = '/var/run/docker.sock';
const INNER_SOCKET = `unix://${INNER_SOCKET_PATH}`;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
/**
 * Prepares the transport in `workDir` (a fresh per-job directory the caller
 * owns and deletes): certificates for TLS, the socket directory for unix.
 */
async function prepareTransport(options, workDir) {
    if (options.transport === 'unix')
        return unixTransport(workDir);
    if (options.tls)
        return tlsTransport(options, workDir);
    return {
        daemon: {
            command: ['dockerd', `--host=${INNER_SOCKET}`, '--host=tcp://0.0.0.0:2375', '--tls=false'],
            env: { DOCKER_TLS_CERTDIR: '' },
            mounts: [],
            containerPort: 2375,
        },
        endpoint: (hostPort) => ({ dockerHost: tcpHost(options.bindAddress, hostPort) }),
        clientEnv: (endpoint) => ({ DOCKER_HOST: endpoint.dockerHost }),
    };
}
async function tlsTransport(options, workDir) {
    // Loaded only here: the X.509 library is most of the bundle's start-up cost.
    const { makeTlsMaterial, writeTlsMaterial } = await Promise.all(/* import() */[__nccwpck_require__.e(631), __nccwpck_require__.e(793)]).then(__nccwpck_require__.bind(__nccwpck_require__, 6793));
    const material = await makeTlsMaterial({ sans: extraSans(options) });
    const { clientDir } = await writeTlsMaterial(workDir, material);
    const serverDir = `${CONTAINER_CERT_DIR}/server`;
    return {
        daemon: {
            command: [
                'dockerd',
                `--host=${INNER_SOCKET}`,
                '--host=tcp://0.0.0.0:2376',
                '--tlsverify',
                `--tlscacert=${serverDir}/ca.pem`,
                `--tlscert=${serverDir}/cert.pem`,
                `--tlskey=${serverDir}/key.pem`,
            ],
            // The image's layout, so its own client commands inside find the certificates too.
            env: { DOCKER_TLS_CERTDIR: CONTAINER_CERT_DIR },
            mounts: [
                `type=bind,${(0,docker_cli/* mountField */.C9)('src', (0,external_node_path_.join)(workDir, 'ca'))},dst=${CONTAINER_CERT_DIR}/ca,readonly`,
                `type=bind,${(0,docker_cli/* mountField */.C9)('src', (0,external_node_path_.join)(workDir, 'server'))},dst=${serverDir},readonly`,
            ],
            containerPort: 2376,
        },
        certPath: clientDir,
        endpoint: (hostPort) => ({
            dockerHost: tcpHost(options.bindAddress, hostPort),
            tls: { ca: material.caCert, cert: material.clientCert, key: material.clientKey },
        }),
        clientEnv: (endpoint) => ({ DOCKER_HOST: endpoint.dockerHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: clientDir }),
    };
}
function unixTransport(workDir) {
    const socketDir = (0,external_node_path_.join)(workDir, 'socket');
    const socketPath = (0,external_node_path_.join)(socketDir, 'docker.sock');
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
        throw new engine_errors/* SetupDindError */.bw(`The socket path ${socketPath} is longer than the ${MAX_SOCKET_PATH} bytes a unix socket allows.`, {
            hint: 'Run with a shorter RUNNER_TEMP (or TMPDIR for the CLI), or use transport tcp.',
        });
    }
    // The socket belongs to root and this process's group (mode 0660), in a
    // directory only this user can enter: the job's user can use it, others cannot.
    const group = typeof process.getgid === 'function' ? process.getgid() : 0;
    return {
        daemon: {
            command: ['dockerd', `--host=${INNER_SOCKET}`, `--host=unix://${CONTAINER_SOCKET_DIR}/docker.sock`, `--group=${group}`],
            env: { DOCKER_TLS_CERTDIR: '' },
            mounts: [`type=bind,${(0,docker_cli/* mountField */.C9)('src', socketDir)},dst=${CONTAINER_SOCKET_DIR}`],
        },
        endpoint: () => ({ dockerHost: `unix://${socketPath}` }),
        clientEnv: (endpoint) => ({ DOCKER_HOST: endpoint.dockerHost }),
    };
}
/**
 * The transport inside another container's network namespace (the job's own
 * container): the TCP listener on bind-address:port there and nothing
 * published, so the job reaches the API on its own loopback, as a pod reaches
 * its DinD sidecar. A unix socket is unchanged.
 */
function inNetworkOf(plan, container, bindAddress, port) {
    const { containerPort, ...daemon } = plan.daemon;
    const network = `container:${container}`;
    if (containerPort === undefined)
        return { ...plan, daemon: { ...daemon, network } };
    const address = (0,external_node_net_.isIP)(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
    const listener = `--host=tcp://0.0.0.0:${containerPort}`;
    // Left as it is, the listener would serve the API on every address of the job's network.
    if (!daemon.command.includes(listener))
        throw new Error(`inNetworkOf: the transport has no ${listener} to move`);
    const command = daemon.command.map((arg) => (arg === listener ? `--host=tcp://${address}:${port}` : arg));
    return { ...plan, daemon: { ...daemon, command, network }, endpoint: () => plan.endpoint(port) };
}
/** The socket directory the unix transport needs, created before the container mounts it. */
function socketDirOf(workDir) {
    return (0,external_node_path_.join)(workDir, 'socket');
}
/** Names the server certificate needs beyond the defaults: a non-loopback bind address, and tls-san. */
function extraSans(options) {
    const sans = [...options.tlsSans];
    if (!['0.0.0.0', '::'].includes(options.bindAddress))
        sans.push(options.bindAddress);
    return sans;
}
/** The address a client connects to for a port published on `bindAddress`. */
function tcpHost(bindAddress, port) {
    const connectTo = bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress === '::' ? '::1' : bindAddress;
    return (0,external_node_net_.isIP)(connectTo) === 6 ? `tcp://[${connectTo}]:${port}` : `tcp://${connectTo}:${port}`;
}
/** The `--publish` value for a port inside the container. */
function publishSpec(bindAddress, hostPort, containerPort) {
    const address = (0,external_node_net_.isIP)(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
    return `${address}:${hostPort === 0 ? '' : hostPort}:${containerPort}`;
}

;// CONCATENATED MODULE: ./src/modes/dind/run-args.ts
/**
 * The DinD container: its names and its `docker run` arguments.
 */



/** A job's own container and data volume; with a cache volume, the holder name that locks it. */
function dindNames(identity, cacheVolume) {
    if (cacheVolume !== undefined)
        return { container: cacheHolderName(cacheVolume), volume: cacheVolume };
    const container = (0,engine_identity/* resourceName */.Iy)(identity);
    return { container, volume: `${container}-data` };
}
/**
 * The `docker run` arguments. Why each one:
 * - --privileged: dockerd needs it to mount, create namespaces and cgroups;
 * - the transport's `dockerd …` command: the daemon listens only where the
 *   action says (see transport.ts); plain TCP carries --tls=false, which
 *   skips the 15 s pause dockerd (20.10 to 29 at least) makes before serving
 *   an unauthenticated TCP listener, a pause the image's entrypoint incurs;
 * - --publish on bind-address (127.0.0.1 by default): only this host's
 *   loopback can reach a TCP endpoint;
 * - /var/lib/docker on a labelled volume: the inner daemon gets a real
 *   filesystem (overlay2, not vfs) and we can find and remove it by name.
 */
function dindRunArgs(options, names, identity, daemon, now = Date.now(), extraDaemonArgs = []) {
    const args = ['run', '--detach', '--privileged', '--name', names.container, '--pull', options.pull];
    for (const [key, value] of Object.entries((0,engine_identity/* labelsFor */.dS)(identity, 'daemon', now)))
        args.push('--label', `${key}=${value}`);
    // A cache volume must outlive stale sweeps, so it carries no `created` label.
    const volumeLabels = Object.entries(options.cacheVolume === undefined ? (0,engine_identity/* labelsFor */.dS)(identity, 'data', now) : CACHE_VOLUME_LABELS).map(([key, value]) => `volume-label=${key}=${value}`);
    args.push('--mount', ['type=volume', `src=${names.volume}`, `dst=${DATA_ROOT}`, ...volumeLabels].join(','));
    for (const mount of daemon.mounts)
        args.push('--mount', mount);
    for (const [key, value] of Object.entries(daemon.env))
        args.push('--env', `${key}=${value}`);
    if (daemon.network !== undefined)
        args.push('--network', daemon.network);
    if (daemon.containerPort !== undefined) {
        args.push('--publish', publishSpec(options.bindAddress, options.port, daemon.containerPort));
    }
    args.push(options.image, ...daemon.command, ...extraDaemonArgs, ...options.daemonArgs);
    return args;
}

;// CONCATENATED MODULE: ./src/modes/dind/workspace.ts
/**
 * The job's own files inside the DinD daemon (input `mount-workspace`): the
 * workspace and the runner's temp dir are bind-mounted into the DinD
 * container at the same paths, so a path the job names (`-v "$PWD:/src"`,
 * compose's `./data:/data`) means the same directory to the inner daemon as
 * to the job, as with a local engine.
 */



/** Paths of the DinD container's own that a job path must not cover or replace. */
const CONTAINER_OWN = ['/bin', '/certs', '/dev', '/etc', '/lib', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker'];
const within = (path, root) => path === root || path.startsWith(`${root}${external_node_path_.sep}`);
/** The directories to share: the workspace (or the working directory outside CI) and RUNNER_TEMP, outermost only. */
function workspaceDirs(env, cwd) {
    const workspace = env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || cwd;
    const candidates = [workspace, env.RUNNER_TEMP]
        .filter((path) => !!path)
        .map((path) => (0,external_node_path_.resolve)(path))
        .filter((path) => path !== '/' && !CONTAINER_OWN.some((own) => within(path, own) || within(own, path)))
        .filter((path) => (0,external_node_fs_.existsSync)(path) && (0,external_node_fs_.statSync)(path).isDirectory());
    return [...new Set(candidates)].filter((path, _index, all) => !all.some((other) => other !== path && within(path, other)));
}
/**
 * `--mount` values that share them, read and write, at the same paths. The
 * docker:dind entrypoint mounts a tmpfs on /tmp unless /tmp is a mount point
 * already, which would hide a directory under /tmp: then /tmp is a tmpfs of
 * our own, with the job's directories mounted on it.
 */
function workspaceMounts(dirs) {
    const binds = dirs.map((dir) => `type=bind,${(0,docker_cli/* mountField */.C9)('src', dir)},${(0,docker_cli/* mountField */.C9)('dst', dir)}`);
    return dirs.some((dir) => within(dir, '/tmp')) ? ['type=tmpfs,dst=/tmp', ...binds] : binds;
}

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
    const clean = external_node_path_.posix.normalize(path);
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
    return rest === '' ? best.host : external_node_path_.posix.join(best.host, rest);
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
            const real = realpathSync.native(head);
            return missing.length === 0 ? real : posix.join(real, ...missing.reverse());
        }
        catch {
            if (head === '/')
                return clean;
            missing.push(posix.basename(head));
            head = posix.dirname(head);
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
        const path = rest === '' ? container : posix.join(container, rest);
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
            done = posix.dirname(done);
            continue;
        }
        const candidate = posix.join(done, part);
        const seen = containerPathOf(candidate, map);
        if (seen === undefined) {
            // Above every mount: out of the job's reach. Anywhere else: unknown to the proxy.
            if (hosts.some((host) => host !== candidate && isWithin(host, candidate))) {
                done = candidate;
                continue;
            }
            return { path: posix.join(candidate, ...todo), unseen: candidate };
        }
        let target;
        try {
            target = reader.readLink(seen);
        }
        catch {
            return { path: posix.join(candidate, ...todo) }; // missing: the daemon creates the rest as directories
        }
        if (target === undefined) {
            done = candidate;
            continue;
        }
        if (++links > 40)
            return { path: posix.join(candidate, ...todo), loop: true };
        if (target.startsWith('/'))
            done = '/';
        todo = [...split(target), ...todo];
    }
    return { path: done };
}

;// CONCATENATED MODULE: ./src/modes/dind/job-container.ts
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






/** A free TCP port on `address` in this process's network namespace (the job container's). */
function freeLocalPort(address) {
    return new Promise((resolve, reject) => {
        const server = external_node_net_default().createServer();
        server.once('error', (error) => reject(new engine_errors/* SetupDindError */.bw(`Input "bind-address": ${address} cannot be listened on in the job's container (${error.code ?? error.message}).`, {
            hint: 'The DinD API listens in the job container\'s network namespace: use an address it has, e.g. 127.0.0.1 (the default).',
        })));
        server.listen(0, address, () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}
/**
 * `--mount` values with bind sources as the host sees them. `unseen` lists
 * the job-container paths no mount of the job's container covers: the
 * runner's daemon cannot mount those.
 */
function hostBindMounts(mounts, own) {
    const out = [];
    const unseen = [];
    for (const mount of mounts) {
        const fields = (0,docker_cli/* mountFields */.n8)(mount);
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
        out.push(fields.map(([key, value]) => (value === undefined ? key : (0,docker_cli/* mountField */.C9)(key, key === source[0] ? host : value))).join(','));
    }
    return { mounts: out, unseen };
}
/**
 * The DinD container in the job container's network namespace, its bind
 * sources as the host sees them. A transport file no mount covers is fatal;
 * a workspace directory is left out, with a warning.
 */
async function intoJobContainer(own, joins, transport, shared, options, warn) {
    const port = !joins || transport.daemon.containerPort === undefined ? 0 : options.port || (await freeLocalPort(options.bindAddress));
    const moved = joins ? inNetworkOf(transport, own.id, options.bindAddress, port) : transport;
    const daemonMounts = hostBindMounts(moved.daemon.mounts, own);
    if (daemonMounts.unseen.length > 0) {
        throw new engine_errors/* SetupDindError */.bw(`The job runs in container ${own.id.slice(0, 12)}, and ${daemonMounts.unseen.join(', ')} is on none of its mounts: the runner's Docker daemon cannot mount it into the DinD container.`, { hint: 'Keep RUNNER_TEMP (TMPDIR for the setup-dind command) on a volume or bind mount of the job container, or use transport tcp without tls.' });
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
async function refuseSecondInNetwork(docker, job, signal) {
    const listed = await docker.exec(['ps', '--quiet', '--filter', `label=${engine_identity/* LABELS */.kg.role}=daemon`], { timeoutMs: 15_000, signal });
    const ids = listed.code === 0 ? listed.stdout.split('\n').filter(Boolean) : [];
    if (ids.length === 0)
        return;
    const modes = await docker.exec(['container', 'inspect', '--format', '{{.Name}} {{.HostConfig.NetworkMode}}', ...ids], { timeoutMs: 15_000, signal });
    const sharing = modes.stdout.split('\n').find((line) => line.endsWith(` container:${job}`));
    if (sharing === undefined)
        return;
    throw new engine_errors/* SetupDindError */.bw(`Another DinD daemon already shares this job container's network namespace (${sharing.split(' ')[0].replace(/^\//, '')}): two would take over each other's iptables chains and bridge.`, {
        hint: 'Use one set-up per container job (point later steps at the first one), or remove it first.',
    });
}

;// CONCATENATED MODULE: ./src/modes/dind/dind.ts
/**
 * Docker-in-Docker: a daemon in a privileged container, its API published on
 * the host's loopback only (or on a unix socket in a per-job directory).
 */



















const LOG_TAIL_LINES = 40;
/** Read from a daemon that died: enough to hold its usage text, which is dropped before the tail is shown. */
const EXIT_LOG_LINES = 400;
function dindMode(options, identity, context) {
    const { logger, env, signal } = context;
    const docker = context.docker.cli(env);
    const names = dindNames(identity, options.cacheVolume);
    const cached = options.cacheVolume !== undefined;
    const forwarding = forwardsPorts(options);
    const needsWorkDir = forwarding || options.tls || options.transport === 'unix' || options.daemonConfig !== undefined;
    // Per set-up, also with a cache volume (whose holder name is the same for every job).
    const workDir = (0,external_node_path_.join)(context.tempDir, (0,engine_identity/* resourceName */.Iy)(identity));
    let watch;
    let clientEnv = {};
    return {
        sweepEnv: env,
        async check() {
            // Images to preload are on the runner's daemon; a cache volume is ours.
            if (options.loadImages.length > 0)
                await checkImagesPresent(docker, options.loadImages, signal);
            if (options.cacheVolume !== undefined)
                await checkCacheVolume(docker, options.cacheVolume, signal);
        },
        plan: () => (0,plan/* startingPlan */.Cz)('dind', identity.instance, (0,plan/* dockerEnvOf */.dE)(env), {
            // Named before it exists, also a cache volume's holder: teardown only removes it once it carries this set-up's label.
            containers: [names.container],
            // A cache volume is kept.
            volumes: cached ? [] : [names.volume],
            paths: needsWorkDir ? [workDir] : [],
            ...(cached ? { stopSeconds: CACHE_STOP_SECONDS } : {}),
        }),
        async start(record) {
            const warnings = exposureWarnings(options);
            for (const warning of warnings)
                logger.warn(warning);
            const own = await ownContainerByCli(docker, signal);
            // On the host's network the job's loopback is the runner's: the DinD container keeps its own namespace.
            const joins = own !== undefined && own.networkMode !== 'host';
            if (joins)
                await refuseSecondInNetwork(docker, own.id, signal);
            const prepared = await prepare(options, env, workDir, needsWorkDir, forwarding && !joins, docker, signal);
            let { transport, shared } = prepared;
            const { mtu } = prepared;
            if (own) {
                logger.info(`The job runs in container ${own.id.slice(0, 12)}: ${joins ? "the DinD container joins its network namespace (API and published ports on the job's loopback), with" : 'it uses the host network;'} bind sources translated to host paths.`);
                ({ transport, shared } = await intoJobContainer(own, joins, transport, shared, options, (warning) => {
                    logger.warn(warning);
                    warnings.push(warning);
                }));
            }
            if (mtu.mtu !== undefined)
                logger.info(`Inner networks get MTU ${mtu.mtu} (${mtu.reason})`);
            else
                logger.debug(`MTU left at dockerd's default (${mtu.reason})`);
            for (const warning of mtu.warnings) {
                logger.warn(warning);
                warnings.push(warning);
            }
            const where = options.transport === 'unix' ? 'API on a unix socket' : `API on ${options.bindAddress}${options.tls ? ', TLS' : ''}`;
            logger.info(`Starting ${options.image} as ${names.container} (privileged, ${where})`);
            const launch = { options, context, docker, names, identity, transport, daemonArgs: mtu.daemonArgs };
            let { run, since } = await runContainer(launch, shared);
            if (run.code !== 0 && shared !== undefined && sharedPathUnseen(run, shared)) {
                // The runner's daemon runs elsewhere (another container, a pod's sidecar): it cannot mount this machine's directories.
                const warning = "The runner's Docker daemon does not see this machine's files (it runs in another container or host): ports the job's containers publish are not forwarded to this machine, and the workspace is not mounted into the DinD daemon.";
                logger.warn(warning);
                warnings.push(warning);
                shared = undefined;
                ({ run, since } = await runContainer(launch, undefined));
            }
            // A refused API version first: its stderr would otherwise read as a pull or privilege failure.
            if (run.code !== 0)
                throw docker.apiRefusal(run) ?? explainRunFailure(run, options);
            const containerId = run.stdout.trim().split('\n').pop() ?? names.container;
            watch = docker.watchExit(containerId);
            const giveUp = diedOrLost(watch.exited, docker, containerId, options);
            giveUp.catch(() => { }); // observed by the wait; this keeps an early exit from being "unhandled"
            if (shared?.ports) {
                // In the plan once started, also when the daemon dies meanwhile: the teardown must stop it.
                const recorded = startPortForwarder(docker, context.background, containerId, shared.ports, workDir).then((forwarder) => record({ processes: [forwarder] }));
                await unlessGone(recorded, giveUp, context.clock).catch(async (error) => {
                    await recorded.catch(() => { });
                    throw error;
                });
            }
            const endpoint = transport.endpoint(await unlessGone(hostPort(docker, containerId, transport, options), giveUp, context.clock));
            clientEnv = transport.clientEnv(endpoint);
            return {
                endpoint,
                env: { ...clientEnv, ...testcontainersEnv(shared?.ports !== undefined || joins, env) },
                ...(transport.certPath === undefined ? {} : { certPath: transport.certPath }),
                since,
                giveUp,
                notReady: async (error) => new engine_errors/* SetupDindError */.bw(error.message.replace('within', `within input "timeout" (${options.timeoutSeconds} s), i.e.`), {
                    hint: 'A slow runner may need a larger timeout; the daemon log below shows where it stopped.',
                    details: await docker.logTail(containerId, LOG_TAIL_LINES),
                }),
                describe: {
                    containerId,
                    containerName: names.container,
                    image: options.image,
                    transport: options.transport === 'unix' ? 'unix socket' : options.tls ? 'TCP with mutual TLS' : 'plain TCP',
                    warnings,
                    ...(mtu.mtu === undefined ? {} : { mtu: mtu.mtu }),
                    ...(options.cacheVolume === undefined ? {} : { cacheVolume: options.cacheVolume }),
                },
            };
        },
        async ready() {
            if (options.loadImages.length === 0)
                return {};
            const copyStarted = context.clock.now();
            logger.info(`Copying ${options.loadImages.join(', ')} from the runner's daemon into the new one`);
            await copyImages(options.loadImages, { from: env, to: { ...env, ...clientEnv }, logger, signal, docker: context.docker });
            const preloaded = { images: options.loadImages, seconds: (context.clock.now() - copyStarted) / 1000 };
            logger.info(`Loaded ${options.loadImages.length} image(s) in ${preloaded.seconds.toFixed(2)} s`);
            return { preloaded };
        },
        dispose() {
            watch?.cancel();
        },
    };
}
/**
 * `docker run` of the daemon's container, with the shared directories when
 * given, once a cache volume is free. `since` is when the run began: the
 * deadline counts from it, not from the wait for the volume.
 */
async function runContainer(launch, shared) {
    const { options, context, docker, transport } = launch;
    const { logger, signal, clock } = context;
    let since = clock.now();
    const daemonSide = { ...transport.daemon, mounts: [...transport.daemon.mounts, ...(shared?.mounts ?? [])] };
    const args = () => dindRunArgs(options, launch.names, launch.identity, daemonSide, Date.now(), [...launch.daemonArgs, ...(shared?.daemonArgs ?? [])]);
    const runDaemon = () => {
        since = clock.now();
        return docker.exec(args(), { signal, onStderrLine: (line) => logger.info(`  ${line}`) });
    };
    const run = await (options.cacheVolume !== undefined
        ? runWhenCacheFree(docker, options.cacheVolume, runDaemon, { timeoutSeconds: options.timeoutSeconds, logger, signal, clock })
        : runDaemon()).catch((error) => {
        throw signal?.aborted && !(error instanceof engine_errors/* CancelledError */.cc) ? new engine_errors/* CancelledError */.cc('starting the DinD container') : error;
    });
    return { run, since };
}
/**
 * What Testcontainers (and its Java, Go, Python siblings) need to work as with
 * a local engine, unless the job set them itself: the inner daemon's socket
 * as its containers see it, for the Ryuk reaper's mount (the DOCKER_HOST path
 * of the unix transport does not exist inside the DinD daemon); and, with
 * the published ports forwarded, the runner's loopback as the host of mapped
 * ports (Testcontainers would otherwise ask a unix-socket daemon for its
 * bridge gateway when it runs in a container).
 */
function testcontainersEnv(forwarded, jobEnv) {
    const wanted = { TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE: INNER_SOCKET_PATH };
    if (forwarded)
        wanted.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
    return Object.fromEntries(Object.entries(wanted).filter(([name]) => !jobEnv[name]));
}
/** A TCP API published beyond loopback is worth a warning in the log and the summary. */
function exposureWarnings(options) {
    if (options.transport !== 'tcp' || (0,inputs/* isLoopback */.U9)(options.bindAddress))
        return [];
    return [
        `The daemon API is published on ${options.bindAddress}, not on loopback: anyone who can reach this host on that port ` +
            (options.tls ? 'and holds a certificate of this job' : 'controls the daemon, and through its privileged container, the host') +
            '.',
    ];
}
/**
 * The per-job directory, the transport's files and keys, daemon.json, and
 * (beside them, as it may have to pull and read the image) the MTU choice.
 */
async function prepare(options, env, workDir, needsWorkDir, forwarding, docker, signal) {
    const mtuChoice = (0,mtu/* chooseMtu */.UL)(options, daemonImage(options, docker, signal));
    mtuChoice.catch(() => { }); // observed below
    try {
        if (needsWorkDir) {
            await (0,promises_.mkdir)(workDir, { recursive: false, mode: 0o700 });
            if (options.transport === 'unix')
                await (0,promises_.mkdir)(socketDirOf(workDir), { mode: 0o700 });
        }
        const transport = await prepareTransport(options, workDir);
        if (options.daemonConfig !== undefined) {
            const file = (0,external_node_path_.join)(workDir, 'daemon.json');
            await (0,promises_.writeFile)(file, `${JSON.stringify(options.daemonConfig, null, 2)}\n`, { mode: 0o644 });
            transport.daemon.mounts.push(`type=bind,${(0,docker_cli/* mountField */.C9)('src', file)},dst=${daemon_config/* CONTAINER_DAEMON_JSON */.MJ},readonly`);
        }
        const ports = forwarding ? await preparePorts(workDir) : undefined;
        const dirs = options.mountWorkspace ? workspaceDirs(env, process.cwd()) : [];
        const shared = ports || dirs.length > 0
            ? {
                ports,
                paths: [...(ports ? [ports.dir] : []), ...dirs],
                mounts: [...(ports ? [ports.mount] : []), ...workspaceMounts(dirs)],
                daemonArgs: ports?.daemonArgs ?? [],
            }
            : undefined;
        return { transport, mtu: await mtuChoice, shared };
    }
    catch (error) {
        await mtuChoice.catch(() => { });
        throw error;
    }
}
/** Rejects when the daemon's container exits (with its log) or its engine stops answering. */
async function diedOrLost(exited, docker, containerId, options) {
    const watched = await exited;
    if (watched.kind === 'lost') {
        throw new engine_errors/* SetupDindError */.bw(`Lost contact with the Docker daemon that runs the DinD container: ${watched.message}`, {
            hint: 'The runner\'s Docker engine stopped or became unreachable while the DinD daemon started.',
        });
    }
    const logs = withoutUsage(await docker.logTail(containerId, EXIT_LOG_LINES)).slice(-LOG_TAIL_LINES);
    throw daemonExited(watched.code, logs, options);
}
/** The host port of a TCP API (0 for a unix socket). */
async function hostPort(docker, containerId, transport, options) {
    const { containerPort } = transport.daemon;
    if (containerPort === undefined)
        return 0;
    if (options.port !== 0)
        return options.port;
    return publishedPort(docker, containerId, containerPort);
}
/**
 * `work`, unless the daemon's container dies (or its engine goes) first: a
 * daemon that dies at once takes its port mapping with it, and then its
 * death is what to report, not the failed look-up.
 */
function unlessGone(work, giveUp, clock) {
    return Promise.race([
        work.catch(async (error) => {
            await Promise.race([giveUp, clock.sleep(2000)]);
            throw error;
        }),
        giveUp,
    ]);
}
/** The runner's daemon refused a bind mount of ours because it does not see the path. */
function sharedPathUnseen(run, shared) {
    return /bind source path does not exist/i.test(run.stderr) && shared.paths.some((path) => run.stderr.includes(path));
}
async function publishedPort(docker, container, containerPort) {
    const out = await docker.run(['port', container, `${containerPort}/tcp`], { timeoutMs: 15_000 });
    const match = /:(\d+)\s*$/m.exec(out.split('\n')[0] ?? '');
    if (!match)
        throw new engine_errors/* SetupDindError */.bw(`Could not read the published port of ${container} (docker port said: ${out})`);
    return Number(match[1]);
}
/** Fails, before anything is started, when an image to preload is not on the runner's daemon. */
async function checkImagesPresent(docker, images, signal) {
    const missing = [];
    await Promise.all(images.map(async (image) => {
        const result = await docker.exec(['image', 'inspect', '--format', '{{.Id}}', image], { signal, timeoutMs: 30_000 });
        if (result.code === 0)
            return;
        const refused = docker.apiRefusal(result);
        if (refused)
            throw refused; // not a missing image: this client cannot ask
        missing.push(image);
    }));
    if (missing.length > 0) {
        throw new engine_errors/* SetupDindError */.bw(`Input "load-images": ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on the runner's Docker daemon.`, {
            hint: 'Pull or build the image on the runner in an earlier step (docker pull/build without DOCKER_HOST set), or remove it from load-images.',
        });
    }
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/modes/dood.ts
/**
 * DooD: the job gets the host's daemon through its socket, but through a
 * per-job proxy (src/dood/) that labels what the job creates, so that
 * teardown removes exactly that, translates bind-mount paths when the job runs
 * in a container, and applies dood-policy. No privileged container; the job
 * shares the host daemon (see docs/security.md).
 */










/** The bundle of the proxy's background process, next to the running entry (dist/). */
const PROXY_BUNDLE = 'dood-proxy.js';
/** Checks that `socket` is a socket this user can use, with messages that say how to fix it. */
async function checkSocket(socket, timeoutMs, docker, signal) {
    const info = await (0,promises_.stat)(socket).catch((error) => {
        if (error.code === 'ENOENT') {
            throw new engine_errors/* SetupDindError */.bw(`Input "socket": ${socket} does not exist, so there is no host daemon to share.`, {
                hint: 'Mount the host\'s socket into the job: GitHub container jobs: `options: -v /var/run/docker.sock:/var/run/docker.sock`; ' +
                    'GitLab Runner (docker executor): `volumes = ["/var/run/docker.sock:/var/run/docker.sock"]` in config.toml. Or use mode dind.',
            });
        }
        throw new engine_errors/* SetupDindError */.bw(`Input "socket": cannot inspect ${socket}: ${error.message}`);
    });
    if (!info.isSocket()) {
        throw new engine_errors/* SetupDindError */.bw(`Input "socket": ${socket} is not a unix socket.`, { hint: 'Give the path of the Docker daemon\'s socket, usually /var/run/docker.sock.' });
    }
    try {
        await docker.ping({ dockerHost: `unix://${socket}` }, Math.min(timeoutMs, 5000), signal);
        return;
    }
    catch (error) {
        if (error instanceof probe/* ProbeFailure */.BU && error.reason === 'permission')
            throw await permissionDenied(socket, info.uid, info.gid, info.mode);
        if (!(error instanceof probe/* ProbeFailure */.BU))
            throw error;
    }
    // The socket exists but the daemon did not answer yet: wait like for any daemon.
    await docker.waitUntilReady({ dockerHost: `unix://${socket}` }, { timeoutMs, signal }).catch((error) => {
        throw new engine_errors/* SetupDindError */.bw(`The daemon behind ${socket} did not answer GET /_ping: ${(0,engine_errors/* errorMessage */.gJ)(error)}`, {
            hint: 'Is dockerd running on the host, and is this its socket?',
        });
    });
}
async function permissionDenied(socket, uid, gid, mode) {
    const [owner, group] = await Promise.all([nameOf('/etc/passwd', uid), nameOf('/etc/group', gid)]);
    const me = `uid ${process.getuid?.() ?? '?'}, gid ${process.getgid?.() ?? '?'}, groups ${(process.getgroups?.() ?? []).join(',') || 'none'}`;
    return new engine_errors/* SetupDindError */.bw(`Permission denied opening ${socket} (owned by ${owner} (${uid}):${group} (${gid}), mode ${(mode & 0o777).toString(8)}); this job runs as ${me}.`, {
        hint: `Give the job's user the socket's group: a GitHub container job \`options: --group-add ${gid}\`, \`docker run --group-add ${gid}\`, ` +
            `or \`usermod -aG ${group} <user>\` on a self-hosted runner; or run the job as root.`,
    });
}
/** The name of a uid or gid from /etc/passwd or /etc/group, or the number. */
async function nameOf(file, id) {
    const text = await (0,promises_.readFile)(file, 'utf8').catch(() => '');
    const line = text.split('\n').find((entry) => entry.split(':')[2] === String(id));
    return line?.split(':')[0] ?? String(id);
}
/**
 * strict: the host paths bind sources may come from, the job's own: its
 * workspace, RUNNER_TEMP (the runner empties it for each job) and its own
 * per-job directory (which holds the proxy's socket, for Ryuk). Never a
 * shared temp dir (the system's, /tmp, /var/tmp, /dev/shm) nor CI_BUILDS_DIR:
 * every job and user on the machine has directories there (another job's DinD
 * socket, TLS keys, proxy socket).
 */
function bindRoots(env, workDir, systemTemp = (0,external_node_os_.tmpdir)()) {
    const shared = [systemTemp, '/tmp', '/var/tmp', '/dev/shm'].map((dir) => (0,external_node_path_.resolve)(dir));
    // A root that is a shared temp dir or holds one would let in every directory in it.
    const holdsShared = (root) => shared.some((dir) => dir === root || dir.startsWith(root === '/' ? '/' : `${root}/`));
    const own = (0,external_node_path_.resolve)(workDir);
    const roots = [env.GITHUB_WORKSPACE, env.RUNNER_TEMP, env.CI_PROJECT_DIR].filter((root) => !!root).map((root) => (0,external_node_path_.resolve)(root));
    return [...new Set([...roots.filter((root) => !holdsShared(root)), own])];
}
/** Says which of the job's own variables point at a shared temp dir, and so gave no bind root: else a refused bind would not say why. */
function warnDroppedRoots(env, roots, logger) {
    for (const name of ['GITHUB_WORKSPACE', 'RUNNER_TEMP', 'CI_PROJECT_DIR']) {
        const value = env[name];
        if (value && !roots.includes((0,external_node_path_.resolve)(value))) {
            logger.warn(`dood-policy strict: ${name} (${value}) is or holds a temp dir that every job on this machine shares, so it is no bind root; bind sources must be under ${roots.join(', ')}.`);
        }
    }
}
function doodMode(options, identity, context) {
    const { logger } = context;
    const host = { dockerHost: `unix://${options.socket}` };
    const workDir = (0,external_node_path_.join)(context.tempDir, (0,engine_identity/* resourceName */.Iy)(identity));
    const listenPath = (0,external_node_path_.join)(workDir, 'docker.sock');
    const marker = `--setup-dind-proxy=${workDir}`;
    return {
        sweepEnv: { ...context.env, DOCKER_HOST: host.dockerHost },
        check: () => checkSocket(options.socket, options.timeoutSeconds * 1000, context.docker, context.signal),
        plan: () => (0,plan/* startingPlan */.Cz)('dood', identity.instance, { DOCKER_HOST: host.dockerHost }, { paths: [workDir], labelled: identity.instance, processes: [] }),
        async start(record) {
            await (0,promises_.mkdir)(workDir, { mode: 0o700 });
            const own = await ownContainerMounts(context.docker, host);
            if (own)
                logger.info(`The job runs in container ${own.id.slice(0, 12)}; bind-mount sources are translated through its ${own.mounts.length} mounts.`);
            const jobRoots = bindRoots(context.env, workDir);
            if (options.doodPolicy === 'strict')
                warnDroppedRoots(context.env, jobRoots, logger);
            const roots = jobRoots
                .map((root) => (own ? translateHostPath(root, own.mounts) : root))
                .filter((root) => !!root);
            const proxyOptions = {
                listenPath,
                upstreamPath: options.socket,
                labels: (0,engine_identity/* labelsFor */.dS)(identity, 'job'),
                policy: options.doodPolicy,
                allowedBindRoots: [...new Set(roots)],
                socketPaths: [...new Set([options.socket, (0,external_node_fs_.realpathSync)(options.socket)])],
                ...(own ? { pathMap: own.mounts } : {}),
                logPath: (0,external_node_path_.join)(workDir, 'proxy.log'),
            };
            const pid = await context.background({
                bundle: PROXY_BUNDLE,
                what: 'The DooD proxy',
                marker,
                optionsVariable: 'SETUP_DIND_PROXY_OPTIONS',
                options: proxyOptions,
                stderrPath: (0,external_node_path_.join)(workDir, 'proxy.stderr'),
            });
            record({ processes: [{ pid, marker }] });
            const endpoint = { dockerHost: `unix://${listenPath}` };
            return {
                endpoint,
                env: { DOCKER_HOST: endpoint.dockerHost },
                notReady: (error) => error,
                describe: { transport: `host socket ${options.socket} through a per-job proxy`, warnings: [] },
            };
        },
        async ready() {
            if (options.doodPolicy !== 'none')
                logger.info(`dood-policy ${options.doodPolicy}: requests it forbids are refused with an API error.`);
            return {};
        },
    };
}

;// CONCATENATED MODULE: ./src/teardown/stale.ts


/** Parses `docker … --format '{{.ID}}\t{{.Label …created}}\t{{.Label …owner}}'` lines into stale objects. */
function staleOf(kind, listing, nowSeconds, staleAfterSeconds) {
    const stale = [];
    for (const line of listing.split('\n')) {
        const [id, created, owner] = line.split('\t');
        const createdSeconds = Number(created);
        if (!id || !created || !Number.isFinite(createdSeconds))
            continue;
        const ageSeconds = nowSeconds - createdSeconds;
        if (ageSeconds > staleAfterSeconds)
            stale.push({ kind, id, owner: owner ?? '', ageSeconds });
    }
    return stale;
}
/** How to list and remove each kind of object; containers go first, since they hold networks and volumes. */
const KINDS = [
    { kind: 'container', list: ['ps', '--all', '--no-trunc'], id: '.ID', remove: ['rm', '--force', '--volumes'] },
    { kind: 'network', list: ['network', 'ls', '--no-trunc'], id: '.ID', remove: ['network', 'rm'] },
    { kind: 'volume', list: ['volume', 'ls'], id: '.Name', remove: ['volume', 'rm'] },
];
/**
 * Finds and removes stale objects of every mode: DinD daemons and their data
 * volumes, and the containers, networks and volumes a DooD job created, all
 * of which carry `setup-dind.created`. Never throws: a failed sweep is a
 * warning, not a failed job.
 */
async function sweepStale(docker, staleAfterSeconds, logger, now = Date.now()) {
    if (staleAfterSeconds <= 0)
        return [];
    const nowSeconds = Math.floor(now / 1000);
    const removed = [];
    try {
        const listings = await Promise.all(KINDS.map(({ list, id }) => docker.run([...list, '--filter', `label=${engine_identity/* LABELS */.kg.created}`, '--format', `{{${id}}}\t{{.Label "${engine_identity/* LABELS */.kg.created}"}}\t{{.Label "${engine_identity/* LABELS */.kg.owner}"}}`], {
            timeoutMs: 30_000,
        })));
        for (const [index, { kind, remove }] of KINDS.entries()) {
            // One at a time: an object still in use (a survivor holds it) is left for the next sweep.
            for (const object of staleOf(kind, listings[index], nowSeconds, staleAfterSeconds)) {
                const result = await docker.exec([...remove, object.id], { timeoutMs: 60_000 });
                if (result.code !== 0)
                    continue;
                removed.push(object);
                logger.info(`Removed a stale ${kind} of an earlier run: ${object.id.slice(0, 12)} (owner ${object.owner}, ${(object.ageSeconds / 3600).toFixed(1)} h old)`);
            }
        }
    }
    catch (error) {
        logger.warn(`Could not look for stale leftovers of earlier runs: ${(0,engine_errors/* errorMessage */.gJ)(error)}`);
    }
    return removed;
}

// EXTERNAL MODULE: ./src/teardown/teardown.ts
var teardown = __nccwpck_require__(1818);
;// CONCATENATED MODULE: ./src/engine/job-client.ts
/**
 * Whether the job's own docker CLI can use the new daemon, as later steps
 * will: a DOCKER_API_VERSION outside the daemon's range, or (a daemon whose
 * minimum is above 1.41, as Docker 29.0's is) a CLI it refuses. Any other
 * daemon runs no extra command.
 */

/** Every docker CLI since 20.10 speaks 1.41 or newer; only a daemon that refuses older ones needs a closer look. */
const OLDEST_CLIENT_API = '1.41';
/** Resolves with a warning, or undefined; it never fails the set-up. */
async function jobClientWarning(daemon, daemonEnv, context) {
    if (daemon.minApiVersion === undefined)
        return undefined;
    const { signal } = context;
    const pinned = daemonEnv.DOCKER_API_VERSION?.trim();
    const refusal = pinned
        ? (0,api_version/* pinnedRefusal */.fj)(pinned, daemon.minApiVersion, daemon.apiVersion)
        : (0,api_version/* compareVersions */.Zy)(daemon.minApiVersion, OLDEST_CLIENT_API) > 0
            ? await context.docker
                .cli(daemonEnv)
                .exec(['version', '--format', '{{.Server.APIVersion}}'], { timeoutMs: 15_000, signal })
                .then((result) => result.stderr, () => '')
            : '';
    // A cancelled job is the front end's to end: the daemon is up and in the plan, so post removes it.
    if (signal?.aborted)
        return undefined;
    const refused = (0,api_version/* apiVersionError */.FC)(refusal, 'this daemon', daemonEnv);
    if (!refused)
        return undefined;
    return `${refused.message} docker commands in later steps will fail until it is changed. ${refused.hint ?? ''}`.trim();
}

;// CONCATENATED MODULE: ./src/engine/engine.ts
/**
 * The CI-agnostic entry points: set up a daemon for a job, tear it down.
 * Front ends (the GitHub Action, the CLI) read options, call these, and
 * publish the result in their own way. Every mode runs the same lifecycle
 * (mode.ts); this file is its one driver.
 */










const MODES = {
    dind: dindMode,
    dood: doodMode,
    attach: attachMode,
};
async function setUp(options, context) {
    const identity = (0,engine_identity/* identify */.ls)(context.env);
    if (options.context !== undefined)
        await (0,docker_context/* checkContextFree */.Ki)(options.context, context);
    const began = context.clock.now();
    const run = MODES[options.mode](options, identity, context);
    await run.check();
    // Saved before anything exists, so a teardown finds a half-started daemon.
    let plan = run.plan();
    context.plans.save(plan);
    const record = (update) => {
        plan = { ...plan, ...update };
        context.plans.save(plan);
    };
    // Beside the start, so it costs no time on the critical path; it never fails.
    const sweep = run.sweepEnv === undefined ? Promise.resolve() : sweepStale(context.docker.cli(run.sweepEnv), options.staleAfterSeconds, context.logger);
    try {
        const started = await run.start(record);
        const since = started.since ?? began;
        await waitUntilAnswers(started, since, options, context);
        const readySeconds = (context.clock.now() - since) / 1000;
        record({ stage: 'ready' });
        const [version] = await Promise.all([context.docker.version(started.endpoint).catch(() => undefined), sweep]);
        const later = (await run.ready?.(started.endpoint, version ?? { version: 'unknown', apiVersion: undefined, minApiVersion: undefined })) ?? {};
        let daemon = {
            ...started.describe,
            ...later,
            mode: options.mode,
            endpoint: started.endpoint,
            env: started.env,
            ...(started.certPath === undefined ? {} : { certPath: started.certPath }),
            serverVersion: version?.version ?? 'unknown',
            readySeconds,
            warnings: [...started.describe.warnings, ...(later.warnings ?? [])],
        };
        // The job's own docker CLI against the daemon, as later steps will use it.
        const clientWarning = version && (await jobClientWarning(version, { ...context.env, ...daemon.env }, context));
        if (clientWarning) {
            context.logger.warn(clientWarning);
            daemon.warnings.push(clientWarning);
        }
        if (options.context !== undefined)
            daemon = await (0,docker_context/* withContext */.eQ)(daemon, options.context, plan.instance, record, context);
        return daemon;
    }
    catch (error) {
        await sweep;
        // As a set-up that never got ready: no clean stop of a daemon that failed its set-up (a cache volume's would take 30 s).
        await (0,teardown/* abandon */.e)({ ...plan, stage: 'starting' }, context);
        throw error;
    }
    finally {
        run.dispose?.();
    }
}
/** Waits for GET /_ping within input `timeout`, counted from `since`; the mode explains a daemon that never answered. */
async function waitUntilAnswers(started, since, options, context) {
    const remainingMs = options.timeoutSeconds * 1000 - (context.clock.now() - since);
    try {
        await context.docker.waitUntilReady(started.endpoint, { timeoutMs: Math.max(1, remainingMs), signal: context.signal, giveUp: started.giveUp });
    }
    catch (error) {
        if (error instanceof probe/* NotReadyError */.r1)
            throw await started.notReady(error);
        throw error;
    }
}


/***/ }),

/***/ 7679:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Uc: () => (/* binding */ describeError),
/* harmony export */   bw: () => (/* binding */ SetupDindError),
/* harmony export */   cc: () => (/* binding */ CancelledError),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   gJ: () => (/* binding */ errorMessage)
/* harmony export */ });
/**
 * Errors that reach the user. Every failure the action can foresee is a
 * SetupDindError: a one-line message, optional details (log lines) and a hint
 * saying what to do. Anything else is a bug and is reported with its stack.
 */
class SetupDindError extends Error {
    hint;
    details;
    constructor(message, options = {}) {
        super(message, { cause: options.cause });
        this.name = 'SetupDindError';
        this.hint = options.hint;
        this.details = options.details ?? [];
    }
}
/** A value given for an input (action input, CLI flag or environment variable) is not accepted. */
class InputError extends SetupDindError {
    input;
    constructor(input, problem, accepted) {
        super(`Input "${input}": ${problem}. Accepted: ${accepted}.`);
        this.name = 'InputError';
        this.input = input;
    }
}
/** The job was cancelled (SIGINT/SIGTERM) while the action was working. */
class CancelledError extends SetupDindError {
    constructor(what) {
        super(`Cancelled while ${what}.`);
        this.name = 'CancelledError';
    }
}
/** Message, hint and details as lines for a log. */
function describeError(error) {
    if (error instanceof SetupDindError) {
        return { message: error.message, hint: error.hint, details: error.details };
    }
    if (error instanceof Error) {
        return { message: `Unexpected error: ${error.stack ?? error.message}`, details: [] };
    }
    return { message: `Unexpected error: ${String(error)}`, details: [] };
}
/** An error's message for a one-line report (what was thrown may be anything). */
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}


/***/ }),

/***/ 7106:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ag: () => (/* binding */ LABEL_PREFIX),
/* harmony export */   Iy: () => (/* binding */ resourceName),
/* harmony export */   dS: () => (/* binding */ labelsFor),
/* harmony export */   kg: () => (/* binding */ LABELS),
/* harmony export */   ls: () => (/* binding */ identify)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _ci_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1736);
/**
 * Who owns a resource. Every container and volume the action creates carries
 * these labels, so tests, cleanup of stale leftovers and people can tell ours
 * (and whose) from everything else on a shared host.
 */



const LABEL_PREFIX = 'setup-dind';
const LABELS = {
    /** The CI job (or local process) that created the resource. */
    owner: `${LABEL_PREFIX}.owner`,
    /** The set-up instance: one per action step / `setup-dind up`. */
    instance: `${LABEL_PREFIX}.instance`,
    /** `daemon` for the DinD container, `data` for its /var/lib/docker volume. */
    role: `${LABEL_PREFIX}.role`,
    /** Unix time (seconds) of creation, for finding stale leftovers. */
    created: `${LABEL_PREFIX}.created`,
};
function identify(env, instance = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(5).toString('hex')) {
    const job = (0,_ci_js__WEBPACK_IMPORTED_MODULE_2__/* .ciJob */ .C)(env);
    switch (job.ci) {
        case 'github':
            return { owner: `github:${job.repository ?? '?'}/run/${job.runId}/attempt/${job.attempt}/job/${job.job ?? '?'}`, jobId: job.runId, instance };
        case 'gitlab':
            return { owner: `gitlab:${job.projectPath ?? '?'}/job/${job.jobId}`, jobId: job.jobId, instance };
        default:
            return { owner: `local:${(0,node_os__WEBPACK_IMPORTED_MODULE_1__.hostname)()}/pid/${process.pid}`, jobId: '', instance };
    }
}
/** A Docker object name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, unique per set-up, with the job id for people. */
function resourceName(identity, suffix = '') {
    const job = identity.jobId.replace(/[^a-zA-Z0-9_.-]/g, '').slice(0, 40);
    return [LABEL_PREFIX, job, identity.instance].filter((part) => part !== '').join('-') + suffix;
}
function labelsFor(identity, role, now = Date.now()) {
    return {
        [LABELS.owner]: identity.owner,
        [LABELS.instance]: identity.instance,
        [LABELS.role]: role,
        [LABELS.created]: String(Math.floor(now / 1000)),
    };
}


/***/ }),

/***/ 3139:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ exitWhenFlushed)
/* harmony export */ });
/**
 * Ends a failed or cancelled run now, once stdout and stderr have taken what
 * was written (on Linux, writes to pipes and files are synchronous anyway):
 * what the set-up started has been removed, and nothing left holding the
 * event loop (a request a library keeps open) may keep the CI job waiting.
 * Shared by the action's main step and the CLI.
 */
function exitWhenFlushed(code) {
    let pending = 2;
    const exit = () => {
        if (--pending === 0)
            process.exit(code);
    };
    process.stdout.write('', exit);
    process.stderr.write('', exit);
    // A reader that stopped reading must not hold the job either.
    setTimeout(() => process.exit(code), 2000);
}


/***/ }),

/***/ 8028:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Tt: () => (/* binding */ readOptions),
/* harmony export */   U9: () => (/* binding */ isLoopback)
/* harmony export */ });
/* unused harmony exports parseAs, parseDuration, parseImageReference */
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7679);
/* harmony import */ var _parsers_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(5165);
/* harmony import */ var _registry_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(466);
/**
 * Reading the inputs: each value from the source (action inputs, CLI flags,
 * SETUP_DIND_* variables) is parsed by its entry in the registry, then the
 * rules between inputs are checked, all before anything touches Docker. A bad
 * value fails with an InputError that names the input and what it accepts.
 */






function readOptions(source) {
    const value = (spec) => source(spec.name)?.trim() || spec.default;
    // Given = set to something other than its default (the Actions runner passes every default explicitly).
    const given = (name) => {
        const spec = (0,_registry_js__WEBPACK_IMPORTED_MODULE_2__/* .inputSpec */ .mm)(name);
        return value(spec).toLowerCase() !== spec.default.toLowerCase();
    };
    const parsed = {};
    // Inputs that add to another's option (the daemon.json lists) come after it.
    for (const spec of [..._registry_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc.filter((spec) => !spec.merge), ..._registry_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc.filter((spec) => spec.merge)]) {
        const result = parseAs(spec.name, spec.parser, value(spec));
        parsed[spec.option] = spec.merge ? spec.merge(parsed[spec.option], result) : result;
    }
    const options = parsed;
    // An input that has no effect in the chosen mode or transport is a mistake worth stopping for.
    for (const spec of _registry_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc)
        if (spec.modes && !spec.modes.includes(options.mode) && given(spec.name))
            throw wrongMode(spec.name, spec.modes, options.mode);
    for (const spec of _registry_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc)
        if (spec.transports && !spec.transports.includes(options.transport) && given(spec.name))
            throw wrongTransport(spec, spec.transports, options.transport);
    for (const spec of _registry_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc)
        spec.check?.(options, given);
    return options;
}
function wrongMode(name, modes, mode) {
    const owners = modes.length === 1 ? `mode ${modes[0]} only` : `modes ${modes.join(' and ')} only`;
    return new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `applies to ${owners}, and mode is ${mode}`, `no value in mode ${mode} (remove the input)`);
}
function wrongTransport(spec, transports, transport) {
    const { problem, accepted } = spec.otherTransport ?? {
        problem: `only applies to transport ${transports.map((name) => `"${name}"`).join(' or ')}`,
        accepted: `no value with transport ${transport} (remove the input)`,
    };
    return new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(spec.name, problem, accepted);
}
/** A value read by a parser, its refusal an InputError naming the input. */
function parseAs(input, parser, value) {
    try {
        return parser.parse(value);
    }
    catch (error) {
        if (error instanceof _parsers_js__WEBPACK_IMPORTED_MODULE_1__/* .InvalidValue */ .h6)
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, error.problem, error.accepted);
        throw error;
    }
}
/** `0`, or a number with a unit: 90s, 30m, 6h, 1.5d. */
function parseDuration(input, value, min, max) {
    return parseAs(input, duration(min, max), value);
}
function parseImageReference(input, value) {
    return parseAs(input, imageReference, value);
}
function isLoopback(address) {
    return address === '::1' || /^127\./.test(address);
}


/***/ }),

/***/ 5165:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ae: () => (/* binding */ path),
/* harmony export */   Hd: () => (/* binding */ objectName),
/* harmony export */   Hi: () => (/* binding */ absolutePath),
/* harmony export */   K3: () => (/* binding */ parser),
/* harmony export */   VE: () => (/* binding */ enumOf),
/* harmony export */   c3: () => (/* binding */ listOf),
/* harmony export */   h6: () => (/* binding */ InvalidValue),
/* harmony export */   hD: () => (/* binding */ quote),
/* harmony export */   lq: () => (/* binding */ optional),
/* harmony export */   nd: () => (/* binding */ integer),
/* harmony export */   p0: () => (/* binding */ duration),
/* harmony export */   pF: () => (/* binding */ singleLine),
/* harmony export */   q3: () => (/* binding */ httpUrl),
/* harmony export */   rA: () => (/* binding */ imageReference),
/* harmony export */   zM: () => (/* binding */ boolean)
/* harmony export */ });
/* unused harmony export splitList */
/**
 * Generic parsers for input values. A parser carries the text of what it
 * accepts; a bad value throws InvalidValue (a problem and that text), which
 * the reader of the inputs turns into an InputError naming the input.
 *
 * This module imports nothing of the project, so every feature (daemon.json,
 * MTU, TLS names) can build its own parsers from these without an import cycle.
 */
/** A value a parser refuses: what is wrong with it, and what would be accepted. */
class InvalidValue extends Error {
    problem;
    accepted;
    constructor(problem, accepted) {
        super(`${problem}. Accepted: ${accepted}.`);
        this.problem = problem;
        this.accepted = accepted;
        this.name = 'InvalidValue';
    }
}
function parser(accepted, parse, type = 'string') {
    return { accepted, type, parse };
}
/** Shows a value in an error message without letting it break the message. */
function quote(value) {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
}
function singleLine(value, accepted) {
    if (/[\r\n]/.test(value))
        throw new InvalidValue(`expected one value, got several lines (${quote(value)})`, accepted);
}
/** Items separated by commas, spaces or new lines, without empty ones and duplicates. */
function splitList(value) {
    return [...new Set(value.split(/[\s,]+/).filter((item) => item !== ''))];
}
/** '' (the input left empty) is undefined; anything else goes to `inner`. */
function optional(inner) {
    return parser(inner.accepted, (value) => (value === '' ? undefined : inner.parse(value)), inner.type);
}
/** A list (commas, spaces or new lines; duplicates dropped), each item read by `item`. */
function listOf(item) {
    return parser(item.accepted, (value) => splitList(value).map((entry) => item.parse(entry)));
}
function enumOf(allowed) {
    const accepted = allowed.join(', ');
    return parser(accepted, (value) => {
        singleLine(value, accepted);
        const match = allowed.find((candidate) => candidate === value.toLowerCase());
        if (!match)
            throw new InvalidValue(`${quote(value)} is not a valid value`, accepted);
        return match;
    });
}
function integer(min, max, accepted) {
    return parser(accepted, (value) => {
        singleLine(value, accepted);
        if (!/^\d+$/.test(value))
            throw new InvalidValue(`${quote(value)} is not a whole number`, accepted);
        const number = Number(value);
        if (number < min || number > max)
            throw new InvalidValue(`${value} is out of range`, accepted);
        return number;
    }, 'number');
}
const BOOLEANS = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
/** YAML 1.2 core schema booleans, as @actions/core's getBooleanInput reads them. */
const boolean = parser('true or false', (value) => {
    singleLine(value, 'true or false');
    const result = BOOLEANS[value];
    if (result === undefined)
        throw new InvalidValue(`${quote(value)} is not a boolean`, 'true or false');
    return result;
}, 'boolean');
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 };
/** `0`, or a number with a unit (90s, 30m, 6h, 1.5d), in seconds. */
function duration(min, max) {
    const accepted = `0 (off), or a number with a unit s, m, h or d (e.g. 90m, 6h, 2d) from ${min / 60}m to ${max / 86_400}d`;
    return parser(accepted, (value) => {
        singleLine(value, accepted);
        if (value === '0')
            return 0;
        const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
        if (!match)
            throw new InvalidValue(`${quote(value)} is not a duration`, accepted);
        const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
        if (seconds < min || seconds > max)
            throw new InvalidValue(`${value} is out of range`, accepted);
        return seconds;
    });
}
const path = parser('a directory path', (value) => {
    singleLine(value, 'a directory path');
    if (value.includes('\0'))
        throw new InvalidValue('contains a NUL character', 'a directory path');
    return value;
});
const absolutePath = parser('an absolute path, e.g. /var/run/docker.sock', (value) => {
    const checked = path.parse(value);
    if (!checked.startsWith('/'))
        throw new InvalidValue(`${quote(value)} is not an absolute path`, absolutePath.accepted);
    return checked;
});
/** An http(s) base URL without query, fragment or credentials; trailing slashes dropped. */
function httpUrl(example) {
    const accepted = `an http:// or https:// URL, e.g. ${example}`;
    return parser(accepted, (value) => {
        singleLine(value, accepted);
        let url;
        try {
            url = new URL(value);
        }
        catch {
            throw new InvalidValue(`${quote(value)} is not a URL`, accepted);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
            throw new InvalidValue(`${quote(value)} is not an http(s) URL`, accepted);
        if (url.search !== '' || url.hash !== '')
            throw new InvalidValue(`${quote(value)} carries a query or fragment`, accepted);
        if (url.username !== '' || url.password !== '') {
            // Not echoed: the value holds a secret.
            throw new InvalidValue('credentials in the URL (user:password@) are not supported: they would be logged with every download; use a mirror reachable without them', `${accepted}, without user:password@`);
        }
        return value.replace(/\/+$/, '');
    });
}
// The grammar of github.com/distribution/reference: [domain/]path[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const MAX_NAME_LENGTH = 255;
const imageReference = parser('an image reference such as docker:dind, docker:29-dind or registry.example.com/team/dind:1.2@sha256:<digest>', (value) => {
    const { accepted } = imageReference;
    singleLine(value, accepted);
    const match = REFERENCE.exec(value);
    if (!match)
        throw new InvalidValue(`${quote(value)} is not a valid image reference`, accepted);
    if ((match[1] ?? '').length > MAX_NAME_LENGTH) {
        throw new InvalidValue(`the repository name is longer than ${MAX_NAME_LENGTH} characters`, accepted);
    }
    return value;
});
// Docker's own rule for volume and container names.
const OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
function objectName(accepted) {
    return parser(accepted, (value) => {
        singleLine(value, accepted);
        if (!OBJECT_NAME.test(value) || value.length > 200)
            throw new InvalidValue(`${quote(value)} is not a valid name`, accepted);
        return value;
    });
}


/***/ }),

/***/ 466:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  mc: () => (/* binding */ INPUTS),
  eG: () => (/* binding */ describeInput),
  mm: () => (/* binding */ inputSpec)
});

// UNUSED EXPORTS: DEFAULT_DOCKER_DOWNLOAD_URL, MAX_STALE_AFTER_SECONDS, MAX_TIMEOUT_SECONDS, MIN_STALE_AFTER_SECONDS, OUTPUTS, scopeOf

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __nccwpck_require__(7679);
// EXTERNAL MODULE: ./src/modes/dind/daemon-config.ts
var daemon_config = __nccwpck_require__(2909);
// EXTERNAL MODULE: ./src/modes/dind/mtu.ts
var mtu = __nccwpck_require__(2452);
;// CONCATENATED MODULE: ./src/dood/policy.ts
/** The DooD policies, by name: what the job may ask of the host daemon (README, "DooD"). */
const DOOD_POLICIES = ['none', 'no-privileged', 'strict'];

;// CONCATENATED MODULE: ./src/inputs/options.ts
const MODES = ['dind', 'dood', 'attach'];
const PULL_POLICIES = ['missing', 'always', 'never'];
const TRANSPORTS = ['tcp', 'unix'];

// EXTERNAL MODULE: ./src/inputs/parsers.ts
var parsers = __nccwpck_require__(5165);
;// CONCATENATED MODULE: ./src/inputs/registry.ts
/**
 * Every input and output, once: name, default, description, the modes (and
 * transports) an input applies to, its parser (with what it accepts), where
 * its value goes in Options, the rules it has with other inputs, and its
 * GitLab component counterpart where one exists. action.yml's inputs and
 * outputs, the README's tables, the CLI's flags and help and the components'
 * shared `spec: inputs` are made from it (render.ts, `npm run generate`).
 */







const DEFAULT_DOCKER_DOWNLOAD_URL = 'https://download.docker.com/linux/static/stable';
const MAX_TIMEOUT_SECONDS = 3600;
/** Below this, a sweep could take a live job's daemon for a leftover. */
const MIN_STALE_AFTER_SECONDS = 10 * 60;
const MAX_STALE_AFTER_SECONDS = 365 * 86_400;
function input(spec) {
    return spec;
}
function mergedInput(spec) {
    return spec;
}
const DNS_NAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const sans = (0,parsers/* parser */.K3)('DNS names or IP addresses separated by commas, spaces or new lines, e.g. docker, dind.internal, 10.0.0.5', (value) => {
    const names = value.split(/[\s,]+/).filter((name) => name !== '');
    for (const name of names) {
        if ((0,external_node_net_.isIP)(name) === 0 && !DNS_NAME.test(name))
            throw new parsers/* InvalidValue */.h6(`${(0,parsers/* quote */.hD)(name)} is neither a DNS name nor an IP address`, sans.accepted);
    }
    return names;
});
const bindAddress = (0,parsers/* parser */.K3)('an IP address of this host, e.g. 127.0.0.1 (default), ::1, or 0.0.0.0 for every interface', (value) => {
    (0,parsers/* singleLine */.pF)(value, bindAddress.accepted);
    const address = value.replace(/^\[(.*)\]$/, '$1');
    if ((0,external_node_net_.isIP)(address) === 0)
        throw new parsers/* InvalidValue */.h6(`${(0,parsers/* quote */.hD)(value)} is not an IP address`, bindAddress.accepted);
    return address;
});
const dockerHost = (0,parsers/* parser */.K3)('tcp://HOST:PORT or unix:///ABSOLUTE/PATH (ssh:// and npipe:// are not supported)', (value) => {
    (0,parsers/* singleLine */.pF)(value, dockerHost.accepted);
    if (/^unix:\/\/\/[^\0]*$/.test(value))
        return value;
    const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})\/?$/.exec(value);
    if (tcp && Number(tcp[2]) >= 1 && Number(tcp[2]) <= 65535)
        return value.replace(/\/$/, '');
    throw new parsers/* InvalidValue */.h6(`${(0,parsers/* quote */.hD)(value)} is not a supported Docker endpoint`, dockerHost.accepted);
});
const registry_mtu = (0,parsers/* parser */.K3)('auto, off, or a whole number from 576 to 65535', (value) => {
    (0,parsers/* singleLine */.pF)(value, registry_mtu.accepted);
    const lower = value.toLowerCase();
    if (lower === 'auto' || lower === 'off')
        return lower;
    return (0,parsers/* integer */.nd)(576, 65535, registry_mtu.accepted).parse(value);
});
const contextName = (0,parsers/* parser */.K3)('a docker context name: letters, digits, _ . + - (starting with a letter or digit), not "default", e.g. ci-dind', (value) => {
    (0,parsers/* singleLine */.pF)(value, contextName.accepted);
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/.test(value) || value.length > 200)
        throw new parsers/* InvalidValue */.h6(`${(0,parsers/* quote */.hD)(value)} is not a valid context name`, contextName.accepted);
    if (value === 'default')
        throw new parsers/* InvalidValue */.h6('"default" is the docker CLI\'s own context', contextName.accepted);
    return value;
});
const dockerVersion = (0,parsers/* parser */.K3)('a docker release such as 29.1.3 (or 29.1.3-rc.1), latest, or none (never download)', (value) => {
    (0,parsers/* singleLine */.pF)(value, dockerVersion.accepted);
    const version = value.replace(/^v/, '');
    if (version === 'latest' || version === 'none' || /^\d+\.\d+\.\d+(?:-[a-z]+(?:\.\d+)?)?$/.test(version))
        return version;
    throw new parsers/* InvalidValue */.h6(`${(0,parsers/* quote */.hD)(value)} is not a docker version`, dockerVersion.accepted);
});
const INPUTS = [
    input({
        name: 'mode',
        default: 'dind',
        option: 'mode',
        parser: (0,parsers/* enumOf */.VE)(MODES),
        description: "How the job gets a daemon: `dind` starts a Docker-in-Docker container; `dood` gives the job the host's daemon through its socket, with the job's containers labelled, kept apart and removed after it; `attach` waits for a daemon someone else runs (a GitLab service, a Kubernetes sidecar) and sets the job up for it.",
        docs: 'See [DooD](docs/dood.md) and [Attach](docs/attach.md).',
    }),
    input({
        name: 'image',
        default: 'docker:dind',
        option: 'image',
        parser: parsers/* imageReference */.rA,
        modes: ['dind'],
        description: "image of the daemon container: any image reference (`docker:29-dind`, `registry.example.com/team/dind:1.2@sha256:…`) following the official image's contract (a command starting with `dockerd` runs the daemon).",
        gitlab: {
            components: ['dind'],
            description: 'Image of the Docker-in-Docker service. Any tag or digest that follows the official docker:dind contract (dockerd-entrypoint.sh on the PATH, certificates made in $DOCKER_TLS_CERTDIR), e.g. docker:29-dind.',
        },
    }),
    input({
        name: 'port',
        default: '0',
        option: 'port',
        parser: (0,parsers/* integer */.nd)(0, 65535, 'a whole number from 0 to 65535 (0 picks a free port)'),
        modes: ['dind'],
        transports: ['tcp'],
        description: 'host port for the daemon API, on `bind-address`, 0-65535. `0` lets Docker pick a free port, so concurrent jobs never collide.',
    }),
    input({
        name: 'timeout',
        default: '60',
        option: 'timeoutSeconds',
        parser: (0,parsers/* integer */.nd)(1, MAX_TIMEOUT_SECONDS, `whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`),
        description: `Seconds to wait for the daemon to answer \`GET /_ping\` before failing, 1-${MAX_TIMEOUT_SECONDS}.`,
        gitlab: {
            components: ['dind', 'dood'],
            description: 'Seconds the job waits, in before_script, for the daemon to answer an API call (docker version) before it fails. Whole seconds, at least 1.',
        },
    }),
    input({
        name: 'pull',
        default: 'missing',
        option: 'pull',
        parser: (0,parsers/* enumOf */.VE)(PULL_POLICIES),
        modes: ['dind'],
        description: 'when to pull `image`: `missing` (only if not present), `always` or `never`.',
    }),
    input({
        name: 'daemon-args',
        default: '',
        option: 'daemonArgs',
        parser: daemon_config/* daemonArgsParser */.dD,
        modes: ['dind'],
        description: 'extra `dockerd` flags, separated by spaces or new lines; write `--flag=value`. They reach dockerd as an argument vector, never through a shell. `--host`/`-H` and `--tls*` are refused: the action sets the listener and its security.',
    }),
    input({
        name: 'transport',
        default: 'tcp',
        option: 'transport',
        parser: (0,parsers/* enumOf */.VE)(TRANSPORTS),
        modes: ['dind'],
        description: 'how later steps reach the daemon: `tcp` (a port on `bind-address`) or `unix` (a socket in a per-job directory under `RUNNER_TEMP`, and no TCP listener at all).',
    }),
    input({
        name: 'tls',
        default: 'false',
        option: 'tls',
        parser: parsers/* boolean */.zM,
        modes: ['dind'],
        transports: ['tcp'],
        otherTransport: {
            problem: 'cannot be combined with transport "unix" (a unix socket needs no TLS; file permissions guard it)',
            accepted: 'false with transport unix',
        },
        description: '`true` serves the API with mutual TLS: the action makes a CA, a server and a client certificate for this job and exports `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.',
        gitlab: {
            components: ['dind'],
            default: true,
            description: 'true: the daemon serves mutual TLS on tcp://docker:2376 with certificates the service makes at start (the runner must share /certs/client with services: volumes = ["/certs/client"]). false: plain TCP on tcp://docker:2375 with --tls=false, which spares dockerd\'s deliberate 15 s start delay; anyone on the job\'s network can use the daemon.',
        },
    }),
    input({
        name: 'tls-san',
        default: '',
        option: 'tlsSans',
        parser: sans,
        modes: ['dind'],
        transports: ['tcp'],
        check: (options, given) => {
            if (!options.tls && given('tls-san'))
                throw new errors/* InputError */.dz('tls-san', 'only applies with tls: true', 'no value unless tls is true');
        },
        description: 'with `tls: true`, extra names for the server certificate (DNS names or IP addresses, separated by commas, spaces or new lines), besides `localhost`, `127.0.0.1`, `::1` and `docker`.',
    }),
    input({
        name: 'bind-address',
        default: '127.0.0.1',
        option: 'bindAddress',
        parser: bindAddress,
        modes: ['dind'],
        transports: ['tcp'],
        description: 'host address the port is published on. Anything but a loopback address exposes the daemon to the network; the action then warns in the log and the job summary.',
    }),
    input({
        name: 'docker-host',
        default: '',
        option: 'dockerHost',
        parser: (0,parsers/* optional */.lq)(dockerHost),
        modes: ['attach'],
        defaultText: 'from the environment',
        description: 'the daemon to wait for, `tcp://HOST:PORT` or `unix:///PATH`. Default: `DOCKER_HOST`, else `tcp://docker:2376` when client certificates are found (`DOCKER_CERT_PATH` or `$DOCKER_TLS_CERTDIR/client`), else `tcp://docker:2375`.',
    }),
    input({
        name: 'cert-path',
        default: '',
        option: 'certPath',
        parser: (0,parsers/* optional */.lq)(parsers/* path */.Ae),
        modes: ['attach'],
        defaultText: 'from the environment',
        description: 'directory with the client certificates (`ca.pem`, `cert.pem`, `key.pem`) of a TLS endpoint. Default: `DOCKER_CERT_PATH`, else `$DOCKER_TLS_CERTDIR/client`.',
    }),
    input({
        name: 'stale-after',
        default: '6h',
        option: 'staleAfterSeconds',
        parser: (0,parsers/* duration */.p0)(MIN_STALE_AFTER_SECONDS, MAX_STALE_AFTER_SECONDS),
        modes: ['dind', 'dood'],
        description: "at start, remove leftovers (DinD daemons and their volumes; the containers, networks and volumes of DooD jobs) of earlier runs that never reached their teardown (a runner that died before its post step), found by their `setup-dind.*` labels, when older than this: a number with a unit (`90m`, `6h`, `2d`; at least `10m`, so a live job is never taken for a leftover), or `0` to disable. 6 h is GitHub's longest job.",
    }),
    input({
        name: 'socket',
        default: '/var/run/docker.sock',
        option: 'socket',
        parser: parsers/* absolutePath */.Hi,
        modes: ['dood'],
        description: "the host daemon's socket, as mounted into the job.",
    }),
    input({
        name: 'dood-policy',
        default: 'none',
        option: 'doodPolicy',
        parser: (0,parsers/* enumOf */.VE)(DOOD_POLICIES),
        modes: ['dood'],
        description: 'what the job may ask of the host daemon: `none`; `no-privileged` (no privileged containers); `strict` (also no host namespaces (network, pid, ipc, uts, userns, cgroupns), no bind mounts outside the job\'s workspace, RUNNER_TEMP and its own directory, no mounting the socket again, only the job\'s own containers, volumes and networks, only Engine API endpoints and body fields the proxy knows, no replacing or removing image tags another job or the host made, no image or build-cache prune). Refusals reach the docker CLI as API errors (`Error response from daemon: setup-dind dood-policy strict: …`).',
    }),
    input({
        name: 'load-images',
        default: '',
        option: 'loadImages',
        parser: (0,parsers/* listOf */.c3)(parsers/* imageReference */.rA),
        modes: ['dind'],
        description: "images to copy from the runner's daemon into the new one before the job, separated by commas, spaces or new lines: streamed (`docker save | docker load`, no temporary file), so no pull and no registry rate limit. An image the runner does not have fails the step before anything starts; the copy's duration is in the job summary.",
        docs: 'See [Preloaded images](docs/clusters.md#preloaded-images).',
    }),
    input({
        name: 'mount-workspace',
        default: 'true',
        option: 'mountWorkspace',
        parser: parsers/* boolean */.zM,
        modes: ['dind'],
        description: "`true` bind-mounts the job's workspace (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`, else the working directory) and `RUNNER_TEMP` into the DinD container at the same paths, so `-v \"$PWD:/src\"` and compose's relative bind mounts see the job's files, read and write, as on a local engine. `false` keeps the DinD daemon's file system apart from the job's.",
    }),
    mergedInput({
        name: 'registry-mirrors',
        default: '',
        option: 'daemonConfig',
        parser: daemon_config/* registryMirrorsParser */.L9,
        merge: (0,daemon_config/* mergeList */.XA)('registry-mirrors'),
        modes: ['dind'],
        description: 'registry mirrors for the inner daemon, `http://` or `https://` URLs separated by commas, spaces or new lines; written to its `daemon.json`.',
    }),
    mergedInput({
        name: 'insecure-registries',
        default: '',
        option: 'daemonConfig',
        parser: daemon_config/* insecureRegistriesParser */.Zl,
        merge: (0,daemon_config/* mergeList */.XA)('insecure-registries'),
        modes: ['dind'],
        description: 'registries the inner daemon may reach without TLS verification (`host`, `host:port` or a CIDR range), separated by commas, spaces or new lines; written to its `daemon.json`.',
    }),
    input({
        name: 'daemon-config',
        default: '',
        option: 'daemonConfig',
        parser: daemon_config/* daemonConfigParser */.U3,
        modes: ['dind'],
        description: 'more `daemon.json` for the inner daemon, as a JSON object, merged with `registry-mirrors` and `insecure-registries` and mounted read-only at `/etc/docker/daemon.json`. Invalid JSON, or a key the action sets itself (`hosts`, `tls*`, `group`, `data-root`), fails before anything starts; a configuration the daemon refuses fails at once with the daemon\'s own message.',
        docs: 'See [Registry mirrors and daemon configuration](docs/clusters.md#registry-mirrors-and-daemon-configuration).',
    }),
    input({
        name: 'mtu',
        default: 'auto',
        option: 'mtu',
        parser: registry_mtu,
        modes: ['dind'],
        check: (options) => {
            if (options.mtu === 'auto' || options.mtu === 'off')
                return;
            const clash = (0,mtu/* mtuClash */.wP)(options);
            if (clash)
                throw new errors/* InputError */.dz('mtu', `${options.mtu} clashes with ${clash}`, 'auto, off or a number, with no MTU in daemon-args or daemon-config');
        },
        description: "MTU of the inner daemon's networks. `auto` uses the MTU of this host's default-route interface when it is below 1500 (Kubernetes overlays, VPNs) and leaves 1500 otherwise; `off` leaves dockerd's default; a number (576-65535) forces it. Applied to the default bridge (`--mtu`) and, on Docker 24+, to the networks the job creates (`--default-network-opt`).",
        docs: 'See [MTU](docs/clusters.md#mtu).',
        gitlab: {
            components: ['dind'],
            type: 'string',
            default: 'auto',
            // auto, off, empty (off, the default before auto) or 576-65535, checked when the pipeline is made.
            regex: '^(auto|off|57[6-9]|5[89][0-9]|[6-9][0-9]{2}|[1-9][0-9]{3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])?$',
            description: "MTU of the inner daemon's networks. auto: the service reads the MTU of its default-route interface and, below 1500 (Kubernetes overlays, runners with a smaller bridge MTU), gives it to dockerd for the default bridge and, on Docker 24+ (the image's DOCKER_VERSION), for the networks the job creates. off: dockerd's default (1500). Empty is off. A number from 576 to 65535 (quoted: it is a string input) forces it. The service log says what was chosen and why.",
        },
    }),
    input({
        name: 'cache-volume',
        default: '',
        option: 'cacheVolume',
        parser: (0,parsers/* optional */.lq)((0,parsers/* objectName */.Hd)('a Docker volume name: letters, digits, _ . - (starting with a letter or digit), e.g. dind-cache')),
        modes: ['dind'],
        description: "keep the inner daemon's `/var/lib/docker` (images, layers, build cache) in this named volume, so the next job on this runner starts with them. Post stops the daemon cleanly and keeps the volume. One daemon at a time: a job that finds the volume in use waits up to `timeout`, then fails naming the job that holds it.",
        docs: 'See [Layer cache across jobs](docs/clusters.md#layer-cache-across-jobs).',
    }),
    input({
        name: 'context',
        default: '',
        option: 'context',
        parser: (0,parsers/* optional */.lq)(contextName),
        description: 'Also create a docker context of this name for the daemon (with the TLS material when the endpoint uses TLS), for tools that take a context name (`docker buildx create NAME`, `docker --context NAME`); post removes it. `DOCKER_HOST` is still exported, not `DOCKER_CONTEXT`: SDKs ignore contexts, and every client must reach the same daemon. A context that already exists fails the step before anything starts.',
        docs: 'See [Docker context](docs/clusters.md#docker-context).',
    }),
    input({
        name: 'docker-version',
        default: '',
        option: 'dockerVersion',
        parser: (0,parsers/* optional */.lq)(dockerVersion),
        description: 'The docker CLI for this and later steps. Empty: the `docker` on `PATH`, downloading the static client only when there is none. A version (`29.1.3`) or `latest`: that client, downloaded from `docker-download-url`, cached in the tool cache and put first on `PATH`. `none`: never download, for jobs that need no docker CLI (mode `attach` or `dood` with only an SDK) on a network without the download site.',
        docs: 'See [A docker CLI where the job has none](docs/clusters.md#a-docker-cli-where-the-job-has-none).',
    }),
    input({
        name: 'docker-download-url',
        default: DEFAULT_DOCKER_DOWNLOAD_URL,
        option: 'dockerDownloadUrl',
        parser: (0,parsers/* httpUrl */.q3)(DEFAULT_DOCKER_DOWNLOAD_URL),
        description: 'Base URL of the static docker client downloads, as `<url>/<arch>/docker-<version>.tgz` (`x86_64`, `aarch64`, `armhf`): a mirror for air-gapped networks.',
    }),
];
const OUTPUTS = [
    {
        name: 'docker-host',
        example: 'tcp://127.0.0.1:32768',
        description: "The daemon's endpoint (`tcp://127.0.0.1:PORT` or `unix:///PATH`); also exported as `DOCKER_HOST` for later steps.",
    },
    { name: 'container-id', example: '3f2a…', description: 'ID of the DinD container (empty in modes `attach` and `dood`).' },
    {
        name: 'container-name',
        example: 'setup-dind-1234567890-6ebba19f9c',
        description: 'Name of the DinD container: the run id plus a random part, unique per job and step (empty in modes `attach` and `dood`).',
    },
    { name: 'server-version', example: '29.0.1', description: 'Version of the Docker engine that answers at `docker-host`.' },
    {
        name: 'ready-seconds',
        example: '1.70',
        description: 'Seconds from the start of the work (`docker run`, or the first probe in mode `attach`) until the daemon answered `GET /_ping`.',
    },
    {
        name: 'cert-path',
        example: '/home/runner/work/_temp/setup-dind-…/client',
        description: 'The client certificate directory when the endpoint uses TLS, else empty; also exported as `DOCKER_CERT_PATH`, with `DOCKER_TLS_VERIFY=1`.',
    },
    {
        name: 'docker-cli-path',
        example: '/opt/hostedtoolcache/docker/29.1.3/x64/docker',
        description: 'Path of the docker CLI later steps run: downloaded (see `docker-version`) or found on `PATH`.',
    },
    { name: 'docker-cli-version', example: '29.1.3', description: 'Version of that docker CLI.' },
];
const MODE_TITLES = { dind: 'DinD', dood: 'DooD', attach: 'Attach' };
/** "DinD over TCP: ", "DinD and DooD: ", or '' for an input of every mode. */
function scopeOf(spec) {
    if (spec.modes === undefined)
        return '';
    const transports = spec.transports ? ` over ${spec.transports.map((transport) => transport.toUpperCase()).join(' or ')}` : '';
    return `${spec.modes.map((mode) => MODE_TITLES[mode]).join(' and ')}${transports}: `;
}
/** The description with its scope, as every front end shows it (Markdown). */
function describeInput(spec) {
    return `${scopeOf(spec)}${spec.description}`;
}
function inputSpec(name) {
    const found = INPUTS.find((spec) => spec.name === name);
    if (!found)
        throw new Error(`BUG: unknown input ${name}`);
    return found;
}


/***/ }),

/***/ 2909:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   L9: () => (/* binding */ registryMirrorsParser),
/* harmony export */   MJ: () => (/* binding */ CONTAINER_DAEMON_JSON),
/* harmony export */   U3: () => (/* binding */ daemonConfigParser),
/* harmony export */   XA: () => (/* binding */ mergeList),
/* harmony export */   Zl: () => (/* binding */ insecureRegistriesParser),
/* harmony export */   dD: () => (/* binding */ daemonArgsParser)
/* harmony export */ });
/* harmony import */ var _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5165);
/**
 * The inner daemon's own configuration: extra dockerd flags (`daemon-args`)
 * and its daemon.json, `daemon-config` (JSON) merged with the lists
 * `registry-mirrors` and `insecure-registries`, mounted read-only at
 * /etc/docker/daemon.json. Flags and keys the action sets itself (the
 * listeners, their TLS, the data root on its volume) are refused: dockerd
 * would stop at a directive given both as a flag and in the file, or the
 * action's promises (loopback, TLS, teardown of the data) would no longer hold.
 */

/** Where the image's dockerd reads its configuration by default. */
const CONTAINER_DAEMON_JSON = '/etc/docker/daemon.json';
const RESERVED_KEYS = ['hosts', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey', 'group', 'data-root', 'graph', 'pidfile'];
/** A JSON object of dockerd options; '' and {} are undefined (no daemon.json). */
const daemonConfigParser = (0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .parser */ .K3)('a JSON object of dockerd options, e.g. {"log-level": "warn", "features": {"containerd-snapshotter": true}}', (value) => {
    const { accepted } = daemonConfigParser;
    if (value.trim() === '')
        return undefined;
    let parsed;
    try {
        parsed = JSON.parse(value);
    }
    catch (error) {
        throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`, accepted);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`${(0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .quote */ .hD)(value)} is not a JSON object`, accepted);
    }
    for (const key of Object.keys(parsed)) {
        if (RESERVED_KEYS.includes(key)) {
            throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`"${key}" is set by the action itself (listeners, their security and the data volume)`, `${accepted}, without ${RESERVED_KEYS.join(', ')}`);
        }
    }
    return Object.keys(parsed).length === 0 ? undefined : parsed;
});
const registryMirrorsParser = (0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .listOf */ .c3)((0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .parser */ .K3)('http:// or https:// URLs, separated by commas, spaces or new lines', (mirror) => {
    let url;
    try {
        url = new URL(mirror);
    }
    catch {
        url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.hostname === '') {
        throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`${(0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .quote */ .hD)(mirror)} is not an http:// or https:// URL`, registryMirrorsParser.accepted);
    }
    return mirror;
}));
const insecureRegistriesParser = (0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .listOf */ .c3)((0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .parser */ .K3)('registry hosts (host or host:port) or CIDR ranges, e.g. registry.internal:5000, 10.0.0.0/8', (registry) => {
    if (!/^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?|\[[0-9a-fA-F:]+\](?::\d{1,5})?|[0-9a-fA-F:.]+\/\d{1,3})$/.test(registry)) {
        throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`${(0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .quote */ .hD)(registry)} is neither a registry host nor a CIDR range`, insecureRegistriesParser.accepted);
    }
    return registry;
}));
/**
 * Adds a list input (registry-mirrors, insecure-registries) to the daemon.json
 * list of that name, after the entries daemon-config has; undefined when
 * nothing is left to configure.
 */
function mergeList(key) {
    return (config, items) => {
        const merged = { ...config };
        const existing = Array.isArray(merged[key]) ? merged[key].map(String) : [];
        const all = [...new Set([...existing, ...items])];
        if (all.length > 0)
            merged[key] = all;
        return Object.keys(merged).length === 0 ? undefined : merged;
    };
}
/** dockerd flags the action sets itself: the listeners and their transport security. */
const RESERVED_DAEMON_FLAGS = ['-H', '--host', '--tls', '--tlsverify', '--tlscacert', '--tlscert', '--tlskey'];
/** dockerd's one-letter flags that take a value: the rest of a cluster such as `-lwarn` is that value. */
const VALUE_SHORTHANDS = new Set(['l', 'G', 'b', 'p', 's', 'g', 'e']);
/** Whether a cluster of one-letter flags (`-H…`, `-DH…`) sets -H, as dockerd's flag parser reads it. */
function setsHostShorthand(arg) {
    if (!/^-[^-]/.test(arg))
        return false;
    for (const letter of arg.slice(1)) {
        if (letter === 'H')
            return true;
        if (VALUE_SHORTHANDS.has(letter) || letter === '=')
            return false;
    }
    return false;
}
/** dockerd flags separated by whitespace, as an argument vector. */
const daemonArgsParser = (0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .parser */ .K3)('dockerd flags such as --mtu=1400 --registry-mirror=https://mirror.example, separated by spaces or new lines', (value) => {
    const { accepted } = daemonArgsParser;
    const args = value.split(/\s+/).filter((arg) => arg !== '');
    if (args.length > 0 && !args[0].startsWith('-')) {
        throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`${(0,_inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .quote */ .hD)(args[0])} is not a dockerd flag (flags start with -)`, accepted);
    }
    for (const arg of args) {
        const flag = arg.split('=', 1)[0];
        if (RESERVED_DAEMON_FLAGS.includes(flag) || setsHostShorthand(arg)) {
            throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6(`${flag.startsWith('--') ? flag : '-H'} is set by the action itself (it chooses the daemon's listener and its security)`, accepted);
        }
        if (/[\0]/.test(arg))
            throw new _inputs_parsers_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidValue */ .h6('contains a NUL character', accepted);
    }
    return args;
});


/***/ }),

/***/ 2452:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   UL: () => (/* binding */ chooseMtu),
/* harmony export */   wP: () => (/* binding */ mtuClash)
/* harmony export */ });
/* unused harmony exports DOCKER_DEFAULT_MTU, NETWORK_OPTS_SINCE_MAJOR, MTU_OPTION, userNetworkDefault, hostMtu, defaultRouteInterface */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/**
 * The inner daemon's MTU (input `mtu`).
 *
 * On overlays (Kubernetes CNIs, VPNs) the job's interface has an MTU below
 * 1500 while dockerd's bridges default to 1500: small packets pass, large
 * ones (TLS handshakes, layer downloads) vanish, and pulls stall silently.
 * `auto` reads the MTU of the interface that carries this host's default
 * route ("host" being where the action runs: the job's network namespace,
 * e.g. the pod) and hands it to the inner daemon when it is below 1500:
 *
 * - `--mtu=N` for the default bridge (every dockerd);
 * - `--default-network-opt=bridge=com.docker.network.driver.mtu=N` for the
 *   bridge networks the job creates (`docker network create`, compose):
 *   dockerd 24+ only, and an older dockerd exits on the unknown flag, so the
 *   engine version is read from the image (its DOCKER_VERSION variable, as
 *   the official docker images set it) before the daemon starts.
 *
 * Flags rather than daemon.json: daemon.json is the user's (daemon-config),
 * and dockerd refuses an option given both ways.
 */


/** dockerd's own default, and the MTU `auto` leaves alone. */
const DOCKER_DEFAULT_MTU = 1500;
/** The first Docker release whose dockerd knows `--default-network-opt` / `default-network-opts`. */
const NETWORK_OPTS_SINCE_MAJOR = 24;
/** The bridge driver's option that sets a network's MTU. */
const MTU_OPTION = 'com.docker.network.driver.mtu';
/** Where else the MTU may already be set: then `mtu: auto` stands back, and a number is a contradiction (input mtu refuses it). */
function mtuClash(options) {
    if (options.daemonArgs.some((arg) => /^--mtu(=|$)/.test(arg)))
        return '--mtu in daemon-args';
    if (options.daemonConfig !== undefined && 'mtu' in options.daemonConfig)
        return '"mtu" in daemon-config';
    return undefined;
}
async function chooseMtu(options, image, host = { root: '/' }) {
    if (options.mtu === 'off')
        return leave('input mtu is off: dockerd keeps its default');
    let mtu;
    let source;
    if (options.mtu === 'auto') {
        // The user's own --mtu or "mtu" wins over a guess.
        const clash = mtuClash(options);
        if (clash)
            return leave(`mtu auto stands back: ${clash} sets it`);
        const found = await hostMtu(host.root);
        if ('reason' in found)
            return leave(`${found.reason}; dockerd keeps its default`);
        if (found.mtu >= DOCKER_DEFAULT_MTU)
            return leave(`${found.iface} of this host has MTU ${found.mtu}: dockerd's default ${DOCKER_DEFAULT_MTU} fits`);
        mtu = found.mtu;
        source = `${found.iface} of this host has MTU ${found.mtu}`;
    }
    else {
        mtu = options.mtu;
        source = 'input mtu';
    }
    const daemonArgs = [`--mtu=${mtu}`];
    const warnings = [];
    const networks = await networkDefault(options, mtu, image);
    if (networks.apply)
        daemonArgs.push(`--default-network-opt=bridge=${MTU_OPTION}=${mtu}`);
    if (networks.warning)
        warnings.push(networks.warning);
    return { mtu, daemonArgs, reason: `${source}; ${networks.note}`, warnings };
}
function leave(reason) {
    return { mtu: undefined, daemonArgs: [], reason, warnings: [] };
}
/** Whether the MTU can also become the default of networks the job creates, and what to tell the user. */
async function networkDefault(options, mtu, image) {
    const perNetwork = `networks the job creates keep ${DOCKER_DEFAULT_MTU} unless created with \`docker network create -o ${MTU_OPTION}=${mtu}\` (compose: \`driver_opts: {${MTU_OPTION}: "${mtu}"}\`)`;
    const user = userNetworkDefault(options);
    if (user === 'mtu')
        return { apply: false, note: 'networks the job creates get the MTU that daemon-args or daemon-config set for them' };
    if (user === 'config') {
        // A flag beside the file's "default-network-opts" would make dockerd refuse to start.
        return {
            apply: false,
            note: 'default bridge only',
            warning: `Input daemon-config sets "default-network-opts" without an MTU for "bridge", so the action cannot add one: ${perNetwork}. ` +
                `Add "${MTU_OPTION}": "${mtu}" under its "bridge" key to cover them.`,
        };
    }
    const engine = await image.engineVersion();
    if (engine.major !== undefined && engine.major >= NETWORK_OPTS_SINCE_MAJOR) {
        return { apply: true, note: `default bridge and networks the job creates (Docker ${engine.version ?? engine.major})` };
    }
    // The image is absent and may not or could not be pulled: the start fails anyway, with its own message.
    if (engine.absent)
        return { apply: false, note: 'default bridge only' };
    const what = engine.version !== undefined ? `runs Docker ${engine.version}` : `has an engine of unknown version (${engine.why ?? 'no DOCKER_VERSION in its environment'})`;
    return {
        apply: false,
        note: 'default bridge only',
        warning: `MTU ${mtu} applies to the inner default bridge only: ${options.image} ${what}, and only Docker ${NETWORK_OPTS_SINCE_MAJOR}+ ` +
            `can make it the default of new networks (--default-network-opt); ${perNetwork}.`,
    };
}
/**
 * Whether daemon-args or daemon-config already set default network options:
 * 'mtu' when they set the bridge MTU (theirs wins), 'config' when
 * daemon-config has default-network-opts without it (no flag may be added).
 */
function userNetworkDefault(options) {
    const flagValues = options.daemonArgs.flatMap((arg, index) => {
        if (arg.startsWith('--default-network-opt='))
            return [arg.slice('--default-network-opt='.length)];
        if (arg === '--default-network-opt')
            return [options.daemonArgs[index + 1] ?? ''];
        return [];
    });
    if (flagValues.some((value) => value.startsWith(`bridge=${MTU_OPTION}=`)))
        return 'mtu';
    const opts = options.daemonConfig?.['default-network-opts'];
    if (opts === undefined)
        return undefined;
    const bridge = typeof opts === 'object' && opts !== null ? opts.bridge : undefined;
    if (typeof bridge === 'object' && bridge !== null && MTU_OPTION in bridge)
        return 'mtu';
    return 'config';
}
/** The MTU of the interface that carries this host's default route, or why it is unknown. */
async function hostMtu(root = '/') {
    const read = (path) => (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(root, path), 'utf8').catch(() => undefined);
    const [ipv4, ipv6] = await Promise.all([read('proc/net/route'), read('proc/net/ipv6_route')]);
    if (ipv4 === undefined && ipv6 === undefined)
        return { reason: 'cannot read /proc/net/route' };
    const iface = defaultRouteInterface(ipv4, ipv6);
    if (iface === undefined)
        return { reason: 'this host has no default route' };
    // An interface name from the kernel's table, but never let it climb out of /sys/class/net.
    if (!/^[^/\0]+$/.test(iface) || iface === '.' || iface === '..')
        return { reason: `unexpected interface name ${JSON.stringify(iface)}` };
    const text = await read(`sys/class/net/${iface}/mtu`);
    const mtu = Number.parseInt(text?.trim() ?? '', 10);
    if (!Number.isInteger(mtu) || mtu <= 0)
        return { reason: `cannot read the MTU of ${iface} (/sys/class/net/${iface}/mtu)` };
    return { iface, mtu };
}
const RTF_UP = 0x1;
const RTF_REJECT = 0x200;
/**
 * The interface of the default route: IPv4 first (/proc/net/route: destination
 * and mask 00000000, lowest metric), else IPv6 (/proc/net/ipv6_route: ::/0).
 * Routes that are down, reject routes and loopback are skipped.
 */
function defaultRouteInterface(ipv4Routes, ipv6Routes) {
    return lowestMetric(ipv4Defaults(ipv4Routes ?? '')) ?? lowestMetric(ipv6Defaults(ipv6Routes ?? ''));
}
function lowestMetric(routes) {
    return routes.reduce((best, route) => (best === undefined || route.metric < best.metric ? route : best), undefined)?.iface;
}
// Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT; hex except RefCnt, Use, Metric.
function ipv4Defaults(text) {
    return text
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length >= 8)
        .filter(([iface, destination, , flags, , , , mask]) => {
        const bits = Number.parseInt(flags, 16);
        return destination === '00000000' && mask === '00000000' && iface !== 'lo' && (bits & RTF_UP) !== 0 && (bits & RTF_REJECT) === 0;
    })
        .map((fields) => ({ iface: fields[0], metric: Number.parseInt(fields[6], 10) }));
}
// destination prefix-length source prefix-length next-hop metric refcnt use flags iface; all hex, no header.
function ipv6Defaults(text) {
    return text
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length >= 10)
        .filter(([destination, prefix, , , , , , , flags, iface]) => {
        const bits = Number.parseInt(flags, 16);
        return /^0{32}$/.test(destination) && prefix === '00' && iface !== 'lo' && (bits & RTF_UP) !== 0 && (bits & RTF_REJECT) === 0;
    })
        .map((fields) => ({ iface: fields[9], metric: Number.parseInt(fields[5], 16) }));
}


/***/ }),

/***/ 385:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Cz: () => (/* binding */ startingPlan),
/* harmony export */   Iz: () => (/* binding */ envWithDocker),
/* harmony export */   dE: () => (/* binding */ dockerEnvOf),
/* harmony export */   lM: () => (/* binding */ isEmptyPlan),
/* harmony export */   vS: () => (/* binding */ parsePlan)
/* harmony export */ });
/* unused harmony export DOCKER_ENV_KEYS */
/** The environment variables that select the Docker daemon the docker CLI talks to. */
const DOCKER_ENV_KEYS = [
    'DOCKER_HOST',
    'DOCKER_CONTEXT',
    'DOCKER_TLS_VERIFY',
    'DOCKER_CERT_PATH',
    'DOCKER_CONFIG',
    'DOCKER_API_VERSION',
];
/** A set-up's first plan: what it will create (`parts`), through the daemon `dockerEnv` selects; nothing else. */
function startingPlan(mode, instance, dockerEnv, parts = {}) {
    return { version: 1, mode, instance, stage: 'starting', dockerEnv, containers: [], volumes: [], paths: [], ...parts };
}
function dockerEnvOf(env) {
    const picked = {};
    for (const key of DOCKER_ENV_KEYS) {
        const value = env[key];
        if (value !== undefined && value !== '')
            picked[key] = value;
    }
    return picked;
}
/**
 * The job's environment with the Docker variables replaced by those of the
 * plan: post runs with the DOCKER_HOST that main exported (the DinD daemon),
 * but must talk to the daemon that started the DinD container.
 */
function envWithDocker(env, dockerEnv) {
    const result = { ...env };
    for (const key of DOCKER_ENV_KEYS)
        delete result[key];
    return { ...result, ...dockerEnv };
}
function isEmptyPlan(plan) {
    return (plan.containers.length === 0 &&
        plan.volumes.length === 0 &&
        plan.paths.length === 0 &&
        plan.labelled === undefined &&
        (plan.processes?.length ?? 0) === 0 &&
        (plan.contexts?.length ?? 0) === 0);
}
/** Parses a saved plan; '' (nothing saved) gives undefined, garbage throws. */
function parsePlan(text) {
    if (text.trim() === '')
        return undefined;
    const value = JSON.parse(text);
    if (!isPlan(value))
        throw new Error('the saved teardown plan has an unexpected shape');
    return value;
}
function isStringArray(value) {
    return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
function isPlan(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const plan = value;
    return (plan.version === 1 &&
        typeof plan.mode === 'string' &&
        typeof plan.instance === 'string' &&
        typeof plan.dockerEnv === 'object' &&
        plan.dockerEnv !== null &&
        isStringArray(plan.containers) &&
        isStringArray(plan.volumes) &&
        isStringArray(plan.paths) &&
        (plan.labelled === undefined || typeof plan.labelled === 'string') &&
        (plan.stopSeconds === undefined || typeof plan.stopSeconds === 'number') &&
        (plan.contexts === undefined || isStringArray(plan.contexts)) &&
        (plan.processes === undefined ||
            (Array.isArray(plan.processes) &&
                plan.processes.every((entry) => {
                    const process = entry;
                    return typeof process?.pid === 'number' && typeof process.marker === 'string';
                }))));
}


/***/ }),

/***/ 1818:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ abandon),
/* harmony export */   x: () => (/* binding */ tearDown)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _engine_identity_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7106);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7679);
/* harmony import */ var _docker_docker_cli_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7005);
/* harmony import */ var _plan_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(385);
/* harmony import */ var _docker_docker_context_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(5380);
/**
 * Removes what a teardown plan names, through the daemon that created it.
 * Never throws: a teardown that fails must not fail a job that passed, so
 * every problem becomes a warning, and what is already gone is no problem.
 */







const DAEMON_LOG_LINES = 50;
const REMOVE_TIMEOUT_MS = 60_000;
/**
 * A set-up that failed removes what it started before it reports the
 * failure, so nothing is left where no teardown step runs (the CLI's `up`);
 * what it could not remove stays in the plan for one that does.
 */
async function abandon(plan, context) {
    const { remaining } = await tearDown(plan, context, { quiet: true });
    context.plans.save((0,_plan_js__WEBPACK_IMPORTED_MODULE_6__/* .isEmptyPlan */ .lM)(remaining) ? { ...remaining, stage: 'done' } : remaining);
}
async function tearDown(plan, context, options = {}) {
    const remaining = { ...plan, containers: [], volumes: [], paths: [], labelled: undefined, processes: [], contexts: [] };
    const result = { complete: true, removed: [], alreadyGone: [], failed: [], remaining, publishedPorts: [] };
    if ((0,_plan_js__WEBPACK_IMPORTED_MODULE_6__/* .isEmptyPlan */ .lM)(plan))
        return result;
    const run = {
        plan,
        docker: context.docker.cli((0,_plan_js__WEBPACK_IMPORTED_MODULE_6__/* .envWithDocker */ .Iz)(context.env, plan.dockerEnv)),
        logger: context.logger,
        quiet: options.quiet === true,
        result,
        fail(what, why) {
            result.complete = false;
            result.failed.push(what);
            context.logger.warn(`Could not remove ${what}: ${why}`);
        },
    };
    // In this order: the job's objects and contexts before the daemon container that may hold them, files last.
    await removeJobObjects(run);
    await removeContexts(run);
    for (const container of plan.containers)
        await removeContainer(run, container);
    await removeVolumes(run);
    await stopProcesses(run);
    await removePaths(run);
    return result;
}
async function removeJobObjects({ plan, docker, result, fail }) {
    if (plan.labelled === undefined)
        return;
    // A failure here (no docker CLI, no daemon) must not stop the rest: the proxy and files still go.
    const swept = await removeLabelled(docker, plan.labelled, result).catch((error) => {
        fail(`the job's objects (label ${_engine_identity_js__WEBPACK_IMPORTED_MODULE_2__/* .LABELS */ .kg.instance}=${plan.labelled})`, (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error));
        return false;
    });
    if (!swept)
        result.remaining.labelled = plan.labelled;
}
async function removeContexts({ plan, docker, result, fail }) {
    for (const name of plan.contexts ?? []) {
        const outcome = await (0,_docker_docker_context_js__WEBPACK_IMPORTED_MODULE_5__/* .removeContext */ .wr)(docker, name, plan.instance).catch(_engine_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ);
        if (outcome === 'removed')
            result.removed.push(`docker context ${name}`);
        else if (outcome === 'gone')
            result.alreadyGone.push(`docker context ${name}`);
        else if (outcome === 'not ours')
            result.alreadyGone.push(`docker context ${name} (the name now belongs to another set-up, left alone)`);
        else {
            fail(`docker context ${name}`, outcome);
            result.remaining.contexts.push(name);
        }
    }
}
async function removeContainer(run, container) {
    const { plan, docker, result, fail } = run;
    try {
        // By name only until we know it is ours: a cache volume's holder name passes from job to job.
        const found = await inspectContainer(docker, container);
        if (found === 'gone') {
            result.alreadyGone.push(`container ${container}`);
            return;
        }
        if (found !== undefined && found.instance !== plan.instance) {
            // Also one without the label: a container setup-dind did not make squats the name.
            const whose = found.instance === '' ? 'a container setup-dind did not make' : 'another set-up';
            result.alreadyGone.push(`container ${container} (the name now belongs to ${whose}, left alone)`);
            return;
        }
        const target = found?.id ?? container;
        if (found !== undefined && found.status !== 'running' && plan.stage === 'ready' && !run.quiet) {
            await reportDeadDaemon(docker, container, found, run.logger);
        }
        if (plan.stopSeconds !== undefined && plan.stage === 'ready' && found?.status === 'running') {
            // A clean shutdown: the data root outlives this container. A failure here still ends in `rm --force`.
            await docker.exec(['stop', '--time', String(plan.stopSeconds), target], { timeoutMs: (plan.stopSeconds + 30) * 1000 });
        }
        const removal = await docker.exec(['rm', '--force', '--volumes', target], { timeoutMs: REMOVE_TIMEOUT_MS });
        // `rm --force` exits 0 for a missing container too; only a removal prints its name.
        if ((0,_docker_docker_cli_js__WEBPACK_IMPORTED_MODULE_4__/* .isNoSuchObject */ .Eo)(removal))
            result.alreadyGone.push(`container ${container}`);
        else if (removal.code === 0)
            result.removed.push(`container ${container}`);
        else {
            const logs = await docker.logTail(target, DAEMON_LOG_LINES);
            if (logs.length > 0)
                run.logger.block(`Daemon log of ${container} (last ${DAEMON_LOG_LINES} lines)`, logs);
            fail(`container ${container}`, (0,_docker_docker_cli_js__WEBPACK_IMPORTED_MODULE_4__/* .firstErrorLine */ .hf)(removal.stderr));
            result.remaining.containers.push(container);
        }
    }
    catch (error) {
        fail(`container ${container}`, (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error));
        result.remaining.containers.push(container);
    }
}
async function removeVolumes({ plan, docker, result, fail }) {
    for (const volume of plan.volumes) {
        try {
            // Without --force, which would report a missing volume as removed.
            const removal = await docker.exec(['volume', 'rm', volume], { timeoutMs: REMOVE_TIMEOUT_MS });
            if (removal.code === 0)
                result.removed.push(`volume ${volume}`);
            else if ((0,_docker_docker_cli_js__WEBPACK_IMPORTED_MODULE_4__/* .isNoSuchObject */ .Eo)(removal))
                result.alreadyGone.push(`volume ${volume}`);
            else {
                fail(`volume ${volume}`, (0,_docker_docker_cli_js__WEBPACK_IMPORTED_MODULE_4__/* .firstErrorLine */ .hf)(removal.stderr));
                result.remaining.volumes.push(volume);
            }
        }
        catch (error) {
            fail(`volume ${volume}`, (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error));
            result.remaining.volumes.push(volume);
        }
    }
}
async function stopProcesses({ plan, result, fail }) {
    for (const { pid, marker } of plan.processes ?? []) {
        if (await stopProcess(pid, marker))
            result.removed.push(`process ${pid}`);
        else {
            fail(`process ${pid}`, 'it did not stop');
            result.remaining.processes.push({ pid, marker });
        }
    }
}
async function removePaths({ plan, result, fail }) {
    for (const path of plan.paths) {
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(path, { recursive: true, force: true });
            result.removed.push(path);
        }
        catch (error) {
            fail(path, (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error));
            result.remaining.paths.push(path);
        }
    }
}
/** The container's id, state and set-up; 'gone' when there is none; undefined when the daemon cannot say. */
async function inspectContainer(docker, container) {
    const inspect = await docker.exec(['container', 'inspect', '--format', `{{.Id}}\t{{.State.Status}}\t{{.State.ExitCode}}\t{{index .Config.Labels "${_engine_identity_js__WEBPACK_IMPORTED_MODULE_2__/* .LABELS */ .kg.instance}"}}`, container], { timeoutMs: 15_000 });
    if (inspect.code !== 0)
        return (0,_docker_docker_cli_js__WEBPACK_IMPORTED_MODULE_4__/* .isNoSuchObject */ .Eo)(inspect) ? 'gone' : undefined;
    const [id = '', status = '', exitCode = '', instance = ''] = inspect.stdout.trim().split('\t');
    return id === '' ? undefined : { id, status, exitCode, instance: instance === '<no value>' ? '' : instance };
}
/** A daemon that died during the job is worth a warning and its log. */
async function reportDeadDaemon(docker, container, found, logger) {
    logger.warn(`The DinD daemon ${container} was not running at teardown (status ${found.status}, exit code ${found.exitCode}).`);
    const logs = await docker.logTail(found.id, DAEMON_LOG_LINES);
    if (logs.length > 0)
        logger.block(`Daemon log of ${container} (last ${DAEMON_LOG_LINES} lines)`, logs);
}
/**
 * Removes the containers, networks and volumes labelled with an instance,
 * reporting the host ports the containers published. False when something
 * could not be removed.
 */
async function removeLabelled(docker, instance, result) {
    const filter = `label=${_engine_identity_js__WEBPACK_IMPORTED_MODULE_2__/* .LABELS */ .kg.instance}=${instance}`;
    let complete = true;
    const list = async (args) => {
        const listing = await docker.exec(args, { timeoutMs: 30_000 });
        if (listing.code !== 0) {
            complete = false;
            result.complete = false;
            result.failed.push(`the objects labelled ${filter}`);
            return [];
        }
        return listing.stdout.split('\n').filter((line) => line.trim() !== '');
    };
    const containers = await list(['ps', '--all', '--filter', filter, '--format', '{{.ID}}\t{{.Names}}\t{{.Ports}}']);
    for (const line of containers) {
        const [, name, ports] = line.split('\t');
        if (ports)
            result.publishedPorts.push(`${name}: ${ports}`);
    }
    const steps = [
        ['container', ['rm', '--force', '--volumes'], containers.map((line) => line.split('\t')[0])],
        ['network', ['network', 'rm'], await list(['network', 'ls', '--quiet', '--filter', filter])],
        ['volume', ['volume', 'rm'], await list(['volume', 'ls', '--quiet', '--filter', filter])],
    ];
    for (const [kind, command, ids] of steps) {
        if (ids.length === 0)
            continue;
        const removal = await docker.exec([...command, ...ids], { timeoutMs: 120_000 });
        if (removal.code === 0)
            result.removed.push(`${ids.length} ${kind}${ids.length === 1 ? '' : 's'} of the job`);
        else {
            complete = false;
            result.complete = false;
            result.failed.push(`${kind}s of the job`);
        }
    }
    return complete;
}
/** SIGTERM, then SIGKILL after 5 s, to a process whose command line still contains `marker` (PIDs get reused). */
async function stopProcess(pid, marker) {
    const alive = async () => {
        const cmdline = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        return cmdline.includes(marker);
    };
    if (!(await alive()))
        return true;
    try {
        process.kill(pid, 'SIGTERM');
    }
    catch {
        return !(await alive());
    }
    for (let waited = 0; waited < 5000; waited += 50) {
        if (!(await alive()))
            return true;
        await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_1__.setTimeout)(50);
    }
    try {
        process.kill(pid, 'SIGKILL');
    }
    catch {
        // already gone
    }
    await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_1__.setTimeout)(100);
    return !(await alive());
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 8500:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers/promises");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

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
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
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
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
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
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return {"58":"chunk-1bba982126a2ce02.js","326":"chunk-650d9b57d30db255.js","631":"chunk-66cfd736478b46af.js","793":"chunk-07148b8246246992.js","805":"chunk-45d5fd972c93a585.js","942":"chunk-43df4d95f4af6c6d.js"}[chunkId];
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  ak: () => (/* reexport */ runCli),
  VN: () => (/* binding */ runMain),
  a2: () => (/* binding */ runPost)
});

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/engine/cancel.ts
var cancel = __nccwpck_require__(1986);
// EXTERNAL MODULE: ./src/docker/docker.ts
var docker_docker = __nccwpck_require__(3234);
// EXTERNAL MODULE: ./src/engine/background.ts
var background = __nccwpck_require__(4244);
// EXTERNAL MODULE: ./src/docker/docker-install.ts + 2 modules
var docker_install = __nccwpck_require__(1384);
// EXTERNAL MODULE: ./src/engine/engine.ts + 17 modules
var engine = __nccwpck_require__(5743);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __nccwpck_require__(7679);
// EXTERNAL MODULE: ./src/inputs/inputs.ts
var inputs = __nccwpck_require__(8028);
// EXTERNAL MODULE: ./src/teardown/plan.ts
var teardown_plan = __nccwpck_require__(385);
// EXTERNAL MODULE: ./src/teardown/teardown.ts
var teardown = __nccwpck_require__(1818);
// EXTERNAL MODULE: ./src/exit.ts
var exit = __nccwpck_require__(3139);
;// CONCATENATED MODULE: ./src/version.ts
/** The release, as in package.json (a unit test keeps the two equal). */
const VERSION = '0.1.0';

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
// EXTERNAL MODULE: ./src/inputs/registry.ts + 2 modules
var registry = __nccwpck_require__(466);
;// CONCATENATED MODULE: ./src/cli/args.ts
/**
 * The command line: `setup-dind <command> [options] [-- CMD…]`. Options are
 * the action's inputs as flags (`--image docker:27-dind`, `--tls`), or as
 * SETUP_DIND_* environment variables (SETUP_DIND_IMAGE); a flag wins over the
 * environment, which wins over the default. Parsing is node:util's parseArgs.
 */


const COMMANDS = ['up', 'down', 'run', 'env'];
/** Inputs that are on/off switches (boolean parsers): `--tls` means `--tls=true`, `--no-tls` means `--tls=false`. */
const SWITCHES = registry/* INPUTS */.mc.filter((input) => input.parser.type === 'boolean').map((input) => input.name);
class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
/** The environment variable for an input: daemon-args -> SETUP_DIND_DAEMON_ARGS. */
function envName(input) {
    return `SETUP_DIND_${input.toUpperCase().replace(/-/g, '_')}`;
}
function parseCommandLine(argv) {
    const dashDash = argv.indexOf('--');
    const ours = dashDash === -1 ? [...argv] : argv.slice(0, dashDash);
    const commandLine = dashDash === -1 ? [] : argv.slice(dashDash + 1);
    const normalized = ours.map((arg) => {
        const name = arg.replace(/^--(no-)?/, '');
        if (SWITCHES.includes(name) && arg.startsWith('--'))
            return `--${name}=${arg.startsWith('--no-') ? 'false' : 'true'}`;
        return arg;
    });
    let parsed;
    try {
        parsed = (0,external_node_util_.parseArgs)({
            args: normalized,
            allowPositionals: true,
            strict: true,
            options: {
                help: { type: 'boolean', short: 'h' },
                version: { type: 'boolean' },
                state: { type: 'string' },
                ...Object.fromEntries(registry/* INPUTS */.mc.map((input) => [input.name, { type: 'string' }])),
            },
        });
    }
    catch (error) {
        throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
    }
    const { help, version, state, ...inputs } = parsed.values;
    const [commandName, ...extra] = parsed.positionals;
    if (commandName !== undefined && !COMMANDS.includes(commandName)) {
        throw new UsageError(`unknown command "${commandName}" (commands: ${COMMANDS.join(', ')})`);
    }
    if (extra.length > 0)
        throw new UsageError(`unexpected argument "${extra[0]}"${commandName === 'run' ? ' (put the command after --)' : ''}`);
    const command = commandName;
    if (command === 'run' && commandLine.length === 0 && !help)
        throw new UsageError('run needs a command after --, e.g. setup-dind run -- docker version');
    if (command !== 'run' && dashDash !== -1)
        throw new UsageError(`"--" and a command only go with "run"`);
    const flags = {};
    for (const [name, value] of Object.entries(inputs))
        if (typeof value === 'string')
            flags[name] = value;
    if (command !== undefined && command !== 'up' && command !== 'run' && Object.keys(flags).length > 0) {
        throw new UsageError(`--${Object.keys(flags)[0]} goes with "up" or "run", not "${command}"`);
    }
    return { command, help: help === true, version: version === true, statePath: typeof state === 'string' ? state : undefined, flags, commandLine };
}
/** Inputs from flags, then SETUP_DIND_* variables. */
function inputSource(flags, env) {
    return (name) => flags[name] ?? env[envName(name)];
}

;// CONCATENATED MODULE: ./src/cli/help.ts
/** Usage text, one per command; options come from the input registry, so they cannot drift from the action's. */


const SUMMARY = `setup-dind: give a CI job a working Docker daemon, and leave nothing behind.

Usage:
  setup-dind up [options]            start (or attach to) a daemon; prints export lines for eval
  setup-dind down [--state FILE]     remove what "up" started (idempotent)
  setup-dind run [options] -- CMD…   up, run CMD with DOCKER_HOST set, down; exits with CMD's code
  setup-dind env [--state FILE]      print the export lines again

  env="$(setup-dind up --tls)"       # e.g. in a GitLab before_script; two lines, so that
  eval "$env"                        # a failed up fails the job (eval "$(...)" hides it)
  setup-dind down                    # in after_script, a fresh shell

Run "setup-dind <command> --help" for a command's options.
`;
function optionsText() {
    const lines = registry/* INPUTS */.mc.map((input) => {
        const flag = SWITCHES.includes(input.name) ? `--${input.name}, --no-${input.name}` : `--${input.name} VALUE`;
        const fallback = input.default === '' ? '' : ` (default: ${input.default})`;
        return `  ${flag}\n      ${(0,registry/* describeInput */.eG)(input).replace(/`/g, '')}${fallback}\n      env: ${envName(input.name)}`;
    });
    return `Options (flags win over SETUP_DIND_* variables, which win over defaults):\n${lines.join('\n')}\n  --state FILE\n      where "up" records what "down" removes (default: a per-user file for this CI job under the system temp dir)\n`;
}
const COMMAND_HELP = {
    up: `Usage: setup-dind up [options]\n\nStarts a DinD daemon (or, with --mode attach, waits for one), waits until it answers,\nwrites the state file and prints "export NAME='value'" lines on stdout (progress goes to stderr).\nExit codes: 0 ready, 1 failed (nothing left running), 2 usage or input error.\n\n`,
    down: `Usage: setup-dind down [--state FILE]\n\nRemoves what "up" recorded in the state file, through the daemon that created it.\nA second run, or a run without a state file, does nothing and exits 0.\nExit codes: 0 done, 1 something could not be removed (kept in the state file for another try).\n`,
    run: `Usage: setup-dind run [options] -- CMD [ARG…]\n\nStarts a daemon, runs CMD with DOCKER_HOST (and TLS variables) set, removes the daemon\nwhatever CMD did, and exits with CMD's exit code.\n\n`,
    env: `Usage: setup-dind env [--state FILE]\n\nPrints the export lines of the recorded daemon again, e.g. for: eval "$(setup-dind env)"\n`,
};
function helpText(command) {
    if (command === undefined)
        return SUMMARY;
    return command === 'up' || command === 'run' ? `${COMMAND_HELP[command]}${optionsText()}` : COMMAND_HELP[command];
}

// EXTERNAL MODULE: ./src/engine/ci.ts
var engine_ci = __nccwpck_require__(1736);
;// CONCATENATED MODULE: ./src/cli/log.ts
/**
 * Progress for people, on stderr (stdout carries only the exports), with
 * collapsible sections where the CI knows them: GitLab's section markers,
 * GitHub's groups.
 */

function flavourOf(env) {
    const { ci } = (0,engine_ci/* ciJob */.C)(env);
    return ci === 'github' || ci === 'gitlab' ? ci : 'plain';
}
function cliLogger(flavour, write = (text) => process.stderr.write(text), debug = false) {
    let sections = 0;
    return {
        info: (message) => write(`${message}\n`),
        warn: (message) => write(flavour === 'github' ? `::warning::${escapeCommand(message)}\n` : `WARNING: ${message}\n`),
        debug: (message) => {
            if (debug)
                write(`debug: ${message}\n`);
        },
        block(title, lines) {
            const body = lines.map((line) => `${line}\n`).join('');
            if (flavour === 'gitlab') {
                const name = `setup_dind_${++sections}`;
                const now = Math.floor(Date.now() / 1000);
                write(`\x1b[0Ksection_start:${now}:${name}[collapsed=true]\r\x1b[0K${title}\n${body}\x1b[0Ksection_end:${now}:${name}\r\x1b[0K\n`);
            }
            else if (flavour === 'github') {
                write(`::group::${title}\n${body}::endgroup::\n`);
            }
            else {
                write(`--- ${title}\n${body}---\n`);
            }
        },
    };
}
function escapeCommand(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/cli/private-dir.ts



const ROOT_UID = 0;
const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;
/** `name` in `parent` (its real path), made when missing; throws a SetupDindError naming what is wrong. */
async function privateDir(parent, name, uid) {
    // The real path: the symbolic links of the system's own (macOS: /tmp, /var) are followed once, then every real component is checked.
    const base = await (0,promises_.realpath)(parent).catch((error) => {
        throw new errors/* SetupDindError */.bw(`The temporary directory ${parent} cannot be used for the state file: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}.`, {
            hint: 'Set TMPDIR to a directory of your own, or pass --state FILE.',
        });
    });
    for (const component of ancestry(base)) {
        const problem = untrusted(await (0,promises_.lstat)(component), uid, false);
        if (problem !== undefined) {
            throw new errors/* SetupDindError */.bw(`The state directory ${(0,external_node_path_.join)(base, name)} is not safe to use: ${component} ${problem}, so someone else could plant the state "setup-dind down" follows.`, {
                hint: 'Set TMPDIR to a directory of your own, or pass --state FILE.',
            });
        }
    }
    const dir = (0,external_node_path_.join)(base, name);
    await (0,promises_.mkdir)(dir, { mode: 0o700 }).catch((error) => {
        if (error.code === 'EEXIST')
            return; // checked below, like one just made
        throw new errors/* SetupDindError */.bw(`Could not make the state directory ${dir}: ${error.message}.`, { hint: 'Set TMPDIR to a directory of your own, or pass --state FILE.' });
    });
    const stats = await (0,promises_.lstat)(dir);
    const problem = stats.isSymbolicLink() ? `is a symbolic link (to ${await (0,promises_.readlink)(dir)})` : untrusted(stats, uid, true);
    if (problem !== undefined) {
        throw new errors/* SetupDindError */.bw(`The state directory ${dir} ${problem}: someone else may have made it, to read or plant the state "setup-dind down" follows.`, {
            hint: `If you do not know it, remove it (it may take its owner or root): setup-dind makes it again, mode 0700. Or pass --state FILE.`,
        });
    }
    return dir;
}
/** `/`, then each directory down to `path`. */
function ancestry(path) {
    const parents = [];
    for (let dir = path;; dir = (0,external_node_path_.dirname)(dir)) {
        parents.unshift(dir);
        if ((0,external_node_path_.dirname)(dir) === dir)
            return parents;
    }
}
/** What is wrong with a directory the state relies on (undefined: nothing); `own`: the state directory itself, which must be the user's alone. */
function untrusted(stats, uid, own) {
    const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
    if (stats.isSymbolicLink())
        return 'is a symbolic link';
    if (!stats.isDirectory())
        return 'is not a directory';
    if (stats.uid !== uid && (own || stats.uid !== ROOT_UID))
        return `is owned by uid ${stats.uid}, not by you (uid ${uid})${own ? '' : ' or root'}`;
    if ((stats.mode & WRITABLE_BY_OTHERS) !== 0 && (own || (stats.mode & STICKY) === 0))
        return `can be written by others (mode ${mode})${own ? '' : ' and is not sticky'}`;
    return undefined;
}

;// CONCATENATED MODULE: ./src/cli/state.ts
/**
 * The state file: what `up` set up, for `down` and `env` in later shells
 * (GitLab's after_script runs in a fresh one). It is a shell file a user
 * can `source`; the teardown plan rides along on a comment line.
 */









const PLAN_PREFIX = '# setup-dind plan: ';
/**
 * Where `up` records its state when --state is not given: a per-user
 * directory under the system temp dir (mode 0700, made when missing and
 * checked when not, see private-dir.ts: no one else may plant a plan for
 * `down` to follow), one file per CI job so `down` in another shell of the
 * job finds it.
 */
async function defaultStatePath(env, tempDir = (0,external_node_os_.tmpdir)(), uid = process.getuid?.()) {
    // No owners to check without uids (Windows): the directory is made when the state is written.
    const dir = uid === undefined ? (0,external_node_path_.join)(tempDir, 'setup-dind-0') : await privateDir(tempDir, `setup-dind-${uid}`, uid);
    return (0,external_node_path_.join)(dir, stateFileName(env));
}
/** The state file's name for the CI job: one word, whatever the job's variables hold. */
function stateFileName(env) {
    return `${stateKey((0,engine_ci/* ciJob */.C)(env)).replace(/[^a-zA-Z0-9_.-]/g, '_')}.env`;
}
/** The CI job's own name for its state file ('local' outside CI). */
function stateKey(job) {
    switch (job.ci) {
        case 'github':
            return job.runId ? `github-${job.runId}-${job.attempt}-${job.job ?? 'job'}` : 'local';
        case 'gitlab':
            return job.jobId ? `gitlab-${job.jobId}` : 'local';
        case 'buildkite':
            return `buildkite-${job.jobId}`;
        case 'jenkins':
            return `jenkins-${job.buildTag}`;
        case 'local':
            return 'local';
    }
}
/** `NAME='value'` quoted for POSIX shells. */
function shellQuote(value) {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
/**
 * Environment variables whose values can reach the export lines and the
 * state file: the temp dir holds the socket and certificates of a set-up,
 * mode attach passes the endpoint on.
 */
const EXPORTED_FROM_ENV = ['TMPDIR', 'TMP', 'TEMP', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_CERTDIR'];
/**
 * Every value in the export lines and the state file stays on its line: one
 * with a line break is refused (inputs are single-line already), so nothing
 * a value holds can add a line for `eval` or `source` to run, nor a plan line
 * for `down` to follow.
 */
function refuseLineBreaks(values) {
    for (const [what, value] of Object.entries(values)) {
        if (value !== undefined && /[\r\n]/.test(value)) {
            throw new errors/* SetupDindError */.bw(`${what} has a line break (${JSON.stringify(value)}): it would add a line to the export lines and the state file.`, {
                hint: 'Give it without line breaks.',
            });
        }
    }
}
/** Refuses, before anything is set up, environment variables that would break a line of the state. */
function refuseLineBreaksInEnv(env) {
    refuseLineBreaks(Object.fromEntries(EXPORTED_FROM_ENV.map((name) => [`Environment variable ${name}`, env[name]])));
}
/** Export lines for eval; PATH is prepended to the evaluating shell's own PATH, not replaced. */
function exportLines(exports, path = []) {
    refuseLineBreaks(Object.fromEntries(path.map((dir, index) => [`PATH entry ${index + 1}`, dir])));
    refuseLineBreaks(Object.fromEntries(Object.entries(exports).map(([name, value]) => [`The value of ${name}`, value])));
    for (const name of Object.keys(exports)) {
        if (!/^[A-Z_][A-Z0-9_]*$/.test(name))
            throw new errors/* SetupDindError */.bw(`Cannot export ${JSON.stringify(name)}: not a variable name.`);
    }
    const paths = path.map((dir) => `export PATH=${shellQuote(dir)}":$PATH"\n`).join('');
    return (paths +
        Object.entries(exports)
            .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
            .join(''));
}
function formatState(state) {
    // JSON escapes line breaks: the plan is one line.
    const plan = state.plan ? `${PLAN_PREFIX}${JSON.stringify(state.plan)}\n` : '';
    return `# Written by setup-dind up; source it to reach the daemon, remove it with setup-dind down.\n${plan}${exportLines(state.exports, state.path)}`;
}
function parseState(text) {
    const exports = {};
    const path = [];
    let plan;
    for (const line of text.split('\n')) {
        if (line.startsWith(PLAN_PREFIX))
            plan = (0,teardown_plan/* parsePlan */.vS)(line.slice(PLAN_PREFIX.length));
        const match = /^export ([A-Z_][A-Z0-9_]*)='((?:[^']|'\\'')*)'$/.exec(line);
        if (match)
            exports[match[1]] = match[2].replace(/'\\''/g, "'");
        const dir = /^export PATH='((?:[^']|'\\'')*)'":\$PATH"$/.exec(line);
        if (dir)
            path.push(dir[1].replace(/'\\''/g, "'"));
    }
    return path.length > 0 ? { exports, plan, path } : { exports, plan };
}
async function readState(path) {
    const text = await (0,promises_.readFile)(path, 'utf8').catch((error) => {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    });
    return text === undefined ? undefined : parseState(text);
}
/**
 * Writes atomically: a new file (O_EXCL, mode 0600) beside it, renamed over
 * it. The default path's directory exists and was checked (defaultStatePath);
 * one given with --state is made, private, when missing.
 */
async function writeState(path, state) {
    const text = formatState(state);
    (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
    await (0,promises_.writeFile)(temporary, text, { mode: 0o600, flag: 'wx' });
    await (0,promises_.rename)(temporary, path).catch(async (error) => {
        await (0,promises_.rm)(temporary, { force: true });
        throw error;
    });
}
async function removeState(path) {
    await (0,promises_.rm)(path, { force: true });
}

;// CONCATENATED MODULE: ./src/cli/main.ts
/**
 * setup-dind for any CI (GitLab, Jenkins, Buildkite) and for laptops: the
 * same engine as the GitHub Action, driven from a shell.
 *
 *   env="$(setup-dind up --tls)"      # before_script (two lines: eval "$(…)"
 *   eval "$env"                       # would hide a failed up)
 *   setup-dind down                   # after_script, in a fresh shell
 *   setup-dind run -- make test       # up, run, down, exit with make's code
 */




















const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const logger = cliLogger(flavourOf(process.env), undefined, process.env.SETUP_DIND_DEBUG === 'true');
async function main(argv) {
    let args;
    try {
        args = parseCommandLine(argv);
    }
    catch (error) {
        if (!(error instanceof UsageError))
            throw error;
        process.stderr.write(`setup-dind: ${error.message}\nRun "setup-dind --help" for usage.\n`);
        return EXIT_USAGE;
    }
    if (args.version) {
        process.stdout.write(`${VERSION}\n`);
        return 0;
    }
    if (args.help || args.command === undefined) {
        // Asked for: stdout, exit 0. A missing command is a usage error: stderr, exit 2.
        (args.help ? process.stdout : process.stderr).write(helpText(args.command));
        return args.help ? 0 : EXIT_USAGE;
    }
    try {
        // Checked (and made) before anything starts; `run` keeps its state in a directory of its own.
        const statePath = args.statePath ?? (args.command === 'run' ? '' : await defaultStatePath(process.env));
        return await commands[args.command](args, statePath);
    }
    catch (error) {
        const { message, hint, details } = (0,errors/* describeError */.Uc)(error);
        if (details.length > 0)
            logger.block('Daemon log (last lines)', details);
        process.stderr.write(`setup-dind: ${message}\n${hint ? `Hint: ${hint}\n` : ''}`);
        return error instanceof errors/* InputError */.dz ? EXIT_USAGE : EXIT_FAILURE;
    }
}
/** Sets up a daemon recording its plan in `statePath`; resolves with the state. */
async function up(args, statePath, signal) {
    const options = (0,inputs/* readOptions */.Tt)(inputSource(args.flags, process.env));
    refuseLineBreaksInEnv(process.env);
    const existing = await readState(statePath);
    if (existing?.plan && existing.plan.stage !== 'done' && !(0,teardown_plan/* isEmptyPlan */.lM)(existing.plan)) {
        throw new UsageError(`a set-up is already recorded in ${statePath}: run "setup-dind down" first, or pass --state FILE for a second one`);
    }
    // Before the daemon: a bad docker-version or mirror must fail with nothing started.
    const cli = await stdoutToLog(logger, () => withToolCache(() => (0,docker_install/* ensureDockerCli */.Fp)({ dockerVersion: options.dockerVersion, dockerDownloadUrl: options.dockerDownloadUrl, logger, env: process.env, tempDir: (0,external_node_os_.tmpdir)(), signal })));
    // A downloaded CLI goes first on PATH for `run`'s command, the eval'ing shell (an export line)
    // and `down` in a later shell (the state file); the engine runs it by its path.
    const path = (0,docker_install/* addsToPath */.nY)(cli) ? [cli.dir] : undefined;
    refuseLineBreaks({ "The docker CLI's directory (under RUNNER_TOOL_CACHE, XDG_CACHE_HOME or HOME)": path?.[0] });
    let plan;
    let pendingWrite = Promise.resolve();
    // Every save rewrites the file, so a `down` after a crash finds what exists.
    const plans = {
        save(next) {
            plan = next;
            pendingWrite = pendingWrite.then(() => writeState(statePath, { exports: {}, plan: next, path }));
        },
    };
    const context = { logger, plans, env: process.env, tempDir: (0,external_node_os_.tmpdir)(), signal, docker: (0,docker_docker/* realDocker */.l)(cli.path || 'docker'), clock: docker_docker/* systemClock */.m, background: background/* startBackground */.r };
    try {
        const daemon = await (0,engine/* setUp */.s)(options, context);
        await cli.version; // its log line, before the ready line
        await pendingWrite;
        const state = { exports: daemon.env, plan, path };
        await writeState(statePath, state);
        logger.info(`Docker ${daemon.serverVersion} is ready at ${daemon.endpoint.dockerHost} after ${daemon.readySeconds.toFixed(2)} s (${daemon.transport}); state in ${statePath}`);
        return state;
    }
    catch (error) {
        await pendingWrite;
        // A failed set-up removes what it started; then there is nothing to record.
        if (!plan || (0,teardown_plan/* isEmptyPlan */.lM)(plan))
            await removeState(statePath);
        throw error;
    }
}
async function down(statePath) {
    const state = await readState(statePath);
    if (!state?.plan) {
        logger.info(`Nothing to tear down (no set-up recorded at ${statePath}).`);
        await removeState(statePath);
        return 0;
    }
    // The docker CLI `up` downloaded, for a fresh shell that never eval'ed the exports.
    const recorded = state.path?.[0] === undefined ? undefined : (0,external_node_path_.join)(state.path[0], 'docker');
    const docker = (0,docker_docker/* realDocker */.l)(recorded !== undefined && (0,external_node_fs_.existsSync)(recorded) ? recorded : 'docker');
    const result = await (0,teardown/* tearDown */.x)(state.plan, { logger, env: process.env, docker });
    if (result.removed.length > 0)
        logger.info(`Removed ${result.removed.join(', ')}.`);
    if (result.alreadyGone.length > 0)
        logger.info(`Already gone: ${result.alreadyGone.join(', ')}.`);
    if (result.publishedPorts.length > 0)
        logger.info(`Host ports the job's containers had published: ${result.publishedPorts.join('; ')}`);
    if (!result.complete) {
        // Keep what is left for another try.
        await writeState(statePath, { exports: state.exports, plan: result.remaining, path: state.path });
        return EXIT_FAILURE;
    }
    await removeState(statePath);
    return 0;
}
/** Aborts on SIGINT/SIGTERM; a second signal exits at once. */
const cancellation = () => (0,cancel/* onCancel */.A)(logger);
const commands = {
    async up(args, statePath) {
        const { signal, dispose } = cancellation();
        try {
            const state = await up(args, statePath, signal);
            process.stdout.write(exportLines(state.exports, state.path));
            return 0;
        }
        finally {
            dispose();
        }
    },
    down: (_args, statePath) => down(statePath),
    async env(_args, statePath) {
        const state = await readState(statePath);
        if (!state || Object.keys(state.exports).length === 0) {
            process.stderr.write(`setup-dind: no daemon recorded at ${statePath} (run "setup-dind up" first)\n`);
            return EXIT_FAILURE;
        }
        process.stdout.write(exportLines(state.exports, state.path));
        return 0;
    },
    async run(args) {
        // A private state file: `run` cleans up after itself whatever else runs.
        const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'setup-dind-run-'));
        const statePath = args.statePath ?? (0,external_node_path_.join)(dir, 'state.env');
        const { signal, dispose } = cancellation();
        try {
            const state = await up(args, statePath, signal);
            dispose();
            const path = [...(state.path ?? []), process.env.PATH].filter(Boolean).join(external_node_path_.delimiter);
            return await runCommand(args.commandLine, { ...process.env, ...state.exports, ...(state.path ? { PATH: path } : {}) });
        }
        finally {
            dispose();
            await down(statePath).catch((error) => logger.warn(`Teardown failed: ${String(error)}`));
            await (0,promises_.rm)(dir, { recursive: true, force: true });
        }
    },
};
/**
 * Runs `work` with RUNNER_TOOL_CACHE set, as @actions/tool-cache reads it from
 * process.env: the Actions runner sets it for the action; outside a runner the
 * CLI uses a per-user cache, only for the download (not for `run`'s command).
 */
async function withToolCache(work) {
    if (process.env.RUNNER_TOOL_CACHE)
        return work();
    process.env.RUNNER_TOOL_CACHE = (0,docker_install/* defaultToolCache */.qX)(process.env);
    try {
        return await work();
    }
    finally {
        delete process.env.RUNNER_TOOL_CACHE;
    }
}
/**
 * Runs `work` with whatever it writes to stdout sent to the log instead:
 * @actions/tool-cache reports through @actions/core, which writes to stdout,
 * and the CLI's stdout carries only export lines.
 */
async function stdoutToLog(log, work) {
    const write = process.stdout.write;
    process.stdout.write = ((chunk, ...rest) => {
        for (const line of (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).split(/\r?\n/)) {
            const debug = /^::debug::(.*)$/.exec(line);
            if (debug)
                log.debug(debug[1]);
            else if (line.trim() !== '')
                log.info(line);
        }
        const callback = rest.find((arg) => typeof arg === 'function');
        callback?.();
        return true;
    });
    try {
        return await work();
    }
    finally {
        process.stdout.write = write;
    }
}
/** Runs CMD with signals passed on to it; resolves with its exit code (128+n for a signal). */
function runCommand(commandLine, env) {
    return new Promise((resolve) => {
        const [file, ...rest] = commandLine;
        const child = (0,external_node_child_process_.spawn)(file, rest, { env, stdio: 'inherit' });
        const forward = (name) => child.kill(name);
        process.on('SIGINT', forward);
        process.on('SIGTERM', forward);
        const done = (code) => {
            process.off('SIGINT', forward);
            process.off('SIGTERM', forward);
            resolve(code);
        };
        child.on('error', (error) => {
            process.stderr.write(`setup-dind: cannot run ${file}: ${error.code === 'ENOENT' ? 'command not found' : error.message}\n`);
            done(127);
        });
        child.on('exit', (code, signalName) => done(code ?? 128 + (signalName ? signalNumber(signalName) : 0)));
    });
}
function signalNumber(name) {
    return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[name] ?? 0;
}
/** Runs the command line of this process (dist/cli.js, through src/entries.ts). */
async function runCli() {
    const code = await main(process.argv.slice(2));
    process.exitCode = code;
    // A successful `up` ends on its own: what it leaves running (the DooD proxy) is detached.
    if (code !== 0)
        (0,exit/* exitWhenFlushed */.K)(code);
}

;// CONCATENATED MODULE: ./src/entries.ts
/**
 * The one bundle behind dist/main.js, dist/post.js and dist/cli.js
 * (scripts/build.mjs writes those three: each turns source maps on, imports
 * dist/entries.js and calls one of these). One bundle, so the engine and the
 * libraries the entries share are in dist/ once.
 *
 * The CLI is here directly; the action's two steps are loaded on demand
 * (one chunk for both: webpack puts imports with the same webpackChunkName
 * together). They alone use @actions/core, which loads @actions/http-client
 * and undici, a megabyte, when imported: the CLI's common path (`setup-dind
 * up`, `--version`) does without.
 */

async function runMain() {
    await (await Promise.all(/* import() | github */[__nccwpck_require__.e(942), __nccwpck_require__.e(58), __nccwpck_require__.e(326)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9154))).runMain();
}
async function runPost() {
    await (await Promise.all(/* import() | github */[__nccwpck_require__.e(942), __nccwpck_require__.e(58), __nccwpck_require__.e(326)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2901))).runPost();
}

var __webpack_exports__runCli = __webpack_exports__.ak;
var __webpack_exports__runMain = __webpack_exports__.VN;
var __webpack_exports__runPost = __webpack_exports__.a2;
export { __webpack_exports__runCli as runCli, __webpack_exports__runMain as runMain, __webpack_exports__runPost as runPost };

//# sourceMappingURL=entries.js.map
