/**
 * The benchmark (bench/run.mjs, `npm run bench`) in smoke mode: every
 * contender once, for real, so the benchmark cannot rot. It measures nothing
 * here; it must run, report every contender, and leave nothing behind.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker } from '../support/docker.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface BenchResults {
  runTag: string;
  contenders: { id: string }[];
  samples: { contender: string; series: string; seconds: number }[];
  failures: unknown[];
  owners: string[];
  leftovers: string[];
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ids = async (args: string[]) => (await docker(args)).split('\n').filter(Boolean);

describe.skipIf(DOCKER_MISSING !== undefined)('npm run bench -- --quick', () => {
  it(
    'runs every contender once, writes the table, JSON and chart, and leaves nothing behind',
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'setup-dind-bench-smoke-'));
      try {
        const bench = await runBench(['--quick', '--out', out]);
        expect(bench.code, bench.stderr).toBe(0);

        // The markdown table on stdout, and in the .md file with the machine line.
        expect(bench.stdout).toMatch(/^\| Measure +\| Contender +\| Median \(s\) \| Samples \| Ratio vs baseline \| Goal/m);
        expect(bench.stdout).toContain('**baseline:**');
        const markdown = await readFile(join(out, 'quick-latest.md'), 'utf8');
        expect(markdown).toMatch(/^Machine: .+, \d+ cores, .+ GiB memory, Linux .+, Docker server .+, Node v\d+/m);
        expect(markdown).toContain('| Measure ');

        // Raw samples: at least one for every contender, and no failure.
        const results = JSON.parse(await readFile(join(out, 'quick-latest.json'), 'utf8')) as BenchResults;
        expect(results.contenders.length).toBeGreaterThanOrEqual(10);
        for (const contender of results.contenders) {
          const samples = results.samples.filter((sample) => sample.contender === contender.id);
          expect(samples.length, `samples of ${contender.id}`).toBeGreaterThan(0);
          for (const sample of samples) expect(sample.seconds, `${contender.id}.${sample.series}`).toBeGreaterThan(0);
        }
        expect(results.failures).toEqual([]);
        expect(results.leftovers).toEqual([]);

        // The chart, drawn by vega-lite.
        const svg = await readFile(join(out, 'quick-latest.svg'), 'utf8');
        expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        expect((await stat(join(out, 'quick-latest.svg'))).size).toBeGreaterThan(5_000);

        // Nothing left on the Docker host: neither what the benchmark started
        // nor the DinD containers and volumes the action started for its jobs.
        expect(await ids(['ps', '--all', '--quiet', '--filter', 'label=setup-dind-bench=1'])).toEqual([]);
        expect(await ids(['volume', 'ls', '--quiet', '--filter', 'label=setup-dind-bench=1'])).toEqual([]);
        expect(await ids(['image', 'ls', '--all', '--quiet', '--filter', 'label=setup-dind-bench=1'])).toEqual([]);
        // Cache volumes (cache-warm) carry no label of the benchmark's: it names them.
        expect(await ids(['volume', 'ls', '--quiet', '--filter', `name=setup-dind-bench-cache-${results.runTag}-`])).toEqual([]);
        expect(results.owners.length).toBeGreaterThan(0);
        for (const owner of results.owners) {
          expect(await ids(['ps', '--all', '--quiet', '--filter', `label=setup-dind.owner=${owner}`]), owner).toEqual([]);
          expect(await ids(['volume', 'ls', '--quiet', '--filter', `label=setup-dind.owner=${owner}`]), owner).toEqual([]);
        }
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    },
    15 * 60_000,
  );
});
