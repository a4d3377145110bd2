/**
 * Holes found by an adversarial review of the strict DooD proxy, each shown
 * by a test of what strict should do (written as it.fails while the proxy
 * let the attack through, and closed since).
 *
 * The requests go through the real RequestGuard (route table, ownership,
 * tag rules) with a fake daemon, as test/unit/dood-guard.test.ts does.
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RequestGuard } from '../../src/dood/guard.js';
import { Ownership } from '../../src/dood/ownership.js';
import { classifyRequest } from '../../src/dood/routes.js';
import { localClaims } from '../../src/dood/tag-claims.js';
import { TagLedger, TagRules } from '../../src/dood/tags.js';
import type { Json, JsonAnswer } from '../../src/dood/json.js';
import { FakeLookup, jobDaemon, OURS, refusalOf, THEIRS } from '../support/fake-lookup.js';

const DIND = 'docker.io/library/docker:dind';

function request(method: string, url: string, body?: unknown): http.IncomingMessage {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return Object.assign(Readable.from(text === '' ? [] : [Buffer.from(text)]), { method, url, headers: {} }) as unknown as http.IncomingMessage;
}

/** A strict guard; `docker:dind` exists on the daemon (a tag the job did not create, to protect). */
function setup(daemon: FakeLookup = jobDaemon()) {
  daemon.image(`sha256:${'d'.repeat(64)}`, ['docker:dind', DIND]);
  const log: string[] = [];
  const context = { labels: OURS, policy: 'strict' as const, allowedBindRoots: ['/work'], socketPaths: ['/var/run/docker.sock'] };
  const ownership = new Ownership({ daemon, labels: OURS, strict: true, log: (line) => log.push(line) });
  const tags = new TagRules({ lookup: daemon, ledger: new TagLedger(), claims: localClaims });
  const guard = new RequestGuard({ context, ownership, tags, volumes: daemon, log: (line) => log.push(line) });
  const prepare = (method: string, url: string, body?: unknown) => guard.prepare(classifyRequest(method, url), request(method, url, body));
  return { daemon, prepare };
}

describe('review: classic build query parameters strict refuses in a container create', () => {
  // Attack: POST /build?cgroupparent=/ (docker build --cgroup-parent /). The
  // daemon's newImageBuildOptions reads `cgroupparent` and the classic builder
  // puts every RUN container in that cgroup (hostConfigFromOptions ->
  // Resources.CgroupParent). strict refuses HostConfig.CgroupParent on a
  // create ("it places the container in any cgroup of the host, outside the
  // limits of the job"), but the build route checks `networkmode` only.
  // Effect: the build's RUN steps run in the host's root cgroup (or any other
  // job's), escaping the job's limits.
  it('refuses /build?cgroupparent= like HostConfig.CgroupParent', async () => {
    const { prepare } = setup();
    expect((await refusalOf(prepare('POST', '/v1.47/build?t=app:1&cgroupparent=%2F'))).status).toBe(403);
  });

  // Attack: POST /build?ulimits=[{"Name":"rtprio","Soft":99,"Hard":99}]
  // (docker build --ulimit rtprio=99). The daemon decodes `ulimits` into the
  // RUN containers' Resources.Ulimits; strict refuses the nice and rtprio
  // ulimits on a create ("scheduling priority over the host"). Effect: RUN
  // steps may take real-time priority over the host's processes.
  it('refuses /build?ulimits= with rtprio or nice like HostConfig.Ulimits', async () => {
    const { prepare } = setup();
    const ulimits = encodeURIComponent(JSON.stringify([{ Name: 'rtprio', Soft: 99, Hard: 99 }]));
    expect((await refusalOf(prepare('POST', `/v1.47/build?t=app:1&ulimits=${ulimits}`))).status).toBe(403);
  });
});

