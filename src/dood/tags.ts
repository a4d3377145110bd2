/**
 * strict's rule for image tags: the job may read any image and create new
 * tags; it may not delete, untag or replace a tag it did not create. The
 * tags it created are in a TagLedger (in memory: one proxy per job), each
 * under a claim that keeps other jobs from creating it too (tag-claims.ts); each
 * rule asks the daemon through ImageLookup (which the tests fake) and pins a
 * removal to what was checked, so a name or ID prefix that means another
 * image by then is not what the daemon acts on.
 */
import { isImageIdPrefix, normalizedTag, parseNormalizedNamed, referenceString, repoTagName, repositoryOf, tagNameOnly } from './image-refs.js';
import type { ImageRequest } from './image-requests.js';
import { isObject, strings, type JsonAnswer } from './json.js';
import { policyRefusal, Refused } from './refused.js';
import type { ArchiveNames } from './load-archive.js';
import type { TagClaims } from './tag-claims.js';

/** What the tag rules ask the daemon. */
export interface ImageLookup {
  /** GET /images/{ref}/json: 404, or the image with its Id, RepoTags and RepoDigests. */
  inspectImage(ref: string): Promise<JsonAnswer>;
}

/** The tags this job created, normalized (docker.io/library/x:latest). */
export class TagLedger {
  private readonly tags = new Set<string>();

  has(tag: string): boolean {
    return this.tags.has(tag);
  }

  record(tag: string): void {
    this.tags.add(tag);
  }

  /** Forgotten before an untag is sent (the claim stays: released first, another job could create the tag before the untag runs). */
  forget(tag: string): void {
    this.tags.delete(tag);
  }

  list(): string[] {
    return [...this.tags];
  }
}

/** How a checked request goes on: unchanged, or with its route path pinned (already percent-encoded). */
export interface TagDecision {
  path?: string;
  /** A line for the proxy's log. */
  note?: string;
}

const NOT_OURS = 'the tag exists and was not created by this job; strict lets a job create new tags and change only its own';
const DIGEST_NOT_OURS = "the image carries no tag of this job's in that repository; strict lets a job remove only its own tags and what its pushes added";

/** An image as inspected: its full ID and references (normalized). */
interface InspectedImage {
  id: string;
  tags: string[];
  digests: string[];
}

function inspected(json: unknown): InspectedImage | undefined {
  if (!isObject(json) || typeof json.Id !== 'string' || json.Id === '') return undefined;
  const normalize = (list: unknown) => strings(list).map((name) => normalizedTag(name) ?? name);
  return { id: json.Id, tags: normalize(json.RepoTags), digests: normalize(json.RepoDigests) };
}

export interface TagRulesOptions {
  lookup: ImageLookup;
  ledger: TagLedger;
  /** Who may create a new tag, across the jobs on the daemon (daemonClaims; localClaims in tests of the rules alone). */
  claims: TagClaims;
}

export class TagRules {
  private readonly claims: TagClaims;

  constructor(private readonly options: TagRulesOptions) {
    this.claims = options.claims;
  }

  /** strict's decision on one image request (imageRequest's answer); throws Refused. `query` is the raw query string. */
  async decide(request: ImageRequest, query: string): Promise<TagDecision> {
    switch (request.kind) {
      case 'write':
        await this.checkWrites(request.tags, request.verb);
        return { note: request.tags.length > 0 ? `${request.verb}: the job's tags now include ${request.tags.join(', ')}` : undefined };
      case 'unreadable':
        throw policyRefusal('strict', `${request.verb} ${request.text}`, 'the proxy cannot read it as an image reference to check');
      case 'pull':
        await this.checkPull(request, new URLSearchParams(query.replace(/;/g, '&')));
        return {};
      case 'load':
        // The names are in the body: the guard pipes it through a LoadArchiveWatcher whose decision is checkLoad.
        return {};
      case 'remove':
        return this.planRemove(request.ref);
    }
  }

  /**
   * A digest reference is the job's to remove when the image carries one of
   * the job's tags in that repository (a push of the job's tag adds it):
   * a tag of the job's elsewhere in the repository is not enough, or any job
   * could tag into a repository and strip another's pulled or pushed image.
   */
  private ownsDigest(digest: string, image: InspectedImage): boolean {
    const repository = repositoryOf(parseNormalizedNamed(digest) ?? { domain: '', path: digest });
    return image.tags.some((tag) => this.isJobs(tag) && repositoryOf(parseNormalizedNamed(tag)!) === repository);
  }

  /** The job's tag: one it created through the proxy (a pull's is the registry's, and nobody's to change). */
  private isJobs(tag: string): boolean {
    return this.options.ledger.has(tag);
  }

