/**
 * Leftovers of runs that never reached their teardown (a runner that died,
 * a job killed with SIGKILL) keep privileged daemons and their data on a
 * self-hosted machine. At each start the action removes those of its own
 * objects whose `setup-dind.created` label is older than `stale-after`; a
 * live job's objects are younger than that and are never touched.
 */
import type { Logger } from './context.js';
import { DockerCli } from './docker-cli.js';
import { LABELS } from './identity.js';

export interface StaleObject {
  kind: 'container' | 'volume';
  id: string;
  owner: string;
  ageSeconds: number;
}

/** Parses `docker … --format '{{.ID}}\t{{.Label …created}}\t{{.Label …owner}}'` lines into stale objects. */
export function staleOf(kind: StaleObject['kind'], listing: string, nowSeconds: number, staleAfterSeconds: number): StaleObject[] {
  const stale: StaleObject[] = [];
  for (const line of listing.split('\n')) {
    const [id, created, owner] = line.split('\t');
    const createdSeconds = Number(created);
    if (!id || !created || !Number.isFinite(createdSeconds)) continue;
    const ageSeconds = nowSeconds - createdSeconds;
    if (ageSeconds > staleAfterSeconds) stale.push({ kind, id, owner: owner ?? '', ageSeconds });
  }
  return stale;
}

/** Finds and removes stale objects; never throws (a failed sweep is a warning, not a failed job). */
export async function sweepStale(docker: DockerCli, staleAfterSeconds: number, logger: Logger, now = Date.now()): Promise<StaleObject[]> {
  if (staleAfterSeconds <= 0) return [];
  const nowSeconds = Math.floor(now / 1000);
  const format = `{{.${'ID'}}}\t{{.Label "${LABELS.created}"}}\t{{.Label "${LABELS.owner}"}}`;
  try {
    const [containers, volumes] = await Promise.all([
      docker.run(['ps', '--all', '--no-trunc', '--filter', `label=${LABELS.role}=daemon`, '--format', format], { timeoutMs: 30_000 }),
      docker.run(['volume', 'ls', '--filter', `label=${LABELS.role}=data`, '--format', format.replace('.ID', '.Name')], { timeoutMs: 30_000 }),
    ]);
    const staleContainers = staleOf('container', containers, nowSeconds, staleAfterSeconds);
    const staleVolumes = staleOf('volume', volumes, nowSeconds, staleAfterSeconds);
    if (staleContainers.length > 0) {
      await docker.exec(['rm', '--force', '--volumes', ...staleContainers.map((object) => object.id)], { timeoutMs: 60_000 });
    }
    // A volume still in use (its container survived) is left; the next sweep gets it.
    for (const volume of staleVolumes) await docker.exec(['volume', 'rm', volume.id], { timeoutMs: 60_000 });
    const removed = [...staleContainers, ...staleVolumes];
    for (const object of removed) {
      logger.info(`Removed a stale ${object.kind} of an earlier run: ${object.id.slice(0, 12)} (owner ${object.owner}, ${(object.ageSeconds / 3600).toFixed(1)} h old)`);
    }
    return removed;
  } catch (error) {
    logger.warn(`Could not look for stale leftovers of earlier runs: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  }
}
