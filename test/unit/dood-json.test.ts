import { describe, expect, it } from 'vitest';
import { field, keyOf, parseFirstJsonValue, setField, strings, withLabels } from '../../src/dood/json.js';
import { Refused } from '../../src/dood/refused.js';

describe('parseFirstJsonValue', () => {
  it('reads the first value like Go\'s json.Decoder, ignoring what follows', () => {
    expect(parseFirstJsonValue('  {"a":"}{\\"x"} trailing {"b":2}')).toEqual({ value: { a: '}{"x' } });
    expect(parseFirstJsonValue('[1,[2]]]')).toEqual({ value: [1, [2]] });
    expect(parseFirstJsonValue('null xyz')).toEqual({ value: null });
    expect(parseFirstJsonValue('"s" 1')).toEqual({ value: 's' });
  });

  it('is undefined for an empty or malformed body', () => {
    expect(parseFirstJsonValue('')).toBeUndefined();
    expect(parseFirstJsonValue('{"a":')).toBeUndefined();
    expect(parseFirstJsonValue('{a:1}')).toBeUndefined();
  });

  it('reads numbers and words up to the first delimiter, and strings with escaped quotes', () => {
    expect(parseFirstJsonValue('\r\n 12{"x":1}')).toEqual({ value: 12 });
    expect(parseFirstJsonValue('true,false')).toEqual({ value: true });
    expect(parseFirstJsonValue('"a\\"b" "c"')).toEqual({ value: 'a"b' });
    expect(parseFirstJsonValue('   ')).toBeUndefined();
    expect(parseFirstJsonValue('"unterminated')).toBeUndefined();
  });
});

describe('fields, as Go\'s encoding/json matches them', () => {
  it('finds a field however it is cased, with the Kelvin sign and long s folded as Go folds them', () => {
    expect(field({ hostconfig: 1 }, 'HostConfig')).toBe(1);
    expect(field({ 'Networ\u212AMode': 'host' }, 'NetworkMode')).toBe('host');
    expect(field({ ſecurityOpt: ['x'] }, 'SecurityOpt')).toEqual(['x']);
    expect(field({ Other: 1 }, 'HostConfig')).toBeUndefined();
    expect(keyOf({ PRIVILEGED: true }, 'Privileged')).toBe('PRIVILEGED');
  });

  it('refuses a field named twice with 400 (the daemon would merge the two)', () => {
    const twice = () => field({ Binds: [], binds: ['/etc:/x'] }, 'Binds');
    expect(twice).toThrow(Refused);
    expect(twice).toThrow('setup-dind dood: the request names the field Binds more than once (Binds, binds); send it once.');
    try {
      twice();
    } catch (error) {
      expect((error as Refused).status).toBe(400);
    }
  });

  it('setField replaces the field under its canonical spelling', () => {
    const mount: Record<string, unknown> = { source: '/a', Target: '/t' };
    setField(mount, 'Source', '/b');
    expect(mount).toEqual({ Target: '/t', Source: '/b' });
    setField(mount, 'Type', 'bind');
    expect(mount).toEqual({ Target: '/t', Source: '/b', Type: 'bind' });
  });

  it('withLabels merges every spelling of the field, ours winning, and ignores values that are not maps', () => {
    const body: Record<string, unknown> = { labels: { a: '1', owner: 'forged' }, LABELS: ['not', 'a', 'map'], Name: 'n' };
    withLabels(body, 'Labels', { owner: 'job' });
    expect(body).toEqual({ Name: 'n', Labels: { a: '1', owner: 'job' } });
  });

  it('strings keeps the strings of a list only', () => {
    expect(strings(['a', 1, null, 'b'])).toEqual(['a', 'b']);
    expect(strings('a')).toEqual([]);
    expect(strings(undefined)).toEqual([]);
  });
});
