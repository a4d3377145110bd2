/**
 * What the proxy does to each request, as functions over requests: a fake
 * IncomingMessage (method, target, headers, body) and a fake DaemonLookup in,
 * a Forwarding or a Refused out.
 */
import type http from 'node:http';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RequestGuard, targetRefusal, upgradeRefusal } from '../../src/dood/guard.js';
import { Ownership } from '../../src/dood/ownership.js';
import { resolveExisting } from '../../src/dood/paths.js';
import type { DoodPolicy } from '../../src/dood/policy.js';
import { classifyRequest } from '../../src/dood/routes.js';
import { localClaims } from '../../src/dood/tag-claims.js';
import { TagLedger, TagRules } from '../../src/dood/tags.js';
import { ID, jobDaemon, OURS, refusalOf } from '../support/fake-lookup.js';

function request(method: string, url: string, body?: unknown, headers: http.IncomingHttpHeaders = {}): http.IncomingMessage {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return Object.assign(Readable.from(text === '' ? [] : [Buffer.from(text)]), { method, url, headers }) as unknown as http.IncomingMessage;
}

function setup(policy: DoodPolicy = 'strict') {
  const daemon = jobDaemon();
  const log: string[] = [];
  const context = { labels: OURS, policy, allowedBindRoots: ['/work'], socketPaths: ['/var/run/docker.sock'] };
  const ownership = new Ownership({ daemon, labels: OURS, strict: policy === 'strict', log: (line) => log.push(line) });
  const tags = new TagRules({ lookup: daemon, ledger: new TagLedger(), claims: localClaims });
  const guard = new RequestGuard({ context, ownership, tags, volumes: daemon, log: (line) => log.push(line) });
  const prepare = (method: string, url: string, body?: unknown, headers?: http.IncomingHttpHeaders) =>
    guard.prepare(classifyRequest(method, url), request(method, url, body, headers));
  return { daemon, log, guard, prepare };
}

const bodyOf = (forwarding: { body?: Buffer }): unknown => JSON.parse(forwarding.body!.toString('utf8'));

describe('refusals before anything is read', () => {
  it('targetRefusal: only a path may be the request target', () => {
    expect(targetRefusal('/v1.47/_ping')).toBeUndefined();
    expect(targetRefusal('http://docker/v1.47/containers/x')).toMatchObject({ status: 400, message: 'setup-dind dood proxy: the request target must be a path, not http://docker/v1.47/containers/x' });
    expect(targetRefusal('*')?.status).toBe(400);
  });

  it('upgradeRefusal: only requests about a container and those left alone may hijack the connection', () => {
    const route = (method: string, url: string) => upgradeRefusal(method, url, classifyRequest(method, url));
    expect(route('POST', '/v1.47/containers/x/attach?stream=1')).toBeUndefined();
    expect(route('POST', '/v1.47/exec/x/start')).toBeUndefined();
    expect(route('POST', '/session')).toBeUndefined();
    expect(route('POST', '/v1.47/containers/create')).toMatchObject({ status: 400, message: 'setup-dind dood proxy: POST /containers/create does not take a connection upgrade.' });
    for (const url of ['/containers/x/start', '/containers/x/exec', '/networks/n/connect', '/volumes/create', '/build', '/plugins/pull']) expect(route('POST', url), url).toBeDefined();
  });
});

