#!/usr/bin/env node
// The benchmark of issue 8: how fast setup-dind gives a job a usable Docker
// daemon, against the ways people do it by hand, measured side by side on
// the machine it runs on.
//
//   npm run bench                      5 repetitions (8-10 minutes on 2 cores)
//   npm run bench -- --reps 3
//   npm run bench -- --quick           each contender once (smoke mode; the tests run it)
//   npm run bench -- --out DIR         where the results go (default bench/results)
//   npm run bench -- --only a,b        only these contenders (ids: see --help)
//
// Within each repetition every contender runs once, in a fixed order
// (A B C … A B C …), so slow drifts of the machine hit all of them alike.
// Reported: medians, and ratios against each group's baseline from the same
// run (absolute times vary between machines; ratios side by side much less).
// Writes <out>/latest.{md,json,svg} (quick-latest.* with --quick) and prints
// the markdown to stdout; progress goes to stderr. Exits 1 when a contender
// failed (the rest still runs), 2 on bad usage or a missing prerequisite,
// 130 when interrupted. Everything it creates is removed, also on failure
// and on Ctrl-C (see lib/resources.mjs for how it tells its own objects).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../scripts/actions-runner.mjs';
import { FLOOR_POLL_PAUSE_MS, contenders as actionContenders, writeBuildContext } from './lib/contenders.mjs';
import { doodContenders } from './lib/dood.mjs';
import { serviceContenders } from './lib/services.mjs';
import { docker, lines, run } from './lib/proc.mjs';
import { startMirror } from './lib/mirror.mjs';
import { chartSvg, markdownTable, median, summarize } from './lib/report.mjs';
import { Resources } from './lib/resources.mjs';

const IMAGE = 'docker:dind';
const INNER_IMAGE = 'busybox:latest';
const log = (text) => process.stderr.write(`${text}\n`);

function usage(contenders) {
  return [
    'Usage: node bench/run.mjs [--reps N] [--quick] [--out DIR] [--only ID,ID]',
    '  --reps N    repetitions (default 5); each runs every contender once, alternating',
    '  --quick     smoke mode: every contender exactly once',
    '  --out DIR   output directory (default bench/results)',
    '  --only IDS  comma-separated contender ids:',
    ...contenders.map((contender) => `      ${contender.id}`),
  ].join('\n');
}

/** CPU model, cores, memory, kernel, Docker server, Node, date. */
async function describeMachine() {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const dockerServer = (await docker(['version', '--format', '{{.Server.Version}}']).catch(() => ({ stdout: 'unknown' }))).stdout.trim();
  const image = (await docker(['image', 'inspect', '--format', '{{.Id}}', IMAGE]).catch(() => ({ stdout: '' }))).stdout.trim();
  const machine = {
    cpu,
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    dockerServer,
    dindImage: `${IMAGE} ${image.replace('sha256:', '').slice(0, 12)}`,
    node: process.version,
    nodePath: process.execPath,
    date: new Date().toISOString(),
  };
  const line =
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB memory, Linux ${machine.kernel}, ` +
    `Docker server ${machine.dockerServer} (DinD image ${machine.dindImage}), Node ${machine.node}, ${machine.date.slice(0, 16).replace('T', ' ')} UTC`;
  return { machine, line };
}

/** Two short lines for the chart. */
function chartSubtitle(machine, what) {
  return [
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}`,
    `Docker ${machine.dockerServer}, Node ${machine.node}, ${machine.date.slice(0, 16).replace('T', ' ')} UTC, ${what}`,
  ];
}

/**
 * What a bundle holds, from its source map: packages and folders of src/,
 * in the order they first appear.
 * @param {Buffer} map
 */
function bundled(map) {
  const sources = JSON.parse(map.toString('utf8')).sources.filter((source) => source.startsWith('../'));
  return [...new Set(sources.map((source) => /^\.\.\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ?? source.slice(3).split('/').slice(0, -1).join('/')))];
}

