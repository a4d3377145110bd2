// The DooD proxy against the host's socket, in the same run: the API round
// trip, and three streams of 300 MB (a build context, a container's stdout, a
// `docker cp`), each timed both ways, the order alternating; the proxy's
// memory (VmHWM, its peak RSS) after all of them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionMain } from './contenders.mjs';
import { docker, firstLine, run } from './proc.mjs';

/** @typedef {import('./contenders.mjs').Context} Context */
/** @typedef {import('./contenders.mjs').Measured} Measured */

const HOST_SOCKET = '/var/run/docker.sock';
const PROXY_MARKER = '--setup-dind-proxy=';
export const ROUND_TRIPS = 200;
export const STREAM_MB = 300;
/** The small calls are measured in this many blocks per path, taking turns. */
const BLOCKS = 10;
/** Calls so far: the order of the two paths alternates between them. */
let calls = 0;

/**
 * `count` sequential `GET /containers/json`, a new connection each, as
 * each `docker ps` makes one; seconds for all.
 * @param {string} socketPath
 */
async function roundTrips(socketPath, count) {
  const once = () =>
    new Promise((resolve, reject) => {
      const request = http.get({ socketPath, path: '/containers/json', agent: false }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve(undefined) : reject(new Error(`GET /containers/json: ${response.statusCode}`))));
      });
      request.on('error', reject);
    });
  const started = performance.now();
  for (let i = 0; i < count; i++) await once();
  return (performance.now() - started) / 1000;
}

