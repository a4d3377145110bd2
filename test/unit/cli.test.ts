import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { envName, inputSource, parseCommandLine, UsageError } from '../../src/cli/args.js';
import { defaultStatePath, exportLines, formatState, parseState, shellQuote } from '../../src/cli/state.js';
import { helpText } from '../../src/cli/help.js';
import { cliLogger } from '../../src/cli/log.js';
import { INPUTS } from '../../src/inputs/inputs.js';
import { VERSION } from '../../src/version.js';
import type { TeardownPlan } from '../../src/teardown/plan.js';

describe('parseCommandLine', () => {
  it('reads a command, input flags, --state and the command after --', () => {
    const parsed = parseCommandLine(['run', '--image', 'docker:27-dind', '--daemon-args=--debug', '--state', '/tmp/s', '--', 'make', '-j2']);
    expect(parsed).toEqual({
      command: 'run',
      help: false,
      version: false,
      statePath: '/tmp/s',
      flags: { image: 'docker:27-dind', 'daemon-args': '--debug' },
      commandLine: ['make', '-j2'],
    });
  });

  it('reads --tls and --no-tls as switches', () => {
    expect(parseCommandLine(['up', '--tls']).flags).toEqual({ tls: 'true' });
    expect(parseCommandLine(['up', '--no-tls']).flags).toEqual({ tls: 'false' });
    expect(parseCommandLine(['up', '--tls=false']).flags).toEqual({ tls: 'false' });
  });

  it.each([
    [['up', '--nope'], /Unknown option '--nope'/],
    [['start'], /unknown command "start"/],
    [['run'], /run needs a command after --/],
    [['up', 'extra'], /unexpected argument "extra"/],
    [['run', 'make'], /put the command after --/],
    [['up', '--', 'x'], /"--" and a command only go with "run"/],
    [['down', '--tls'], /--tls goes with "up" or "run"/],
    [['up', '--image'], /argument missing|requires|expected/i],
  ])('refuses %j with a UsageError', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('has a flag for every input, and help lists each with its variable', () => {
    const help = helpText('up');
    for (const input of INPUTS) {
      expect(() => parseCommandLine(['up', `--${input.name}=x`])).not.toThrow();
      expect(help).toContain(envName(input.name));
    }
  });

  it('takes flags over SETUP_DIND_* variables', () => {
    const source = inputSource({ image: 'from-flag' }, { SETUP_DIND_IMAGE: 'from-env', SETUP_DIND_DAEMON_ARGS: '--debug' });
    expect(source('image')).toBe('from-flag');
    expect(source('daemon-args')).toBe('--debug');
    expect(source('port')).toBeUndefined();
  });
});

describe('state file', () => {
  const plan: TeardownPlan = {
    version: 1,
    mode: 'dind',
    instance: 'abc',
    stage: 'ready',
    dockerEnv: {},
    containers: ['setup-dind-abc'],
    volumes: ['setup-dind-abc-data'],
    paths: ["/tmp/it's here"],
  };

  it('round-trips exports (with quotes) and the plan', () => {
    const exports = { DOCKER_HOST: 'tcp://127.0.0.1:1234', DOCKER_CERT_PATH: "/tmp/it's/client" };
    expect(parseState(formatState({ exports, plan }))).toEqual({ exports, plan });
  });

  it('quotes for POSIX shells', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(exportLines({ A: '$(x) `y`' })).toBe("export A='$(x) `y`'\n");
  });

  it('keys the default path by CI job, per user', () => {
    expect(defaultStatePath({ CI_JOB_ID: '42' }, 1000)).toMatch(/setup-dind-1000\/gitlab-42\.env$/);
    expect(defaultStatePath({ GITHUB_RUN_ID: '7', GITHUB_JOB: 'build' }, 1000)).toMatch(/github-7-1-build\.env$/);
    expect(defaultStatePath({ BUILD_TAG: 'jenkins-x/y-3' }, 0)).toMatch(/jenkins-jenkins-x_y-3\.env$/);
    expect(defaultStatePath({}, 0)).toMatch(/setup-dind-0\/local\.env$/);
  });
});

describe('cliLogger', () => {
  it('folds blocks into GitLab sections, GitHub groups or plain markers', () => {
    const outputs: Record<string, string> = { gitlab: '', github: '', plain: '' };
    for (const flavour of ['gitlab', 'github', 'plain'] as const) {
      cliLogger(flavour, (text) => (outputs[flavour] += text)).block('Daemon log', ['a', 'b']);
    }
    // eslint-disable-next-line no-control-regex -- GitLab section markers are escape sequences
    expect(outputs.gitlab).toMatch(/^\x1b\[0Ksection_start:\d+:setup_dind_1\[collapsed=true\]\r\x1b\[0KDaemon log\na\nb\n\x1b\[0Ksection_end:\d+:setup_dind_1\r\x1b\[0K\n$/);
    expect(outputs.github).toBe('::group::Daemon log\na\nb\n::endgroup::\n');
    expect(outputs.plain).toBe('--- Daemon log\na\nb\n---\n');
  });
});

it('VERSION matches package.json', () => {
  expect(VERSION).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
});
