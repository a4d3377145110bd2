/**
 * `cache-volume`: the inner daemon's /var/lib/docker in a named volume that
 * outlives the job. Two daemons on one data root corrupt it, so the volume is
 * used by one DinD container at a time. The lock is the container's name,
 * derived from the volume: Docker refuses a second container of the same
 * name atomically, so two jobs can never both start on the volume. A job that
 * finds the name taken waits (within its `timeout`) for the holder to go; a
 * container of that name that is no daemon of ours on the volume would never
 * go, and fails the job at once.
 */
import { CancelledError, SetupDindError } from '../../engine/errors.js';
import type { Logger } from '../../engine/context.js';
import { firstErrorLine, isNoSuchObject, type CommandResult } from '../../docker/docker-cli.js';
import type { Clock, DockerClient } from '../../docker/docker.js';
import { LABELS, LABEL_PREFIX } from '../../engine/identity.js';

/** The DinD container that holds a cache volume: one name per volume is the lock. */
export function cacheHolderName(volume: string): string {
  return `${LABEL_PREFIX}-cache-${volume}`;
}

/** Labels a cache volume gets when the first job creates it: no `created`, so stale sweeps never take it. */
export const CACHE_VOLUME_LABELS = { [LABELS.role]: 'cache' };

/**
 * A cache volume is one setup-dind made (or none yet). Any other volume of
 * that name may hold another program's data, which a daemon would write over:
 * a typo in the input must not cost someone their database.
 */
export async function checkCacheVolume(docker: DockerClient, volume: string, signal?: AbortSignal): Promise<void> {
  const inspect = await docker.exec(['volume', 'inspect', '--format', `{{index .Labels "${LABELS.role}"}}`, volume], { timeoutMs: 30_000, signal });
  if (inspect.code !== 0) {
    const refused = docker.apiRefusal(inspect);
    if (refused) throw refused;
    if (isNoSuchObject(inspect)) return; // the first job creates it, labelled
    throw new SetupDindError(`Input "cache-volume": could not inspect volume ${volume}: ${firstErrorLine(inspect.stderr)}`);
  }
  if (inspect.stdout.trim() === CACHE_VOLUME_LABELS[LABELS.role]) return;
  throw new SetupDindError(
    `Input "cache-volume": volume ${volume} exists and was not made by setup-dind (it has no ${LABELS.role}=cache label): it may hold another program's data, which the DinD daemon would write over.`,
    {
      hint: `Choose another name. To use a volume prepared on purpose, create it with: docker volume create --label ${LABELS.role}=cache ${volume}`,
    },
  );
}

/** How long the daemon gets to stop cleanly at teardown, so its data root is consistent for the next job. */
export const CACHE_STOP_SECONDS = 30;

const POLL_MS = 500;

export function isNameConflict(result: CommandResult): boolean {
  return /is already in use by container|Conflict\. The container name/i.test(result.stderr);
}

interface Holder {
  name: string;
  /** '' for a container that merely mounts the volume. */
  id: string;
  status: string;
  /** Whether it is a daemon container of ours on the volume: `setup-dind.role=daemon`, the volume at /var/lib/docker. */
  ours: boolean;
  /** For a container with the holder's name that is not one. */
  squatter?: Squatter;
  owner: string;
  startedAt: string;
  /** Milliseconds since its creation. */
  ageMs: number;
}

/** Why a container with the holder's name is no daemon of ours on the volume, and what it is. */
interface Squatter {
  reasons: string[];
  image: string;
  labels: Record<string, string>;
}

/** A `created` holder older than this never started: its set-up died between create and start. */
const NEVER_STARTED_MS = 60_000;

/** Where the holder mounts the volume (run-args.ts). */
export const DATA_ROOT = '/var/lib/docker';

