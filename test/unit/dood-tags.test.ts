/** strict's image tag rules over a fake ImageLookup: which requests write or remove tags, and what is allowed. */
import { describe, expect, it } from 'vitest';
import { imageRequest } from '../../src/dood/image-requests.js';
import type { JsonAnswer } from '../../src/dood/json.js';
import { Refused } from '../../src/dood/refused.js';
import { localClaims, type TagClaims } from '../../src/dood/tag-claims.js';
import { TagLedger, TagRules, type ImageLookup } from '../../src/dood/tags.js';

const ID = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;
const DIND = 'docker.io/library/docker:dind';

/** A daemon of images: by each tag, by full ID and by ID prefix, as GetImage resolves them. */
class FakeImages implements ImageLookup {
  readonly images: { Id: string; RepoTags: string[]; RepoDigests: string[] }[] = [];
  readonly asked: string[] = [];

  image(seed: string, tags: string[], digests: string[] = []): this {
    this.images.push({ Id: ID(seed), RepoTags: tags, RepoDigests: digests });
    return this;
  }

  async inspectImage(ref: string): Promise<JsonAnswer> {
    this.asked.push(ref);
    const full = (tag: string) => (tag.includes('/') ? tag : `docker.io/library/${tag}`).replace(/^([^:]*)$/, '$1:latest');
    const found =
      this.images.find((image) => image.RepoTags.some((tag) => tag === ref || full(tag) === full(ref)) || image.RepoDigests.includes(ref)) ??
      this.images.find((image) => image.Id === ref || image.Id.slice(7).startsWith(ref) || image.Id.startsWith(ref));
    return found ? { status: 200, json: found } : { status: 404, json: { message: 'No such image' } };
  }
}

function setup(claims?: TagClaims) {
  const daemon = new FakeImages().image('d', ['docker:dind', 'docker:latest']).image('b', ['busybox:latest'], ['busybox@sha256:' + 'e'.repeat(64)]).image('0', []);
  const ledger = new TagLedger();
  return { daemon, ledger, rules: new TagRules({ lookup: daemon, ledger, claims: claims ?? localClaims }) };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof Refused) return { status: error.status, message: error.message };
    throw error;
  }
}

const request = (method: string, path: string, query = '') => imageRequest(method, path, new URLSearchParams(query))!;

describe('imageRequest', () => {
  it('names the tags that builds, tags, commits and imports write, normalized', () => {
    expect(request('POST', '/build', 't=app&t=docker:dind&t=')).toEqual({ kind: 'write', verb: 'building', tags: ['docker.io/library/app:latest', DIND] });
    expect(request('POST', '/build', `outputs=${encodeURIComponent('[{"type":"moby","attrs":{"name":"a:1,b"}}]')}`)).toMatchObject({ tags: ['docker.io/library/a:1', 'docker.io/library/b:latest'] });
    expect(request('POST', '/images/busybox/tag', 'repo=docker&tag=dind')).toEqual({ kind: 'write', verb: 'tagging', tags: [DIND] });
    expect(request('POST', '/images/localhost:5000/x/tag', 'repo=docker:dind')).toMatchObject({ tags: [DIND] });
    expect(request('POST', '/commit', 'container=c&repo=docker&tag=dind')).toMatchObject({ verb: 'committing', tags: [DIND] });
    expect(request('POST', '/images/create', 'fromSrc=-&repo=docker:dind')).toMatchObject({ verb: 'importing', tags: [DIND] });
  });

  it('tells pulls, loads, removals and prunes apart; an untagged commit or import writes no tag', () => {
    expect(request('POST', '/images/create', 'fromImage=docker&tag=dind&fromSrc=-&repo=x')).toEqual({ kind: 'pull', image: 'docker', tag: 'dind' });
    expect(request('POST', '/images/load', 'quiet=1')).toEqual({ kind: 'load' });
    expect(request('DELETE', '/images/docker.io/library/docker:dind', 'force=1')).toEqual({ kind: 'remove', ref: 'docker.io/library/docker:dind', force: true });
    expect(request('DELETE', '/images/x', 'force=false')).toMatchObject({ force: false });
    // Prunes are the guard's: strict refuses image and build-cache prunes before any tag rule.
    expect(request('POST', '/images/prune')).toBeUndefined();
    expect(request('POST', '/build/prune')).toBeUndefined();
    expect(imageRequest('POST', '/commit', new URLSearchParams('container=c'))).toBeUndefined();
    expect(imageRequest('GET', '/images/docker:dind/json', new URLSearchParams())).toBeUndefined();
    expect(imageRequest('POST', '/images/docker/push', new URLSearchParams())).toBeUndefined();
  });

  it('marks what it cannot read', () => {
    expect(request('POST', '/build', 't=Docker:dind')).toEqual({ kind: 'unreadable', verb: 'building', text: 'Docker:dind' });
    expect(request('POST', '/build', `t=x@sha256:${'a'.repeat(64)}`)).toMatchObject({ kind: 'unreadable' });
    expect(request('POST', '/build', 'outputs=nope')).toMatchObject({ kind: 'unreadable' });
    expect(request('POST', '/images/x/tag', 'repo=x&tag=a b')).toMatchObject({ kind: 'unreadable', verb: 'tagging' });
  });
});