describe('checkRoute', () => {
  it('asks nothing and refuses nothing unless the policy is strict', async () => {
    for (const policy of ['none', 'no-privileged'] as const) {
      const { guard, daemon } = setup(policy);
      for (const [method, url] of [['DELETE', '/containers/foreign'], ['POST', '/plugins/pull'], ['POST', '/build?networkmode=host'], ['DELETE', '/volumes/theirvol']]) {
        await guard.checkRoute(classifyRequest(method!, url!), request(method!, url!, undefined, { 'content-type': 'application/x-www-form-urlencoded' }));
      }
      expect(daemon.asked).toEqual([]);
    }
  });

  it("strict cancels only the job's own builds: an ID one of its builds gave and that build passed", async () => {
    const { guard } = setup();
    const check = (method: string, url: string) => guard.checkRoute(classifyRequest(method, url), request(method, url));
    expect((await refusalOf(check('POST', '/v1.47/build/cancel?id=theirs'))).message).toBe(
      'setup-dind dood-policy strict: cancelling the build theirs is not allowed (it is not a build of this job)',
    );
    expect((await refusalOf(check('POST', '/v1.47/build?buildid=theirs&networkmode=host'))).status).toBe(403);
    expect((await refusalOf(check('POST', '/v1.47/build/cancel?id=theirs'))).status).toBe(403);
    await check('POST', '/v1.47/build?buildid=mine&version=2');
    expect(await check('POST', '/v1.47/build/cancel?id=mine')).toBeUndefined();
    expect((await refusalOf(check('POST', '/v1.47/build/cancel'))).status).toBe(403);
  });

  it('strict refuses a form-encoded body before any look-up', async () => {
    const { guard, daemon } = setup();
    const form = request('POST', '/containers/mine/kill', 'signal=KILL', { 'content-type': ' Application/X-WWW-Form-Urlencoded; charset=utf-8' });
    expect((await refusalOf(guard.checkRoute(classifyRequest('POST', '/containers/mine/kill'), form))).message).toBe(
      'setup-dind dood-policy strict: a form-encoded request body is not allowed (the proxy checks parameters in the query only)',
    );
    expect(daemon.asked).toEqual([]);
  });

  it('strict refuses plugins, swarm services and host-network builds outright', async () => {
    const { guard } = setup();
    const check = (method: string, url: string) => guard.checkRoute(classifyRequest(method, url), request(method, url));
    expect((await refusalOf(check('POST', '/plugins/pull?remote=x'))).message).toBe(
      "setup-dind dood-policy strict: managing plugins is not allowed (a plugin runs with the host's privileges)",
    );
    expect((await refusalOf(check('POST', '/services/create'))).status).toBe(403);
    expect((await refusalOf(check('POST', '/build?networkmode=HOST'))).message).toContain('build --network host is not allowed');
    await expect(check('POST', '/build?networkmode=bridge')).resolves.toBeUndefined();
  });

  it('strict checks the container, exec, start, commit and volume routes against their owner, naming the request', async () => {
    const { guard, daemon } = setup();
    const check = (method: string, url: string) => guard.checkRoute(classifyRequest(method, url), request(method, url));
    expect((await refusalOf(check('GET', '/containers/foreign/logs?follow=1'))).message).toContain('logs (container foreign)');
    expect((await refusalOf(check('DELETE', '/containers/foreign?force=1'))).message).toContain('remove (container foreign)');
    expect((await refusalOf(check('GET', '/containers/foreign/json'))).message).toContain('inspect (container foreign)');
    expect((await refusalOf(check('POST', '/containers/foreign/start'))).message).toContain('start (container foreign)');
    expect((await refusalOf(check('POST', '/containers/hostbox/exec'))).message).toContain('exec (container hostbox)');
    expect((await refusalOf(check('POST', '/commit?container=foreign'))).message).toContain('commit (container foreign)');
    expect((await refusalOf(check('PUT', '/volumes/theirvol'))).message).toContain('update volume (volume theirvol)');
    expect((await refusalOf(check('DELETE', '/networks/theirnet'))).message).toContain('network remove (network theirnet)');
    expect((await refusalOf(check('GET', `/exec/${ID('foreignexec')}/json`))).message).toContain(`exec inspect (exec ${ID('foreignexec')}) (container foreign)`);
    expect(await check('POST', '/v1.47/containers/mine/stop?t=1')).toBe(`/v1.47/containers/${ID('mine')}/stop?t=1`);
    expect(await check('DELETE', '/volumes/myvol')).toBe('/volumes/myvol');
    expect(await check('POST', '/commit?container=mine&repo=x')).toBe(`/commit?container=${ID('mine')}&repo=x`);
    expect(await check('POST', `/exec/${ID('myexec')}/start`)).toBe(`/exec/${ID('myexec')}/start`);
    // Connect and disconnect are checked (and pinned) by prepare, which reads the body.
    expect(await check('POST', '/networks/theirnet/connect')).toBeUndefined();
    expect(daemon.asked).toEqual([
      'container foreign',
      'container foreign',
      'container foreign',
      'container foreign',
      'container hostbox',
      'container foreign',
      'volume theirvol',
      'network theirnet',
      `exec ${ID('foreignexec')}`,
      `container ${ID('foreign')}`,
      'container mine',
      'volume myvol',
      'container mine',
      `exec ${ID('myexec')}`,
      `container ${ID('mine')}`,
    ]);
  });

  it('strict refuses an endpoint it does not know, and image and build-cache prunes, naming them', async () => {
    const { guard, daemon } = setup();
    const check = (method: string, url: string) => guard.checkRoute(classifyRequest(method, url), request(method, url));
    expect((await refusalOf(check('POST', '/v1.47/containers/mine/copy'))).message).toBe(
      'setup-dind dood-policy strict: POST /containers/mine/copy is not allowed (it is not an Engine API endpoint the proxy knows (API 1.41 to 1.51); strict forwards only those)',
    );
    expect((await refusalOf(check('PATCH', '/v1.47/containers/mine'))).status).toBe(403);
    expect((await refusalOf(check('POST', '/v1.47/images/prune'))).message).toContain('docker image prune is not allowed');
    expect((await refusalOf(check('POST', '/v1.47/build/prune'))).message).toContain('docker builder prune is not allowed');
    expect(daemon.asked).toEqual([]);
    await expect(setup('none').guard.checkRoute(classifyRequest('POST', '/frobnicate'), request('POST', '/frobnicate'))).resolves.toBeUndefined();
  });

  it('strict answers 404 itself for a container or exec the daemon does not know: nothing unchecked is forwarded', async () => {
    const { guard } = setup();
    const check = (method: string, url: string) => guard.checkRoute(classifyRequest(method, url), request(method, url));
    expect(await refusalOf(check('DELETE', '/containers/ghost'))).toEqual({ status: 404, message: 'No such container: ghost' });
    expect(await refusalOf(check('POST', '/exec/ghost/start'))).toEqual({ status: 404, message: 'No such exec instance: ghost' });
  });
});

