/**
 * Leftovers of runs that never reached their teardown (a runner that died,
 * a job killed with SIGKILL) keep privileged daemons and their data on a
 * self-hosted machine. At each start the action removes those of its own
 * objects whose `setup-dind.created` label is older than `stale-after`; a
 * live job's objects are younger than that and are never touched.
 */
import type { Logger } from '../engine/context.js';
import type { DockerClient } from '../docker/docker.js';
import { errorMessage } from '../engine/errors.js';
import { LABELS } from '../engine/identity.js';

export interface StaleObject {
  kind: 'container' | 'network' | 'volume';
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

/** How to list and remove each kind of object; containers go first, since they hold networks and volumes. */
const KINDS: { kind: StaleObject['kind']; list: string[]; id: string; remove: string[] }[] = [
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
export async function sweepStale(docker: DockerClient, staleAfterSeconds: number, logger: Logger, now = Date.now()): Promise<StaleObject[]> {
  if (staleAfterSeconds <= 0) return [];
  const nowSeconds = Math.floor(now / 1000);
  const removed: StaleObject[] = [];
  try {
    const listings = await Promise.all(
      KINDS.map(({ list, id }) =>
        docker.run([...list, '--filter', `label=${LABELS.created}`, '--format', `{{${id}}}\t{{.Label "${LABELS.created}"}}\t{{.Label "${LABELS.owner}"}}`], {
          timeoutMs: 30_000,
        }),
      ),
    );
    for (const [index, { kind, remove }] of KINDS.entries()) {
      // One at a time: an object still in use (a survivor holds it) is left for the next sweep.
      for (const object of staleOf(kind, listings[index]!, nowSeconds, staleAfterSeconds)) {
        const result = await docker.exec([...remove, object.id], { timeoutMs: 60_000 });
        if (result.code !== 0) continue;
        removed.push(object);
        logger.info(`Removed a stale ${kind} of an earlier run: ${object.id.slice(0, 12)} (owner ${object.owner}, ${(object.ageSeconds / 3600).toFixed(1)} h old)`);
      }
    }
  } catch (error) {
    logger.warn(`Could not look for stale leftovers of earlier runs: ${errorMessage(error)}`);
  }
  return removed;
}
