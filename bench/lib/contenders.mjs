// The contenders: each starts real containers and polls for real, and returns
// its measured wall-clock times (performance.now) in seconds, by series (or
// in the unit it names for a series: the port forwarder's memory in MB).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, actionDefaults } from '../../scripts/actions-runner.mjs';
import { BENCH_LABEL, JOB_ENV, RUN_LABEL } from './resources.mjs';
import { copyImage, docker, firstLine, freePort, lines, pingOnce, run } from './proc.mjs';

/**
 * @typedef {import('./resources.mjs').Resources} Resources
 * @typedef {import('./resources.mjs').JobEntry} JobEntry
 * @typedef {object} Context
 * @property {Resources} res
 * @property {AbortSignal} signal
 * @property {string} image the DinD image (docker:dind)
 * @property {string} innerImage the image loaded into DinD and built FROM (busybox:latest)
 * @property {string} buildDir the build context
 * @property {number} overheadIterations pairs of overhead runs per repetition
 * @property {number} portsIterations transfers and first answers per path (forwarded, direct) per repetition
 * @property {() => Promise<import('./mirror.mjs').Mirror>} mirror the run's local docker CLI mirror (started on first use, closed at the end of the run)
 * @typedef {{ values: Record<string, number | number[]>, info?: Record<string, unknown> }} Measured
 * @typedef {object} Contender
 * @property {string} id
 * @property {string} description what exactly runs, and from when to when it is timed
 * @property {Record<string, string>} series what each measured value is
 * @property {Record<string, string>} [units] series not in seconds, and their unit (e.g. MB)
 * @property {(ctx: Context) => Promise<Measured>} run
 */

/** Deadline for any daemon to become ready (the seed flow needs ~17 s). */
const READY_TIMEOUT_MS = 120_000;
/** Pause between the floor's /_ping attempts: tight, yet the poller does not eat one of two cores. */
export const FLOOR_POLL_PAUSE_MS = 10;
const INNER_CONTAINERS = 3;
// The last: the forwarder's refusal of a port taken on the runner (in dockerd's error).
const PORT_TAKEN = /port is already allocated|address already in use|is already in use on the runner/i;

// ---------------------------------------------------------------- the action

/**
 * Runs dist/main.js the way the runner does; returns its result
 * (`seconds`: process spawn to exit, measured by ActionsJob with performance.now).
 * @param {JobEntry} entry
 * @param {Record<string, string>} inputs
 * @param {AbortSignal} signal
 */
export async function actionMain(entry, inputs, signal) {
  signal.throwIfAborted();
  const { child, done } = await entry.job.startMain(inputs, { env: JOB_ENV });
  // Cancelled like the runner cancels a step: SIGTERM, and main removes what it started.
  const cancel = () => child.kill('SIGTERM');
  signal.addEventListener('abort', cancel, { once: true });
  if (signal.aborted) cancel();
  const timer = setTimeout(cancel, READY_TIMEOUT_MS + 30_000);
  try {
    const result = await done;
    signal.throwIfAborted();
    if (result.code !== 0) {
      const why = result.errors.join(' ') || firstLine(result.stderr) || firstLine(result.stdout);
      throw new Error(`dist/main.js exited ${result.code}: ${why}`);
    }
    return result;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', cancel);
  }
}

/** Untimed check that a later step can use the exported DOCKER_HOST. */
async function assertUsable(entry, signal) {
  const env = entry.job.stepEnv();
  const version = await docker(['version', '--format', '{{.Server.Version}}'], { env, signal, timeoutMs: 30_000 });
  return version.stdout.trim();
}

/** Runs dist/post.js; `seconds` is its spawn to exit. Fails on a warning: teardown was not clean. */
async function actionPost(entry) {
  entry.posted = true;
  const post = await entry.job.post({ env: JOB_ENV });
  if (post.code !== 0 || post.warnings.length > 0) {
    const why = [...post.errors, ...post.warnings].join(' ') || firstLine(post.stderr) || firstLine(post.stdout);
    throw new Error(`dist/post.js exited ${post.code}${why ? `: ${why}` : ''}`);
  }
  return post;
}

/**
 * The action started with `inputs`, DOCKER_HOST checked, then post.
 * @param {Context} ctx
 * @param {Record<string, string>} inputs
 * @returns {Promise<Measured>}
 */
async function actionReady(ctx, inputs) {
  const entry = ctx.res.newJob();
  try {
    const main = await actionMain(entry, inputs, ctx.signal);
    const serverVersion = await assertUsable(entry, ctx.signal);
    const post = await actionPost(entry);
    return {
      values: { main: main.seconds, readySeconds: Number(main.outputs['ready-seconds']), post: post.seconds },
      info: { dockerHost: main.outputs['docker-host'], serverVersion, readySecondsOutput: main.outputs['ready-seconds'] },
    };
  } finally {
    await ctx.res.finishJob(entry);
  }
}

// ------------------------------------------------------ manual DinD containers

/**
 * Runs `attempt` up to three times while one of the `count` distinct ports
 * chosen free turns out to be taken (another process on the host grabbed it
 * in between).
 * @template T
 * @param {number} count
 * @param {(ports: number[]) => Promise<T>} attempt
 */
