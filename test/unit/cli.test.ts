import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { envName, inputSource, parseCommandLine, UsageError } from '../../src/cli/args.js';
import { defaultStatePath, exportLines, formatState, parseState, readState, refuseLineBreaksInEnv, shellQuote, stateFileName, writeState } from '../../src/cli/state.js';
import { SetupDindError } from '../../src/engine/errors.js';
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

  it('names the state file by CI job, one word whatever the job\'s variables hold', () => {
    expect(stateFileName({ CI_JOB_ID: '42' })).toBe('gitlab-42.env');
    expect(stateFileName({ GITHUB_RUN_ID: '7', GITHUB_JOB: 'build' })).toBe('github-7-1-build.env');
    expect(stateFileName({ BUILD_TAG: 'jenkins-x/y-3' })).toBe('jenkins-jenkins-x_y-3.env');
    expect(stateFileName({ CI_JOB_ID: "1\nexport X='y'\n../../z" })).toBe('gitlab-1_export_X__y__.._.._z.env');
    expect(stateFileName({})).toBe('local.env');
  });
});

describe('the export lines and the state file in real shells', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'setup-dind-unit-shell-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Values that would run a command if quoted badly: each would create `marker`. */
  const hostile = (marker: string): Record<string, string> => ({
    DOCKER_HOST: `'; touch ${marker}; '`,
    DOCKER_CERT_PATH: `$(touch ${marker})\`touch ${marker}\`"$(touch ${marker})"`,
    DOCKER_TLS_VERIFY: `'\\''; touch ${marker} #`,
  });
  const SHELLS = ['sh', 'bash', 'busybox sh'].filter((shell) => spawnSync('sh', ['-c', `command -v ${shell.split(' ')[0]}`]).status === 0);

  it.each(SHELLS)('%s: eval of the export lines and `.` of the state file define exactly the values, and run nothing', async (shell) => {
    const marker = join(dir, 'ran');
    const exports = hostile(marker);
    const path = [join(dir, `it's $(touch ${marker}) bin`)];
    const plan: TeardownPlan = { version: 1, mode: 'dind', instance: 'i', stage: 'ready', dockerEnv: {}, containers: [], volumes: [], paths: [`x\nexport EVIL=1\ntouch ${marker}`] };
    const file = join(dir, 'state.env');
    await writeState(file, { exports, plan, path });
    const show = 'printf "%s\\0" "$DOCKER_HOST" "$DOCKER_CERT_PATH" "$DOCKER_TLS_VERIFY" "${PATH%%:*}" "${EVIL-unset}"';
    // No startup files (stdin a socket makes bash read ~/.bashrc).
    const env = { PATH: process.env.PATH, HOME: dir, LINES: exportLines(exports, path), FILE: file };
    for (const script of [`eval "$LINES"; ${show}`, `. "$FILE"; ${show}`]) {
      const run = spawnSync(shell.split(' ')[0]!, [...shell.split(' ').slice(1), '-c', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(run.stderr, script).toBe('');
      expect(run.stdout.split('\0').slice(0, 5), script).toEqual([exports.DOCKER_HOST, exports.DOCKER_CERT_PATH, exports.DOCKER_TLS_VERIFY, path[0], 'unset']);
    }
    expect(existsSync(marker)).toBe(false);
    expect(parseState(await readFile(file, 'utf8'))).toEqual({ exports, plan, path });
  });

  it('refuses a value with a line break, naming it, rather than write or print a line of it', () => {
    for (const value of ["x\nexport EVIL='1'", 'x\r# setup-dind plan: {}']) {
      expect(() => exportLines({ DOCKER_CERT_PATH: value })).toThrow(SetupDindError);
      expect(() => exportLines({ DOCKER_CERT_PATH: value })).toThrow(`The value of DOCKER_CERT_PATH has a line break (${JSON.stringify(value)}): it would add a line to the export lines and the state file.`);
      expect(() => exportLines({}, ['/ok', value])).toThrow(/^PATH entry 2 has a line break/);
      expect(() => formatState({ exports: { DOCKER_HOST: value }, plan: undefined })).toThrow(/^The value of DOCKER_HOST has a line break/);
    }
    expect(() => exportLines({ 'A=1; touch x; B': 'v' })).toThrow(/^Cannot export "A=1; touch x; B": not a variable name\.$/);
  });

  it('refuses, before anything is set up, environment variables with a line break that would reach the state', () => {
    for (const name of ['TMPDIR', 'TMP', 'TEMP', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_CERTDIR']) {
      expect(() => refuseLineBreaksInEnv({ [name]: '/tmp/x\nexport EVIL=1' })).toThrow(`Environment variable ${name} has a line break ("/tmp/x\\nexport EVIL=1")`);
    }
    expect(() => refuseLineBreaksInEnv({ TMPDIR: '/tmp/a b', CI_JOB_NAME: 'x\ny', DOCKER_HOST: 'unix:///run/docker.sock' })).not.toThrow();
  });

  it('writes the state file mode 0600 through a new file renamed over the old one, leaving no other file', async () => {
    const file = join(dir, 'sub', 'state.env');
    await writeState(file, { exports: { A: '1' }, plan: undefined });
    await writeState(file, { exports: { A: '2' }, plan: undefined });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['state.env']);
    expect((await readState(file))?.exports).toEqual({ A: '2' });
  });

  it('writes nothing when the state holds a line break', async () => {
    const file = join(dir, 'state.env');
    await writeState(file, { exports: { A: '1' }, plan: undefined });
    await expect(writeState(file, { exports: { A: '1\n2' }, plan: undefined })).rejects.toThrow(/line break/);
    expect(readdirSync(dir)).toEqual(['state.env']);
    expect((await readState(file))?.exports).toEqual({ A: '1' });
  });
});

describe('the per-user state directory', () => {
  const uid = process.getuid!();
  const asRoot = uid === 0;
  let dir: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'setup-dind-unit-state-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const refusal = (tempDir: string, as = uid) => defaultStatePath({ CI_JOB_ID: '42' }, tempDir, as).then(() => undefined, (error: unknown) => error as SetupDindError);

  it('is made mode 0700 on first use, in the temp dir\'s real path, and used again as it is', async () => {
    symlinkSync(dir, join(dir, 'link'));
    const path = await defaultStatePath({ CI_JOB_ID: '42' }, join(dir, 'link'), uid);
    expect(path).toBe(join(dir, `setup-dind-${uid}`, 'gitlab-42.env'));
    expect(lstatSync(dirname(path)).mode & 0o7777).toBe(0o700);
    // One of ours that others cannot write is used, never chmod-ed.
    chmodSync(dirname(path), 0o755);
    expect(await defaultStatePath({}, dir, uid)).toBe(join(dir, `setup-dind-${uid}`, 'local.env'));
    expect(lstatSync(dirname(path)).mode & 0o7777).toBe(0o755);
  });

  it('refuses a symbolic link, naming it and where it leads, and what to do; the target is left alone', async () => {
    mkdirSync(join(dir, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(dir, 'elsewhere'), join(dir, `setup-dind-${uid}`));
    const error = await refusal(dir);
    expect(error).toBeInstanceOf(SetupDindError);
    expect(error!.message).toBe(
      `The state directory ${dir}/setup-dind-${uid} is a symbolic link (to ${dir}/elsewhere): someone else may have made it, to read or plant the state "setup-dind down" follows.`,
    );
    expect(error!.hint).toMatch(/remove it .*setup-dind makes it again, mode 0700\. Or pass --state FILE\./);
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
  });

  it('refuses one that others can write, and a file in its place', async () => {
    mkdirSync(join(dir, `setup-dind-${uid}`));
    chmodSync(join(dir, `setup-dind-${uid}`), 0o777);
    expect((await refusal(dir))!.message).toMatch(new RegExp(`^The state directory ${dir}/setup-dind-${uid} can be written by others \\(mode 0777\\): someone else`));
    chmodSync(join(dir, `setup-dind-${uid}`), 0o1770);
    expect((await refusal(dir))!.message).toContain('can be written by others (mode 1770)');
    rmSync(join(dir, `setup-dind-${uid}`), { recursive: true });
    writeFileSync(join(dir, `setup-dind-${uid}`), '');
    expect((await refusal(dir))!.message).toContain(`setup-dind-${uid} is not a directory`);
  });

  it('refuses a temp dir on a path others can write, unless sticky; and one that does not exist', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const error = await refusal(shared);
    expect(error!.message).toBe(
      `The state directory ${shared}/setup-dind-${uid} is not safe to use: ${shared} can be written by others (mode 0777) and is not sticky, so someone else could plant the state "setup-dind down" follows.`,
    );
    expect(error!.hint).toBe('Set TMPDIR to a directory of your own, or pass --state FILE.');
    expect(existsSync(join(shared, `setup-dind-${uid}`))).toBe(false);
    chmodSync(shared, 0o1777);
    await expect(defaultStatePath({}, shared, uid)).resolves.toBe(join(shared, `setup-dind-${uid}`, 'local.env'));
    expect((await refusal(join(dir, 'missing')))!.message).toBe(`The temporary directory ${dir}/missing cannot be used for the state file: it does not exist.`);
  });

  it.runIf(asRoot)('refuses one another user owns, and a temp dir on a path another user (not root) owns', async () => {
    const theirs = join(dir, `setup-dind-${uid}`);
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 4242, 4242);
    expect((await refusal(dir))!.message).toBe(
      `The state directory ${theirs} is owned by uid 4242, not by you (uid 0): someone else may have made it, to read or plant the state "setup-dind down" follows.`,
    );
    expect(lstatSync(theirs).mode & 0o7777).toBe(0o700);
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign, { mode: 0o755 });
    chownSync(foreign, 4242, 4242);
    expect((await refusal(foreign))!.message).toContain(`not safe to use: ${foreign} is owned by uid 4242, not by you (uid 0) or root`);
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