/**
 * dist/ as measured: each file's size (and for a bundle what it holds), the
 * total, one digest over all of them (names and contents), and the commit.
 */
async function describeAction() {
  const files = {};
  const digest = createHash('sha256');
  let bytes = 0;
  for (const name of (await readdir(join(ROOT, 'dist'))).sort()) {
    const content = await readFile(join(ROOT, 'dist', name));
    files[name] = { bytes: content.length };
    if (name.endsWith('.js.map')) files[name.slice(0, -'.map'.length)].holds = bundled(content);
    bytes += content.length;
    digest.update(`${name}\0${createHash('sha256').update(content).digest('hex')}\n`);
  }
  const git = async (args) => (await run('git', args, { cwd: ROOT, timeoutMs: 10_000 }).catch(() => ({ stdout: '' }))).stdout.trim();
  return { dist: { bytes, sha256: digest.digest('hex'), files }, commit: await git(['rev-parse', 'HEAD']), distModified: (await git(['status', '--porcelain', '--', 'dist'])) !== '' };
}

/** dist/ in one line: the total, what of it is source maps, and each file but the maps by size. */
function distSizes(dist) {
  const kB = (n) => (n < 1000 ? `${n} B` : `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)} kB`);
  const holds = (file) => (file.holds ? ` (${file.holds.slice(0, 3).join(', ')}${file.holds.length > 3 ? ', …' : ''})` : '');
  const entries = Object.entries(dist.files);
  const maps = entries.filter(([name]) => name.endsWith('.map')).reduce((sum, [, file]) => sum + file.bytes, 0);
  const others = entries.filter(([name]) => !name.endsWith('.map')).sort(([, a], [, b]) => b.bytes - a.bytes);
  return `dist/: ${kB(dist.bytes)} in ${entries.length} files, ${kB(maps)} of it source maps; ${others.map(([name, file]) => `${name} ${kB(file.bytes)}${holds(file)}`).join(', ')}.`;
}

/**
 * The published-ports rows in words, with what the table leaves out: MB/s,
 * the forwarder's CPU and peak memory, connect attempts, the 50-port start.
 * @param {Record<string, any>[]} infos the `ports` contender's, one per repetition
 */
function portsNote(infos) {
  const mid = (values) => /** @type {number} */ (median(values));
  const all = (pick) => infos.flatMap(pick);
  const direct = mid(all((info) => info.directMBps));
  const forwarded = mid(all((info) => info.forwardedMBps));
  return (
    `- Published ports rows: one job with \`load-images: busybox\`; busybox httpd containers in its DinD daemon, each on a host port chosen free (\`-p PORT:80\`); the client is a Node socket in the benchmark's process. ` +
    `GET /big (${infos[0]?.transferMB.toFixed(1)} MB): ${direct} MB/s direct, ${forwarded} MB/s forwarded (medians: forwarded at ${(forwarded / direct).toFixed(2)}x the direct throughput), ` +
    `the forwarder using ${mid(all((info) => [info.forwarderCpuSecondsPerTransfer])).toFixed(2)} s of CPU per forwarded transfer. ` +
    `First answer after ${mid(all((info) => info.answerAttempts.forwarded))} attempt(s) forwarded, ${mid(all((info) => info.answerAttempts.direct))} direct (medians, an attempt every ms). ` +
    `The forwarder's peak RSS (VmHWM) after the transfers: ${mid(all((info) => [info.forwarderPeakMB])).toFixed(1)} MB; \`docker run -d\` with 50 \`-p\`: ${mid(all((info) => [info.dockerRunManyPortsSeconds])).toFixed(2)} s.`
  );
}

/** Running containers on the host that are not this run's: a sign of concurrent load. */
async function otherRunningContainers() {
  return lines((await docker(['ps', '--quiet']).catch(() => ({ stdout: '' }))).stdout).length;
}

