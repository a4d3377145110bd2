import { expect, it } from 'vitest';
import { DOCKER_MISSING } from '../support/docker.js';

it('has a Docker engine for the end-to-end tests (required when CI=true)', (context) => {
  if (DOCKER_MISSING !== undefined && process.env.CI !== 'true') {
    context.skip(`end-to-end tests skipped: ${DOCKER_MISSING}`);
  }
  expect(DOCKER_MISSING, 'CI=true requires a running Docker engine for the end-to-end tests').toBeUndefined();
});
