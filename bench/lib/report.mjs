// Groups of measures, medians and ratios, the markdown table and the chart.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/**
 * @typedef {{ maxRatio?: number, maxSeconds?: number, text?: string }} Goal `text`: how the table states it, when not as the bound itself
 * @typedef {object} Row
 * @property {string} [series] `contender.series` whose samples the row shows
 * @property {(medians: Record<string, number | undefined>) => number | undefined} [derive] a value computed from medians
 * @property {string[]} [derivedFrom] series a derived row needs
 * @property {string} label
 * @property {string} [chart] shorter label for the chart
 * @property {boolean} [baseline]
 * @property {string} [unit] when the samples are not seconds (e.g. MB)
 * @property {Goal} [goal]
 * @typedef {{ id: string, title: string, rows: Row[] }} Group
 * @typedef {{ contender: string, series: string, rep: number, iteration: number, seconds: number, unit?: string }} Sample `seconds` holds the value, in `unit` when one is given
 * @typedef {{ contender: string, rep: number, error: string }} Failure
 */

/** @type {Group[]} */
export const GROUPS = [
  {
    id: 'ready-tcp',
    title: '1. Time to ready, DinD, plain TCP',
    rows: [
      { series: 'floor.ready', label: '(c) floor: docker:dind --tls=false, /_ping loop in Node', chart: '(c) floor', baseline: true },
      { series: 'action-tcp.main', label: 'setup-dind (default, plain TCP): dist/main.js start to exit', chart: 'setup-dind, TCP', goal: { maxRatio: 1.2 } },
      { series: 'action-tcp.readySeconds', label: '… its ready-seconds output (docker run to first /_ping)', chart: '… ready-seconds' },
      { series: 'gitlab-1s.ready', label: '(b) GitLab settings: image-made TLS, docker info every 1 s', chart: '(b) GitLab TLS, 1 s poll' },
      { series: 'seed.ready', label: '(a) seed: DOCKER_TLS_CERTDIR="", docker info every 1 s', chart: '(a) seed' },
    ],
  },
  {
    id: 'tls',
    title: '2. TLS and transports: time to ready',
    rows: [
      { series: 'action-tcp.main', label: 'setup-dind, plain TCP (default)', chart: 'setup-dind, TCP', baseline: true },
      { series: 'action-tls.main', label: "setup-dind, tls: 'true' (per-job ECDSA certs)", chart: 'setup-dind, TLS' },
      { series: 'action-unix.main', label: "setup-dind, transport: 'unix'", chart: 'setup-dind, unix' },
      { series: 'gitlab-tight.ready', label: '(b) image-made TLS (RSA 4096), docker info back to back', chart: '(b) GitLab TLS, tight poll' },
      { series: 'gitlab-1s.ready', label: '(b) image-made TLS (RSA 4096), docker info every 1 s', chart: '(b) GitLab TLS, 1 s poll' },
    ],
  },
  {
    id: 'teardown',
    title: '3. Teardown',
    rows: [
      { series: 'floor.remove', label: 'docker rm --force --volumes of an idle DinD container', chart: 'docker rm -fv, idle', baseline: true },
      { series: 'action-tcp.post', label: 'setup-dind post (dist/post.js), idle daemon', chart: 'post, idle' },
      { series: 'teardown-busy.post', label: 'setup-dind post, 3 running inner containers', chart: 'post, 3 inner containers' },
    ],
  },
  {
    id: 'build',
    title: '4. docker build --no-cache (7 steps, 25 MB written)',
    rows: [
      { series: 'build-host.build', label: 'host daemon directly (DooD)', chart: 'host (DooD)', baseline: true },
      { series: 'build-dind.build', label: "in DinD, through setup-dind's DOCKER_HOST", chart: 'in DinD', goal: { maxRatio: 1.15 } },
    ],
  },
  {
    id: 'scale',
    title: '5. Scale: N started at once, until all ready',
    rows: [1, 4, 8].map((n) => ({ series: `scale-${n}.ready`, label: `${n} instance${n > 1 ? 's' : ''} at once`, baseline: n === 1 })),
  },
  {
    id: 'scale-post',
    title: '5. Scale: all N posts at once',
    rows: [1, 4, 8].map((n) => ({ series: `scale-${n}.post`, label: `${n} post${n > 1 ? 's' : ''} at once`, baseline: n === 1 })),
  },
  {
    id: 'overhead',
    title: '6. Overhead: node start + bundle load, per entry',
    rows: [
      { series: 'overhead.nodeEmpty', label: 'node -e ""', baseline: true },
      { series: 'overhead.mainInvalid', label: 'node dist/main.js, INPUT_MODE=invalid (start + load + validate)', chart: 'node dist/main.js', goal: { maxSeconds: 0.15 } },
      {
        derive: (medians) =>
          medians['overhead.mainInvalid'] === undefined || medians['overhead.nodeEmpty'] === undefined
            ? undefined
            : medians['overhead.mainInvalid'] - medians['overhead.nodeEmpty'],
        derivedFrom: ['overhead.mainInvalid', 'overhead.nodeEmpty'],
        label: '… bundle load and validation alone (difference of the medians)',
      },
      { series: 'overhead.postEmpty', label: 'node dist/post.js, no saved state (start + load, nothing to tear down)', chart: 'node dist/post.js' },
      { series: 'overhead.cliVersion', label: 'node dist/cli.js --version (start + load)', chart: 'node dist/cli.js --version' },
    ],
  },
  // One baseline per group: the layer cache's three comparisons are three groups under one number.
  {
    id: 'cache-build',
    title: '7. Layer cache across jobs (cache-volume): docker build',
    rows: [
      { series: 'build-dind.build', label: 'cold: --no-cache in a fresh DinD (as in 4.)', chart: 'cold, --no-cache', baseline: true },
      { series: 'cache-warm.build', label: 'warm: a later job on the same cache volume, every step cached', chart: 'warm, all steps cached' },
    ],
  },
  {
    id: 'cache-start',
    title: '7. Layer cache across jobs (cache-volume): time to ready',
    rows: [
      { series: 'action-tcp.main', label: 'setup-dind (default), fresh data root: dist/main.js start to exit', chart: 'fresh data root', baseline: true },
      { series: 'cache-warm.main', label: 'setup-dind, cache-volume with images and build cache from an earlier job', chart: 'warm cache volume' },
    ],
  },
  {
    id: 'cache-post',
    title: '7. Layer cache across jobs (cache-volume): teardown',
    rows: [
      { series: 'action-tcp.post', label: 'setup-dind post, idle daemon, data root removed', chart: 'post, data root removed', baseline: true },
      { series: 'cache-warm.post', label: 'setup-dind post, cache-volume: clean stop (docker stop), data root kept', chart: 'post, clean stop, volume kept' },
    ],
  },
  {
    id: 'cli',
    title: '8. A docker CLI where the job has none (mode: attach)',
    rows: [
      { series: 'cli-download.onPath', label: 'docker on PATH, no docker-version', chart: 'docker on PATH', baseline: true },
      { series: 'cli-download.download', label: 'docker-version: downloaded from a local mirror, unpacked, checked, cached', chart: 'download (local mirror)' },
      { series: 'cli-download.cached', label: 'docker-version: from the tool cache (a later job on the runner)', chart: 'from the tool cache' },
    ],
  },
  // Published ports in mode dind, three groups under one number (one baseline each).
  {
    id: 'ports-transfer',
    title: '9. Published ports (DinD): GET of 200 MiB, connect to end',
    rows: [
      { series: 'ports.transferDirect', label: "direct: the DinD container's IP:HostPort (the inner daemon's own publish)", chart: 'direct, DinD IP', baseline: true },
      // Throughput at least 0.9x direct is the same as time at most direct / 0.9.
      { series: 'ports.transferForwarded', label: "127.0.0.1:HostPort, through the job's port forwarder", chart: 'forwarded, 127.0.0.1', goal: { maxRatio: 1 / 0.9, text: '≥ 0.9x throughput, time ≤ 1.11x' } },
    ],
  },
  {
    id: 'ports-answer',
    title: '9. Published ports (DinD): docker run -d returned to the first HTTP answer',
    rows: [
      { series: 'ports.answerDirect', label: "at the DinD container's IP:HostPort", chart: 'direct, DinD IP', baseline: true },
      { series: 'ports.answerForwarded', label: 'at 127.0.0.1:HostPort, through the port forwarder', chart: 'forwarded, 127.0.0.1' },
      // Milliseconds, so a ratio is mostly noise; the goal is on the difference, below any retry loop's pause.
      {
        derive: (medians) =>
          medians['ports.answerForwarded'] === undefined || medians['ports.answerDirect'] === undefined
            ? undefined
            : medians['ports.answerForwarded'] - medians['ports.answerDirect'],
        derivedFrom: ['ports.answerForwarded', 'ports.answerDirect'],
        label: '… the wait the forwarder adds (difference of the medians)',
        goal: { maxSeconds: 0.01, text: 'no added wait: < 10 ms' },
      },
    ],
  },
  {
    id: 'ports-memory',
    title: '9. Published ports (DinD): port forwarder memory (VmRSS, MB)',
    rows: [
      { series: 'ports.rss0', label: 'no published port', chart: 'no port (MB)', baseline: true, unit: 'MB' },
      { series: 'ports.rss50', label: '50 published ports (one container, 50 -p)', chart: '50 ports (MB)', unit: 'MB' },
    ],
  },
  // CI platform services as the daemon: two groups under one number.
  {
    id: 'gitlab-service',
    title: '10. GitLab: a job with a DinD service, from the service\'s start to the end of the job\'s wait',
    rows: [
      { series: 'gitlab-image-tls.ready', label: "the image's own TLS set-up (RSA 4096), docker info back to back in the job", chart: 'image TLS, docker info loop', baseline: true },
      { series: 'gitlab-component.ready', label: 'the component, defaults (tls: true, mtu: auto)', chart: 'component, defaults' },
      { series: 'gitlab-component.wait', label: "… the wait's own 'ready after N s'", chart: "… its wait's report" },
      { series: 'gitlab-component-plain.ready', label: 'the component, tls: false', chart: 'component, tls: false' },
    ],
  },
  {
    id: 'github-service',
    title: '10. GitHub Actions: a dind service container with mode attach, against mode dind',
    rows: [
      { series: 'action-tcp.main', label: 'mode dind (default inputs): dist/main.js start to exit', chart: 'mode dind', baseline: true },
      { series: 'github-service.ready', label: "service as the runner starts it (network, create, start), then mode attach", chart: 'service + attach' },
      { series: 'github-service.attach', label: '… mode attach alone: dist/main.js start to exit', chart: '… attach alone' },
    ],
  },
  // The DooD proxy against the host socket: five groups under one number.
  ...[
    ['ps', '200 × docker ps, one after the other', { maxRatio: 1.2 }],
    ['roundTrip', '200 API round trips from Node (GET /containers/json, a new connection each; no CLI start)', undefined],
    ['build', 'docker build with a 300 MB context (classic builder)', { maxRatio: 1 / 0.9, text: '≥ 0.9x throughput, time ≤ 1.11x' }],
    ['stdout', "300 MB of a container's stdout (docker run, attached)", { maxRatio: 1 / 0.9, text: '≥ 0.9x throughput, time ≤ 1.11x' }],
    ['cp', 'docker cp of 300 MB out of a container', { maxRatio: 1 / 0.9, text: '≥ 0.9x throughput, time ≤ 1.11x' }],
  ].map(([key, what, goal]) => ({
    id: `dood-${key}`,
    title: `11. DooD (strict): ${what}`,
    rows: [
      { series: `dood-proxy.${key}Host`, label: 'the host socket directly', chart: 'host socket', baseline: true },
      { series: `dood-proxy.${key}Proxy`, label: "through the job's proxy (dood-policy: strict)", chart: 'proxy, strict', ...(goal ? { goal } : {}) },
    ],
  })),
  {
    id: 'dood-memory',
    title: "11. DooD (strict): the proxy's peak RSS (VmHWM, MB) after the transfers",
    rows: [{ series: 'dood-proxy.proxyPeakRss', label: 'dood-policy: strict, after all of group 11', chart: 'proxy peak RSS (MB)', unit: 'MB' }],
  },
];

