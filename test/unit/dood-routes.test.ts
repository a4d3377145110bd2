import { describe, expect, it } from 'vitest';
import { ENDPOINTS, matchEndpoint } from '../../src/dood/endpoints.js';
import { classifyRequest, pinnedUrl, queryOf, routePath, withQuery, withRoutePath } from '../../src/dood/routes.js';

/** The parts of a route the tests look at. */
function route(method: string, url: string) {
  const { kind, ref, upgrade, refusal } = classifyRequest(method, url);
  return { kind, ref, upgrade, ...(refusal ? { refusal: refusal.what } : {}) };
}

describe('classifyRequest', () => {
  it('matches with or without a version prefix, percent-decoded and cleaned like the daemon\'s router', () => {
    expect(route('POST', '/v1.41/containers/create?name=x')).toEqual({ kind: 'container-create', ref: '', upgrade: false });
    expect(route('POST', '/containers/create').kind).toBe('container-create');
    expect(route('POST', '/v1.41/containers/%63reate').kind).toBe('container-create');
    expect(route('POST', '//v1.41/containers/./create/').kind).toBe('container-create');
    expect(route('POST', '/v1.24/networks/create').kind).toBe('network-create');
    expect(route('POST', '/volumes/create').kind).toBe('volume-create');
    expect(route('POST', '/v1.41/containers/abc/start')).toEqual({ kind: 'container-start', ref: 'abc', upgrade: false });
    expect(route('POST', '/v1.41/containers/abc/exec')).toEqual({ kind: 'exec-create', ref: 'abc', upgrade: false });
    expect(route('GET', '/v1.41/containers/abc/logs?follow=1')).toEqual({ kind: 'container', ref: 'abc', upgrade: false });
    expect(route('DELETE', '/v1.41/containers/abc?force=1')).toEqual({ kind: 'container', ref: 'abc', upgrade: false });
    expect(route('POST', '/v1.41/containers/abc/attach?stream=1')).toEqual({ kind: 'container', ref: 'abc', upgrade: true });
    expect(route('GET', '/v1.41/containers/json?all=1').kind).toBe('any');
    expect(route('POST', '/v1.41/build?networkmode=host').kind).toBe('build');
    expect(route('POST', '/v1.41/commit?container=abc')).toEqual({ kind: 'commit', ref: 'abc', upgrade: false });
    expect(route('POST', '/v1.41/plugins/pull?remote=x')).toMatchObject({ kind: 'forbidden', refusal: 'managing plugins' });
    expect(route('GET', '/v1.41/plugins').kind).toBe('any');
    expect(route('POST', '/v1.41/swarm/init').kind).toBe('forbidden');
    expect(route('GET', '/_ping').kind).toBe('any');
    expect(route('POST', '/v1.41/exec/abc/start')).toEqual({ kind: 'exec', ref: 'abc', upgrade: true });
    expect(route('GET', '/v1.41/exec/abc/json')).toEqual({ kind: 'exec', ref: 'abc', upgrade: false });
    expect(route('POST', '/session').upgrade).toBe(true);
    expect(routePath('/v1.41')).toBe('/');
    // Older Go splits queries on ';' as well as '&'.
    expect(classifyRequest('POST', '/v1.41/build?t=x;networkmode=host').query.get('networkmode')).toBe('host');
  });

  it('routes like the daemon\'s router: a container may be named json, create or prune, a name may hold \'/\'', () => {
    expect(route('DELETE', '/v1.47/containers/json?force=1')).toEqual({ kind: 'container', ref: 'json', upgrade: false });
    expect(route('POST', '/v1.47/containers/create/kill')).toEqual({ kind: 'container', ref: 'create', upgrade: false });
    expect(route('GET', '/v1.47/containers/prune/logs')).toEqual({ kind: 'container', ref: 'prune', upgrade: false });
    expect(route('GET', '/v1.47/containers/json/json')).toEqual({ kind: 'container', ref: 'json', upgrade: false });
    expect(route('POST', '/v1.47/containers/prune').kind).toBe('prune');
    expect(route('POST', '/v1.47/containers/a/b/kill').ref).toBe('a/b');
  });

  it('volumes and networks: a name may hold \'/\', reading one is harmless, only POST connects or disconnects', () => {
    expect(route('DELETE', '/v1.47/volumes/a/b?force=1')).toEqual({ kind: 'volume', ref: 'a/b', upgrade: false });
    expect(route('PUT', '/v1.47/volumes/v?version=1')).toEqual({ kind: 'volume', ref: 'v', upgrade: false });
    expect(route('GET', '/v1.47/volumes/v').kind).toBe('any');
    expect(route('POST', '/v1.47/volumes/prune').kind).toBe('prune');
    expect(route('POST', '/v1.47/networks/job%2Fnet/connect')).toEqual({ kind: 'network-connect', ref: 'job/net', upgrade: false });
    expect(route('post', '/networks/n/disconnect')).toEqual({ kind: 'network-disconnect', ref: 'n', upgrade: false });
    expect(route('DELETE', '/v1.47/networks/ci/connect')).toEqual({ kind: 'network-remove', ref: 'ci/connect', upgrade: false });
    expect(route('GET', '/v1.47/networks/n').kind).toBe('any');
    expect(route('POST', '/v1.47/services/abc/update')).toMatchObject({ kind: 'forbidden', refusal: 'swarm mode and its objects' });
    expect(route('POST', '/v1.47/swarm/join').kind).toBe('forbidden');
    expect(route('GET', '/v1.47/services/abc').kind).toBe('any');
    expect(route('GET', '/v1.47/swarm/unlockkey').kind).toBe('forbidden');
  });

  it('an endpoint the table does not know, or a known path with another method, is unknown', () => {
    expect(route('POST', '/v1.47/containers/abc/copy').kind).toBe('unknown');
    expect(route('PATCH', '/v1.47/containers/abc').kind).toBe('unknown');
    expect(route('GET', '/v1.47/containers/abc/start').kind).toBe('unknown');
    expect(route('POST', '/v1.47/frobnicate').kind).toBe('unknown');
  });

  it('every row of the table compiles to a pattern its own path matches', () => {
    for (const endpoint of ENDPOINTS) {
      const path = endpoint.pattern.replace(/\{[^}]+\}/g, 'x');
      expect(matchEndpoint(endpoint.method, path), `${endpoint.method} ${endpoint.pattern}`).toBeDefined();
    }
  });
});

