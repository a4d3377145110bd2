/**
 * Bad input, generated: every input with values it must refuse. The bundled
 * action runs with a stub `docker` first on PATH that records any call, to
 * prove that validation fails before anything touches Docker.
 */
import fc from 'fast-check';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsJob } from '../../scripts/actions-runner.mjs';

/** Strings that contain at least one character from `bad`, not at the ends (inputs are trimmed). */
const withBad = (bad: string) =>
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.constantFrom(...bad.split('')), fc.stringMatching(/^[a-z0-9]{1,8}$/))
    .map(([a, b, c]) => `${a}${b}${c}`);
const notInteger = fc.oneof(fc.constantFrom('abc', '1.5', '-1', '1e3', '0x10', '12 13', '8080\n8081', '∞'), withBad(' .,;'));

/** [input, bad value, extra inputs that make the input apply] */
const badInputs: fc.Arbitrary<[string, string, Record<string, string>]> = fc.oneof(
  fc.tuple(fc.constant('mode'), fc.stringMatching(/^[a-z]{1,10}$/).filter((v) => !['dind', 'dood', 'attach'].includes(v)), fc.constant({})),
  fc.tuple(fc.constant('pull'), fc.stringMatching(/^[a-z]{1,10}$/).filter((v) => !['missing', 'always', 'never'].includes(v)), fc.constant({})),
  fc.tuple(fc.constant('transport'), fc.stringMatching(/^[a-z]{1,10}$/).filter((v) => !['tcp', 'unix'].includes(v)), fc.constant({})),
  fc.tuple(fc.constant('port'), fc.oneof(fc.integer({ min: 65536, max: 10_000_000 }).map(String), notInteger), fc.constant({})),
  fc.tuple(fc.constant('timeout'), fc.oneof(fc.constantFrom('0', '3601', '999999999'), notInteger), fc.constant({})),
  fc.tuple(fc.constant('image'), withBad(' \t;|&$`<>(){}\'"*?!\\'), fc.constant({})),
  fc.tuple(fc.constant('daemon-args'), fc.oneof(fc.constantFrom('--host=tcp://0.0.0.0:1', '-H', '--tlsverify', '-DHtcp://x:1', 'dockerd --debug'), fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/)), fc.constant({})),
  fc.tuple(fc.constant('tls'), fc.stringMatching(/^[a-z0-9]{1,6}$/).filter((v) => !['true', 'false'].includes(v)), fc.constant({})),
  fc.tuple(fc.constant('tls-san'), withBad('_!@#$%'), fc.constant({ tls: 'true' })),
  fc.tuple(fc.constant('bind-address'), fc.oneof(fc.constantFrom('localhost', '999.1.1.1', '1.2.3', '::g'), withBad('_!@#')), fc.constant({})),
  fc.tuple(fc.constant('stale-after'), fc.oneof(fc.constantFrom('6', '5m', '-1h', '1y', '6 h', 'forever'), notInteger), fc.constant({})),
  fc.tuple(fc.constant('daemon-config'), fc.constantFrom('{', '{"a":}', 'not json', '[1,2]', '"text"', '42', '{"hosts": []}', '{"tlsverify": false}'), fc.constant({})),
  fc.tuple(fc.constant('registry-mirrors'), fc.oneof(fc.constantFrom('mirror.example', 'ftp://m.example', 'https://'), withBad('<>"')), fc.constant({})),
  fc.tuple(fc.constant('mtu'), fc.oneof(fc.constantFrom('0', '575', '65536', 'on', '1400 1300', '-1'), withBad('_!x')), fc.constant({})),
  fc.tuple(fc.constant('cache-volume'), fc.oneof(fc.constantFrom('-x', 'a', '../x'), withBad(' /:$;')), fc.constant({})),
  fc.tuple(fc.constant('context'), fc.oneof(fc.constantFrom('default', '-x', 'a'), withBad(' /:$;')), fc.constantFrom<Record<string, string>>({}, { mode: 'attach' })),
  fc.tuple(fc.constant('docker-version'), fc.oneof(fc.constantFrom('29', '29.1', 'stable', '../29.1.3'), withBad(' /;$')), fc.constant({})),
  fc.tuple(fc.constant('docker-download-url'), fc.constantFrom('mirror.internal/docker', 'ftp://m/d', 'https://m/x?y=1', 'file:///tmp/x'), fc.constant({})),
  fc.tuple(fc.constant('docker-host'), fc.constantFrom('ssh://user@host', 'http://docker:2375', 'tcp://docker', 'tcp://docker:0', 'docker:2375', 'npipe:////./pipe/docker'), fc.constant({ mode: 'attach' })),
);

describe('bad input fails before any Docker call', () => {
  let stubDir: string;
  let callLog: string;

  beforeAll(async () => {
    stubDir = await mkdtemp(join(tmpdir(), 'setup-dind-stub-'));
    callLog = join(stubDir, 'calls');
    // Records its argument vector, NUL-separated, and fails; it never evaluates an argument.
    await writeFile(join(stubDir, 'docker'), `#!/bin/sh\nprintf '%s\\0' "$@" >> "${callLog}"\nprintf '\\n' >> "${callLog}"\nexit 1\n`);
    await chmod(join(stubDir, 'docker'), 0o755);
  });

  afterAll(async () => {
    await rm(stubDir, { recursive: true, force: true });
  });

  it('names the input and what it accepts, for generated bad values of every input', async () => {
    await fc.assert(
      fc.asyncProperty(badInputs, async ([input, value, extra]) => {
        const job = new ActionsJob({ env: { PATH: `${stubDir}:${process.env.PATH}` } });
        try {
          const main = await job.main({ ...extra, [input]: value });
          const error = main.errors.join('\n');
          expect(main.code).toBe(1);
          expect(error).toContain(`Input "${input}"`);
          expect(error).toContain('Accepted:');
          expect(existsSync(callLog), `docker was called for ${input}=${JSON.stringify(value)}`).toBe(false);
          expect(main.savedState).toEqual({});
        } finally {
          await job.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('hands values to docker as an argument vector, never to a shell', async () => {
    const marker = join(stubDir, 'pwned');
    const job = new ActionsJob({ env: { PATH: `${stubDir}:${process.env.PATH}` } });
    try {
      const sneaky = `--label=x;touch${'${IFS}'}${marker};$(touch${'${IFS}'}${marker})\`touch${'${IFS}'}${marker}\``;
      const main = await job.main({ 'daemon-args': sneaky });
      expect(main.code).toBe(1); // the stub docker fails the run
      const calls = (await readFile(callLog, 'utf8')).split('\n').filter(Boolean).map((line) => line.split('\0'));
      const run = calls.find((argv) => argv[0] === 'run');
      expect(run).toBeDefined();
      expect(run).toContain(sneaky);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await job.cleanup();
      await rm(callLog, { force: true });
    }
  });
});