describe('TagRules writes', () => {
  it('refuses overwriting a tag the job did not create, naming it', async () => {
    const { rules } = setup();
    expect(await refusal(rules.decide(request('POST', '/images/evil/tag', 'repo=docker&tag=dind'), ''))).toEqual({
      status: 403,
      message: `setup-dind dood-policy strict: tagging ${DIND} is not allowed (the tag exists and was not created by this job; strict lets a job create new tags and change only its own)`,
    });
    expect((await refusal(rules.decide(request('POST', '/build', 't=app&t=docker:dind'), '')))?.message).toContain(`building ${DIND} is not allowed`);
  });

  it('allows a new tag, records it, and lets the job overwrite it later', async () => {
    const { rules, ledger, daemon } = setup();
    await rules.decide(request('POST', '/build', 't=app:1'), '');
    expect(ledger.list()).toEqual(['docker.io/library/app:1']);
    daemon.image('a', ['app:1']);
    await rules.decide(request('POST', '/images/busybox/tag', 'repo=app&tag=1'), '');
    expect(daemon.asked).toEqual(['docker.io/library/app:1']);
  });

  it('lets a pull replace a tag with the registry\'s content, without making it the job\'s', async () => {
    const { rules, ledger } = setup();
    expect(await rules.decide(request('POST', '/images/create', 'fromImage=docker&tag=dind'), '')).toEqual({});
    expect(ledger.has(DIND)).toBe(false);
  });

  it('refuses a new tag another job holds the claim on, and gives back a claim on an existing tag', async () => {
    const claimed = new Set(['docker.io/library/theirs:1']);
    const released: string[] = [];
    const claims: TagClaims = {
      claim: async (tag: string) => (claimed.has(tag) ? { held: false, holder: 'the volume v (owner=job-b)' } : { held: true }),
      release: async (tag: string) => void released.push(tag),
      heldElsewhere: async (tag: string) => (claimed.has(tag) ? 'the volume v (owner=job-b)' : undefined),
    };
    const { rules } = setup(claims);
    expect((await refusal(rules.checkWrites(['docker.io/library/theirs:1'], 'building')))?.message).toContain(
      'another job created or is creating this tag (its claim is held by the volume v (owner=job-b))',
    );
    await refusal(rules.checkWrites([DIND], 'building'));
    expect(released).toEqual([DIND]);
    // Nor is it pulled over: any job can serve a registry on the host's ports.
    expect((await refusal(rules.decide(request('POST', '/images/create', 'fromImage=theirs&tag=1'), '')))?.message).toContain(
      'pulling docker.io/library/theirs:1 is not allowed (another job created this tag (its claim is held by the volume v (owner=job-b))',
    );
    expect(await rules.decide(request('POST', '/images/create', 'fromImage=theirs&tag=2'), '')).toEqual({});
  });

  it('refuses a pull of every tag of a repository (no tag anywhere), not a pull with its tag in the name', async () => {
    const { rules } = setup();
    expect((await refusal(rules.decide(request('POST', '/images/create', 'fromImage=alpine'), '')))?.message).toBe(
      'setup-dind dood-policy strict: pulling every tag of docker.io/library/alpine (docker pull --all-tags) is not allowed (it may replace tags other jobs made; pull the tags the job needs by name)',
    );
    expect(await rules.decide(request('POST', '/images/create', 'fromImage=alpine:3.20'), '')).toEqual({});
    expect(await rules.decide(request('POST', '/images/create', `fromImage=alpine@sha256:${'a'.repeat(64)}`), '')).toEqual({});
  });

  it('refuses when the daemon cannot say whether the tag exists', async () => {
    const { rules } = setup();
    const lookup: ImageLookup = { inspectImage: async () => ({ status: 500, json: {} }) };
    const broken = new TagRules({ lookup, ledger: new TagLedger(), claims: localClaims });
    expect((await refusal(broken.checkWrites(['docker.io/library/new:1'], 'tagging')))?.status).toBe(403);
    expect(rules).toBeDefined();
  });

  it('refuses unreadable names and archives naming foreign tags', async () => {
    const { rules } = setup();
    expect((await refusal(rules.decide(request('POST', '/build', 't=Docker:dind'), '')))?.message).toContain('building Docker:dind is not allowed');
    expect((await refusal(rules.checkLoad({ tags: ['docker.io/library/new:1', DIND], unreadable: [] })))?.message).toContain(`loading ${DIND}`);
    expect((await refusal(rules.checkLoad({ tags: [], unreadable: ['Bad'] })))?.message).toContain('names Bad');
    await rules.checkLoad({ tags: ['docker.io/library/new:1'], unreadable: [] });
  });
});