describe('prepare', () => {
  it('a container create: labels added, error answers explained; strict checks its joins and volumes, none only pre-creates volumes', async () => {
    const strict = setup();
    const create = { Image: 'busybox', HostConfig: { NetworkMode: 'container:foreign', Binds: ['fresh:/data'] } };
    expect((await refusalOf(strict.prepare('POST', '/v1.47/containers/create', create))).message).toContain('--network container:foreign (container foreign)');
    expect(strict.daemon.created).toEqual([]);

    const none = setup('none');
    const forwarding = await none.prepare('POST', '/v1.47/containers/create', create);
    expect(forwarding).toMatchObject({ explainErrors: true });
    expect(forwarding.path).toBeUndefined();
    expect(bodyOf(forwarding)).toEqual({ ...create, Labels: OURS });
    expect(none.daemon.asked).toEqual(['volume fresh']);
    expect(none.daemon.created).toEqual([{ Name: 'fresh', Labels: OURS }]);
  });

  it('a body that is not JSON: refused unless the policy is none, where it goes on as it came, uninspected', async () => {
    const { prepare, daemon } = setup();
    expect(await refusalOf(prepare('POST', '/containers/create', 'not json'))).toEqual({
      status: 400,
      message: 'setup-dind dood-policy strict: a request body that is not JSON is not allowed (the proxy must read what it forwards)',
    });
    expect((await refusalOf(setup('no-privileged').prepare('POST', '/containers/mine/exec', '{"Privileged":tru'))).status).toBe(400);
    expect((await prepare('POST', '/networks/create', ' \n')).body?.toString('utf8')).toBe(' \n');
    expect((await setup('none').prepare('POST', '/containers/create', 'not json')).body?.toString('utf8')).toBe('not json');
    expect(daemon.asked).toEqual([]);
  });

  it('network, volume and exec creates: their inspection, and no explanation of errors', async () => {
    const { prepare } = setup();
    const network = await prepare('POST', '/networks/create', { Name: 'n' });
    expect(bodyOf(network)).toEqual({ Name: 'n', Labels: OURS });
    expect(network.explainErrors).toBeUndefined();
    expect(bodyOf(await prepare('POST', '/volumes/create', { Name: 'v' }))).toEqual({ Name: 'v', Labels: OURS });
    expect((await refusalOf(prepare('POST', '/containers/mine/exec', { Cmd: ['sh'], Privileged: true }))).message).toContain('exec --privileged');
  });

  it('a start with a HostConfig (API < 1.24): inspected, its joins checked in strict', async () => {
    const { prepare } = setup();
    expect((await refusalOf(prepare('POST', '/v1.23/containers/mine/start', { VolumesFrom: ['foreign'] }))).message).toContain('--volumes-from foreign');
    expect((await refusalOf(prepare('POST', '/v1.23/containers/mine/start', { Binds: ['theirvol:/data'] }))).message).toContain('using volume theirvol');
    const start = await prepare('POST', '/v1.23/containers/mine/start', { VolumesFrom: ['mine:ro'] });
    expect(start).toMatchObject({ explainErrors: true, path: `/v1.23/containers/${ID('mine')}/start` });
    expect(bodyOf(start)).toEqual({ VolumesFrom: [`${ID('mine')}:ro`] });
  });

  it('logs the notes of an inspection (translations)', async () => {
    const log: string[] = [];
    const inContainer = new RequestGuard({
      context: { labels: OURS, policy: 'none', allowedBindRoots: [], socketPaths: [], pathMap: [{ containerPath: '/ws', hostPath: '/home/runner/work' }] },
      ownership: new Ownership({ daemon: jobDaemon(), labels: OURS, strict: false, log: () => {} }),
      tags: new TagRules({ lookup: jobDaemon(), ledger: new TagLedger(), claims: localClaims }),
      volumes: jobDaemon(),
      log: (line) => log.push(line),
    });
    const forwarding = await inContainer.prepare(classifyRequest('POST', '/containers/create'), request('POST', '/containers/create', { HostConfig: { Binds: ['/ws/src:/src'] } }));
    expect(bodyOf(forwarding)).toMatchObject({ HostConfig: { Binds: ['/home/runner/work/src:/src'] } });
    expect(log).toEqual(['translated bind source /ws/src -> /home/runner/work/src']);
  });

  it('strict pins a network remove, connect or disconnect to the full IDs that were checked, the version and query kept', async () => {
    const { prepare } = setup();
    expect(await prepare('DELETE', '/v1.47/networks/jobnet?x=1')).toEqual({ path: `/v1.47/networks/${ID('jobnet')}?x=1` });
    const connect = await prepare('POST', '/v1.47/networks/jobnet/connect', '{"Container":"mine"} trailing');
    expect(connect.path).toBe(`/v1.47/networks/${ID('jobnet')}/connect`);
    expect(bodyOf(connect)).toEqual({ Container: ID('mine') });
    expect((await refusalOf(prepare('POST', '/networks/jobnet/disconnect', 'not json'))).message).toBe(
      'setup-dind dood-policy strict: network disconnect with a body that is not JSON is not allowed (the proxy must know which container it is)',
    );
    expect(await setup('none').prepare('POST', '/networks/theirnet/connect', { Container: 'foreign' })).toEqual({});
  });

  it('strict scopes a prune to the job\'s labels; other policies and other routes go on as they are', async () => {
    const { prepare } = setup();
    const { path } = await prepare('POST', '/v1.47/volumes/prune?filters=%7B%7D');
    expect(path!.startsWith('/v1.47/volumes/prune?filters=')).toBe(true);
    expect(JSON.parse(new URLSearchParams(path!.split('?')[1]).get('filters')!)).toEqual({ label: { 'setup-dind.owner=github:o/r/run/1': true, 'setup-dind.instance=job-a': true } });
    expect(await setup('none').prepare('POST', '/v1.47/volumes/prune')).toEqual({});
    expect(await prepare('GET', '/v1.47/images/json')).toEqual({});
    expect(await prepare('POST', '/v1.47/containers/mine/stop')).toEqual({ path: `/v1.47/containers/${ID('mine')}/stop` });
  });
});