/** The median; for an even count, the mean of the two middle values (as vega's). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One summary line per table row.
 * @param {Sample[]} samples
 * @param {Failure[]} failures
 * @param {string[]} [ran] ids of the contenders that ran (all when undefined)
 */
export function summarize(samples, failures, ran = undefined) {
  /** @type {Record<string, number[]>} */
  const bySeries = {};
  for (const sample of samples) (bySeries[`${sample.contender}.${sample.series}`] ??= []).push(sample.seconds);
  /** @type {Record<string, number | undefined>} */
  const medians = Object.fromEntries(Object.entries(bySeries).map(([series, values]) => [series, median(values)]));
  const failedCount = (series) => failures.filter((failure) => failure.contender === series.split('.')[0]).length;
  const summary = [];
  // With --only, rows of contenders that did not run are left out.
  const runs = (series) => ran === undefined || ran.includes(series.split('.')[0]);
  for (const group of GROUPS) {
    const baselineRow = group.rows.find((row) => row.baseline);
    const baseline = baselineRow?.series ? medians[baselineRow.series] : undefined;
    for (const row of group.rows) {
      if (!(row.series ? [row.series] : (row.derivedFrom ?? [])).every(runs)) continue;
      const derived = row.derive !== undefined;
      const value = derived ? row.derive?.(medians) : medians[/** @type {string} */ (row.series)];
      const n = derived ? 0 : (bySeries[/** @type {string} */ (row.series)] ?? []).length;
      const failed = derived ? 0 : failedCount(/** @type {string} */ (row.series));
      const ratio = !derived && value !== undefined && baseline !== undefined && baseline > 0 ? value / baseline : undefined;
      let goalMet;
      if (row.goal?.maxRatio !== undefined && ratio !== undefined) goalMet = ratio <= row.goal.maxRatio;
      if (row.goal?.maxSeconds !== undefined && value !== undefined) goalMet = value < row.goal.maxSeconds;
      summary.push({
        group: group.id,
        measure: group.title,
        contender: row.label,
        chartLabel: row.chart ?? row.label,
        series: row.series ?? null,
        derivedFrom: row.derivedFrom ?? null,
        baseline: Boolean(row.baseline),
        unit: row.unit ?? 's',
        median: value ?? null,
        samples: n,
        failed,
        ratio: ratio ?? null,
        goal: row.goal ?? null,
        goalMet: goalMet ?? null,
      });
    }
  }
  return summary;
}