/** `COMMAND ARGS` with DOCKER_HOST at `socketPath`; its spawn-to-exit seconds. */
async function timedCommand(socketPath, command, args, ctx, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONTEXT: undefined };
  const result = await run(command, args, { env, signal: ctx.signal, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.slice(0, 2).join(' ')} through ${socketPath}: exit ${result.code}: ${firstLine(result.stderr)}`);
  return result.seconds;
}

/** `docker ARGS` with DOCKER_HOST at `socketPath`; its spawn-to-exit seconds. */
const timedDocker = (socketPath, args, ctx, extraEnv = {}) => timedCommand(socketPath, 'docker', args, ctx, extraEnv);

/**
 * One DooD job (`dood-policy: strict`), main and post untimed; through its
 * proxy and through the host socket, alternating: ROUND_TRIPS API calls, a
 * classic build (DOCKER_BUILDKIT=0) whose context holds a STREAM_MB file,
 * STREAM_MB of a container's stdout (attached, through the hijacked stream),
 * `docker cp` of a STREAM_MB file out of a container to stdout. The proxy's
 * VmHWM at the end.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function doodProxy(ctx) {
  const entry = ctx.res.newJob();
  const context = await mkdtemp(join(tmpdir(), 'setup-dind-bench-context-'));
  ctx.res.dirs.add(context);
  const containers = [];
  try {
    await actionMain(entry, { mode: 'dood', 'dood-policy': 'strict' }, ctx.signal);
    const proxySocket = new URL(entry.job.stepEnv().DOCKER_HOST ?? '').pathname;
    const plan = JSON.parse(entry.job.state.plan ?? '{}');
    const proxy = (plan.processes ?? []).find((/** @type {{ marker: string }} */ p) => p.marker.startsWith(PROXY_MARKER));
    if (!proxy || !proxySocket) throw new Error('the saved plan names no DooD proxy, or DOCKER_HOST is not its socket');

    await writeFile(join(context, 'Dockerfile'), `FROM ${ctx.innerImage}\nCOPY big /big\n`);
    await run('sh', ['-c', `head -c ${STREAM_MB}m /dev/zero > big`], { cwd: context });
    // One container that holds a STREAM_MB file for docker cp (through the proxy, so strict lets the job copy from it).
    const holder = (await docker(['run', '-d', ctx.innerImage, 'sh', '-c', `head -c ${STREAM_MB}m /dev/zero > /big && touch /ready && sleep 600`], { env: entry.job.stepEnv() })).stdout.trim();
    containers.push(holder);
    const ready = await run('sh', ['-c', `until docker exec ${holder} test -f /ready; do sleep 0.2; done`], { env: entry.job.stepEnv(), timeoutMs: 60_000 });
    if (ready.code !== 0) throw new Error(`the docker cp source container did not get its file: ${firstLine(ready.stderr)}`);

    /** @type {Record<string, number[]>} */
    const values = { psHost: [], psProxy: [], roundTripHost: [], roundTripProxy: [], buildHost: [], buildProxy: [], stdoutHost: [], stdoutProxy: [], cpHost: [], cpProxy: [] };
    const paths = [
      ['Host', HOST_SOCKET],
      ['Proxy', proxySocket],
    ];
    // The small calls in blocks, the two paths taking turns, so a slow spell of the machine (the page cache
    // writing back the files just made, say) hits both alike; each path's blocks are summed.
    const ps = `i=0; while [ $i -lt ${ROUND_TRIPS / BLOCKS} ]; do docker ps --quiet >/dev/null || exit 1; i=$((i + 1)); done`;
    const sums = { psHost: 0, psProxy: 0, roundTripHost: 0, roundTripProxy: 0 };
    for (let block = 0; block < BLOCKS; block++) {
      for (const [which, socketPath] of (calls + block) % 2 === 0 ? paths : [...paths].reverse()) {
        sums[`ps${which}`] += await timedCommand(socketPath, 'sh', ['-c', ps], ctx);
        sums[`roundTrip${which}`] += await roundTrips(socketPath, ROUND_TRIPS / BLOCKS);
      }
    }
    for (const [key, sum] of Object.entries(sums)) values[key].push(sum);
    for (const [which, socketPath] of calls++ % 2 === 0 ? paths : [...paths].reverse()) {
      const tag = ctx.res.imageTag();
      values[`build${which}`].push(await timedDocker(socketPath, ['build', '--quiet', '--tag', tag, context], ctx, { DOCKER_BUILDKIT: '0' }));
      await docker(['image', 'rm', tag]).catch(() => {});
      ctx.res.images.delete(tag);
      values[`stdout${which}`].push(await timedDocker(socketPath, ['run', '--rm', ctx.innerImage, 'head', '-c', `${STREAM_MB}m`, '/dev/zero'], ctx));
      values[`cp${which}`].push(await timedDocker(socketPath, ['cp', `${holder}:/big`, '-'], ctx));
    }
    const status = await readFile(`/proc/${proxy.pid}/status`, 'utf8');
    const peakKib = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
    return {
      values: { ...Object.fromEntries(Object.entries(values).map(([key, list]) => [key, list[0]])), proxyPeakRss: (peakKib * 1024) / 1e6 },
      info: { proxySocket, proxyPid: proxy.pid },
    };
  } finally {
    if (containers.length > 0) await docker(['rm', '--force', ...containers]).catch(() => {});
    await ctx.res.finishJob(entry);
    await rm(context, { recursive: true, force: true });
    ctx.res.dirs.delete(context);
  }
}

export function doodContenders() {
  return [
    {
      id: 'dood-proxy',
      description:
        `One job with mode: dood, dood-policy: strict (main and post untimed). Through the host socket and through the job's proxy, the order alternating between repetitions: ` +
        `${ROUND_TRIPS} × docker ps (sh loops, spawn to exit) and ${ROUND_TRIPS} sequential GET /containers/json from Node, a new connection each (the proxy's own share, without the CLI's start), both in ${BLOCKS} blocks per path taking turns; a classic build (DOCKER_BUILDKIT=0) of FROM busybox + COPY of a ${STREAM_MB} MB file, docker build spawn to exit; ` +
        `docker run --rm busybox head -c ${STREAM_MB}m /dev/zero (attached stdout), spawn to exit; docker cp of a ${STREAM_MB} MB file from a job container to stdout, spawn to exit. ` +
        "Then the proxy's VmHWM (peak RSS) from /proc.",
      series: {
        psHost: `${ROUND_TRIPS} × docker ps, one after the other, host socket`,
        psProxy: `${ROUND_TRIPS} × docker ps, one after the other, through the proxy`,
        roundTripHost: `${ROUND_TRIPS} × GET /containers/json, host socket`,
        roundTripProxy: `${ROUND_TRIPS} × GET /containers/json, through the proxy`,
        buildHost: `build with a ${STREAM_MB} MB context, host socket`,
        buildProxy: `build with a ${STREAM_MB} MB context, through the proxy`,
        stdoutHost: `${STREAM_MB} MB of a container's stdout, host socket`,
        stdoutProxy: `${STREAM_MB} MB of a container's stdout, through the proxy`,
        cpHost: `docker cp of ${STREAM_MB} MB, host socket`,
        cpProxy: `docker cp of ${STREAM_MB} MB, through the proxy`,
        proxyPeakRss: "the proxy's VmHWM after all of them (MB)",
      },
      units: { proxyPeakRss: 'MB' },
      run: doodProxy,
    },
  ];
}