describe('TagRules: the job\'s tags are the ones it created', () => {
  it('a tag made by anyone else, before the job or during it, is protected; the job\'s own may be moved and removed', async () => {
    const daemon = new FakeImages().image('d', ['docker:dind']).image('a', ['app:1']);
    const rules = new TagRules({ lookup: daemon, ledger: new TagLedger(), claims: localClaims });
    // app:1 was made by another job during this one: not this job's to remove or replace.
    expect((await refusal(rules.decide(request('DELETE', '/images/app:1'), '')))?.status).toBe(403);
    expect((await refusal(rules.decide(request('POST', '/images/busybox/tag', 'repo=app&tag=1'), '')))?.status).toBe(403);
    expect((await refusal(rules.decide(request('DELETE', `/images/${ID('d')}`), '')))?.status).toBe(403);
    await rules.decide(request('POST', '/images/busybox/tag', 'repo=app&tag=2'), '');
    daemon.image('b', ['app:2']);
    await rules.decide(request('POST', '/images/alpine/tag', 'repo=app&tag=2'), '');
    expect(await rules.decide(request('DELETE', '/images/app:2'), '')).toEqual({ path: `/images/${encodeURIComponent('docker.io/library/app:2')}` });
  });

  it('a pulled tag is the registry\'s: the pull goes on, the tag does not become the job\'s', async () => {
    const daemon = new FakeImages();
    const ledger = new TagLedger();
    const rules = new TagRules({ lookup: daemon, ledger, claims: localClaims });
    expect(await rules.decide(request('POST', '/images/create', 'fromImage=node&tag=20'), '')).toEqual({});
    expect(ledger.list()).toEqual([]);
  });
});