/** @param {Goal} goal */
function goalText(goal) {
  if (goal.text !== undefined) return goal.text;
  if (goal.maxRatio !== undefined) return `≤ ${goal.maxRatio}x`;
  return `< ${Math.round((goal.maxSeconds ?? 0) * 1000)} ms`;
}

/** The markdown table. @param {ReturnType<typeof summarize>} summary */
export function markdownTable(summary) {
  const header = ['Measure', 'Contender', 'Median (s)', 'Samples', 'Ratio vs baseline', 'Goal (met / missed / —)'];
  const rows = summary.map((line) => {
    const derived = line.derivedFrom !== null;
    const failedAll = !derived && line.samples === 0;
    // The column is in seconds: another unit is written out.
    const value = line.median === null ? undefined : line.unit === 's' ? line.median.toFixed(3) : `${line.median.toFixed(1)} ${line.unit}`;
    const median = value ?? (failedAll ? 'failed' : '—');
    const samples = derived ? 'derived' : line.failed > 0 ? `${line.samples} (${line.failed} failed)` : String(line.samples);
    const ratio = line.baseline ? (line.median === null ? 'baseline (failed)' : '1.00 (baseline)') : line.ratio === null ? '—' : `${line.ratio.toFixed(2)}x`;
    const goal = line.goal === null ? '—' : line.goalMet === null ? `— (no data; goal ${goalText(line.goal)})` : `${line.goalMet ? 'met' : 'missed'} (${goalText(line.goal)})`;
    const contender = line.baseline ? `**baseline:** ${line.contender}` : line.contender;
    return [line.measure, contender, median, samples, ratio, goal].map((cell) => cell.replace(/\|/g, '\\|'));
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => /** @type {string} */ (row[i]).length)));
  const right = new Set([2, 3, 4]);
  const format = (cells) => `| ${cells.map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (right.has(i) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [format(header), rule, ...rows.map(format)].join('\n');
}

/**
 * The chart: one panel per measure, a bar per contender at its median and
 * a dot per sample, as a vega-lite spec rendered to SVG by vega (no canvas).
 * @param {Sample[]} samples
 * @param {string[]} subtitle lines under the title
 */
export async function chartSvg(samples, subtitle) {
  const values = [];
  for (const group of GROUPS) {
    for (const row of group.rows) {
      if (!row.series) continue;
      const [contender, series] = row.series.split('.');
      for (const sample of samples) {
        if (sample.contender === contender && sample.series === series) {
          values.push({ measure: group.title, contender: row.chart ?? row.label, role: row.baseline ? 'baseline' : 'contender', seconds: sample.seconds });
        }
      }
    }
  }
  const y = /** @type {const} */ ({ field: 'contender', type: 'nominal', sort: null, title: null, axis: { labelLimit: 260 } });
  /** @type {import('vega-lite').TopLevelSpec} */
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'setup-dind benchmark: medians (bars, value at the right) and samples (dots), seconds', subtitle, anchor: 'start' },
    data: { values },
    facet: {
      row: {
        field: 'measure',
        type: 'nominal',
        sort: GROUPS.map((group) => group.title),
        title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 },
      },
    },
    spec: {
      width: 460,
      height: { step: 20 },
      layer: [
        {
          mark: { type: 'bar', opacity: 0.75 },
          encoding: {
            y,
            x: { aggregate: 'median', field: 'seconds', type: 'quantitative', title: 'seconds (MB where the panel says so)', stack: null },
            color: { field: 'role', type: 'nominal', scale: { domain: ['baseline', 'contender'], range: ['#9e9e9e', '#4c78a8'] }, title: null },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 22, color: '#222', opacity: 0.8 },
          encoding: { y, x: { field: 'seconds', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 6, fontSize: 10 },
          encoding: {
            y,
            x: { aggregate: 'max', field: 'seconds', type: 'quantitative' },
            text: { aggregate: 'median', field: 'seconds', type: 'quantitative', format: '.3f' },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: { font: 'sans-serif' },
  };
  // vega-lite warns that independent scales in facets union one field of several
  // layers: intended here (bars, dots and labels share the seconds axis).
  const compiled = vegaLite.compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