describe('pinned targets', () => {
  it('pinnedUrl puts the checked full ID in place of the reference, keeping the version and the query', () => {
    const url = '/v1.47/containers/mi%6Ee/logs?stdout=1';
    expect(pinnedUrl(url, classifyRequest('GET', url), 'f'.repeat(64))).toBe(`/v1.47/containers/${'f'.repeat(64)}/logs?stdout=1`);
    expect(pinnedUrl('/networks/a/b', classifyRequest('DELETE', '/networks/a/b'), 'a/b')).toBe('/networks/a%2Fb');
    expect(pinnedUrl('/exec/e/start', classifyRequest('POST', '/exec/e/start'), 'ID')).toBe('/exec/ID/start');
  });

  it('withQuery sets one parameter, the others kept', () => {
    expect(withQuery('/v1.47/commit?container=c;repo=r', 'container', 'ID')).toBe('/v1.47/commit?container=ID&repo=r');
  });
});

describe('route paths and queries', () => {
  it('routePath decodes, cleans and drops the version prefix and the query', () => {
    expect(routePath('/v1.47/containers/%2e%2e/x/')).toBe('/x');
    expect(routePath('/containers/a?x=/y')).toBe('/containers/a');
    expect(routePath('')).toBe('/');
    expect(routePath('/v1.47/')).toBe('/');
  });

  it('withRoutePath replaces the path, keeping the version prefix and the query', () => {
    expect(withRoutePath('/v1.47/networks/n/connect?x=1', '/networks/ID/connect')).toBe('/v1.47/networks/ID/connect?x=1');
    expect(withRoutePath('/networks/n', '/networks/ID')).toBe('/networks/ID');
    expect(withRoutePath('/v1/volumes/v', '/volumes/w')).toBe('/v1/volumes/w');
  });

  it('queryOf splits on \';\' too, as older Go does', () => {
    expect(queryOf('/commit?repo=x;container=c').get('container')).toBe('c');
    expect(queryOf('/commit').toString()).toBe('');
  });
});