async function preflight() {
  const problems = [];
  await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 }).catch((error) => problems.push(`no Docker daemon answers: ${error.message}`));
  if (problems.length === 0) {
    for (const image of [IMAGE, INNER_IMAGE]) {
      await docker(['image', 'inspect', '--format', '{{.Id}}', image]).catch(() => problems.push(`image ${image} is not on the host (the benchmark never pulls)`));
    }
  }
  for (const name of ['main.js', 'post.js', 'cli.js']) {
    await stat(join(ROOT, 'dist', name)).catch(() => problems.push(`dist/${name} is missing (npm run build)`));
  }
  return problems;
}

async function main() {
  const contenders = [...actionContenders(IMAGE), ...serviceContenders(IMAGE), ...doodContenders()];
  let options;
  try {
    ({ values: options } = parseArgs({
      options: {
        reps: { type: 'string' },
        quick: { type: 'boolean', default: false },
        out: { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}\n${usage(contenders)}`);
    return 2;
  }
  if (options.help) {
    log(usage(contenders));
    return 0;
  }
  const reps = options.quick ? 1 : Number(options.reps ?? '5');
  if (!Number.isInteger(reps) || reps < 1 || reps > 100) {
    log(`--reps must be a whole number from 1 to 100 (got ${options.reps})`);
    return 2;
  }
  if (options.quick && options.reps !== undefined) log('--quick runs each contender once; --reps is ignored');
  let selected = contenders;
  if (options.only !== undefined) {
    const ids = options.only.split(',').map((id) => id.trim());
    const unknown = ids.filter((id) => !contenders.some((contender) => contender.id === id));
    if (unknown.length > 0) {
      log(`Unknown contender(s): ${unknown.join(', ')}\n${usage(contenders)}`);
      return 2;
    }
    selected = contenders.filter((contender) => ids.includes(contender.id));
  }
  const outDir = resolve(options.out ?? join(ROOT, 'bench', 'results'));
  const prefix = options.quick ? 'quick-latest' : 'latest';

  const problems = await preflight();
  if (problems.length > 0) {
    log(`Cannot run the benchmark:\n- ${problems.join('\n- ')}`);
    return 2;
  }

  const res = new Resources();
  const abort = new AbortController();
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) {
      log(`${signal} again: exiting without finishing the clean-up. Left objects carry label setup-dind-bench.run=${res.runTag} (cache volumes: names setup-dind-bench-cache-${res.runTag}-*).`);
      process.exit(130);
    }
    interrupted = true;
    log(`\n${signal}: stopping; removing what this run started…`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { machine, line: machineLine } = await describeMachine();
  const action = await describeAction();
  /** @type {Promise<import('./lib/mirror.mjs').Mirror> | undefined} the local docker CLI mirror, started by the first contender that needs it */
  let mirror;
  const ctx = {
    res,
    signal: abort.signal,
    image: IMAGE,
    innerImage: INNER_IMAGE,
    buildDir: '',
    overheadIterations: options.quick ? 1 : 5,
    portsIterations: options.quick ? 1 : 3,
    mirror: () => (mirror ??= startMirror()),
  };
  let dockerfile = '';

  log(`setup-dind benchmark, run ${res.runTag}: ${options.quick ? 'quick (each contender once)' : `${reps} repetitions`}, ${selected.length} contenders`);
  log(machineLine);
  /** @type {import('./lib/report.mjs').Sample[]} */
  const samples = [];
  /** @type {import('./lib/report.mjs').Failure[]} */
  const failures = [];
  /** @type {Record<string, unknown>[]} */
  const infos = [];
  const hostLoad = [];
  const started = new Date().toISOString();
  let swept;
  try {
    ctx.buildDir = await mkdtemp(join(tmpdir(), 'setup-dind-bench-build-'));
    res.dirs.add(ctx.buildDir);
    dockerfile = await writeBuildContext(ctx.buildDir, INNER_IMAGE, res.runTag);
    for (let rep = 1; rep <= reps && !interrupted; rep++) {
      hostLoad.push({ rep, otherRunningContainers: await otherRunningContainers(), loadAverage1m: loadavg()[0] ?? 0 });
      for (const contender of selected) {
        if (interrupted) break;
        const began = performance.now();
        try {
          const measured = await contender.run(ctx);
          for (const [series, value] of Object.entries(measured.values)) {
            const values = Array.isArray(value) ? value : [value];
            // A sample's value is in `seconds` unless the contender names another unit for its series.
            const unit = contender.units?.[series];
            values.forEach((seconds, iteration) => samples.push({ contender: contender.id, series, rep, iteration, seconds, ...(unit ? { unit } : {}) }));
          }
          if (measured.info) infos.push({ contender: contender.id, rep, ...measured.info });
          const shown = Object.entries(measured.values)
            .map(([series, value]) => `${series} ${(Array.isArray(value) ? value : [value]).map((s) => s.toFixed(3)).join('/')} ${contender.units?.[series] ?? 's'}`)
            .join(', ');
          log(`[${rep}/${reps}] ${contender.id}: ${shown}`);
        } catch (error) {
          if (interrupted) break;
          const message = error instanceof Error ? error.message : String(error);
          failures.push({ contender: contender.id, rep, error: message });
          log(`[${rep}/${reps}] ${contender.id}: FAILED after ${((performance.now() - began) / 1000).toFixed(1)} s: ${message}`);
        }
        // Whatever is still there now was left by this contender: remove it, and
        // count it against the contender when the action left it.
        const after = await res.sweep();
        const left = [...after.action.containers, ...after.action.volumes];
        if (left.length > 0 && !interrupted) {
          failures.push({ contender: contender.id, rep, error: `the action left behind: ${left.join(', ')}` });
          log(`[${rep}/${reps}] ${contender.id}: the action left behind ${left.join(', ')} (removed now)`);
        }
      }
    }
  } finally {
    await mirror?.then((server) => server.close()).catch(() => {});
    swept = await res.cleanUpAll();
    if (interrupted) await new Promise((done) => setTimeout(done, 1000)).then(() => res.sweep()); // a `docker run` cut short may land late
  }
  const actionAtEnd = await describeAction().catch(() => undefined);
  const distChanged = actionAtEnd?.dist.sha256 !== action.dist.sha256;
  const leftovers = await res.leftovers().catch((error) => [`could not check: ${error instanceof Error ? error.message : String(error)}`]);
  if (interrupted) {
    log(leftovers.length === 0 ? 'Clean: nothing of this run is left.' : `Still there: ${leftovers.join(', ')}`);
    return 130;
  }
  if (swept.problems.length > 0) log(`Clean-up problems: ${swept.problems.join('; ')}`);

  const summary = summarize(samples, failures, options.only === undefined ? undefined : selected.map((contender) => contender.id));
  const table = markdownTable(summary);
  const maxLoad = Math.max(0, ...hostLoad.map((entry) => entry.otherRunningContainers));
  const runLine =
    `${options.quick ? 'Quick run (smoke mode): each contender once.' : `${reps} repetitions, contenders alternated within each.`} ` +
    'Medians of wall-clock seconds (performance.now, spawn to readiness or exit); ratios against the baseline of each group, measured in the same run.';
  const cliInfo = infos.find((info) => info.contender === 'cli-download');
  const portsInfos = infos.filter((info) => info.contender === 'ports');
  const notes = [
    `- Polling: (a) and (b) run \`until docker info; do sleep 1; done\` in sh, as users write it; "back to back" drops the sleep; (c) polls GET /_ping from Node every ${FLOOR_POLL_PAUSE_MS} ms from the moment \`docker run\` is spawned. The action polls /_ping itself (20 ms growing to 100 ms).`,
    '- Every manual container publishes on 127.0.0.1 on a port chosen free beforehand; the action lets Docker pick one (`port: 0`), which is in its time.',
    '- Builds use the classic builder (DOCKER_BUILDKIT=0) on both daemons: the host CLI has no buildx, and the classic builder leaves no build cache on the shared host.',
    '- Scale rows time all N dist/main.js processes started at once until the last exits (each its own job); post rows time all N posts at once.',
    '- Layer cache rows: two jobs one after the other on a cache volume of this run (input `cache-volume`); the first fills it (busybox loaded, the build), untimed; the second is timed: its start on the warm data root, the same build without --no-cache (every step but FROM from the cache, checked), and its post (`docker stop --time 30`, volume kept). The volume is removed after each repetition.',
    `- docker CLI rows: mode attach to the host daemon's socket, each a new job; a local HTTP mirror on 127.0.0.1 serves the local docker client${cliInfo ? ` (${cliInfo.version}, a ${(Number(cliInfo.archiveBytes) / 1e6).toFixed(1)} MB archive)` : ''} as <arch>/docker-<version>.tgz, so a real download adds the transfer from download.docker.com; a fresh RUNNER_TOOL_CACHE per repetition.`,
    ...(portsInfos.length > 0 ? [portsNote(portsInfos)] : []),
    `- ${distSizes(action.dist)} Group 6 times each entry's start and load.`,
    `- dist/main.js and dist/post.js run under the Node that runs the benchmark (${process.version}, ${relative(ROOT, process.execPath).startsWith('node_modules') ? 'the project\'s node devDependency, which npm run puts first on PATH' : process.execPath}), as the runner runs them under its own.`,
    `- Action measured at commit ${action.commit.slice(0, 12) || 'unknown'}${action.distModified ? ' with uncommitted changes in dist/' : ''}; dist/ digest ${action.dist.sha256.slice(0, 16)}… (sha256 over its files).`,
    ...(distChanged ? ['- **dist/ changed while the benchmark ran** (a rebuild?): samples may mix two builds of the action.'] : []),
    `- At the start of each repetition: 1-minute load average ${hostLoad.map((entry) => entry.loadAverage1m.toFixed(1)).join(', ')} on ${machine.cores} cores; ` +
      `other containers running on the Docker host: up to ${maxLoad}. Load from other work skews absolute times, ratios less.`,
    ...(failures.length > 0 ? ['', '**Failures:**', ...failures.map((failure) => `- ${failure.contender}, repetition ${failure.rep}: ${failure.error.replace(/\s*\n\s*/g, ' ')}`)] : []),
  ];
  const markdown = ['## setup-dind benchmark', '', machineLine, '', runLine, '', table, '', ...notes, ''].join('\n');

  await mkdir(outDir, { recursive: true });
  const files = { md: join(outDir, `${prefix}.md`), json: join(outDir, `${prefix}.json`), svg: join(outDir, `${prefix}.svg`) };
  const results = {
    benchmark: 'setup-dind issue 8',
    version: 1,
    mode: options.quick ? 'quick' : 'full',
    reps,
    runTag: res.runTag,
    started,
    finished: new Date().toISOString(),
    machine,
    machineLine,
    action,
    distChanged,
    dockerfile,
    contenders: selected.map((contender) => ({ id: contender.id, description: contender.description, series: contender.series })),
    samples,
    failures,
    info: infos,
    hostLoad,
    summary,
    owners: [...res.owners],
    leftovers,
  };
  await writeFile(files.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(files.md, markdown);
  try {
    await writeFile(files.svg, await chartSvg(samples, chartSubtitle(machine, options.quick ? 'quick run, each contender once' : `${reps} repetitions`)));
  } catch (error) {
    failures.push({ contender: 'chart', rep: 0, error: error instanceof Error ? error.message : String(error) });
    log(`Chart failed: ${error instanceof Error ? error.stack : String(error)}`);
  }

  process.stdout.write(`${markdown}\n`);
  log(`Wrote ${Object.values(files).map((file) => relative(process.cwd(), file) || file).join(', ')}`);
  if (leftovers.length > 0) log(`NOT CLEAN: still on the host: ${leftovers.join(', ')}`);
  return failures.length > 0 || leftovers.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`benchmark crashed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
