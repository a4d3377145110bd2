/** Options as the defaults give them, with overrides: one place for tests to build Options. */
import { readOptions, type Options } from '../../src/inputs/inputs.js';

export function options(overrides: Partial<Options> = {}): Options {
  return { ...readOptions(() => undefined), staleAfterSeconds: 0, ...overrides };
}
