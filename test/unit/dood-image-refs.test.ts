/** Image references normalized as the daemon does (distribution/reference, moby's GetImage). */
import { describe, expect, it } from 'vitest';
import { isImageIdPrefix, lookupTerm, normalizedTag, repoTagName } from '../../src/dood/image-refs.js';

const HEX = 'a'.repeat(64);

describe('normalizedTag', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19'],
    ['user/x', 'docker.io/user/x:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/user/x:1', 'docker.io/user/x:1'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['registry.example.com/a/b/c:v1.2', 'registry.example.com/a/b/c:v1.2'],
    ['Example.com/x', 'Example.com/x:latest'],
    ['[::1]:5000/x', '[::1]:5000/x:latest'],
    [`x@sha256:${HEX}`, `docker.io/library/x@sha256:${HEX}`],
    [`x:tag@sha256:${HEX}`, `docker.io/library/x:tag@sha256:${HEX}`],
    ['docker:dind', 'docker.io/library/docker:dind'],
  ])('%s is %s', (text, canonical) => expect(normalizedTag(text)).toBe(canonical));

  it.each([['Alpine'], ['user/X'], [HEX], ['x:'], ['x@sha256:abc'], [`x@md5:${'a'.repeat(32)}`], [`x@sha256:${'A'.repeat(64)}`], ['-x'], ['a'.repeat(256)], ['']])(
    'refuses %s as the daemon does',
    (text) => expect(normalizedTag(text)).toBeUndefined(),
  );
});

describe('repoTagName', () => {
  it('takes the tag parameter over the repo\'s own tag, and latest without either', () => {
    expect(repoTagName('x', '')).toBe('docker.io/library/x:latest');
    expect(repoTagName('x:1', '')).toBe('docker.io/library/x:1');
    expect(repoTagName('x:1', '2')).toBe('docker.io/library/x:2');
    expect(repoTagName(`x@sha256:${HEX}`, '2')).toBe('docker.io/library/x:2');
  });

  it('has no tag for what the daemon refuses to tag', () => {
    expect(repoTagName(`x@sha256:${HEX}`, '')).toBeUndefined();
    expect(repoTagName('x', 'bad tag')).toBeUndefined();
    expect(repoTagName('X', '1')).toBeUndefined();
  });
});

describe('lookupTerm and isImageIdPrefix', () => {
  it('reads full IDs as IDs, and a hex name as a name that may be an ID prefix', () => {
    expect(lookupTerm(HEX)).toEqual({ kind: 'id', id: `sha256:${HEX}` });
    expect(lookupTerm(`sha256:${HEX}`)).toEqual({ kind: 'id', id: `sha256:${HEX}` });
    expect(lookupTerm('4ae8ea')).toMatchObject({ kind: 'name', mayBeIdPrefix: true, ref: { path: 'library/4ae8ea' } });
    expect(lookupTerm('alpine')).toMatchObject({ kind: 'name', mayBeIdPrefix: false });
    expect(lookupTerm('ABC')).toBeUndefined();
  });

  it('matches moby: with or without the algorithm, and even "sha"', () => {
    const id = `sha256:4ae8eac0ff44${'0'.repeat(52)}`;
    expect(isImageIdPrefix(id, '4ae8ea')).toBe(true);
    expect(isImageIdPrefix(id, 'sha256:4ae8')).toBe(true);
    expect(isImageIdPrefix(id, 'sha')).toBe(true);
    expect(isImageIdPrefix(id, 'busybox')).toBe(false);
    expect(isImageIdPrefix(id, '4ae8eb')).toBe(false);
  });
});