describe('review: the daemon fetches from the host, for the job', () => {
  // Attack: POST /build?remote=git@github.com:victim/private.git (or
  // https://github.com/victim/private.git, or http://169.254.169.254/...).
  // The daemon itself clones or downloads the build context, as root in the
  // host's network namespace: git runs with root's ssh keys, credential
  // helpers and ~/.gitconfig, and an http URL reaches host-only addresses
  // (cloud metadata, services on the host's 127.0.0.1). strict refuses
  // --network host for the same reason, but forwards `remote` unchecked.
  // Effect: the job reads repositories with the host's credentials and
  // host-network-only HTTP services into an image it can then read.
  it('refuses /build?remote= (a context the daemon fetches with the host\'s network and credentials)', async () => {
    const { prepare } = setup();
    const remote = encodeURIComponent('git@github.com:victim/private.git');
    expect((await refusalOf(prepare('POST', `/v1.47/build?t=app:1&remote=${remote}`))).status).toBe(403);
  });

  // Attack: POST /images/create?fromSrc=http://169.254.169.254/latest/meta-data/&repo=app
  // (docker import URL). The daemon downloads fromSrc itself from the host's
  // network namespace. Only the repo/tag are checked. Effect: requests from
  // the host to host-only addresses (metadata service, 127.0.0.1 services).
  it('refuses /images/create?fromSrc=<URL> (an import the daemon downloads from the host\'s network)', async () => {
    const { prepare } = setup();
    const source = encodeURIComponent('http://169.254.169.254/latest/meta-data/');
    expect((await refusalOf(prepare('POST', `/v1.47/images/create?fromSrc=${source}&repo=app&tag=1`))).status).toBe(403);
  });
});

describe('review: pre-existing tags', () => {
  // Attack: POST /images/create?fromImage=docker&tag=dind&platform=linux/s390x
  // (docker pull --platform linux/s390x docker:dind). A pull is let through as
  // "the registry's own content for that very name", but with the graphdriver
  // image store the daemon points the existing tag at the image of the
  // platform the job chose. Effect: the docker:dind a later job runs (the tag
  // strict says it protects) becomes an s390x image: exec format error, or an
  // emulated one where binfmt is installed.
  it('refuses a pull of another platform over a tag that existed before the job', async () => {
    const { prepare } = setup();
    expect((await refusalOf(prepare('POST', '/v1.47/images/create?fromImage=docker&tag=dind&platform=linux%2Fs390x'))).status).toBe(403);
  });
});

/**
 * The daemon's POST /volumes/create on a name that exists already answers
 * 201 with the existing volume, its labels unchanged (checked on dockerd
 * 20.10.24: a second create with other labels returned the first labels).
 */
class VolumeCreatedMeanwhile extends FakeLookup {
  override async createVolume(spec: Json): Promise<JsonAnswer> {
    this.created.push(spec);
    return { status: 201, json: { Name: spec.Name, Driver: 'local', Labels: THEIRS } };
  }
}

describe('review: named volumes a container uses', () => {
  // Attack: POST /containers/create with HostConfig.Binds ["cache:/data"]
  // (docker run -v cache:/data), looped while another job is about to create
  // its volume "cache". prepareVolumes asks GET /volumes/cache (404), then
  // POST /volumes/create: if the other job created "cache" in between, the
  // daemon answers 201 with *that* volume (labels unchanged), the proxy does
  // not look at the answer, and the create goes on; the start-time check
  // (mount-check.ts) re-checks a volume's options, not whose it is.
  // Effect: the job's container mounts another job's volume (read/write).
  it('refuses a volume that turns out, at its create, to be another job\'s', async () => {
    const daemon = new VolumeCreatedMeanwhile();
    const { prepare } = setup(daemon);
    expect((await refusalOf(prepare('POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Binds: ['cache:/data'] } }))).status).toBe(403);
  });
});

describe('review: what the closed holes still allow', () => {
  it('a build with its own limits, a platform pull of a new tag, an import of the body, a volume created for the job', async () => {
    const { prepare, daemon } = setup();
    const ulimits = encodeURIComponent(JSON.stringify([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]));
    await expect(prepare('POST', `/v1.47/build?t=app:1&ulimits=${ulimits}&platform=linux%2Farm64`)).resolves.toBeDefined();
    await expect(prepare('POST', '/v1.47/images/create?fromImage=alpine&tag=3.20&platform=linux%2Farm64')).resolves.toEqual({});
    await expect(prepare('POST', '/v1.47/images/create?fromSrc=-&repo=imported&tag=1')).resolves.toBeDefined();
    await expect(prepare('POST', '/v1.47/containers/create', { Image: 'busybox', HostConfig: { Binds: ['fresh:/data'] } })).resolves.toBeDefined();
    expect(daemon.created).toEqual([{ Name: 'fresh', Labels: OURS }]);
  });
});