describe('strict: image tags, build networks and body fields', () => {
  it('a tag may be created and then changed by the job; an existing tag of someone else\'s is neither replaced nor removed', async () => {
    const { prepare, daemon } = setup();
    daemon.image(`sha256:${'d'.repeat(64)}`, ['docker:dind', 'docker.io/library/docker:dind']);
    expect((await refusalOf(prepare('POST', '/v1.47/images/busybox/tag?repo=docker&tag=dind'))).message).toBe(
      'setup-dind dood-policy strict: tagging docker.io/library/docker:dind is not allowed (the tag exists and was not created by this job; strict lets a job create new tags and change only its own)',
    );
    expect((await refusalOf(prepare('POST', '/v1.47/build?t=docker:dind'))).message).toContain('docker.io/library/docker:dind is not allowed');
    expect((await refusalOf(prepare('DELETE', '/v1.47/images/docker:dind'))).status).toBe(403);
    await prepare('POST', '/v1.47/build?t=app:1');
    daemon.image(`sha256:${'a'.repeat(64)}`, ['app:1', 'docker.io/library/app:1']); // what the build made
    expect(await prepare('DELETE', '/v1.47/images/app:1')).toEqual({ path: `/v1.47/images/${encodeURIComponent('docker.io/library/app:1')}` });
  });

  it('a load streams through the archive watcher', async () => {
    const { prepare } = setup();
    expect((await prepare('POST', '/v1.47/images/load?quiet=1')).through).toBeDefined();
    expect((await setup('none').prepare('POST', '/v1.47/images/load')).through).toBeUndefined();
  });

  it('a classic build joins only the job\'s own container or network', async () => {
    const { prepare } = setup();
    expect((await refusalOf(prepare('POST', '/v1.47/build?networkmode=container:foreign'))).message).toContain('build --network container:foreign (container foreign)');
    expect((await refusalOf(prepare('POST', '/v1.47/build?networkmode=theirnet'))).message).toContain('(network theirnet)');
    expect((await prepare('POST', '/v1.47/build?networkmode=container:mine')).path).toBe(`/v1.47/build?networkmode=container%3A${ID('mine')}`);
    expect(await prepare('POST', '/v1.47/build?networkmode=jobnet')).toEqual({});
  });

  it('every body is checked against its field table: create, update, exec start, network connect', async () => {
    const { prepare } = setup();
    expect((await refusalOf(prepare('POST', '/containers/create', { Image: 'busybox', HostConfig: { MaskedPaths: [] } }))).message).toContain('HostConfig.MaskedPaths');
    expect((await refusalOf(prepare('POST', '/containers/create', { Image: 'busybox', HostConfig: { CapAdd: 'SYS_ADMIN' } }))).status).toBe(403);
    expect((await refusalOf(prepare('POST', '/containers/mine/update', { Devices: [{ PathOnHost: '/dev/sda' }] }))).status).toBe(403);
    expect((await refusalOf(prepare('POST', `/exec/${ID('myexec')}/start`, { Detach: true, Privileged: true }))).status).toBe(403);
    expect((await refusalOf(prepare('POST', '/networks/jobnet/connect', { Container: 'mine', Frobnicate: 1 }))).status).toBe(403);
    expect(bodyOf(await prepare('POST', '/containers/mine/update', { Memory: 1 << 20 }))).toEqual({ Memory: 1 << 20 });
    expect(bodyOf(await prepare('POST', `/exec/${ID('myexec')}/start`, { Detach: true }))).toEqual({ Detach: true });
  });
});

