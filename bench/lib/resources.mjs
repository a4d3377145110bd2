// Everything the benchmark creates on the Docker host, and its removal.
//
// The Docker host is shared (end-to-end tests may run at the same time), so
// the benchmark only ever removes what it can prove is its own:
// - containers and volumes it starts itself carry `setup-dind-bench=1` and
//   `setup-dind-bench.run=<this run's tag>`; sweeps filter on the run tag;
// - DinD containers and volumes the action starts carry the action's own
//   `setup-dind.owner` label, whose value names the job's run id; the
//   benchmark gives each of its jobs a run id `bench-<run tag>-<n>` and
//   removes only objects whose owner is one of those jobs;
// - images it builds on the host are tagged `setup-dind-bench/build:<run tag>-<n>`
//   (and labelled), and removed by those tags;
// - cache volumes (the action's `cache-volume` input) carry only the action's
//   `setup-dind.role=cache` label, no owner and no bench label (the action
//   creates them, and a cache volume is never swept by the action): the
//   benchmark names them `setup-dind-bench-cache-<run tag>-<n>` and removes
//   only volumes of the names it handed out. Their holder containers carry
//   the owner label of the job that started them, like any DinD container.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ActionsJob } from '../../scripts/actions-runner.mjs';
import { docker, lines } from './proc.mjs';

export const BENCH_LABEL = 'setup-dind-bench';
export const RUN_LABEL = 'setup-dind-bench.run';
export const OWNER_LABEL = 'setup-dind.owner';
export const BUILD_REPOSITORY = 'setup-dind-bench/build';
/** Names of the cache volumes this benchmark hands to the action's `cache-volume` input start with this. */
export const CACHE_VOLUME_PREFIX = 'setup-dind-bench-cache-';
/** Variables every step of a benchmark job gets (after the runner's own). */
export const JOB_ENV = { GITHUB_JOB: 'bench' };

/**
 * @typedef {object} JobEntry
 * @property {ActionsJob} job
 * @property {string} owner the action's owner label value for this job
 * @property {boolean} posted post ran (timed by a contender)
 */

export class Resources {
  constructor() {
    /** Short, unique per benchmark run; in every label, name and tag. */
    this.runTag = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    /** @type {Set<string>} */
    this.owners = new Set();
    /** @type {Set<string>} host image tags built by this run */
    this.images = new Set();
    /** @type {Set<string>} cache volume names handed out by this run (the action creates the volumes) */
    this.cacheVolumes = new Set();
    /** @type {Set<string>} host directories made by this run */
    this.dirs = new Set();
    /** @type {Set<JobEntry>} jobs not finished yet */
    this.jobs = new Set();
    this.sequence = 0;
  }

  /** `docker run` arguments labelling a container and its /var/lib/docker volume as this run's. */
  runArgs() {
    return [
      '--label',
      `${BENCH_LABEL}=1`,
      '--label',
      `${RUN_LABEL}=${this.runTag}`,
      '--mount',
      `type=volume,dst=/var/lib/docker,volume-label=${BENCH_LABEL}=1,volume-label=${RUN_LABEL}=${this.runTag}`,
    ];
  }

  /** A container name unique to this run. */
  name(what) {
    return `setup-dind-bench-${this.runTag}-${what}-${++this.sequence}`;
  }

  /** A host image tag unique to this run. */
  imageTag() {
    const tag = `${BUILD_REPOSITORY}:${this.runTag}-${++this.sequence}`;
    this.images.add(tag);
    return tag;
  }

  /** A name for a cache volume (input `cache-volume`) that only this run uses; the sweeps remove it. */
  cacheVolume() {
    const name = `${CACHE_VOLUME_PREFIX}${this.runTag}-${++this.sequence}`;
    this.cacheVolumes.add(name);
    return name;
  }

  /** A new job, as the runner would start one, whose objects we can tell from everyone else's. */
  newJob() {
    const job = new ActionsJob();
    job.runId = `bench-${this.runTag}-${++this.sequence}`;
    const owner = `github:setup-dind/setup-dind/run/${job.runId}/attempt/1/job/${JOB_ENV.GITHUB_JOB}`;
    this.owners.add(owner);
    /** @type {JobEntry} */
    const entry = { job, owner, posted: false };
    this.jobs.add(entry);
    return entry;
  }

  /**
   * Finishes a job: runs post if a contender did not (a no-op when main
   * failed), and removes the job's temporary directory.
   * @param {JobEntry} entry
   */
  async finishJob(entry) {
    if (!this.jobs.has(entry)) return;
    this.jobs.delete(entry);
    try {
      if (!entry.posted && Object.keys(entry.job.state).length > 0) await entry.job.post({ env: JOB_ENV });
    } catch {
      // the sweep removes what post could not
    }
    await entry.job.cleanup().catch(() => {});
  }

