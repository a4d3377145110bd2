#!/usr/bin/env node
// An experiment, not a test: how long a bind source can be swapped for a
// link after the proxy checked it, against the real host daemon.
//
//   node scripts/measure-bind-window.mjs [--attempts N] [--per-delay K] [--restarts R] [--only race,delays,kill,restart]
//
// Needs the host daemon at /var/run/docker.sock (or DOCKER_SOCK), busybox
// on the host (it never pulls), python3 (for renameat2(RENAME_EXCHANGE): a
// directory and a link swapped atomically, so the source never goes
// missing) and root or the docker group. Everything it creates carries the
// label setup-dind-measure=<run> and is removed in the end, with the temp dir.
//
// A temp dir holds work/ (the allowed root) with work/src (a directory) and
// work/src.swap (a link to outside/, which holds MARKER). Each container
// binds work/src and prints whether it sees MARKER: judged by effect.
//
// race:    a second process swaps src and src.swap in a tight loop; each
//          attempt checks (realpath + root test, as mount-check does), then
//          starts the container. How often is the race won?
// delays:  the attacker swaps once, d ms after the check. The share of
//          wins at d is the share of starts whose mount came more than d ms
//          after the check: the window's distribution.
// kill:    the swap right after the check (the attacker wins); then, as the
//          guard would after the start, mountedProblem on the container's
//          mount table, and a kill. How long did the container run, how
//          often did it read MARKER?
// pin:     a fix that was tried: the proxy opens the source (a directory
//          fd it keeps), checks the fd's own path (/proc/self/fd/N: the
//          object opened, whatever the name leads to later) and names
//          /proc/<its pid>/fd/N as the bind source, a magic link to that
//          object. With the swap loop running, does any container see
//          MARKER? (On dockerd 20.10 / runc 1.1 no container starts: runc
//          mounts in the container's new mount namespace, and the kernel
//          refuses, EINVAL, to bind a mount of another namespace.)
// archive: docker cp (GET /containers/{id}/archive) of a container that
//          never started: the daemon mounts its binds in its own namespace
//          for the copy, with no start and no event. Checked, then the swap
//          d ms later: does the copy hold MARKER?
// restart: a container with restart policy on-failure; after its first,
//          sound run the source is swapped; the daemon restarts it with no
//          request. The RestartWatcher (real daemon, real events) kills it:
//          how long after its start?
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SOCKET = process.env.DOCKER_SOCK ?? '/var/run/docker.sock';
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const ATTEMPTS = Number(option('attempts', '200'));
const PER_DELAY = Number(option('per-delay', '20'));
const RESTARTS = Number(option('restarts', '10'));
const ONLY = option('only', 'race,delays,kill,pin,archive,restart').split(',');
const ARCHIVE_DELAYS = option('archive-delays', '0,1,2,5,10,20').split(',').map(Number);
const DELAYS = (option('delays', '0,5,20,50,100,150,200,250,300,400,500,750')).split(',').map(Number);
const RUN = `bind-window-${process.pid}-${Date.now()}`;
const LABEL = { 'setup-dind-measure': RUN };

/** Wall clock in ms with sub-ms precision (comparable with the daemon's timestamps on the same machine). */
const now = () => performance.timeOrigin + performance.now();
/** The daemon's RFC 3339 nano time, in ms since the epoch (sub-ms kept). */
const daemonTime = (text) => {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
  if (!match) return NaN;
  return Date.parse(`${match[1]}Z`) + Number(`0.${match[2] ?? '0'}`) * 1000;
};

