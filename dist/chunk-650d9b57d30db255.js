export const id = 326;
export const ids = [326];
export const modules = {

/***/ 8320:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MV: () => (/* binding */ actionsLogger),
/* harmony export */   oV: () => (/* binding */ PLAN_STATE),
/* harmony export */   qO: () => (/* binding */ actionsPlanStore),
/* harmony export */   vy: () => (/* binding */ failStep),
/* harmony export */   w6: () => (/* binding */ cancellationSignal)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var _engine_cancel_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1986);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7679);
/** The GitHub Actions side of the engine: logging, state and errors through @actions/core. */



const PLAN_STATE = 'plan';
const actionsLogger = {
    info: (message) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(message),
    warn: (message) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(message),
    debug: (message) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(message),
    block(title, lines) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .startGroup */ .Oh(title);
        for (const line of lines)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(line);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .endGroup */ .N4();
    },
};
const actionsPlanStore = {
    save: (plan) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .saveState */ .LZ(PLAN_STATE, JSON.stringify(plan)),
};
/** Logs an error's details in a group and fails the step with its message and hint. */
function failStep(error) {
    const { message, hint, details } = (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(error);
    if (details.length > 0)
        actionsLogger.block('Daemon log (last lines)', details);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(hint ? `${message}\nHint: ${hint}` : message);
}
/** An AbortSignal that fires when the runner cancels the job (SIGINT/SIGTERM). */
function cancellationSignal() {
    return (0,_engine_cancel_js__WEBPACK_IMPORTED_MODULE_2__/* .onCancel */ .A)(actionsLogger).signal;
}


/***/ }),

/***/ 9154:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runMain: () => (/* binding */ runMain)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _docker_docker_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3234);
/* harmony import */ var _engine_background_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4244);
/* harmony import */ var _docker_docker_install_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1384);
/* harmony import */ var _engine_engine_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5743);
/* harmony import */ var _inputs_inputs_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(8028);
/* harmony import */ var _exit_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(3139);
/* harmony import */ var _actions_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(8320);
/** The action's main step: set up a daemon and point the job's later steps at it. */