describe('strict: bind sources checked again when the daemon mounts them', () => {
  it('a start, restart or cp of a container whose bind source has become a link out of the roots is refused', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'setup-dind-guard-binds-')));
    try {
      mkdirSync(join(root, 'data'));
      const daemon = jobDaemon();
      const container = { Id: ID('binder'), Name: '/binder', Config: { Labels: OURS }, HostConfig: { Binds: [`${root}/data:/data`] }, Mounts: [] };
      daemon.answers.set('container binder', { status: 200, json: container });
      const context = { labels: OURS, policy: 'strict' as const, allowedBindRoots: [root], socketPaths: ['/var/run/docker.sock'], resolvePath: resolveExisting };
      const guard = new RequestGuard({
        context,
        ownership: new Ownership({ daemon, labels: OURS, strict: true, log: () => {} }),
        tags: new TagRules({ lookup: daemon, ledger: new TagLedger(), claims: localClaims }),
        volumes: daemon,
        log: () => {},
      });
      const check = (method: string, url: string) => guard.checkRoute(classifyRequest(method, url), request(method, url));
      expect(await check('POST', '/containers/binder/start')).toBe(`/containers/${ID('binder')}/start`);
      rmSync(join(root, 'data'), { recursive: true });
      symlinkSync('/etc', join(root, 'data'));
      for (const [method, url] of [['POST', '/containers/binder/start'], ['POST', '/containers/binder/restart'], ['GET', '/containers/binder/archive?path=/data/passwd'], ['PUT', '/containers/binder/archive?path=/data']]) {
        expect((await refusalOf(check(method!, url!))).message, url).toMatch(/^setup-dind dood-policy strict: bind mount of .*\/data.* is not allowed/);
      }
      // Requests that mount nothing are not held up by it.
      expect(await check('POST', '/containers/binder/stop')).toBe(`/containers/${ID('binder')}/stop`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