async function withFreePorts(count, attempt) {
  for (let tries = 1; ; tries++) {
    const ports = new Set();
    while (ports.size < count) ports.add(await freePort());
    try {
      return await attempt([...ports]);
    } catch (error) {
      if (tries >= 3 || !PORT_TAKEN.test(String(error))) throw error;
    }
  }
}

/**
 * @template T
 * @param {(port: number) => Promise<T>} attempt
 */
function withFreePort(attempt) {
  return withFreePorts(1, ([port]) => attempt(/** @type {number} */ (port)));
}

/** Removes a container of ours by name (and its anonymous volume); quiet when gone. */
async function removeContainer(name) {
  await docker(['rm', '--force', '--volumes', name]).catch(() => {});
}

/**
 * A shell flow as users write it: `docker run … docker:dind`, then
 * `until docker info; do sleep 1; done` (or with no pause). Timed from
 * spawning the shell to its exit, i.e. `docker run` to the first good `docker info`.
 * @param {Context} ctx
 * @param {{ name: string, tls: boolean, pollPause: '1' | 'none' }} flow
 * @returns {Promise<Measured>}
 */
async function shellFlow(ctx, flow) {
  const certs = flow.tls ? await mkdtemp(join(tmpdir(), 'setup-dind-bench-certs-')) : undefined;
  if (certs) ctx.res.dirs.add(certs);
  try {
    return await withFreePort(async (port) => {
      const name = ctx.res.name(flow.name);
      const runArgs = [
        'run',
        '--privileged',
        '-d',
        '--name',
        name,
        ...ctx.res.runArgs(),
        ...(flow.tls ? ['-e', 'DOCKER_TLS_CERTDIR=/certs', '-v', `${certs}:/certs/client`] : ['-e', 'DOCKER_TLS_CERTDIR=']),
        '-p',
        `127.0.0.1:${port}:${flow.tls ? 2376 : 2375}`,
        ctx.image,
      ];
      const quote = (word) => `'${word.replace(/'/g, `'\\''`)}'`;
      const poll =
        flow.pollPause === '1'
          ? 'tries=0; until docker info >/dev/null 2>&1; do tries=$((tries+1)); [ "$tries" -lt 120 ] || exit 98; sleep 1; done'
          : 'until docker info >/dev/null 2>&1; do :; done';
      const script = [
        `docker ${runArgs.map(quote).join(' ')} >/dev/null || exit 97`,
        `export DOCKER_HOST=tcp://127.0.0.1:${port}`,
        ...(flow.tls ? [`export DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${quote(/** @type {string} */ (certs))}`] : []),
        poll,
      ].join('\n');
      try {
        const result = await run('sh', ['-c', script], { signal: ctx.signal, timeoutMs: READY_TIMEOUT_MS });
        if (result.code !== 0) {
          const why = result.timedOut
            ? `not ready within ${READY_TIMEOUT_MS / 1000} s`
            : result.code === 97
              ? `docker run failed: ${firstLine(result.stderr)}`
              : `exit ${result.code}: ${firstLine(result.stderr)}`;
          throw new Error(`${flow.name}: ${why}`);
        }
        return { values: { ready: result.seconds }, info: { port } };
      } finally {
        await removeContainer(name);
      }
    });
  } finally {
    if (certs) {
      await rm(certs, { recursive: true, force: true });
      ctx.res.dirs.delete(certs);
    }
  }
}

