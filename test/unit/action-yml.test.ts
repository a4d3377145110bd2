import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeInput, INPUTS, OUTPUTS } from '../../src/inputs/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = `${ROOT}README.md`;

interface ActionInput {
  description?: unknown;
  default?: unknown;
  required?: unknown;
}

interface ActionYml {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: unknown }>;
  runs: Record<string, unknown>;
}

const action = parse(readFileSync(`${ROOT}action.yml`, 'utf8')) as ActionYml;

/** Folded scalars and one-line strings compare equal once whitespace runs are collapsed. */
const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

describe('action.yml inputs match the input registry', () => {
  it('has the same input names, in the same order', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUTS.map((input) => input.name));
  });

  it.each(INPUTS.map((input) => [input.name, input] as const))('%s: same default (as a string)', (name, input) => {
    const spec = action.inputs[name];
    expect(spec).toBeDefined();
    expect(spec?.default).toBeDefined();
    expect(String(spec?.default)).toBe(input.default);
  });

  it.each(INPUTS.map((input) => [input.name, input] as const))('%s: same description', (name, input) => {
    const description = action.inputs[name]?.description;
    expect(typeof description).toBe('string');
    expect(collapse(String(description))).toBe(collapse(describeInput(input)));
  });

  it('marks no input as required (every input has a default)', () => {
    for (const spec of Object.values(action.inputs)) expect(spec.required).not.toBe(true);
  });
});

describe('action.yml runs and outputs', () => {
  it('runs on node24 with main, post and post-if always()', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/main.js');
    expect(action.runs.post).toBe('dist/post.js');
    expect(action.runs['post-if']).toBe('always()');
  });

  it.each(['docker-host', 'container-id', 'container-name', 'server-version', 'ready-seconds'])('declares output %s with a description', (name) => {
    expect(Object.keys(action.outputs)).toContain(name);
    expect(typeof action.outputs[name]?.description).toBe('string');
  });

  it('declares the outputs of the registry, in its order, with its descriptions', () => {
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS.map((output) => output.name));
    for (const output of OUTPUTS) expect(collapse(String(action.outputs[output.name]?.description))).toBe(collapse(output.description));
  });
});

describe('README.md', () => {
  it.skipIf(!existsSync(README))('documents every input in a table row', () => {
    const lines = readFileSync(README, 'utf8').split('\n');
    for (const input of INPUTS) {
      expect(
        lines.some((line) => line.startsWith(`| \`${input.name}\``)),
        `README.md has no table row for input "${input.name}"`,
      ).toBe(true);
    }
  });
});
