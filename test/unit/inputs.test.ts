import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/core/errors.js';
import { INPUTS, parseImageReference, readOptions, type InputSource } from '../../src/core/inputs.js';

/** An input source that knows only the given values. */
function sourceOf(values: Record<string, string>): InputSource {
  return (name) => values[name];
}

/** The InputError readOptions throws for one input value (fails the test if it does not throw one). */
function inputErrorFor(name: string, value: string): InputError {
  try {
    readOptions(sourceOf({ [name]: value }));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`expected input ${name}=${JSON.stringify(value)} to be rejected, but it was accepted`);
}

function expectRejected(name: string, value: string): InputError {
  const error = inputErrorFor(name, value);
  expect(error.input).toBe(name);
  expect(error.message).toContain(`Input "${name}"`);
  expect(error.message).toContain('Accepted:');
  return error;
}

/** True when readOptions rejects the value with an InputError naming `name`. */
function rejectsNaming(name: string, value: string): boolean {
  try {
    readOptions(sourceOf({ [name]: value }));
    return false;
  } catch (error) {
    return error instanceof InputError && error.input === name && error.message.includes(`Input "${name}"`);
  }
}

describe('readOptions defaults', () => {
  it('gives the defaults of the INPUTS table when no input is set', () => {
    expect(readOptions(() => undefined)).toEqual({
      mode: 'dind',
      image: 'docker:dind',
      port: 0,
      timeoutSeconds: 60,
      pull: 'missing',
      daemonArgs: [],
    });
  });

  it('treats empty and blank values as "not given"', () => {
    const blank = readOptions(() => '   ');
    expect(blank).toEqual(readOptions(() => ''));
    expect(blank.image).toBe('docker:dind');
  });

  it('defaults in the INPUTS table are themselves accepted values', () => {
    const defaults = Object.fromEntries(INPUTS.map((input) => [input.name, input.default]));
    expect(readOptions(sourceOf(defaults))).toEqual(readOptions(() => undefined));
  });

  it('trims surrounding whitespace from values', () => {
    const options = readOptions(sourceOf({ port: ' 5000 ', timeout: '\t30\n', image: '  docker:29-dind  ' }));
    expect(options.port).toBe(5000);
    expect(options.timeoutSeconds).toBe(30);
    expect(options.image).toBe('docker:29-dind');
  });
});

describe('mode', () => {
  it.each(['dinD2', 'docker', 'dind dood', 'kubernetes', 'dind\ndood'])('rejects %j', (value) => {
    expect(expectRejected('mode', value).message).toContain('dind');
  });

  it.each(['dood', 'attach', 'DOOD'])('rejects %j as not implemented yet', (value) => {
    const error = expectRejected('mode', value);
    expect(error.message).toContain('not implemented yet');
    expect(error.message).toContain('Accepted: dind.');
  });

  it.each([
    ['DIND', 'dind'],
    ['Dind', 'dind'],
    ['dind', 'dind'],
  ])('accepts %j case-insensitively as %j', (value, expected) => {
    expect(readOptions(sourceOf({ mode: value })).mode).toBe(expected);
  });
});

describe('pull', () => {
  it.each(['sometimes', 'if-not-present', 'missing always', 'never\nalways', 'true'])('rejects %j', (value) => {
    const error = expectRejected('pull', value);
    expect(error.message).toContain('missing, always, never');
  });

  it.each([
    ['missing', 'missing'],
    ['ALWAYS', 'always'],
    ['Never', 'never'],
  ])('accepts %j as %j', (value, expected) => {
    expect(readOptions(sourceOf({ pull: value })).pull).toBe(expected);
  });
});

describe('port', () => {
  it.each(['-1', '65536', 'abc', '1.5', '80 81', '8080\n8081', '0x50', '+80', '1e3', '99999999999999999999'])('rejects %j', (value) => {
    expectRejected('port', value);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['2375', 2375],
    ['65535', 65535],
  ])('accepts %j', (value, expected) => {
    expect(readOptions(sourceOf({ port: value })).port).toBe(expected);
  });
});

describe('timeout', () => {
  it.each(['0', '3601', 'ten', '-5', '1.5', '60s', '10 20', '30\n40'])('rejects %j', (value) => {
    expectRejected('timeout', value);
  });

  it.each([
    ['1', 1],
    ['60', 60],
    ['3600', 3600],
  ])('accepts %j', (value, expected) => {
    expect(readOptions(sourceOf({ timeout: value })).timeoutSeconds).toBe(expected);
  });
});

describe('image', () => {
  it.each([
    'has space',
    'a;rm -rf /',
    '$(id)',
    '`id`',
    'docker:dind\nalpine',
    'docker:dind\r\nalpine',
    'UPPER',
    'library/UPPER',
    'registry.example.com/Team/dind:1.2',
    'docker:',
    'docker@sha256:abc',
    ':latest',
    '/docker',
    'docker//dind',
    `${'a'.repeat(256)}:1`,
  ])('rejects %j', (value) => {
    expectRejected('image', value);
  });

  it('rejects the empty reference when parsed directly (readOptions treats "" as "not given")', () => {
    expect(() => parseImageReference('image', '')).toThrow(InputError);
    expect(() => parseImageReference('image', '')).toThrow(/Input "image".*Accepted:/);
    expect(readOptions(sourceOf({ image: '' })).image).toBe('docker:dind');
  });

  it.each([
    'docker:dind',
    'docker:29-dind',
    'registry.example.com:5000/team/dind:1.2',
    'localhost/dind',
    `docker@sha256:${'0123456789abcdef'.repeat(4)}`,
    `registry.example.com/team/dind:1.2@sha256:${'a'.repeat(64)}`,
    '[::1]:5000/dind',
    'ghcr.io/some_org/docker-in.docker__x:v1.2.3_rc',
  ])('accepts %j', (value) => {
    expect(readOptions(sourceOf({ image: value })).image).toBe(value);
  });

  // distribution/reference reads a first component with an upper-case letter as a
  // registry host (splitDockerDomain), so Docker itself accepts this reference.
  it('accepts "UPPER/case": Docker reads UPPER as a registry host', () => {
    expect(readOptions(sourceOf({ image: 'UPPER/case' })).image).toBe('UPPER/case');
  });
});

