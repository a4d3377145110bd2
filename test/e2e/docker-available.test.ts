import { expect, it } from 'vitest';
import { DOCKER_MISSING } from '../support/docker.js';
import { enginesMissing } from '../support/engines.js';

it('has a Docker engine for the end-to-end tests (required when CI=true)', (context) => {
  if (DOCKER_MISSING !== undefined && process.env.CI !== 'true') {
    context.skip(`end-to-end tests skipped: ${DOCKER_MISSING}`);
  }
  expect(DOCKER_MISSING, 'CI=true requires a running Docker engine for the end-to-end tests').toBeUndefined();
});

it('has every DinD engine image the version-dependent tests run on (required when CI=true)', (context) => {
  if (DOCKER_MISSING !== undefined && process.env.CI !== 'true') context.skip(`no Docker engine: ${DOCKER_MISSING}`);
  const missing = enginesMissing();
  if (missing.length > 0 && process.env.CI !== 'true') {
    context.skip(`the tests for ${missing.join(', ')} are skipped: not on the host daemon (../shared/docker-host/setup builds them)`);
  }
  expect(missing, 'CI=true requires every engine image of test/support/engines.ts').toEqual([]);
});
