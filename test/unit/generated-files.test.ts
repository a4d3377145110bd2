/**
 * The files made from the input registry (src/inputs/registry.ts) hold what
 * it renders between their marker lines. In CI (CI=true) a difference fails;
 * `npm run generate` (this file with -u) rewrites them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { componentInputs, GENERATED, splice, wrap } from '../../src/inputs/render.js';
import { INPUTS } from '../../src/inputs/registry.js';

const ROOT = new URL('../../', import.meta.url);

describe('files made from the input registry (npm run generate rewrites them)', () => {
  it.each(GENERATED.map((generated) => [generated.file, generated.regions] as const))('%s', async (file, regions) => {
    const path = fileURLToPath(new URL(file, ROOT));
    const current = readFileSync(path, 'utf8');
    const wanted = regions.reduce((text, [name, render]) => splice(text, name, render()), current);
    await expect(wanted).toMatchFileSnapshot(path);
  });
});

describe('the renderers', () => {
  it('wrap to at most 80 columns, keeping every word', () => {
    const text = INPUTS.map((input) => input.description).join(' ');
    const wrapped = wrap(text, '      ');
    for (const line of wrapped.split('\n')) expect(line.length <= 80 || !line.trim().includes(' ')).toBe(true);
    expect(wrapped.replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it('splice replaces only what lies between the markers, and refuses a file without them', () => {
    expect(splice('a\n<!-- x:begin -->\nold\n<!-- x:end -->\nb\n', 'x', 'new\n')).toBe('a\n<!-- x:begin -->\nnew\n<!-- x:end -->\nb\n');
    expect(() => splice('no markers\n', 'x', 'new\n')).toThrow(/one line with the marker x:begin/);
    expect(() => splice('# x:end\n# x:begin\n', 'x', '')).toThrow(/comes before/);
  });

  it('gives a GitLab component its own default and type where they differ from the action, and its own regex', () => {
    expect(componentInputs('dind')).toMatch(/^ {4}tls:\n {6}type: boolean\n {6}default: true\n/m);
    expect(componentInputs('dind')).toMatch(/^ {4}mtu:\n {6}type: string\n {6}default: 'auto'\n {6}regex: '\^\(auto\|off\|/m);
    expect(componentInputs('dood')).toMatch(/^ {4}timeout:\n {6}type: number\n {6}default: 60\n/m);
    expect(componentInputs('dood')).not.toContain('tls:');
  });
});