/** Who holds the volume: the holder container, or any other running container that mounts it. */
async function findHolder(docker: DockerClient, volume: string): Promise<Holder | undefined> {
  const name = cacheHolderName(volume);
  // JSON last: it never holds a raw tab.
  const format = ['{{.Id}}', '{{.State.Status}}', '{{.State.StartedAt}}', '{{.Created}}', '{{.Config.Image}}', '{{json .Config.Labels}}', '{{json .Mounts}}'].join('\t');
  const inspect = await docker.exec(['container', 'inspect', '--format', format, name], { timeoutMs: 15_000 });
  if (inspect.code === 0) {
    const [id = '', status = '', startedAt = '', created = '', image = '', labelsJson = '', mountsJson = ''] = inspect.stdout.trim().split('\t');
    const labels = parseJson<Record<string, string> | null>(labelsJson) ?? {};
    const mounts = parseJson<{ Type?: string; Name?: string; Destination?: string }[] | null>(mountsJson) ?? [];
    const reasons: string[] = [];
    if (labels[LABELS.role] !== 'daemon') reasons.push(`it has no ${LABELS.role}=daemon label`);
    if (!mounts.some((mount) => mount.Type === 'volume' && mount.Name === volume && mount.Destination === DATA_ROOT)) {
      reasons.push(`it does not mount volume ${volume} at ${DATA_ROOT}`);
    }
    const ageMs = Date.now() - Date.parse(created);
    return {
      name,
      id,
      status,
      ours: reasons.length === 0,
      ...(reasons.length === 0 ? {} : { squatter: { reasons, image, labels } }),
      owner: labels[LABELS.owner] ?? '',
      startedAt,
      ageMs: Number.isFinite(ageMs) ? ageMs : 0,
    };
  }
  const users = await docker.exec(['ps', '--filter', `volume=${volume}`, '--format', '{{.Names}}'], { timeoutMs: 15_000 });
  const user = users.stdout.split('\n').find((line) => line.trim() !== '');
  return user ? { name: user.trim(), id: '', status: 'running', ours: false, owner: '', startedAt: '', ageMs: 0 } : undefined;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** A holder that no longer uses the data root: a stopped daemon of ours, or one that never started. */
function isDeadHolder(holder: Holder): boolean {
  if (!holder.ours || holder.id === '') return false;
  return holder.status === 'exited' || holder.status === 'dead' || (holder.status === 'created' && holder.ageMs > NEVER_STARTED_MS);
}

/** A label value or name as one line of the log, whatever it holds. */
// eslint-disable-next-line no-control-regex -- control characters are what it replaces
const oneLine = (text: string): string => text.replace(/[\x00-\x1f\x7f]/g, '?');

function describeHolder(holder: Holder): string {
  const about = [holder.owner && `owner ${oneLine(holder.owner)}`, holder.startedAt && !holder.startedAt.startsWith('0001-') && `started ${holder.startedAt}`].filter(Boolean);
  return about.length > 0 ? `${holder.name} (${about.join(', ')})` : holder.name;
}

/** Labels shown for a squatter: ours first, then the others, each value quoted; a few at most. */
const SHOWN_LABELS = 8;

/**
 * The holder's name taken by a container that is no daemon of ours on the
 * volume: it would never go away by itself, and every job on the volume would
 * wait for it until its timeout.
 */
function squattedError(holder: Holder, { reasons, image, labels }: Squatter, volume: string): SetupDindError {
  const names = Object.keys(labels).sort((a, b) => Number(!a.startsWith(`${LABEL_PREFIX}.`)) - Number(!b.startsWith(`${LABEL_PREFIX}.`)) || a.localeCompare(b));
  const shown = names.slice(0, SHOWN_LABELS).map((label) => `${oneLine(label)}=${JSON.stringify(labels[label])}`);
  if (names.length > SHOWN_LABELS) shown.push(`${names.length - SHOWN_LABELS} more`);
  const what = [`id ${holder.id.slice(0, 12)}`, `image ${oneLine(image)}`, `status ${holder.status}`, shown.length > 0 ? `labels ${shown.join(', ')}` : 'no labels'];
  return new SetupDindError(
    `Input "cache-volume": the container named ${holder.name}, the lock on volume ${volume}, is not a setup-dind daemon using the volume (${reasons.join('; ')}), so it would never free the volume: ${what.join(', ')}.`,
    {
      hint: `Find out who made it (docker container inspect ${holder.name}); if nothing needs it, remove it (docker rm --force ${holder.name}). Or give this job another cache volume.`,
    },
  );
}

/**
 * Runs `docker run` for the holder container once the volume is free. Resolves
 * with the result of the `docker run` that was not refused for the name (it
 * may have failed for another reason); throws when the volume stays in use
 * for `timeoutSeconds`.
 */
export async function runWhenCacheFree(
  docker: DockerClient,
  volume: string,
  run: () => Promise<CommandResult>,
  options: { timeoutSeconds: number; logger: Logger; signal?: AbortSignal; clock: Clock },
): Promise<CommandResult> {
  const deadline = options.clock.now() + options.timeoutSeconds * 1000;
  let announced = false;
  for (;;) {
    const holder = await findHolder(docker, volume);
    if (holder === undefined) {
      const result = await run();
      if (!isNameConflict(result)) return result;
      // Another job took it between our look and our run: look again after a pause.
    } else if (holder.squatter) {
      throw squattedError(holder, holder.squatter, volume);
    } else if (isDeadHolder(holder)) {
      // Its job's teardown never came (or is just finishing: then it finds the container gone). By id: the name may pass on.
      options.logger.info(`Removing ${holder.name}, a stopped daemon that still held cache volume ${volume}`);
      await docker.exec(['rm', '--force', '--volumes', holder.id], { timeoutMs: 60_000 });
      continue;
    }
    const who = holder === undefined ? cacheHolderName(volume) : describeHolder(holder);
    if (options.clock.now() >= deadline) {
      throw new SetupDindError(
        `Input "cache-volume": volume ${volume} is still in use by ${who} after waiting ${options.timeoutSeconds} s (input "timeout"); one daemon at a time may use a data root.`,
        {
          hint: 'Jobs that share a cache volume run one after the other: give concurrent jobs different volumes (e.g. one per runner), or raise timeout to wait longer.',
        },
      );
    }
    if (!announced) {
      options.logger.info(`Cache volume ${volume} is in use by ${who}; waiting up to ${options.timeoutSeconds} s for it`);
      announced = true;
    }
    try {
      await options.clock.sleep(POLL_MS, options.signal);
    } catch {
      throw new CancelledError(`waiting for cache volume ${volume}`);
    }
  }
}