/**
 * The floor: `docker run -e DOCKER_TLS_CERTDIR= docker:dind --tls=false` on a
 * free loopback port, polled from the moment of the spawn with GET /_ping
 * attempts 10 ms apart in this process. Then the idle container's removal,
 * `docker rm --force --volumes`, timed on its own.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function floor(ctx) {
  return withFreePort(async (port) => {
    const name = ctx.res.name('floor');
    const args = ['run', '--detach', '--privileged', '--name', name, ...ctx.res.runArgs(), '-e', 'DOCKER_TLS_CERTDIR='];
    args.push('-p', `127.0.0.1:${port}:2375`, ctx.image, '--tls=false');
    try {
      const started = performance.now();
      /** @type {import('./proc.mjs').RunResult | undefined} */
      let runResult;
      const running = run('docker', args, { signal: ctx.signal, timeoutMs: READY_TIMEOUT_MS }).then((result) => (runResult = result));
      running.catch(() => {});
      for (;;) {
        if (runResult && runResult.code !== 0) throw new Error(`docker run failed: ${firstLine(runResult.stderr)}`);
        if (await pingOnce(port, 1000)) break;
        if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s`);
        await sleep(FLOOR_POLL_PAUSE_MS, undefined, { signal: ctx.signal });
      }
      const ready = (performance.now() - started) / 1000;
      await running;
      const removal = await docker(['rm', '--force', '--volumes', name], { signal: ctx.signal });
      return { values: { ready, remove: removal.seconds }, info: { port } };
    } finally {
      await removeContainer(name);
    }
  });
}

// ------------------------------------------------------------ work in DinD

/**
 * The action, busybox loaded, three `docker run -d busybox sleep 600`
 * through the exported DOCKER_HOST, then post timed.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function teardownBusy(ctx) {
  const entry = ctx.res.newJob();
  try {
    await actionMain(entry, {}, ctx.signal);
    const env = entry.job.stepEnv();
    await copyImage(ctx.innerImage, env, ctx.signal);
    for (let i = 0; i < INNER_CONTAINERS; i++) {
      await docker(['run', '-d', ctx.innerImage, 'sleep', '600'], { env, signal: ctx.signal });
    }
    const running = lines((await docker(['ps', '--quiet'], { env, signal: ctx.signal })).stdout).length;
    if (running !== INNER_CONTAINERS) throw new Error(`expected ${INNER_CONTAINERS} running inner containers, found ${running}`);
    const post = await actionPost(entry);
    return { values: { post: post.seconds }, info: { innerContainers: running } };
  } finally {
    await ctx.res.finishJob(entry);
  }
}

/**
 * The build's files: a multi-step Dockerfile FROM busybox and a small context
 * file. The LABEL step comes first, so every image the classic builder makes
 * for it (each step's, not only the last) carries this run's labels: an
 * interrupted build's steps can be found and removed on the host.
 * @param {string} dir
 * @param {string} innerImage
 * @param {string} runTag
 */
export async function writeBuildContext(dir, innerImage, runTag) {
  const dockerfile = [
    `FROM ${innerImage}`,
    `LABEL ${BENCH_LABEL}=1 ${RUN_LABEL}=${runTag}`,
    'RUN dd if=/dev/urandom of=/a bs=1M count=20',
    'RUN mkdir -p /data && for i in $(seq 1 200); do echo "file $i" > /data/f$i; done',
    'COPY context.txt /data/context.txt',
    'RUN cat /data/context.txt /data/f* | md5sum > /data/sum',
    'RUN dd if=/dev/urandom of=/b bs=1M count=5 && rm /a',
    'RUN ls -la / /data > /listing && wc -c /listing',
    'CMD ["cat", "/data/sum"]',
    '',
  ].join('\n');
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  await writeFile(join(dir, 'context.txt'), Array.from({ length: 2000 }, (_, i) => `context line ${i}\n`).join(''));
  return dockerfile;
}

/**
 * `docker build --no-cache` with the classic builder (the same on both
 * daemons; the host's CLI has no buildx), timed from spawn to exit. With
 * `useCache`, the same build without --no-cache (steps the daemon has are reused).
 * @param {Context} ctx
 * @param {NodeJS.ProcessEnv} env
 * @param {string} tag
 * @param {{ useCache?: boolean }} [options]
 */
async function build(ctx, env, tag, { useCache = false } = {}) {
  const args = ['build', ...(useCache ? [] : ['--no-cache']), '--force-rm', '--tag', tag, ctx.buildDir];
  const result = await run('docker', args, { env: { ...env, DOCKER_BUILDKIT: '0' }, signal: ctx.signal, timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`docker build exited ${result.code}: ${firstLine(result.stderr) || firstLine(result.stdout)}`);
  return result;
}

/** The classic builder's step count (`Step N/M`) and how many steps it took from its cache. */
function cacheUse(stdout) {
  const steps = Number(/^Step \d+\/(\d+) :/m.exec(stdout)?.[1] ?? 0);
  const cached = (stdout.match(/^ ---> Using cache$/gm) ?? []).length;
  return { steps, cached };
}

/**
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function buildOnHost(ctx) {
  const tag = ctx.res.imageTag();
  try {
    const result = await build(ctx, process.env, tag);
    return { values: { build: result.seconds } };
  } finally {
    // By its tag; with it go the untagged images of its steps. A failed
    // build's steps have no tag: the sweep finds them by label.
    await docker(['image', 'rm', tag]).catch(() => {});
    ctx.res.images.delete(tag);
  }
}

/**
 * The action, busybox loaded, then the same build through its DOCKER_HOST.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function buildInDind(ctx) {
  const entry = ctx.res.newJob();
  try {
    await actionMain(entry, {}, ctx.signal);
    const env = entry.job.stepEnv();
    await copyImage(ctx.innerImage, env, ctx.signal);
    const driver = (await docker(['info', '--format', '{{.Driver}}'], { env, signal: ctx.signal })).stdout.trim();
    const result = await build(ctx, env, 'setup-dind-bench/build:in-dind'); // inside DinD, gone with it
    await actionPost(entry);
    return { values: { build: result.seconds }, info: { storageDriver: driver } };
  } finally {
    await ctx.res.finishJob(entry);
  }
}

// ------------------------------------------------- layer cache across jobs

/**
 * Two jobs, one after the other, on one cache volume (input `cache-volume`),
 * as on a self-hosted runner. The first (untimed) fills it: busybox loaded,
 * the build without --no-cache, post (a clean stop; the volume is kept). The
 * second starts on that data root (main timed), builds again (every step
 * from the cache; timed) and stops cleanly (post timed). The volume is removed
 * at the end; it is named by Resources, whose sweeps remove it also after a
 * failure or an interrupt (it carries no label of ours: the action makes it).
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function cacheWarm(ctx) {
  const volume = ctx.res.cacheVolume();
  const inputs = { 'cache-volume': volume };
  const first = ctx.res.newJob();
  const second = ctx.res.newJob();
  try {
    await actionMain(first, inputs, ctx.signal);
    const firstEnv = first.job.stepEnv();
    await copyImage(ctx.innerImage, firstEnv, ctx.signal);
    const filled = cacheUse((await build(ctx, firstEnv, 'setup-dind-bench/build:in-dind', { useCache: true })).stdout);
    await actionPost(first);
    await ctx.res.finishJob(first);

    const main = await actionMain(second, inputs, ctx.signal);
    const env = second.job.stepEnv();
    const images = lines((await docker(['image', 'ls', '--all', '--quiet'], { env, signal: ctx.signal })).stdout).length;
    const warm = await build(ctx, env, 'setup-dind-bench/build:in-dind', { useCache: true });
    const reused = cacheUse(warm.stdout);
    // Every step but FROM from the cache, or this is not the warm build it claims to be.
    if (reused.steps === 0 || reused.cached !== reused.steps - 1) {
      throw new Error(`the second job's build took ${reused.cached} of ${reused.steps} steps from the cache (expected ${reused.steps - 1})`);
    }
    const post = await actionPost(second);
    return {
      values: { main: main.seconds, build: warm.seconds, post: post.seconds },
      info: { cacheVolume: volume, firstJobCachedSteps: filled.cached, imagesAtStart: images, cachedSteps: reused.cached, steps: reused.steps },
    };
  } finally {
    await ctx.res.finishJob(first);
    await ctx.res.finishJob(second);
    // The sweep after the contender removes it (and its holder) if this fails.
    await docker(['volume', 'rm', volume]).catch(() => {});
  }
}

