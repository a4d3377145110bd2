import { describe, expect, it } from 'vitest';
import { classifyRequest, queryOf, routePath, withRoutePath } from '../../src/dood/routes.js';

describe('classifyRequest', () => {
  it('matches with or without a version prefix, percent-decoded and cleaned like the daemon\'s router', () => {
    expect(classifyRequest('POST', '/v1.41/containers/create?name=x')).toEqual({ kind: 'container-create' });
    expect(classifyRequest('POST', '/containers/create')).toEqual({ kind: 'container-create' });
    expect(classifyRequest('POST', '/v1.41/containers/%63reate')).toEqual({ kind: 'container-create' });
    expect(classifyRequest('POST', '//v1.41/containers/./create/')).toEqual({ kind: 'container-create' });
    expect(classifyRequest('POST', '/v1.24/networks/create')).toEqual({ kind: 'network-create' });
    expect(classifyRequest('POST', '/volumes/create')).toEqual({ kind: 'volume-create' });
    expect(classifyRequest('POST', '/v1.41/containers/abc/start')).toEqual({ kind: 'container-start', ref: 'abc' });
    expect(classifyRequest('POST', '/v1.41/containers/abc/exec')).toEqual({ kind: 'exec-create', ref: 'abc' });
    expect(classifyRequest('GET', '/v1.41/containers/abc/logs?follow=1')).toEqual({ kind: 'container', ref: 'abc', action: 'logs' });
    expect(classifyRequest('DELETE', '/v1.41/containers/abc?force=1')).toEqual({ kind: 'container', ref: 'abc', action: '' });
    expect(classifyRequest('GET', '/v1.41/containers/json?all=1')).toEqual({ kind: 'other' });
    expect(classifyRequest('POST', '/v1.41/build?networkmode=host')).toEqual({ kind: 'build', networkMode: 'host' });
    expect(classifyRequest('POST', '/v1.41/commit?container=abc')).toEqual({ kind: 'commit', ref: 'abc' });
    expect(classifyRequest('POST', '/v1.41/plugins/pull?remote=x')).toMatchObject({ kind: 'forbidden' });
    expect(classifyRequest('GET', '/v1.41/plugins')).toEqual({ kind: 'other' });
    expect(classifyRequest('POST', '/v1.41/swarm/init')).toMatchObject({ kind: 'forbidden' });
    expect(classifyRequest('GET', '/_ping')).toEqual({ kind: 'other' });
    expect(classifyRequest('POST', '/v1.41/exec/abc/start')).toEqual({ kind: 'other' });
    expect(routePath('/v1.41')).toBe('/');
    // Older Go splits queries on ';' as well as '&'.
    expect(classifyRequest('POST', '/v1.41/build?t=x;networkmode=host')).toEqual({ kind: 'build', networkMode: 'host' });
  });

  it('volumes and networks: a name may hold \'/\', reading one is harmless, only POST connects or disconnects', () => {
    expect(classifyRequest('DELETE', '/v1.47/volumes/a/b?force=1')).toEqual({ kind: 'volume', ref: 'a/b' });
    expect(classifyRequest('PUT', '/v1.47/volumes/v?version=1')).toEqual({ kind: 'volume', ref: 'v' });
    expect(classifyRequest('GET', '/v1.47/volumes/v')).toEqual({ kind: 'other' });
    expect(classifyRequest('POST', '/v1.47/volumes/prune')).toEqual({ kind: 'prune' });
    expect(classifyRequest('POST', '/v1.47/networks/job%2Fnet/connect')).toEqual({ kind: 'network', ref: 'job/net', action: 'connect' });
    expect(classifyRequest('post', '/networks/n/disconnect')).toEqual({ kind: 'network', ref: 'n', action: 'disconnect' });
    expect(classifyRequest('DELETE', '/v1.47/networks/ci/connect')).toEqual({ kind: 'network', ref: 'ci/connect', action: 'remove' });
    expect(classifyRequest('GET', '/v1.47/networks/n')).toEqual({ kind: 'other' });
    expect(classifyRequest('POST', '/v1.47/services/abc/update')).toMatchObject({ kind: 'forbidden', what: 'swarm mode and services' });
    expect(classifyRequest('POST', '/v1.47/swarm/join')).toMatchObject({ kind: 'forbidden' });
    expect(classifyRequest('GET', '/v1.47/services/abc')).toEqual({ kind: 'other' });
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