describe('TagRules removals', () => {
  it('untags only the job\'s own tags, pinned to the normalized name, and forgets them', async () => {
    const { rules, ledger, daemon } = setup();
    expect((await refusal(rules.decide(request('DELETE', '/images/docker:dind'), '')))?.message).toBe(
      `setup-dind dood-policy strict: untagging ${DIND} is not allowed (the tag exists and was not created by this job; strict lets a job create new tags and change only its own)`,
    );
    ledger.record('docker.io/library/app:1');
    daemon.image('a', ['app:1', 'app:2']);
    expect(await rules.decide(request('DELETE', '/images/app:1'), '')).toEqual({ path: `/images/${encodeURIComponent('docker.io/library/app:1')}` });
    expect(ledger.has('docker.io/library/app:1')).toBe(false);
  });

  it('removes by ID only when every tag is the job\'s, pinned to the full ID (or to its single tag)', async () => {
    const { rules, ledger, daemon } = setup();
    expect((await refusal(rules.decide(request('DELETE', '/images/dddd'), '')))?.message).toContain('it is tagged docker.io/library/docker:dind');
    daemon.image('c', ['app:1', 'app:2']).image('f', ['solo:1']);
    ledger.record('docker.io/library/app:1');
    expect((await refusal(rules.decide(request('DELETE', '/images/cccc'), '')))?.message).toContain('docker.io/library/app:2');
    ledger.record('docker.io/library/app:2');
    expect(await rules.decide(request('DELETE', '/images/cccc'), '')).toEqual({ path: `/images/${encodeURIComponent(ID('c'))}` });
    expect(ledger.list()).toEqual([]);
    ledger.record('docker.io/library/solo:1');
    expect(await rules.decide(request('DELETE', `/images/${ID('f')}`), '')).toEqual({ path: `/images/${encodeURIComponent('docker.io/library/solo:1')}` });
  });

  it('lets a dangling image go, but not one pulled by digest', async () => {
    const { rules, daemon } = setup();
    expect(await rules.decide(request('DELETE', '/images/0000'), '')).toEqual({ path: `/images/${encodeURIComponent(ID('0'))}` });
    daemon.image('9', [], ['docker.io/library/alpine@sha256:' + '9'.repeat(64)]);
    expect((await refusal(rules.decide(request('DELETE', '/images/9999'), '')))?.message).toContain('digest reference');
    expect((await refusal(rules.decide(request('DELETE', '/images/busybox@sha256:' + 'e'.repeat(64)), '')))?.message).toContain('removing docker.io/library/busybox@sha256');
  });

  it("a digest reference is the job's only on an image with the job's tag in that repository, not for any tag of the job's there", async () => {
    const { rules, daemon, ledger } = setup();
    const digest = (seed: string) => `localhost:5000/app@sha256:${seed.repeat(64)}`;
    // Another job's image, pulled by digest; this job has a tag in the same repository, on another image.
    daemon.image('7', [], [digest('7')]).image('8', ['localhost:5000/app:mine'], [digest('8')]);
    ledger.record('localhost:5000/app:mine');
    expect((await refusal(rules.decide(request('DELETE', `/images/${digest('7')}`), '')))?.message).toContain("the image carries no tag of this job's in that repository");
    expect((await refusal(rules.decide(request('DELETE', '/images/7777'), '')))?.message).toContain(`it has the digest reference ${digest('7')}`);
    // Its own pushed image: the digest reference the push added goes.
    expect(await rules.decide(request('DELETE', `/images/${digest('8')}`), '')).toEqual({ path: `/images/${encodeURIComponent(digest('8'))}` });
  });

  it('answers 404 itself for an unknown image, so a name created meanwhile is not what goes', async () => {
    const { rules } = setup();
    expect(await refusal(rules.decide(request('DELETE', '/images/ghost'), ''))).toEqual({ status: 404, message: 'setup-dind dood proxy: no such image: ghost' });
  });

  it('reads a hex name that is a tag as an untag, and one that is not as an ID prefix', async () => {
    const { rules, ledger, daemon } = setup();
    daemon.image('7', ['dddd:latest']);
    ledger.record('docker.io/library/dddd:latest');
    // "dddd" names the tag first (GetImage), and is no prefix of that image's ID: an untag.
    expect(await rules.decide(request('DELETE', '/images/dddd'), '')).toEqual({ path: `/images/${encodeURIComponent('docker.io/library/dddd:latest')}` });
  });
});