// -------------------------------------------------------- the docker CLI

/**
 * `mode: attach` to the host's daemon (its socket), three ways: with the
 * docker CLI on PATH and no docker-version (`onPath`, the baseline); with
 * `docker-version` and `docker-download-url` at the run's local mirror and an
 * empty tool cache (`download`: fetch, unpack, check, cache); again with that
 * tool cache (`cached`: a later job on the same runner). Each its own job;
 * dist/main.js timed spawn to exit, post untimed. The mirror's request log
 * and the step's log check that each took the path it is named after.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function cliDownload(ctx) {
  const mirror = await ctx.mirror();
  const attach = { mode: 'attach', 'docker-host': 'unix:///var/run/docker.sock' };
  const pinned = { ...attach, 'docker-version': mirror.version, 'docker-download-url': mirror.url };
  const toolCache = await mkdtemp(join(tmpdir(), 'setup-dind-bench-tool-cache-'));
  ctx.res.dirs.add(toolCache);
  /**
   * @param {Record<string, string>} inputs
   * @param {RegExp} expected in the step's log: where the CLI came from
   * @param {number} downloads requests the mirror must see
   */
  const step = async (inputs, expected, downloads) => {
    const entry = ctx.res.newJob();
    entry.job.baseEnv.RUNNER_TOOL_CACHE = toolCache; // the runner's, shared by its jobs
    try {
      const before = mirror.requests.length;
      const main = await actionMain(entry, inputs, ctx.signal);
      const requested = mirror.requests.slice(before);
      if (!expected.test(main.stdout)) throw new Error(`dist/main.js (${JSON.stringify(inputs)}) did not log ${expected}: ${firstLine(main.stdout)}`);
      if (requested.length !== downloads) throw new Error(`expected ${downloads} request(s) to the mirror, got ${requested.length}: ${requested.join(', ')}`);
      await assertUsable(entry, ctx.signal);
      await actionPost(entry);
      return { seconds: main.seconds, cliPath: main.outputs['docker-cli-path'], cliVersion: main.outputs['docker-cli-version'] };
    } finally {
      await ctx.res.finishJob(entry);
    }
  };
  try {
    const onPath = await step(attach, /\(found on PATH\)/, 0);
    const download = await step(pinned, /\(downloaded in [\d.]+ s, cached for later jobs\)/, 1);
    const cached = await step(pinned, /\(from the tool cache\)/, 0);
    if (!download.cliPath?.startsWith(toolCache)) throw new Error(`docker-cli-path ${download.cliPath} is not in the tool cache ${toolCache}`);
    return {
      values: { onPath: onPath.seconds, download: download.seconds, cached: cached.seconds },
      info: { version: mirror.version, archiveBytes: mirror.archiveBytes, onPath: onPath.cliPath, downloaded: download.cliPath, cliVersion: download.cliVersion },
    };
  } finally {
    await rm(toolCache, { recursive: true, force: true });
    ctx.res.dirs.delete(toolCache);
  }
}

// ------------------------------------------------ published ports (DinD)

/** The body each transfer fetches: a sparse file on a tmpfs, so the disk plays no part. */
const TRANSFER_BYTES = 200 * 2 ** 20;
/** Ports published at once for the forwarder's memory. */
const MANY_PORTS = 50;
const FORWARDER_MARKER = '--setup-dind-ports=';

/**
 * One `GET PATH HTTP/1.0` over a plain socket, read to the end (busybox
 * httpd closes after the answer): bytes received, and whether the answer is
 * a 200. Counting bytes, not parsing them, keeps the client's own cost as
 * small and as equal for both paths as it gets.
 * @param {string} host
 * @param {number} port
 * @param {string} path
 * @param {number} timeoutMs without any data
 * @returns {Promise<{ bytes: number, ok: boolean }>}
 */
