/**
 * End-to-end tests need a Docker engine. Without one they are skipped with a
 * loud notice, except in CI (CI=true), where a missing daemon fails the run
 * (see docker-available.test.ts): CI must never pass by skipping.
 */
import { dockerUnavailableReason } from '../support/docker.js';

export default function setup(): void {
  const reason = dockerUnavailableReason();
  if (reason === undefined) return;
  const line = '='.repeat(78);
  const verdict = process.env.CI === 'true' ? 'CI=true: this is a FAILURE.' : 'They are SKIPPED; only unit tests ran.';
  process.stderr.write(`\n${line}\nEnd-to-end tests need a Docker engine: ${reason}.\n${verdict}\nSee README.md, "Development".\n${line}\n\n`);
}
