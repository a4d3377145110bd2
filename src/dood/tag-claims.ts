/**
 * Claims on new image tags, held in the daemon so that every job's proxy on
 * it sees them: a claim is a volume named after the tag's hash, labelled
 * with the job's labels. The daemon creates a volume name once (its volume
 * store locks by name) and answers a second create with the volume that is
 * there, so whose labels come back tells who holds the claim. The job's
 * teardown removes its volumes, and with them its claims.
 */
import { createHash } from 'node:crypto';
import { isObject, type Json, type JsonAnswer } from './json.js';

/** What a claim asks of the daemon. */
export interface ClaimDaemon {
  /** POST /volumes/create. */
  createVolume(spec: Json): Promise<JsonAnswer>;
  /** DELETE /volumes/{name}. */
  removeVolume(name: string): Promise<JsonAnswer>;
  /** GET /volumes/{name}. */
  inspectVolume(name: string): Promise<JsonAnswer>;
}

/** The answer to a claim: held by this job, or by another (named by its labels, for the refusal). */
export type ClaimAnswer = { held: true } | { held: false; holder: string };

export interface TagClaims {
  /** Takes the tag's claim for this job (held already counts); or says who holds it. */
  claim(tag: string): Promise<ClaimAnswer>;
  /** Gives back a claim this job took on a tag it did not get. */
  release(tag: string): Promise<void>;
  /** Who holds the tag's claim, if another job does (asked, not taken). */
  heldElsewhere(tag: string): Promise<string | undefined>;
}

/** Claims within one proxy only, coordinating with no other job: for tests of the rules alone. */
export const localClaims: TagClaims = { claim: async () => ({ held: true }), release: async () => {}, heldElsewhere: async () => undefined };

/** The label that says what a claim volume is (for people reading `docker volume ls`); the tag is not named: not every job need know another's tags before they exist. */
export const CLAIM_LABEL = { 'setup-dind.claim': 'image-tag' };
const NAME_PREFIX = 'setup-dind-tag-claim-';

/** Why strict refuses a job a volume of this name, if it does: the names of claims are the proxy's, lest a job squat another's tag. */
export function claimNameProblem(name: string): string | undefined {
  return name.startsWith(NAME_PREFIX) ? `the name ${NAME_PREFIX}… is kept for the proxy's claims on image tags` : undefined;
}

/** The volume that holds a tag's claim: the same name in every job's proxy. */
export function claimVolumeName(tag: string): string {
  return NAME_PREFIX + createHash('sha256').update(tag).digest('hex').slice(0, 40);
}

/** Claims in the daemon, for a job whose objects carry `labels`. */
export function daemonClaims(daemon: ClaimDaemon, labels: Record<string, string>): TagClaims {
  const ours = (found: unknown): boolean => isObject(found) && Object.entries(labels).every(([key, value]) => found[key] === value);
  // The holder as its labels say (the same keys as the job's): who to ask.
  const holder = (tag: string, found: unknown): string => {
    const named = Object.keys(labels).flatMap((key) => (isObject(found) && typeof found[key] === 'string' ? [`${key}=${found[key]}`] : []));
    return `the volume ${claimVolumeName(tag)} (${named.length > 0 ? named.join(', ') : 'not labelled as a job'})`;
  };
  return {
    async claim(tag) {
      const { status, json } = await daemon.createVolume({ Name: claimVolumeName(tag), Labels: { ...labels, ...CLAIM_LABEL } });
      const found = isObject(json) ? json.Labels : undefined;
      if (status === 201 && ours(found)) return { held: true };
      if (status !== 201) return { held: false, holder: `unknown: the daemon answered ${status} to the claim` };
      return { held: false, holder: holder(tag, found) };
    },
    async release(tag) {
      await daemon.removeVolume(claimVolumeName(tag));
    },
    async heldElsewhere(tag) {
      const { status, json } = await daemon.inspectVolume(claimVolumeName(tag));
      if (status === 404) return undefined;
      const found = isObject(json) ? json.Labels : undefined;
      if (status === 200 && ours(found)) return undefined;
      return status === 200 ? holder(tag, found) : `unknown: the daemon answered ${status} about the claim`;
    },
  };
}
