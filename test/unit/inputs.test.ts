import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/engine/errors.js';
import { INPUTS, isLoopback, parseImageReference, readOptions, type InputSource } from '../../src/inputs/inputs.js';

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
      transport: 'tcp',
      tls: false,
      tlsSans: [],
      bindAddress: '127.0.0.1',
      dockerHost: undefined,
      certPath: undefined,
      staleAfterSeconds: 6 * 3600,
      socket: '/var/run/docker.sock',
      doodPolicy: 'none',
      loadImages: [],
      daemonConfig: undefined,
      dockerVersion: undefined,
      dockerDownloadUrl: 'https://download.docker.com/linux/static/stable',
      mtu: 'auto',
      cacheVolume: undefined,
      mountWorkspace: true,
      context: undefined,
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

  it.each([
    ['dood', 'dood'],
    ['DOOD', 'dood'],
    ['attach', 'attach'],
  ] as const)('accepts mode %j', (value, mode) => {
    expect(readOptions(sourceOf({ mode: value })).mode).toBe(mode);
  });

  it.each(['socket', 'dood-policy'])('refuses %s outside mode dood', (name) => {
    const value = name === 'socket' ? '/run/other.sock' : 'strict';
    expect(() => readOptions(sourceOf({ [name]: value }))).toThrow(/applies to mode dood only, and mode is dind/);
  });

  it('reads dood-policy and an absolute socket path', () => {
    const options = readOptions(sourceOf({ mode: 'dood', socket: '/run/docker.sock', 'dood-policy': 'STRICT' }));
    expect(options).toMatchObject({ socket: '/run/docker.sock', doodPolicy: 'strict' });
    expect(() => readOptions(sourceOf({ mode: 'dood', socket: 'docker.sock' }))).toThrow(/Input "socket": "docker.sock" is not an absolute path/);
    expect(() => readOptions(sourceOf({ mode: 'dood', 'dood-policy': 'lenient' }))).toThrow(/Input "dood-policy".*Accepted: none, no-privileged, strict/);
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

/** The InputError readOptions throws for a set of input values (fails the test if it throws none). */
function inputErrorOf(values: Record<string, string>): InputError {
  try {
    readOptions(sourceOf(values));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected, but it was accepted`);
}

/** Like expectRejected, for a combination of inputs. */
function expectRejectedWith(values: Record<string, string>, name: string): InputError {
  const error = inputErrorOf(values);
  expect(error.input).toBe(name);
  expect(error.message).toContain(`Input "${name}"`);
  expect(error.message).toContain('Accepted:');
  return error;
}

describe('tls', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
  ])('accepts %j as %j', (value, expected) => {
    expect(readOptions(sourceOf({ tls: value })).tls).toBe(expected);
  });

  it('defaults to false', () => {
    expect(readOptions(sourceOf({})).tls).toBe(false);
  });

  it.each(['yes', 'no', '1', '0', 'on', 'off', 'tRUE', 'true false', 'true\nfalse', 'false\r\ntrue'])('rejects %j', (value) => {
    expect(expectRejected('tls', value).message).toContain('Accepted: true or false.');
  });

  it('accepts a value with surrounding whitespace (trimmed)', () => {
    expect(readOptions(sourceOf({ tls: ' true\r\n' })).tls).toBe(true);
  });

  it('names the several lines of a multi-line value', () => {
    expect(expectRejected('tls', 'true\nfalse').message).toContain('several lines');
  });
});

describe('transport', () => {
  it.each([
    ['tcp', 'tcp'],
    ['unix', 'unix'],
    ['TCP', 'tcp'],
    ['Unix', 'unix'],
  ])('accepts %j as %j', (value, expected) => {
    expect(readOptions(sourceOf({ transport: value })).transport).toBe(expected);
  });

  it('defaults to tcp', () => {
    expect(readOptions(sourceOf({})).transport).toBe('tcp');
  });

  it.each(['ssh', 'npipe', 'tcp unix', 'tcp\nunix', 'tls'])('rejects %j', (value) => {
    expect(expectRejected('transport', value).message).toContain('Accepted: tcp, unix.');
  });
});

describe('tls-san', () => {
  const withTls = (sans: string) => readOptions(sourceOf({ tls: 'true', 'tls-san': sans })).tlsSans;

  it('splits on commas, spaces and new lines', () => {
    expect(withTls('a.example, b.example c.example\nd.example,,\r\n\te.example')).toEqual([
      'a.example',
      'b.example',
      'c.example',
      'd.example',
      'e.example',
    ]);
  });

  it('reads a name with a space in it as two names (spaces separate names)', () => {
    expect(withTls('bad name')).toEqual(['bad', 'name']);
  });

  it.each(['10.0.0.5', '192.0.2.1', '::1', 'fd00::5', '2001:db8::1', 'docker', 'dind.internal', 'a-b.example.com', 'x1', 'A.EXAMPLE'])(
    'accepts %j',
    (name) => {
      expect(withTls(name)).toEqual([name]);
    },
  );

  it('defaults to no names', () => {
    expect(readOptions(sourceOf({ tls: 'true' })).tlsSans).toEqual([]);
  });

  it.each(['a_b', '-x', 'x-', 'a..b', '.a', 'a/b', 'host:2376', '*.example.com', `${'a'.repeat(64)}.example`, 'ok.example,bad_name'])(
    'rejects %j',
    (name) => {
      const error = expectRejectedWith({ tls: 'true', 'tls-san': name }, 'tls-san');
      expect(error.message).toContain('is neither a DNS name nor an IP address');
    },
  );

  it('names the bad entry, not the whole list', () => {
    const error = expectRejectedWith({ tls: 'true', 'tls-san': 'good.example a_b other.example' }, 'tls-san');
    expect(error.message).toContain('"a_b"');
    expect(error.message).not.toContain('good.example a_b');
  });

  it.each<Record<string, string>>([{}, { tls: 'false' }, { tls: 'FALSE' }])('is rejected unless tls is true (%j)', (tls) => {
    const error = expectRejectedWith({ ...tls, 'tls-san': 'dind.internal' }, 'tls-san');
    expect(error.message).toContain('tls: true');
  });
});

describe('bind-address', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0.0.0.0', '0.0.0.0'],
    ['::', '::'],
    ['10.1.2.3', '10.1.2.3'],
    [' 127.0.0.2 ', '127.0.0.2'],
  ])('accepts %j as %j', (value, expected) => {
    expect(readOptions(sourceOf({ 'bind-address': value })).bindAddress).toBe(expected);
  });

  it.each(['', '   '])('defaults to 127.0.0.1 for %j', (value) => {
    expect(readOptions(sourceOf({ 'bind-address': value })).bindAddress).toBe('127.0.0.1');
  });

  it.each(['localhost', '999.1.1.1', '1.2.3', '127.0.0.1:2375', '[::1', '::1]', '127.0.0.1\n::1', 'docker', '10.0.0.0/8'])('rejects %j', (value) => {
    expectRejected('bind-address', value);
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1'])('%j is loopback', (address) => {
    expect(isLoopback(address)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.1.2.3', '192.168.0.1', '128.0.0.1', '12.7.0.0.1', 'fd00::1'])('%j is not loopback', (address) => {
    expect(isLoopback(address)).toBe(false);
  });
});

describe('docker-host', () => {
  const attach = (dockerHost: string) => readOptions(sourceOf({ mode: 'attach', 'docker-host': dockerHost }));

  it.each(['tcp://docker:2375', 'tcp://[::1]:2376', 'unix:///var/run/docker.sock', 'tcp://10.0.0.5:1', 'tcp://dind.internal:65535'])(
    'accepts %j in mode attach',
    (value) => {
      expect(attach(value).dockerHost).toBe(value);
    },
  );

  it('drops a trailing slash of a tcp endpoint', () => {
    expect(attach('tcp://docker:2376/').dockerHost).toBe('tcp://docker:2376');
  });

  it('is undefined when not given', () => {
    expect(readOptions(sourceOf({ mode: 'attach' })).dockerHost).toBeUndefined();
    expect(readOptions(sourceOf({ mode: 'attach', 'docker-host': '' })).dockerHost).toBeUndefined();
  });

  it.each(['ssh://x', 'tcp://x', 'tcp://x:0', 'tcp://x:70000', 'http://x:1', 'npipe:////./pipe/docker_engine', 'unix://relative.sock', 'tcp://a b:1', 'tcp://x:1\ntcp://y:2', 'docker:2375'])(
    'rejects %j naming docker-host',
    (value) => {
      const error = expectRejectedWith({ mode: 'attach', 'docker-host': value }, 'docker-host');
      expect(error.message).toContain('tcp://HOST:PORT');
    },
  );
});

describe('cert-path', () => {
  it('is read as given in mode attach, and undefined when not given', () => {
    expect(readOptions(sourceOf({ mode: 'attach', 'cert-path': '/certs/client' })).certPath).toBe('/certs/client');
    expect(readOptions(sourceOf({ mode: 'attach' })).certPath).toBeUndefined();
  });

  it.each(['/a\n/b', '/a\0b'])('rejects %j', (value) => {
    expectRejectedWith({ mode: 'attach', 'cert-path': value }, 'cert-path');
  });
});

describe('cross-input rules', () => {
  const DEFAULTS: Record<string, string> = Object.fromEntries(INPUTS.map((input) => [input.name, input.default]));

  it.each([
    ['image', 'docker:29-dind'],
    ['port', '5'],
    ['pull', 'always'],
    ['daemon-args', '--debug'],
    ['transport', 'unix'],
    ['tls', 'true'],
    ['tls-san', 'dind.internal'],
    ['bind-address', '::1'],
  ])('rejects %s=%j in mode attach: it applies to mode dind only', (name, value) => {
    const error = expectRejectedWith({ mode: 'attach', [name]: value }, name);
    expect(error.message).toContain('applies to mode dind only');
  });

  it.each([
    ['docker-host', 'tcp://docker:2376'],
    ['cert-path', '/certs/client'],
  ])('rejects %s=%j in mode dind: it applies to mode attach only', (name, value) => {
    expect(expectRejectedWith({ [name]: value }, name).message).toContain('applies to mode attach only');
    expect(expectRejectedWith({ mode: 'dind', [name]: value }, name).message).toContain('applies to mode attach only');
  });

  it('rejects tls with transport unix, naming tls', () => {
    const error = expectRejectedWith({ transport: 'unix', tls: 'true' }, 'tls');
    expect(error.message).toContain('transport "unix"');
  });

  it.each([
    ['port', '5'],
    ['bind-address', '::1'],
  ])('rejects %s=%j with transport unix', (name, value) => {
    const error = expectRejectedWith({ transport: 'unix', [name]: value }, name);
    expect(error.message).toContain('transport "tcp"');
  });

  it('rejects tls-san with transport unix, naming tls-san', () => {
    expectRejectedWith({ transport: 'unix', 'tls-san': 'dind.internal' }, 'tls-san');
  });

  it('accepts timeout in both modes', () => {
    expect(readOptions(sourceOf({ mode: 'attach', timeout: '5' })).timeoutSeconds).toBe(5);
    expect(readOptions(sourceOf({ mode: 'dind', timeout: '5' })).timeoutSeconds).toBe(5);
  });

  it('accepts the dind inputs together in mode dind', () => {
    const options = readOptions(
      sourceOf({ tls: 'true', 'tls-san': 'dind.internal', 'bind-address': '0.0.0.0', port: '2376', transport: 'tcp' }),
    );
    expect(options).toMatchObject({ tls: true, tlsSans: ['dind.internal'], bindAddress: '0.0.0.0', port: 2376 });
  });

  it('accepts transport unix alone', () => {
    expect(readOptions(sourceOf({ transport: 'unix' }))).toMatchObject({ transport: 'unix', tls: false, port: 0, bindAddress: '127.0.0.1' });
  });

  // The Actions runner passes every input, with action.yml's default when the workflow sets none.
  describe('default values passed explicitly never trigger them', () => {
    it('mode attach with every other input at its default', () => {
      const options = readOptions(sourceOf({ ...DEFAULTS, mode: 'attach' }));
      expect(options).toMatchObject({ mode: 'attach', dockerHost: undefined, certPath: undefined });
    });

    it('mode attach with docker-host and cert-path given', () => {
      const options = readOptions(sourceOf({ ...DEFAULTS, mode: 'attach', 'docker-host': 'unix:///run/docker.sock', 'cert-path': '/c' }));
      expect(options).toMatchObject({ dockerHost: 'unix:///run/docker.sock', certPath: '/c' });
    });

    it('mode dind with every input at its default', () => {
      expect(readOptions(sourceOf(DEFAULTS))).toEqual(readOptions(() => undefined));
    });

    it('transport unix with every other input at its default', () => {
      expect(readOptions(sourceOf({ ...DEFAULTS, transport: 'unix' })).transport).toBe('unix');
    });

    it('tls true with every other input at its default', () => {
      expect(readOptions(sourceOf({ ...DEFAULTS, tls: 'true' })).tls).toBe(true);
    });

    it('any subset of inputs given at their defaults, in either mode', () => {
      const names = INPUTS.map((input) => input.name).filter((name) => name !== 'mode');
      fc.assert(
        fc.property(fc.subarray(names), fc.constantFrom('dind', 'attach'), fc.constantFrom('', ' ', '\n'), (subset, mode, padding) => {
          const values: Record<string, string> = { mode };
          for (const name of subset) values[name] = `${padding}${DEFAULTS[name] ?? ''}${padding}`;
          expect(readOptions(sourceOf(values)).mode).toBe(mode);
        }),
        { numRuns: 100 },
      );
    });
  });
});

describe('load-images', () => {
  it('splits, deduplicates and validates image references', () => {
    expect(readOptions(sourceOf({ 'load-images': 'busybox:latest, alpine\nbusybox:latest  registry.example.com/x/y:1' })).loadImages).toEqual([
      'busybox:latest',
      'alpine',
      'registry.example.com/x/y:1',
    ]);
  });

  it('refuses a bad reference naming the input, and the input outside mode dind', () => {
    expect(() => readOptions(sourceOf({ 'load-images': 'busybox $(id)' }))).toThrow(/Input "load-images"/);
    expect(() => readOptions(sourceOf({ mode: 'attach', 'load-images': 'busybox' }))).toThrow(/Input "load-images": applies to mode dind only/);
  });
});

describe('daemon.json inputs', () => {
  it('merges daemon-config with the registry lists', () => {
    const options = readOptions(
      sourceOf({
        'daemon-config': '{"log-level": "warn", "registry-mirrors": ["https://a.example"]}',
        'registry-mirrors': 'https://b.example, https://a.example',
        'insecure-registries': 'registry.internal:5000\n10.0.0.0/8',
      }),
    );
    expect(options.daemonConfig).toEqual({
      'log-level': 'warn',
      'registry-mirrors': ['https://a.example', 'https://b.example'],
      'insecure-registries': ['registry.internal:5000', '10.0.0.0/8'],
    });
    expect(readOptions(() => undefined).daemonConfig).toBeUndefined();
  });

  it.each([
    ['daemon-config', '{"log-level": ', /Input "daemon-config": is not valid JSON/],
    ['daemon-config', '["a"]', /Input "daemon-config": .* is not a JSON object/],
    ['daemon-config', '{"hosts": ["tcp://0.0.0.0:2375"]}', /Input "daemon-config": "hosts" is set by the action itself/],
    ['daemon-config', '{"data-root": "/x"}', /"data-root" is set by the action itself/],
    ['registry-mirrors', 'mirror.example', /Input "registry-mirrors": "mirror.example" is not an http:\/\/ or https:\/\/ URL/],
    ['registry-mirrors', 'ftp://mirror.example', /is not an http:\/\/ or https:\/\/ URL/],
    ['insecure-registries', 'http://registry:5000', /Input "insecure-registries": .* is neither a registry host nor a CIDR range/],
  ])('%s %j is refused', (input, value, message) => {
    expect(() => readOptions(sourceOf({ [input]: value }))).toThrow(message);
  });
});

describe('mtu', () => {
  it.each([
    ['auto', 'auto'],
    ['OFF', 'off'],
    ['1400', 1400],
    ['576', 576],
    ['65535', 65535],
  ])('reads %j as %j', (value, expected) => {
    expect(readOptions(sourceOf({ mtu: value })).mtu).toBe(expected);
  });

  it.each(['575', '65536', '14OO', '1400.5', 'on', '-1', '1400\n1300'])('rejects %j, naming the input', (value) => {
    expect(() => readOptions(sourceOf({ mtu: value }))).toThrow(/Input "mtu".*\n?.*Accepted: auto, off, or a whole number from 576 to 65535/s);
  });

  it('refuses a forced MTU that daemon-args or daemon-config also sets', () => {
    expect(() => readOptions(sourceOf({ mtu: '1400', 'daemon-args': '--mtu=1300' }))).toThrow(/Input "mtu": 1400 clashes with --mtu in daemon-args/);
    expect(() => readOptions(sourceOf({ mtu: '1400', 'daemon-config': '{"mtu": 1300}' }))).toThrow(/Input "mtu": 1400 clashes with "mtu" in daemon-config/);
    expect(readOptions(sourceOf({ 'daemon-args': '--mtu=1300' })).mtu).toBe('auto');
  });

  it('applies to mode dind only', () => {
    expect(() => readOptions(sourceOf({ mode: 'attach', mtu: '1400' }))).toThrow(/Input "mtu": applies to mode dind only/);
    expect(readOptions(sourceOf({ mode: 'attach', mtu: 'auto' })).mode).toBe('attach');
  });
});

describe('cache-volume and context', () => {
  it('reads valid names', () => {
    expect(readOptions(sourceOf({ 'cache-volume': 'dind-cache_1.x' })).cacheVolume).toBe('dind-cache_1.x');
    expect(readOptions(sourceOf({ mode: 'attach', context: 'ci+dind' })).context).toBe('ci+dind');
  });

  it.each(['-x', 'a', 'with space', 'a/b', 'x'.repeat(201), 'é'])('rejects cache-volume %j', (value) => {
    expect(() => readOptions(sourceOf({ 'cache-volume': value }))).toThrow(/Input "cache-volume".*Accepted: a Docker volume name/s);
  });

  it('refuses cache-volume outside mode dind', () => {
    expect(() => readOptions(sourceOf({ mode: 'dood', 'cache-volume': 'c1' }))).toThrow(/Input "cache-volume": applies to mode dind only/);
  });

  it.each(['default', '-x', 'a b', 'a/b', 'x'])('rejects context %j', (value) => {
    expect(() => readOptions(sourceOf({ context: value }))).toThrow(/Input "context".*Accepted: a docker context name/s);
  });
});

describe('docker-version and docker-download-url', () => {
  it.each([
    ['29.1.3', '29.1.3'],
    ['v28.0.0', '28.0.0'],
    ['29.0.0-rc.1', '29.0.0-rc.1'],
    ['latest', 'latest'],
    ['none', 'none'],
  ])('reads docker-version %j as %j', (value, expected) => {
    expect(readOptions(sourceOf({ 'docker-version': value })).dockerVersion).toBe(expected);
  });

  it.each(['29', '29.1', 'stable', '29.1.3; rm -rf /', '../29.1.3'])('rejects docker-version %j', (value) => {
    expect(() => readOptions(sourceOf({ 'docker-version': value }))).toThrow(/Input "docker-version".*Accepted: a docker release/s);
  });

  it('reads docker-download-url without its trailing slash', () => {
    expect(readOptions(sourceOf({ 'docker-download-url': 'http://mirror.internal:8080/docker/' })).dockerDownloadUrl).toBe('http://mirror.internal:8080/docker');
  });

  it.each(['mirror.internal/docker', 'ftp://mirror/docker', 'https://m/x?y=1', 'https://m/x#y', 'http://'])('rejects docker-download-url %j', (value) => {
    expect(() => readOptions(sourceOf({ 'docker-download-url': value }))).toThrow(/Input "docker-download-url".*Accepted: an http/s);
  });

  it.each(['https://user:token@mirror.internal/docker', 'https://token@mirror.internal/docker', 'http://:secret@mirror.internal:8080/docker'])('rejects credentials in docker-download-url %j, without echoing them', (value) => {
    let error: unknown;
    try {
      readOptions(sourceOf({ 'docker-download-url': value }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const text = (error as Error).message;
    expect(text).toMatch(/^Input "docker-download-url": credentials in the URL .* are not supported: they would be logged.*Accepted: an http/s);
    expect(text).not.toMatch(/token|secret/);
  });
});

describe('the input registry', () => {
  it('sets every Options field from exactly one input, the daemon.json lists adding to daemon-config\'s', () => {
    const plain = INPUTS.filter((input) => !input.merge).map((input) => input.option);
    expect(new Set(plain).size).toBe(plain.length);
    expect(plain.sort()).toEqual(Object.keys(readOptions(() => undefined)).sort());
    expect(INPUTS.filter((input) => input.merge).map((input) => [input.name, input.option])).toEqual([
      ['registry-mirrors', 'daemonConfig'],
      ['insecure-registries', 'daemonConfig'],
    ]);
  });

  it('names each input once, every default accepted by its own parser', () => {
    const names = INPUTS.map((input) => input.name);
    expect(new Set(names).size).toBe(names.length);
    for (const input of INPUTS) expect(() => input.parser.parse(input.default)).not.toThrow();
  });
});