  /**
   * What of this run is on the Docker host: containers and volumes, split into
   * those we started (`bench`) and those the action started for our jobs
   * (`action`), the cache volumes of the names we handed out (`cacheVolumes`),
   * and our host images.
   */
  async find() {
    const ours = `label=${RUN_LABEL}=${this.runTag}`;
    const bench = {
      containers: lines((await docker(['ps', '--all', '--quiet', '--no-trunc', '--filter', ours])).stdout),
      volumes: lines((await docker(['volume', 'ls', '--quiet', '--filter', ours])).stdout),
    };
    const byOwner = (text) =>
      lines(text)
        .map((line) => line.split('\t'))
        .filter(([, owner]) => owner !== undefined && this.owners.has(owner))
        .map(([id]) => /** @type {string} */ (id));
    const action = {
      containers: byOwner(
        (await docker(['ps', '--all', '--no-trunc', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.ID}}\t{{.Label "${OWNER_LABEL}"}}`]))
          .stdout,
      ),
      volumes: byOwner(
        (await docker(['volume', 'ls', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.Name}}\t{{.Label "${OWNER_LABEL}"}}`])).stdout,
      ),
    };
    // `name=` matches a substring: keep exactly the names this run handed out.
    const cacheVolumes = lines(
      (await docker(['volume', 'ls', '--filter', `name=${CACHE_VOLUME_PREFIX}${this.runTag}-`, '--format', '{{.Name}}'])).stdout,
    ).filter((name) => this.cacheVolumes.has(name));
    const images = lines(
      (await docker(['image', 'ls', '--filter', `reference=${BUILD_REPOSITORY}`, '--format', '{{.Repository}}:{{.Tag}}'])).stdout,
    ).filter((tag) => this.images.has(tag));
    // Every image a build of this run made (steps included) carries the run label; newest first.
    const buildSteps = lines((await docker(['image', 'ls', '--all', '--quiet', '--filter', ours])).stdout);
    return { bench, action, cacheVolumes, images, buildSteps: [...new Set(buildSteps)] };
  }

  /**
   * Removes everything of this run that is still there; returns what it found.
   * Never throws: a sweep that cannot finish reports what stayed.
   */
  async sweep() {
    const found = await this.find().catch((error) => ({
      error: String(error),
      bench: { containers: [], volumes: [] },
      action: { containers: [], volumes: [] },
      cacheVolumes: [],
      images: [],
      buildSteps: [],
    }));
    const containers = [...found.bench.containers, ...found.action.containers];
    // Containers first: a cache volume's holder must be gone before the volume can go.
    const volumes = [...found.bench.volumes, ...found.action.volumes, ...found.cacheVolumes];
    const problems = [];
    if ('error' in found) problems.push(found.error);
    if (containers.length > 0) await docker(['rm', '--force', '--volumes', ...containers]).catch((error) => problems.push(String(error)));
    if (volumes.length > 0) await docker(['volume', 'rm', '--force', ...volumes]).catch((error) => problems.push(String(error)));
    for (const tag of found.images) await docker(['image', 'rm', tag]).catch((error) => problems.push(String(error)));
    // Children before parents (the listing is newest first); a step removed
    // with its child is already gone.
    for (const id of found.buildSteps) {
      await docker(['image', 'rm', id]).catch((error) => {
        if (!/No such image/i.test(String(error))) problems.push(String(error));
      });
    }
    return { ...found, problems };
  }

  /** Final clean-up: unfinished jobs, the Docker host, temporary directories. */
  async cleanUpAll() {
    for (const entry of [...this.jobs]) await this.finishJob(entry);
    const swept = await this.sweep();
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true }).catch(() => {});
    this.dirs.clear();
    return swept;
  }

  /** Descriptions of whatever of this run is still on the host (empty when clean). */
  async leftovers() {
    const found = await this.find();
    return [
      ...found.bench.containers.map((id) => `container ${id.slice(0, 12)} (bench)`),
      ...found.bench.volumes.map((id) => `volume ${id} (bench)`),
      ...found.action.containers.map((id) => `container ${id.slice(0, 12)} (action)`),
      ...found.action.volumes.map((id) => `volume ${id} (action)`),
      ...found.cacheVolumes.map((name) => `volume ${name} (cache-volume)`),
      ...found.images.map((tag) => `image ${tag}`),
      ...found.buildSteps.map((id) => `image ${id} (a build step)`),
    ];
  }
}