  /**
   * A pull writes what the registry serves under that name: the host's tags
   * may be refreshed so, but not a tag another job made (any job can serve a
   * registry on the host's ports), nor every tag of a repository at once,
   * nor a tag that is not the job's for another platform.
   */
  private async checkPull(request: Extract<ImageRequest, { kind: 'pull' }>, query: URLSearchParams): Promise<void> {
    const named = parseNormalizedNamed(request.image);
    if (named && request.tag === '' && named.tag === undefined && named.digest === undefined) {
      throw policyRefusal('strict', `pulling every tag of ${repositoryOf(named)} (docker pull --all-tags)`, 'it may replace tags other jobs made; pull the tags the job needs by name');
    }
    const tag = request.tag === '' ? normalizedTag(request.image) : repoTagName(request.image, request.tag);
    if (tag === undefined) throw policyRefusal('strict', `pulling ${request.image}`, 'the proxy cannot read it as an image reference to check');
    if (this.isJobs(tag)) return;
    const holder = await this.claims.heldElsewhere(tag);
    if (holder !== undefined) {
      throw policyRefusal('strict', `pulling ${tag}`, `another job created this tag (its claim is held by ${holder}); a pull would replace it with what a registry serves under that name`);
    }
    if ((query.get('platform') ?? '') === '') return;
    const { status } = await this.options.lookup.inspectImage(tag);
    if (status === 200 && !this.isJobs(tag)) {
      throw policyRefusal('strict', `pulling ${tag} for platform ${query.get('platform')}`, `it moves the tag to that platform's image; ${NOT_OURS}`);
    }
  }

  /** The decision hook of a LoadArchiveWatcher: every tag the archive names must be new or the job's. */
  async checkLoad(names: ArchiveNames): Promise<void> {
    if (names.unreadable.length > 0) {
      throw policyRefusal('strict', `loading an archive that names ${names.unreadable[0]}`, 'the proxy cannot read it as an image reference to check');
    }
    await this.checkWrites(names.tags, 'loading');
  }

  /** Each tag is the job's already, or new (then claimed and recorded before the request goes on). */
  async checkWrites(tags: string[], verb: string): Promise<void> {
    for (const tag of tags) await this.checkWrite(tag, verb);
  }

  private async checkWrite(tag: string, verb: string): Promise<void> {
    const { ledger, lookup } = this.options;
    if (ledger.has(tag)) return;
    const claim = await this.claims.claim(tag);
    if (!claim.held) {
      throw policyRefusal('strict', `${verb} ${tag}`, `another job created or is creating this tag (its claim is held by ${claim.holder}); strict lets a job create new tags and change only its own`);
    }
    const { status } = await lookup.inspectImage(tag);
    if (status === 404) {
      ledger.record(tag);
      return;
    }
    await this.claims.release(tag);
    if (status === 200) throw policyRefusal('strict', `${verb} ${tag}`, NOT_OURS);
    throw policyRefusal('strict', `${verb} ${tag}`, `the daemon did not say whether the tag exists (status ${status})`);
  }

  /**
   * DELETE /images/{ref}, as the daemon reads it: `ref` is resolved (a name
   * first, then an ID prefix); when it is a prefix of the resolved image's
   * ID the image is removed with every reference, otherwise the normalized
   * name is untagged. Returns the path pinned to what was checked.
   */
  async planRemove(ref: string): Promise<TagDecision> {
    const { status, json } = await this.options.lookup.inspectImage(ref);
    if (status === 404) throw new Refused(404, `setup-dind dood proxy: no such image: ${ref}`);
    const image = status === 200 ? inspected(json) : undefined;
    if (!image) throw policyRefusal('strict', `removing image ${ref}`, `the daemon did not say which image it is (status ${status})`);
    return isImageIdPrefix(image.id, ref) ? this.planRemoveById(ref, image) : this.planUntag(ref, image);
  }

  /** An untag: only of the job's own tag, or of a digest reference on an image with the job's tag in that repository. */
  private async planUntag(ref: string, image: InspectedImage): Promise<TagDecision> {
    const { ledger } = this.options;
    const named = parseNormalizedNamed(ref);
    if (!named) throw new Refused(400, `setup-dind dood proxy: ${ref} is not an image reference`);
    const name = referenceString(tagNameOnly(named));
    if (named.digest !== undefined) {
      if (!this.ownsDigest(name, image)) {
        throw policyRefusal('strict', `removing ${name}`, DIGEST_NOT_OURS);
      }
    } else if (!this.isJobs(name)) {
      throw policyRefusal('strict', `untagging ${name}`, NOT_OURS);
    }
    ledger.forget(name);
    return { path: `/images/${encodeURIComponent(name)}` };
  }

  /**
   * A removal by ID takes every tag and digest reference of the image: all
   * must be the job's. An image with none (dangling) is nobody's tag and may
   * go. With a single tag the request is sent as an untag of it, which the
   * daemon turns into the image's removal only while that is its last
   * reference: a tag another job adds meanwhile survives.
   */
  private async planRemoveById(ref: string, image: InspectedImage): Promise<TagDecision> {
    const { ledger } = this.options;
    const foreign = image.tags.find((tag) => !this.isJobs(tag));
    if (foreign !== undefined) throw policyRefusal('strict', `removing image ${ref}`, `it is tagged ${foreign}, which was not created by this job; strict lets a job remove only its own tags`);
    const foreignDigest = image.digests.find((digest) => !this.ownsDigest(digest, image));
    if (foreignDigest !== undefined) {
      throw policyRefusal('strict', `removing image ${ref}`, `it has the digest reference ${foreignDigest}: ${DIGEST_NOT_OURS}`);
    }
    for (const tag of image.tags) ledger.forget(tag);
    const only = image.tags.length === 1 ? image.tags[0]! : undefined;
    const sameRepository = only !== undefined && image.digests.every((digest) => repositoryOf(parseNormalizedNamed(digest)!) === repositoryOf(parseNormalizedNamed(only)!));
    return { path: `/images/${encodeURIComponent(only !== undefined && sameRepository ? only : image.id)}` };
  }
}
