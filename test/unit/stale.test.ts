import { describe, expect, it } from 'vitest';
import { staleOf } from '../../src/teardown/stale.js';
import { parseDuration } from '../../src/inputs/inputs.js';
import { InputError } from '../../src/engine/errors.js';

describe('staleOf', () => {
  const now = 1_800_000_000;
  it('keeps only objects older than the limit, with owner and age', () => {
    const listing = [`old\t${now - 7 * 3600}\tgithub:a`, `young\t${now - 3600}\tgithub:b`, `edge\t${now - 6 * 3600}\tgithub:c`].join('\n');
    expect(staleOf('container', listing, now, 6 * 3600)).toEqual([{ kind: 'container', id: 'old', owner: 'github:a', ageSeconds: 7 * 3600 }]);
  });

  it('ignores lines without a usable created label, and empty listings', () => {
    expect(staleOf('volume', `a\t\tgithub:x\nb\tyesterday\tgithub:y\n\n`, now, 60)).toEqual([]);
    expect(staleOf('volume', '', now, 60)).toEqual([]);
  });
});

describe('parseDuration (stale-after)', () => {
  const parse = (value: string) => parseDuration('stale-after', value, 600, 365 * 86_400);
  it.each([
    ['0', 0],
    ['10m', 600],
    ['6h', 21_600],
    ['1.5d', 129_600],
    ['3600s', 3600],
  ])('%s is %i seconds', (value, seconds) => {
    expect(parse(value)).toBe(seconds);
  });

  it.each(['6', '5m', '599s', '366d', '6 h', '-1h', 'h', '1y', '6h\n7h'])('refuses %j naming the input', (value) => {
    const attempt = () => parse(value);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/Input "stale-after"/);
  });
});