/** Resolves with whether the step succeeded (a failure has been reported). */
async function main() {
    const signal = (0,_actions_js__WEBPACK_IMPORTED_MODULE_7__/* .cancellationSignal */ .w6)();
    try {
        const options = (0,_inputs_inputs_js__WEBPACK_IMPORTED_MODULE_6__/* .readOptions */ .Tt)((name) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name));
        const tempDir = process.env.RUNNER_TEMP || (0,node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir)();
        // Before the daemon: a bad docker-version or mirror must fail with nothing started.
        const cli = await (0,_docker_docker_install_js__WEBPACK_IMPORTED_MODULE_4__/* .ensureDockerCli */ .Fp)({
            dockerVersion: options.dockerVersion,
            dockerDownloadUrl: options.dockerDownloadUrl,
            logger: _actions_js__WEBPACK_IMPORTED_MODULE_7__/* .actionsLogger */ .MV,
            env: process.env,
            tempDir,
            signal,
        });
        // For the later steps; the engine runs the binary by its path.
        if ((0,_docker_docker_install_js__WEBPACK_IMPORTED_MODULE_4__/* .addsToPath */ .nY)(cli))
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .addPath */ .fM(cli.dir);
        const daemon = await (0,_engine_engine_js__WEBPACK_IMPORTED_MODULE_5__/* .setUp */ .s)(options, {
            logger: _actions_js__WEBPACK_IMPORTED_MODULE_7__/* .actionsLogger */ .MV,
            plans: _actions_js__WEBPACK_IMPORTED_MODULE_7__/* .actionsPlanStore */ .qO,
            env: process.env,
            tempDir,
            signal,
            docker: (0,_docker_docker_js__WEBPACK_IMPORTED_MODULE_2__/* .realDocker */ .l)(cli.path || 'docker'),
            clock: _docker_docker_js__WEBPACK_IMPORTED_MODULE_2__/* .systemClock */ .m,
            background: _engine_background_js__WEBPACK_IMPORTED_MODULE_3__/* .startBackground */ .r,
        });
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('docker-cli-path', cli.path);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('docker-cli-version', await cli.version);
        publish(daemon);
        return true;
    }
    catch (error) {
        (0,_actions_js__WEBPACK_IMPORTED_MODULE_7__/* .failStep */ .vy)(error);
        return false;
    }
}
function publish(daemon) {
    for (const [name, value] of Object.entries(daemon.env))
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .exportVariable */ .dN(name, value);
    const readySeconds = daemon.readySeconds.toFixed(2);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('docker-host', daemon.endpoint.dockerHost);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('container-id', daemon.containerId ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('container-name', daemon.containerName ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('server-version', daemon.serverVersion);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('ready-seconds', readySeconds);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('cert-path', daemon.certPath ?? '');
    const exported = Object.keys(daemon.env).join(', ');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Docker ${daemon.serverVersion} is ready at ${daemon.endpoint.dockerHost} after ${readySeconds} s; ${exported} set for the next steps.`);
    if (process.env.GITHUB_STEP_SUMMARY) {
        const started = { attach: 'attached to a running daemon', dood: "the runner's daemon, through a per-job proxy", dind: `${daemon.image ?? ''} as ${daemon.containerName ?? ''}` }[daemon.mode];
        let summary = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z
            .addHeading('Docker daemon', 3)
            .addTable([
            [
                { data: 'Mode', header: true },
                { data: 'Daemon', header: true },
                { data: 'Docker', header: true },
                { data: 'Endpoint', header: true },
                { data: 'Transport', header: true },
                { data: 'Ready after', header: true },
            ],
            [daemon.mode, started, daemon.serverVersion, daemon.endpoint.dockerHost, daemon.transport, `${readySeconds} s`],
        ]);
        if (daemon.preloaded) {
            summary = summary.addRaw(`\nPreloaded ${daemon.preloaded.images.map((image) => `\`${image}\``).join(', ')} from the runner's daemon in ${daemon.preloaded.seconds.toFixed(2)} s.\n`, true);
        }
        const details = [
            daemon.mtu !== undefined ? `Inner networks have MTU ${daemon.mtu}.` : '',
            daemon.cacheVolume !== undefined ? `/var/lib/docker is cache volume \`${daemon.cacheVolume}\`, kept after the job.` : '',
            daemon.context !== undefined ? `Docker context \`${daemon.context}\` created for this daemon (\`docker --context ${daemon.context}\`); removed after the job.` : '',
        ].filter((line) => line !== '');
        if (details.length > 0)
            summary = summary.addList(details);
        for (const warning of daemon.warnings)
            summary = summary.addRaw(`\n> [!WARNING]\n> ${warning}\n`, true);
        // The summary is a convenience: failing to write it must not fail the step.
        void summary.write().catch((error) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Could not write the job summary: ${String(error)}`));
    }
}
/** Runs the main step (dist/main.js, through src/entries.ts). */
async function runMain() {
    if (!(await main()))
        (0,_exit_js__WEBPACK_IMPORTED_MODULE_8__/* .exitWhenFlushed */ .K)(1);
}


/***/ }),

/***/ 2901:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runPost: () => (/* binding */ runPost)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var _docker_docker_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3234);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7679);
/* harmony import */ var _teardown_teardown_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1818);
/* harmony import */ var _teardown_plan_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(385);
/* harmony import */ var _actions_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8320);
/**
 * The action's post step: remove what main created. It runs even when the job
 * failed, possibly after main failed half way, and must never fail the job:
 * problems are warnings, and a plan with nothing left in it is a no-op.
 */






async function post() {
    try {
        const plan = (0,_teardown_plan_js__WEBPACK_IMPORTED_MODULE_5__/* .parsePlan */ .vS)(_actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu(_actions_js__WEBPACK_IMPORTED_MODULE_4__/* .PLAN_STATE */ .oV));
        if (!plan) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq('Nothing to tear down: main saved no teardown plan (it failed before starting anything, or did not run).');
            return;
        }
        const started = performance.now();
        // The runner gives post the PATH main added to, so a downloaded docker CLI is found.
        const result = await (0,_teardown_teardown_js__WEBPACK_IMPORTED_MODULE_3__/* .tearDown */ .x)(plan, { logger: _actions_js__WEBPACK_IMPORTED_MODULE_4__/* .actionsLogger */ .MV, env: process.env, docker: (0,_docker_docker_js__WEBPACK_IMPORTED_MODULE_1__/* .realDocker */ .l)() });
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (result.removed.length > 0)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Removed ${result.removed.join(', ')} in ${seconds} s.`);
        if (result.alreadyGone.length > 0)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Already gone: ${result.alreadyGone.join(', ')}.`);
        if (result.removed.length === 0 && result.alreadyGone.length === 0 && result.complete)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq('Nothing to tear down.');
        if (result.publishedPorts.length > 0) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Host ports the job's containers published: ${result.publishedPorts.join('; ')}`);
            if (process.env.GITHUB_STEP_SUMMARY) {
                await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z
                    .addHeading('Host ports published by the job (DooD)', 3)
                    .addList(result.publishedPorts)
                    .write()
                    .catch((error) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Could not write the job summary: ${String(error)}`));
            }
        }
    }
    catch (error) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Teardown failed: ${(0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(error)}`);
    }
}
/** Runs the post step (dist/post.js, through src/entries.ts). */
const runPost = post;


/***/ })

};

//# sourceMappingURL=chunk-650d9b57d30db255.js.map