function httpGet(host, port, path, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let bytes = 0;
    let head = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no data from ${host}:${port} for ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    socket.on('data', (chunk) => {
      if (head.length < 16) head += chunk.toString('latin1', 0, 16);
      bytes += chunk.length;
    });
    socket.on('error', reject);
    // After an error this settles nothing: the promise is rejected already.
    socket.on('close', () => resolve({ bytes, ok: /^HTTP\/1\.[01] 200 /.test(head) }));
  });
}

/**
 * From now to the first 200 answer to `GET /` at host:port, an attempt
 * every millisecond (refused, or accepted and closed while the server is
 * not listening yet, are retried).
 * @param {string} host
 * @param {number} port
 * @param {AbortSignal} signal
 */
async function firstAnswer(host, port, signal) {
  const started = performance.now();
  for (let attempts = 1; ; attempts++) {
    const answer = await httpGet(host, port, '/', 1000).catch(() => undefined);
    if (answer?.ok) return { seconds: (performance.now() - started) / 1000, attempts };
    if (performance.now() - started > 10_000) throw new Error(`GET / at ${host}:${port}: no answer within 10 s of docker run -d`);
    await sleep(1, undefined, { signal });
  }
}

/** `docker run -d` arguments for busybox httpd on container port 80 published on `port`: `/` answers `ok`, `/big` is TRANSFER_BYTES. */
function webServer(image, port) {
  const script = `truncate -s ${TRANSFER_BYTES} /www/big && echo ok > /www/index.html && exec httpd -f -p 80 -h /www`;
  return ['run', '-d', '--tmpfs', '/www', '-p', `${port}:80`, image, 'sh', '-c', script];
}

/**
 * The job's port forwarder, as main's saved plan names it (pid and the
 * marker in its command line), and its log (beside its ports directory).
 * @param {JobEntry} entry
 */
function portForwarder(entry) {
  const plan = JSON.parse(entry.job.state.plan ?? '{}');
  /** @type {{ pid: number, marker: string } | undefined} */
  const found = (plan.processes ?? []).find((/** @type {{ marker: string }} */ p) => p.marker.startsWith(FORWARDER_MARKER));
  if (!found) throw new Error('the saved plan names no port forwarder');
  return { ...found, log: join(dirname(found.marker.slice(FORWARDER_MARKER.length)), 'ports.log') };
}

/** Whether `pid` still runs with `marker` in its command line (as the teardown checks; a zombie has none). */
async function runs({ pid, marker }) {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').includes(marker);
}

/** A line of /proc/PID/status in MB (the file's "kB" are KiB). */
async function procMB(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return (Number(kib) * 1024) / 1e6;
}

