/**
 * The DinD engines that the version-dependent paths run on: the default image
 * and an old engine (before 23: no usage text after a flag error, no
 * --default-network-opt, privileged refused when a capability is missing).
 * Each is told apart by what it does at run time (its version, its errors),
 * never by its tag; the official image is newer than both.
 */
import { spawnSync } from 'node:child_process';

export interface Engine {
  /** How a test title names it. */
  name: string;
  image: string;
}

export const ENGINES: readonly Engine[] = [
  { name: 'the default docker:dind', image: 'docker:dind' },
  { name: 'Docker 20.10', image: 'docker:20-dind' },
];

/** The engines whose image is on the host daemon (none can be pulled here). */
export function enginesMissing(): string[] {
  return ENGINES.filter(({ image }) => spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status !== 0).map(
    ({ image }) => image,
  );
}

const MISSING = enginesMissing();

/**
 * The engines a test runs on: all of them in CI (a missing image then fails
 * that engine's test); elsewhere only those present, the rest named in
 * docker-available.test.ts as skipped.
 */
export const ENGINES_TO_TEST: readonly Engine[] =
  process.env.CI === 'true' ? ENGINES : ENGINES.filter(({ image }) => !MISSING.includes(image));