function api(method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { socketPath: SOCKET, method, path, headers: { Host: 'docker', ...(payload ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          let json;
          try {
            json = JSON.parse(raw.toString('utf8'));
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, json, raw });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The module under test, transpiled as it is (the script runs without a build). */
async function loadDood() {
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'dood');
  const out = mkdtempSync(join(tmpdir(), 'setup-dind-bind-window-js-'));
  for (const file of readdirSync(src).filter((name) => name.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  const [check, watcher] = await Promise.all([import(join(out, 'mount-check.js')), import(join(out, 'restart-watcher.js'))]);
  return { check, watcher, out };
}

// renameat2(RENAME_EXCHANGE) through ctypes: commands on stdin ("swap MS", "ensure"), or "loop" until killed.
const SWAPPER = String.raw`
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b = sys.argv[1].encode(), sys.argv[2].encode()
def xchg():
    if libc.renameat2(-100, a, -100, b, 2) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
if sys.argv[3] == 'loop':
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    n, t0 = 0, time.time()
    while not stop:
        xchg(); n += 1
    if os.path.islink(sys.argv[1]): xchg()
    print(f"{n} {n / (time.time() - t0):.0f}", flush=True)
    sys.exit(0)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'swap':
        time.sleep(float(cmd[1]) / 1000); xchg(); print(time.time_ns(), flush=True)
    elif cmd[0] == 'ensure':
        if os.path.islink(sys.argv[1]): xchg()
        print('ok', flush=True)
`;

class Swapper {
  constructor(src, swap) {
    this.child = spawn('python3', ['-c', SWAPPER, src, swap, 'commands'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    this.waiting = [];
    let buffer = '';
    this.child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let at;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
        const waiter = this.waiting.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
  }
  command(text) {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${text}\n`);
    });
  }
  close() {
    this.child.stdin.end();
  }
}

/** The check the proxy makes right before it forwards a start: realpath, then the root test. */
function checkPasses(src, root) {
  const real = realpathSync.native(src);
  return real === root || real.startsWith(`${root}/`);
}

async function createContainer(src, cmd, extra = {}) {
  const { status, json } = await api('POST', '/containers/create', {
    Image: 'busybox',
    Cmd: ['sh', '-c', cmd],
    Labels: LABEL,
    HostConfig: { Binds: [`${src}:/m:ro`], NetworkMode: 'none', ...extra },
  });
  if (status !== 201) throw new Error(`create: ${status} ${JSON.stringify(json)}`);
  return json.Id;
}

/** The container's output, its multiplexed frames stripped. */
async function output(id) {
  const { raw } = await api('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
  const parts = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size).toString('utf8'));
    at += 8 + size;
  }
  return parts.join('');
}

async function startedAt(id) {
  const { json } = await api('GET', `/containers/${id}/json`);
  return { started: daemonTime(json.State.StartedAt), json };
}

const SEE = 'if [ -e /m/MARKER ]; then echo SEEN; else echo clean; fi';
const stats = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return 'n/a';
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `min ${sorted[0].toFixed(1)}, median ${at(0.5).toFixed(1)}, p90 ${at(0.9).toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} ms (n=${sorted.length})`;
};

async function race(dirs) {
  const loop = spawn('python3', ['-c', SWAPPER, dirs.src, dirs.swap, 'loop'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let loopOut = '';
  loop.stdout.on('data', (chunk) => (loopOut += chunk));
  await new Promise((resolve) => setTimeout(resolve, 200));
  let refused = 0;
  let started = 0;
  let wins = 0;
  const windows = [];
  try {
    for (let i = 0; i < ATTEMPTS; i++) {
      const id = await createContainer(dirs.src, SEE);
      const checked = now();
      if (!checkPasses(dirs.src, dirs.root)) {
        refused++;
        await api('DELETE', `/containers/${id}?force=1`);
        continue;
      }
      await api('POST', `/containers/${id}/start`);
      started++;
      await api('POST', `/containers/${id}/wait`);
      const seen = (await output(id)).includes('SEEN');
      if (seen) wins++;
      windows.push((await startedAt(id)).started - checked);
      await api('DELETE', `/containers/${id}?force=1`);
    }
  } finally {
    loop.kill('SIGTERM');
    await new Promise((resolve) => loop.on('exit', resolve));
  }
  const [swaps, rate] = loopOut.trim().split(' ');
  return { attempts: ATTEMPTS, refused, started, wins, swaps: Number(swaps), swapsPerSecond: Number(rate), checkToStartedAt: stats(windows) };
}

async function delays(dirs, swapper) {
  const rows = [];
  for (const delay of DELAYS) {
    let wins = 0;
    const windows = [];
    for (let i = 0; i < PER_DELAY; i++) {
      await swapper.command('ensure');
      const id = await createContainer(dirs.src, SEE);
      const checked = now();
      if (!checkPasses(dirs.src, dirs.root)) throw new Error('the check failed with the directory in place');
      const start = api('POST', `/containers/${id}/start`);
      const swapped = swapper.command(`swap ${delay}`);
      await Promise.all([start, swapped]);
      await api('POST', `/containers/${id}/wait`);
      if ((await output(id)).includes('SEEN')) wins++;
      windows.push((await startedAt(id)).started - checked);
      await api('DELETE', `/containers/${id}?force=1`);
    }
    rows.push({ delayMs: delay, wins, attempts: PER_DELAY, checkToStartedAt: stats(windows) });
  }
  await swapper.command('ensure');
  return rows;
}

async function killAfterStart(dirs, swapper, check) {
  const context = { policy: 'strict', allowedBindRoots: [dirs.root], socketPaths: [SOCKET] };
  const attempts = Math.min(ATTEMPTS, 50);
  const exposures = [];
  const startToKill = [];
  const reads = [];
  let detected = 0;
  let won = 0;
  const loopRead = 'i=0; while [ $i -lt 200000 ]; do if [ -e /m/MARKER ]; then echo r; fi; i=$((i+1)); done';
  for (let i = 0; i < attempts; i++) {
    await swapper.command('ensure');
    const id = await createContainer(dirs.src, loopRead);
    if (!checkPasses(dirs.src, dirs.root)) throw new Error('the check failed with the directory in place');
    const start = api('POST', `/containers/${id}/start`);
    const swapped = swapper.command('swap 0');
    await start;
    const answered = now();
    // What the guard would do once the start answered: inspect, judge the mount table, kill.
    const { json } = await api('GET', `/containers/${id}/json`);
    const verdict = check.mountedProblem(json, context);
    let killSent = NaN;
    if ('refusal' in verdict) {
      detected++;
      killSent = now();
      await api('POST', `/containers/${id}/kill`);
    }
    await swapped;
    await api('POST', `/containers/${id}/wait`);
    const out = await output(id);
    const count = (out.match(/^r$/gm) ?? []).length;
    if (count > 0) won++;
    reads.push(count);
    const { json: after } = await api('GET', `/containers/${id}/json`);
    // How long the process ran with the host's directory mounted: the daemon's start and exit times.
    exposures.push(daemonTime(after.State.FinishedAt) - daemonTime(after.State.StartedAt));
    startToKill.push(killSent - answered);
    await api('DELETE', `/containers/${id}?force=1`);
  }
  await swapper.command('ensure');
  return {
    attempts,
    swapWon: won,
    detected,
    ranStartedAtToFinishedAt: stats(exposures),
    startAnsweredToKillSent: stats(startToKill),
    markerReadsBeforeKill: stats(reads).replace(/ ms/, ''),
  };
}

async function pinned(dirs) {
  const { openSync, closeSync, readlinkSync } = await import('node:fs');
  const loop = spawn('python3', ['-c', SWAPPER, dirs.src, dirs.swap, 'loop'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => setTimeout(resolve, 200));
  let refused = 0;
  let seen = 0;
  let inside = 0;
  let failed = 0;
  let recorded;
  let error;
  const attempts = Math.min(ATTEMPTS, 100);
  try {
    for (let i = 0; i < attempts; i++) {
      // Open first, then check what was opened: no window between the check and the object.
      const fd = openSync(dirs.src, 'r');
      try {
        const opened = readlinkSync(`/proc/self/fd/${fd}`);
        if (!(opened === dirs.root || opened.startsWith(`${dirs.root}/`))) {
          refused++;
          continue;
        }
        const id = await createContainer(`/proc/${process.pid}/fd/${fd}`, 'ls /m');
        const started = await api('POST', `/containers/${id}/start`);
        if (started.status !== 204) {
          failed++;
          error ??= started.json?.message;
        }
        await api('POST', `/containers/${id}/wait`);
        const out = await output(id);
        if (out.includes('MARKER')) seen++;
        if (out.includes('inside')) inside++;
        if (recorded === undefined) recorded = (await startedAt(id)).json.Mounts[0]?.Source;
        await api('DELETE', `/containers/${id}?force=1`);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    loop.kill('SIGTERM');
    await new Promise((resolve) => loop.on('exit', resolve));
  }
  return { attempts, refusedAtOpen: refused, started: attempts - refused - failed, sawMarker: seen, sawTheCheckedDirectory: inside, failed, startError: error, recordedSource: recorded };
}

async function archives(dirs, swapper) {
  const rows = [];
  const id = await createContainer(dirs.src, 'true');
  try {
    for (const delay of ARCHIVE_DELAYS) {
      let wins = 0;
      const times = [];
      for (let i = 0; i < PER_DELAY; i++) {
        await swapper.command('ensure');
        const checked = now();
        if (!checkPasses(dirs.src, dirs.root)) throw new Error('the check failed with the directory in place');
        const copy = api('GET', `/containers/${id}/archive?path=/m`);
        const swapped = swapper.command(`swap ${delay}`);
        const [{ raw }] = await Promise.all([copy, swapped]);
        times.push(now() - checked);
        // A tar of /m: the names of what the daemon found there.
        if (raw.includes(Buffer.from('m/MARKER'))) wins++;
      }
      rows.push({ delayMs: delay, wins, attempts: PER_DELAY, checkToCopyDone: stats(times) });
    }
  } finally {
    await swapper.command('ensure');
    await api('DELETE', `/containers/${id}?force=1`);
  }
  return rows;
}

async function restarts(dirs, swapper, watcherModule) {
  const context = { policy: 'strict', allowedBindRoots: [dirs.root], socketPaths: [SOCKET] };
  const kills = [];
  const daemon = watcherModule.watcherDaemon(SOCKET);
  const watcher = new watcherModule.RestartWatcher({
    daemon,
    labels: LABEL,
    context,
    log: (line) => kills.push({ at: now(), line }),
  });
  watcher.start();
  await watcher.ready;
  const rows = [];
  try {
    for (let i = 0; i < RESTARTS; i++) {
      await swapper.command('ensure');
      kills.length = 0;
      // Sound first run: exits 1 after 300 ms; the daemon restarts it (on-failure) 100 ms later.
      const id = await createContainer(dirs.src, `${SEE}; if [ -e /m/MARKER ]; then sleep 30; fi; sleep 0.3; exit 1`, {
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      });
      await api('POST', `/containers/${id}/start`);
      const first = (await startedAt(id)).started;
      await swapper.command('swap 50');
      // Until the watcher killed the restarted container (or 5 s).
      const deadline = now() + 5000;
      const done = () => kills.some((kill) => kill.line.includes('set the restart policy'));
      while (now() < deadline && !done()) await new Promise((resolve) => setTimeout(resolve, 5));
      const kill = kills.find((entry) => entry.line.includes('killed container'));
      const { json } = await api('GET', `/containers/${id}/json`);
      const out = await output(id);
      rows.push({
        restarted: json.RestartCount,
        seen: out.includes('SEEN'),
        killed: kill !== undefined,
        startToKillMs: kill ? kill.at - daemonTime(json.State.StartedAt) : NaN,
        ranMs: daemonTime(json.State.FinishedAt) - daemonTime(json.State.StartedAt),
        log: kills.map((entry) => entry.line),
        firstRunMs: daemonTime(json.State.StartedAt) - first,
        policyAfter: json.HostConfig.RestartPolicy.Name,
        status: json.State.Status,
      });
      await api('DELETE', `/containers/${id}?force=1`);
    }
  } finally {
    await watcher.stop();
  }
  return {
    runs: rows.length,
    seenOnRestart: rows.filter((row) => row.seen).length,
    killed: rows.filter((row) => row.killed).length,
    policyNoAfter: rows.filter((row) => row.policyAfter === 'no').length,
    restartedStartedAtToKillLogged: stats(rows.map((row) => row.startToKillMs)),
    restartedRanStartedAtToFinishedAt: stats(rows.map((row) => row.ranMs)),
    sampleLog: rows[0]?.log,
    rows: rows.map(({ log: _log, ...row }) => row),
  };
}

async function cleanUp(base) {
  const filters = encodeURIComponent(JSON.stringify({ label: [`setup-dind-measure=${RUN}`] }));
  const { json } = await api('GET', `/containers/json?all=1&filters=${filters}`);
  for (const container of Array.isArray(json) ? json : []) await api('DELETE', `/containers/${container.Id}?force=1&v=1`);
  rmSync(base, { recursive: true, force: true });
}

async function main() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'setup-dind-bind-window-')));
  const dirs = { root: join(base, 'work'), src: join(base, 'work', 'src'), swap: join(base, 'work', 'src.swap'), outside: join(base, 'outside') };
  mkdirSync(dirs.src, { recursive: true });
  mkdirSync(dirs.outside);
  writeFileSync(join(dirs.outside, 'MARKER'), 'host file outside the roots\n');
  writeFileSync(join(dirs.src, 'inside'), '');
  symlinkSync(dirs.outside, dirs.swap);
  const { json: version } = await api('GET', '/version');
  const os = await import('node:os');
  const result = { run: RUN, loadBefore: os.loadavg().map((load) => load.toFixed(2)).join(' '), daemon: `${version.Version} (API ${version.ApiVersion})`, kernel: version.KernelVersion, cpus: os.cpus().length };
  let loaded;
  const swapper = new Swapper(dirs.src, dirs.swap);
  try {
    loaded = await loadDood();
    const load = () => os.loadavg()[0].toFixed(2);
    if (ONLY.includes('race')) result.race = { ...(await race(dirs)), loadAfter: load() };
    if (ONLY.includes('delays')) result.delays = { rows: await delays(dirs, swapper), loadAfter: load() };
    if (ONLY.includes('kill')) result.kill = { ...(await killAfterStart(dirs, swapper, loaded.check)), loadAfter: load() };
    if (ONLY.includes('pin')) result.pin = { ...(await pinned(dirs)), loadAfter: load() };
    if (ONLY.includes('archive')) result.archive = { rows: await archives(dirs, swapper), loadAfter: load() };
    if (ONLY.includes('restart')) result.restart = { ...(await restarts(dirs, swapper, loaded.watcher)), loadAfter: load() };
  } finally {
    swapper.close();
    await cleanUp(base);
    if (loaded) rmSync(loaded.out, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
