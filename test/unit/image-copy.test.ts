import { describe, expect, it } from 'vitest';
import { missingPlatformContent } from '../../src/modes/dind/image-copy.js';

describe('missingPlatformContent', () => {
  it('recognises a containerd store that lacks some platform of an image, not other save failures', () => {
    expect(missingPlatformContent('Error response from daemon: NotFound: content digest sha256:0fa1ac852fea: not found')).toBe(true);
    expect(missingPlatformContent('Error response from daemon: no suitable export target found: platform linux/amd64')).toBe(true);
    expect(missingPlatformContent('Error response from daemon: reference does not exist')).toBe(false);
  });
});