/** User and system CPU seconds of `pid` so far (/proc/PID/stat, in clock ticks of 1/100 s). */
async function cpuSeconds(pid) {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * One job with `load-images: busybox`, main and post untimed. Through its
 * DOCKER_HOST:
 * - the forwarder's VmRSS with no port (`rss0`), then with MANY_PORTS host
 *   ports of one `docker run -d busybox sleep` (`rss50`), each checked in
 *   the forwarder's log;
 * - per iteration, two fresh busybox httpd containers: from `docker run -d`
 *   returning to the first 200 for `GET /`, at 127.0.0.1:HostPort through
 *   the forwarder (`answerForwarded`) and at the DinD container's
 *   IP:HostPort, the inner daemon's own publish (`answerDirect`);
 * - per iteration, `GET /big` (TRANSFER_BYTES) from one httpd container,
 *   both ways (`transferForwarded`, `transferDirect`), connect to end.
 * The order of the two paths alternates between iterations. Post must stop
 * the forwarder; if it did not, it is stopped here and this fails.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function ports(ctx) {
  const entry = ctx.res.newJob();
  /** @type {ReturnType<typeof portForwarder> | undefined} */
  let forwarder;
  try {
    const main = await actionMain(entry, { 'load-images': ctx.innerImage }, ctx.signal);
    const env = entry.job.stepEnv();
    const inner = (/** @type {string[]} */ args) => docker(args, { env, signal: ctx.signal });
    forwarder = portForwarder(entry);
    if (!(await runs(forwarder))) throw new Error(`the port forwarder (pid ${forwarder.pid}) does not run`);
    const addresses = await docker(['container', 'inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', main.outputs['container-id']]);
    const target = addresses.stdout.trim().split(/\s+/)[0] ?? '';
    // The direct path must be the forwarder's own upstream, or the comparison says nothing.
    const upstream = /ready: forwarding .* to (\S+)$/m.exec(await readFile(forwarder.log, 'utf8'))?.[1];
    if (upstream !== target) throw new Error(`the forwarder relays to ${upstream}, the DinD container's address is ${target}`);

    const rss0 = await procMB(forwarder.pid, 'VmRSS');
    const many = await withFreePorts(MANY_PORTS, async (list) => {
      const publish = list.flatMap((port) => ['-p', `${port}:80`]);
      const started = await inner(['run', '-d', ...publish, ctx.innerImage, 'sleep', '600']);
      return { list, seconds: started.seconds };
    });
    // docker run -d returns once every port's helper has its answer: all listen by now.
    const log = await readFile(forwarder.log, 'utf8');
    const opened = many.list.filter((port) => log.includes(`forwarding tcp/127.0.0.1/${port} `)).length;
    if (opened !== MANY_PORTS) throw new Error(`${opened} of ${MANY_PORTS} published ports are forwarded`);
    const rss50 = await procMB(forwarder.pid, 'VmRSS');

    const paths = (i) => (i % 2 === 0 ? /** @type {const} */ (['direct', 'forwarded']) : /** @type {const} */ (['forwarded', 'direct']));
    const host = (path) => (path === 'forwarded' ? '127.0.0.1' : target);
    /** @type {Record<'direct' | 'forwarded', number[]>} */
    const answer = { direct: [], forwarded: [] };
    const attempts = { direct: [], forwarded: [] };
    for (let i = 0; i < ctx.portsIterations; i++) {
      for (const path of paths(i)) {
        const first = await withFreePort(async (port) => {
          await inner(webServer(ctx.innerImage, port));
          return firstAnswer(host(path), port, ctx.signal);
        });
        answer[path].push(first.seconds);
        attempts[path].push(first.attempts);
      }
    }

    /** @type {Record<'direct' | 'forwarded', number[]>} */
    const transfer = { direct: [], forwarded: [] };
    const cpuBefore = await cpuSeconds(forwarder.pid);
    await withFreePort(async (port) => {
      await inner(webServer(ctx.innerImage, port));
      await firstAnswer(target, port, ctx.signal);
      for (let i = 0; i < ctx.portsIterations; i++) {
        for (const path of paths(i)) {
          const started = performance.now();
          const got = await httpGet(host(path), port, '/big', 30_000);
          transfer[path].push((performance.now() - started) / 1000);
          if (!got.ok || got.bytes <= TRANSFER_BYTES) throw new Error(`GET /big at ${host(path)}:${port}: ${got.ok ? `${got.bytes} bytes` : 'not a 200'}, expected ${TRANSFER_BYTES} bytes and headers`);
        }
      }
    });
    // The forwarded transfers only: the direct ones do not pass through it.
    const cpu = (await cpuSeconds(forwarder.pid)) - cpuBefore;
    const peak = await procMB(forwarder.pid, 'VmHWM');

    await actionPost(entry);
    if (await runs(forwarder)) throw new Error(`post left the port forwarder (pid ${forwarder.pid}) running`);
    const mbps = (seconds) => Math.round(TRANSFER_BYTES / 1e6 / seconds);
    return {
      values: {
        transferDirect: transfer.direct,
        transferForwarded: transfer.forwarded,
        answerDirect: answer.direct,
        answerForwarded: answer.forwarded,
        rss0,
        rss50,
      },
      info: {
        target,
        transferMB: TRANSFER_BYTES / 1e6,
        directMBps: transfer.direct.map(mbps),
        forwardedMBps: transfer.forwarded.map(mbps),
        answerAttempts: attempts,
        dockerRunManyPortsSeconds: many.seconds,
        forwarderCpuSecondsPerTransfer: Math.round((cpu / ctx.portsIterations) * 100) / 100,
        forwarderPeakMB: peak,
      },
    };
  } finally {
    await ctx.res.finishJob(entry);
    // Ours by pid and marker: never left running, whatever failed.
    if (forwarder && (await runs(forwarder))) {
      try {
        process.kill(forwarder.pid, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
    }
  }
}

// ------------------------------------------------------------------- scale

/**
 * `n` jobs started at once (each its own ActionsJob); timed from before the
 * first start to the exit of the last main; then all posts at once.
 * @param {Context} ctx
 * @param {number} n
 * @returns {Promise<Measured>}
 */
async function scale(ctx, n) {
  const entries = Array.from({ length: n }, () => ctx.res.newJob());
  try {
    const started = performance.now();
    const mains = await Promise.allSettled(entries.map((entry) => actionMain(entry, {}, ctx.signal)));
    const allReady = (performance.now() - started) / 1000;
    ctx.signal.throwIfAborted();
    const failed = mains.filter((main) => main.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${n} failed: ${String(/** @type {PromiseRejectedResult} */ (failed[0]).reason)}`);
    await Promise.all(entries.map((entry) => assertUsable(entry, ctx.signal)));
    const postStarted = performance.now();
    await Promise.all(entries.map((entry) => actionPost(entry)));
    const postAll = (performance.now() - postStarted) / 1000;
    const each = mains.map((main) => (main.status === 'fulfilled' ? main.value.seconds : null));
    return { values: { ready: allReady, post: postAll }, info: { mainSeconds: each } };
  } finally {
    await Promise.all(entries.map((entry) => ctx.res.finishJob(entry)));
  }
}

// ---------------------------------------------------------------- overhead

/**
 * `node -e ""`; `node dist/main.js` with the runner's INPUT_* variables and
 * INPUT_MODE=invalid (it loads the bundle, validates, fails at once);
 * `node dist/post.js` with no saved state (loads the bundle, finds nothing
 * to tear down); `node dist/cli.js --version`: alternated, each timed from
 * spawn to exit.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function overhead(ctx) {
  const inputs = { ...(await actionDefaults()), mode: 'invalid' };
  const env = { ...process.env };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const nodeEmpty = [];
  const mainInvalid = [];
  const postEmpty = [];
  const cliVersion = [];
  // post as the runner starts it, but with no STATE_plan: main never ran.
  const postEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('STATE_')));
  for (let i = 0; i < ctx.overheadIterations; i++) {
    const empty = await run(process.execPath, ['-e', ''], { signal: ctx.signal, timeoutMs: 30_000 });
    if (empty.code !== 0) throw new Error(`node -e "" exited ${empty.code}`);
    nodeEmpty.push(empty.seconds);
    const main = await run(process.execPath, [join(ROOT, 'dist', 'main.js')], { env, signal: ctx.signal, timeoutMs: 30_000 });
    if (main.code !== 1 || !/Input "mode"/.test(main.stdout)) {
      throw new Error(`dist/main.js with INPUT_MODE=invalid: expected exit 1 naming input "mode", got ${main.code}: ${firstLine(main.stdout)}`);
    }
    mainInvalid.push(main.seconds);
    const post = await run(process.execPath, [join(ROOT, 'dist', 'post.js')], { env: postEnv, signal: ctx.signal, timeoutMs: 30_000 });
    if (post.code !== 0 || !/Nothing to tear down/.test(post.stdout)) {
      throw new Error(`dist/post.js with no saved state: expected exit 0 and "Nothing to tear down", got ${post.code}: ${firstLine(post.stdout)}`);
    }
    postEmpty.push(post.seconds);
    const cli = await run(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--version'], { signal: ctx.signal, timeoutMs: 30_000 });
    if (cli.code !== 0 || !/^\d+\.\d+\.\d+/.test(cli.stdout)) throw new Error(`dist/cli.js --version: expected exit 0 and a version, got ${cli.code}: ${firstLine(cli.stdout)}`);
    cliVersion.push(cli.seconds);
  }
  return { values: { nodeEmpty, mainInvalid, postEmpty, cliVersion } };
}

// ------------------------------------------------------------------ the list

/**
 * In the order they run within each repetition.
 * @param {string} image
 * @returns {Contender[]}
 */
export function contenders(image) {
  return [
    {
      id: 'floor',
      description:
        `(c) docker run --detach --privileged -e DOCKER_TLS_CERTDIR= -p 127.0.0.1:PORT:2375 ${image} --tls=false (PORT free, chosen beforehand), ` +
        `polled from the spawn with GET /_ping in Node, attempts ${FLOOR_POLL_PAUSE_MS} ms apart; timed spawn to first 200 OK. ` +
        'Then docker rm --force --volumes of the idle container, timed on its own.',
      series: { ready: 'time to ready', remove: 'docker rm --force --volumes of the idle container' },
      run: floor,
    },
    {
      id: 'action-tcp',
      description: 'setup-dind with default inputs (plain TCP): dist/main.js run as the runner runs it, spawn to exit; DOCKER_HOST checked afterwards (untimed); then dist/post.js, spawn to exit.',
      series: { main: 'dist/main.js spawn to exit', readySeconds: 'its ready-seconds output', post: 'dist/post.js spawn to exit, idle daemon' },
      run: (ctx) => actionReady(ctx, {}),
    },
    {
      id: 'seed',
      description: `(a) sh -c 'docker run --privileged -d -e DOCKER_TLS_CERTDIR="" -p 127.0.0.1:PORT:2375 ${image}; until docker info; do sleep 1; done' with DOCKER_HOST=tcp://127.0.0.1:PORT; timed spawn to exit.`,
      series: { ready: 'time to ready' },
      run: (ctx) => shellFlow(ctx, { name: 'seed', tls: false, pollPause: '1' }),
    },
    {
      id: 'gitlab-1s',
      description:
        `(b) GitLab's documented service settings: docker run --privileged -d -e DOCKER_TLS_CERTDIR=/certs -v HOSTDIR:/certs/client -p 127.0.0.1:PORT:2376 ${image} ` +
        '(the image makes a CA, server and client certificate, 4096-bit RSA, and serves TLS on 2376); ' +
        'then until docker info; do sleep 1; done with DOCKER_HOST=tcp://127.0.0.1:PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=HOSTDIR; timed spawn to exit.',
      series: { ready: 'time to ready' },
      run: (ctx) => shellFlow(ctx, { name: 'gitlab-1s', tls: true, pollPause: '1' }),
    },
    {
      id: 'action-tls',
      description: "setup-dind with tls: 'true' (per-job ECDSA P-256 CA, server and client certificates, mutual TLS on 2376): dist/main.js spawn to exit.",
      series: { main: 'dist/main.js spawn to exit', readySeconds: 'its ready-seconds output', post: 'dist/post.js spawn to exit' },
      run: (ctx) => actionReady(ctx, { tls: 'true' }),
    },
    {
      id: 'action-unix',
      description: "setup-dind with transport: 'unix' (a socket under RUNNER_TEMP, no TCP listener): dist/main.js spawn to exit.",
      series: { main: 'dist/main.js spawn to exit', readySeconds: 'its ready-seconds output', post: 'dist/post.js spawn to exit' },
      run: (ctx) => actionReady(ctx, { transport: 'unix' }),
    },
    {
      id: 'gitlab-tight',
      description: '(b) as gitlab-1s, but polled with docker info back to back (until docker info; do :; done), so only the certificates and the daemon start count.',
      series: { ready: 'time to ready' },
      run: (ctx) => shellFlow(ctx, { name: 'gitlab-tight', tls: true, pollPause: 'none' }),
    },
    {
      id: 'teardown-busy',
      description: `setup-dind (default inputs); docker save busybox:latest | docker load into it; ${INNER_CONTAINERS} x docker run -d busybox sleep 600 through its DOCKER_HOST; then dist/post.js timed, spawn to exit.`,
      series: { post: `dist/post.js spawn to exit, ${INNER_CONTAINERS} running inner containers` },
      run: teardownBusy,
    },
    {
      id: 'build-dind',
      description: 'setup-dind (default inputs), busybox loaded, then DOCKER_BUILDKIT=0 docker build --no-cache of bench\'s Dockerfile through its DOCKER_HOST, spawn to exit; post untimed.',
      series: { build: 'docker build --no-cache, spawn to exit' },
      run: buildInDind,
    },
    {
      id: 'build-host',
      description: 'DOCKER_BUILDKIT=0 docker build --no-cache of the same context on the host daemon directly (DooD), spawn to exit; the image is removed by its bench tag afterwards.',
      series: { build: 'docker build --no-cache, spawn to exit' },
      run: buildOnHost,
    },
    {
      id: 'cache-warm',
      description:
        'Two jobs one after the other with input cache-volume (a volume of this run): the first (untimed) loads busybox, runs the build without --no-cache, ' +
        'and posts (docker stop --time 30, volume kept); the second: dist/main.js on the warm data root, spawn to exit; the same build without --no-cache ' +
        '(every step but FROM from the cache, checked), spawn to exit; dist/post.js (clean stop, volume kept), spawn to exit. The volume is removed after each repetition.',
      series: {
        main: 'dist/main.js spawn to exit, warm data root',
        build: 'docker build (no --no-cache), all steps cached, spawn to exit',
        post: 'dist/post.js spawn to exit, clean stop keeping the data root',
      },
      run: cacheWarm,
    },
    ...[1, 4, 8].map((n) => ({
      id: `scale-${n}`,
      description: `${n} ActionsJob(s) started at once with default inputs: from before the first start to the exit of the last dist/main.js; then all posts at once, timed together.`,
      series: { ready: `all ${n} ready`, post: `all ${n} posts` },
      run: (/** @type {Context} */ ctx) => scale(ctx, n),
    })),
    {
      id: 'overhead',
      description:
        'node -e ""; node dist/main.js (action.yml defaults as INPUT_*, INPUT_MODE=invalid: loads the bundle, validates, exits 1); ' +
        'node dist/post.js with no saved state (loads the bundle, nothing to tear down); node dist/cli.js --version; alternated, each spawn to exit.',
      series: {
        nodeEmpty: 'node -e ""',
        mainInvalid: 'node dist/main.js, INPUT_MODE=invalid',
        postEmpty: 'node dist/post.js, no saved state',
        cliVersion: 'node dist/cli.js --version',
      },
      run: overhead,
    },
    {
      id: 'cli-download',
      description:
        "mode: attach, docker-host: unix:///var/run/docker.sock, each its own job, dist/main.js spawn to exit: with the docker CLI on PATH and no docker-version (onPath); " +
        'with docker-version (the local client\'s release) and docker-download-url at a local HTTP mirror serving /<arch>/docker-<version>.tgz packed from the local client, ' +
        'RUNNER_TOOL_CACHE a fresh directory (download); the same again with that tool cache (cached). Post untimed.',
      series: {
        onPath: 'dist/main.js, docker found on PATH',
        download: 'dist/main.js, CLI downloaded, unpacked, checked and cached',
        cached: 'dist/main.js, CLI from the tool cache',
      },
      run: cliDownload,
    },
    {
      id: 'ports',
      description:
        "setup-dind with load-images: busybox (main and post untimed); through its DOCKER_HOST, busybox httpd containers publishing container port 80 on a free host port (-p PORT:80). " +
        `The port forwarder's VmRSS (/proc/PID/status) with no published port, and with ${MANY_PORTS} (one docker run -d with ${MANY_PORTS} -p, each checked in its log). ` +
        'Per iteration, paths alternated: from docker run -d returning to the first 200 for GET / (an attempt every ms) at 127.0.0.1:PORT (forwarded) and at the DinD container\'s IP:PORT (direct: the inner daemon\'s own publish), each a fresh container; ' +
        `GET /big (${TRANSFER_BYTES / 2 ** 20} MiB, a sparse file on a tmpfs) over a Node socket read to the end, connect to end, both ways. Post must stop the forwarder.`,
      series: {
        transferDirect: `GET /big (${TRANSFER_BYTES / 2 ** 20} MiB) at the DinD container's IP:PORT`,
        transferForwarded: `GET /big (${TRANSFER_BYTES / 2 ** 20} MiB) at 127.0.0.1:PORT, through the forwarder`,
        answerDirect: "docker run -d returned to the first 200 at the DinD container's IP:PORT",
        answerForwarded: 'docker run -d returned to the first 200 at 127.0.0.1:PORT',
        rss0: 'port forwarder VmRSS, no published port (MB)',
        rss50: `port forwarder VmRSS, ${MANY_PORTS} published ports (MB)`,
      },
      units: { rss0: 'MB', rss50: 'MB' },
      run: ports,
    },
  ];
}