describe('daemon-args', () => {
  it.each(['mtu=1400', 'dockerd --debug', 'debug'])('rejects %j: the first token is not a flag', (value) => {
    expect(expectRejected('daemon-args', value).message).toContain('is not a dockerd flag');
  });

  it.each([
    ['--host=x', '--host'],
    ['--host tcp://0.0.0.0:2376', '--host'],
    ['-H', '-H'],
    ['-H tcp://0.0.0.0:2376', '-H'],
    ['-Htcp://x', '-H'],
    ['-H=tcp://x', '-H'],
    ['--tls', '--tls'],
    ['--tls=true', '--tls'],
    ['--tlsverify', '--tlsverify'],
    ['--tlscacert=/x', '--tlscacert'],
    ['--tlscert=/x', '--tlscert'],
    ['--tlskey=/x', '--tlskey'],
    ['--debug --host=unix:///x', '--host'],
    ['--mtu=1400\n--tlsverify', '--tlsverify'],
  ])('rejects %j: %s is set by the action', (value, flag) => {
    const error = expectRejected('daemon-args', value);
    expect(error.message).toContain(`${flag} is set by the action itself`);
  });

  it('rejects a NUL character', () => {
    expectRejected('daemon-args', '--label=a\0b');
  });

  // pflag (dockerd's flag parser) accepts combined shorthands: -D is --debug and
  // -DH... sets -H (--host) to the rest of the token. The reserved-flag check
  // only looks for tokens that start with "-H", so this sets a listener anyway.
  it('rejects -H hidden in combined shorthand flags (-DHtcp://...)', () => {
    expect(rejectsNaming('daemon-args', '-DHtcp://0.0.0.0:2376')).toBe(true);
  });

  it('splits on spaces and new lines', () => {
    expect(readOptions(sourceOf({ 'daemon-args': '--mtu=1400\n--debug  --log-level=warn' })).daemonArgs).toEqual([
      '--mtu=1400',
      '--debug',
      '--log-level=warn',
    ]);
  });

  it('keeps values given as separate tokens after the first flag', () => {
    expect(readOptions(sourceOf({ 'daemon-args': '--mtu 1400\r\n\t--registry-mirror https://mirror.example' })).daemonArgs).toEqual([
      '--mtu',
      '1400',
      '--registry-mirror',
      'https://mirror.example',
    ]);
  });

  it('passes shell metacharacters through verbatim (no shell is involved)', () => {
    expect(readOptions(sourceOf({ 'daemon-args': '--label=a;b --label=$(id)' })).daemonArgs).toEqual(['--label=a;b', '--label=$(id)']);
  });
});

describe('property-based', () => {
  const RUNS = 200;
  const FORBIDDEN_IN_IMAGE = [' ', '\t', '\n', '\r', ';', '|', '&', '$', '`', '<', '>', '(', ')', '{', '}', "'", '"', '*', '?', '!'];

  it('(a) rejects an image reference with whitespace or a shell metacharacter inside it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.constantFrom(...FORBIDDEN_IN_IMAGE), fc.string({ maxLength: 20 }), (left, bad, right) => {
        // Wrapped in valid characters so that trimming cannot remove the bad one.
        const image = `docker${left}${bad}${right}dind`;
        return rejectsNaming('image', image);
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) rejects any integer outside 0..65535 as port', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65536 }), fc.bigInt({ min: 65536n, max: 10n ** 30n })), (port) =>
        rejectsNaming('port', String(port)),
      ),
      { numRuns: RUNS },
    );
  });

  it('(b\') accepts any integer inside 0..65535 as port', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => readOptions(sourceOf({ port: String(port) })).port === port),
      { numRuns: RUNS },
    );
  });

  it('(c) rejects as timeout any value that is not a run of digits', () => {
    const digitish = fc.string({ unit: fc.constantFrom('0', '1', '5', '9', ' ', '-', '+', '.', 'e', 'x', '\n', '\t', '٣') });
    fc.assert(
      fc.property(
        // Values are trimmed and '' means "use the default", so only values that
        // are still non-empty and non-numeric after trimming must be rejected.
        fc.oneof(fc.string(), digitish).filter((value) => value.trim() !== '' && !/^\d+$/.test(value.trim())),
        (value) => rejectsNaming('timeout', value),
      ),
      { numRuns: RUNS },
    );
  });

  it('(d) parses --flag=value tokens joined by any whitespace into exactly those tokens', () => {
    const reserved = new Set(['host', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey']);
    const flagName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((name) => !reserved.has(name));
    const flagValue = fc.string({ maxLength: 20 }).filter((value) => !/[\s\0]/.test(value));
    const token = fc.tuple(flagName, flagValue).map(([name, value]) => `--${name}=${value}`);
    const space = fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0'), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
    const optionalSpace = fc.oneof(fc.constant(''), space);
    fc.assert(
      fc.property(fc.array(fc.tuple(token, space), { maxLength: 8 }), optionalSpace, (pairs, leading) => {
        const tokens = pairs.map(([tok]) => tok);
        const text = leading + pairs.map(([tok, sep]) => tok + sep).join('');
        expect(readOptions(sourceOf({ 'daemon-args': text })).daemonArgs).toEqual(tokens);
      }),
      { numRuns: RUNS },
    );
  });
});
