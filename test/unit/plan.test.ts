import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dockerEnvOf, envWithDocker, isEmptyPlan, parsePlan, type TeardownPlan } from '../../src/teardown/plan.js';
import { identify, labelsFor, LABELS, resourceName } from '../../src/engine/identity.js';

function plan(overrides: Partial<TeardownPlan> = {}): TeardownPlan {
  return {
    version: 1,
    mode: 'dind',
    instance: 'a1b2c3d4e5',
    stage: 'starting',
    dockerEnv: {},
    containers: ['setup-dind-1-a1b2c3d4e5'],
    volumes: ['setup-dind-1-a1b2c3d4e5-data'],
    paths: [],
    ...overrides,
  };
}

describe('dockerEnvOf', () => {
  it('picks only the non-empty DOCKER_* variables', () => {
    expect(
      dockerEnvOf({
        DOCKER_HOST: 'unix:///var/run/docker.sock',
        DOCKER_CONTEXT: '',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: '/certs',
        DOCKER_CONFIG: '/home/me/.docker',
        DOCKER_API_VERSION: undefined,
        DOCKER_BUILDKIT: '1',
        PATH: '/usr/bin',
        HOME: '/home/me',
      }),
    ).toEqual({
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs',
      DOCKER_CONFIG: '/home/me/.docker',
    });
  });

  it('is empty for an environment without Docker variables', () => {
    expect(dockerEnvOf({ PATH: '/usr/bin' })).toEqual({});
  });
});

describe('envWithDocker', () => {
  it('removes DOCKER_HOST in post when main had none (the job env points at the DinD daemon)', () => {
    const jobEnv = { PATH: '/usr/bin', HOME: '/home/runner', DOCKER_HOST: 'tcp://127.0.0.1:32768' };
    const env = envWithDocker(jobEnv, {});
    expect(env).not.toHaveProperty('DOCKER_HOST');
    expect(env.PATH).toBe('/usr/bin');
    expect(env.HOME).toBe('/home/runner');
  });

  it('restores the DOCKER_HOST main had', () => {
    const env = envWithDocker({ PATH: '/usr/bin', DOCKER_HOST: 'tcp://127.0.0.1:32768' }, { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' });
    expect(env.DOCKER_HOST).toBe('unix:///run/user/1000/docker.sock');
    expect(env.PATH).toBe('/usr/bin');
  });

  it('replaces every DOCKER_* selection variable, and keeps the others', () => {
    const env = envWithDocker(
      { DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_CONTEXT: 'dind', DOCKER_TLS_VERIFY: '1', DOCKER_BUILDKIT: '1', CI: 'true' },
      { DOCKER_CONFIG: '/cfg' },
    );
    expect(env).toEqual({ DOCKER_CONFIG: '/cfg', DOCKER_BUILDKIT: '1', CI: 'true' });
  });

  it('does not mutate the given environment', () => {
    const jobEnv = { DOCKER_HOST: 'tcp://127.0.0.1:1' };
    envWithDocker(jobEnv, {});
    expect(jobEnv).toEqual({ DOCKER_HOST: 'tcp://127.0.0.1:1' });
  });

  it('round-trips with dockerEnvOf', () => {
    const mainEnv = { DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_CONTEXT: 'default', X: 'y' };
    const postEnv = envWithDocker({ DOCKER_HOST: 'tcp://127.0.0.1:5000', X: 'y' }, dockerEnvOf(mainEnv));
    expect(postEnv).toEqual(mainEnv);
  });
});

describe('parsePlan', () => {
  it('gives undefined for nothing saved', () => {
    expect(parsePlan('')).toBeUndefined();
    expect(parsePlan('  \n')).toBeUndefined();
  });

  it('round-trips a valid plan', () => {
    const saved = plan({ stage: 'ready', dockerEnv: { DOCKER_HOST: 'unix:///var/run/docker.sock' }, paths: ['/tmp/x'] });
    expect(parsePlan(JSON.stringify(saved))).toEqual(saved);
  });

  it('round-trips a plan with a clean stop and a docker context', () => {
    const saved = plan({ stage: 'ready', containers: ['setup-dind-cache-c'], stopSeconds: 30, contexts: ['ci-dind'] });
    expect(parsePlan(JSON.stringify(saved))).toEqual(saved);
  });

  it('round-trips arbitrary valid plans', () => {
    const names = fc.array(fc.string(), { maxLength: 4 });
    fc.assert(
      fc.property(
        fc.record({
          instance: fc.string(),
          stage: fc.constantFrom('starting' as const, 'ready' as const, 'done' as const),
          containers: names,
          volumes: names,
          paths: names,
          host: fc.option(fc.string(), { nil: undefined }),
        }),
        ({ host, ...rest }) => {
          const saved = plan({ ...rest, dockerEnv: host === undefined ? {} : { DOCKER_HOST: host } });
          expect(parsePlan(JSON.stringify(saved))).toEqual(saved);
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each(['{', 'not json', '{"version":1,'])('throws on garbage %j', (text) => {
    expect(() => parsePlan(text)).toThrow();
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an array', []],
    ['a wrong version', { ...plan(), version: 2 }],
    ['no mode', { ...plan(), mode: undefined }],
    ['a numeric instance', { ...plan(), instance: 7 }],
    ['a null dockerEnv', { ...plan(), dockerEnv: null }],
    ['containers not an array', { ...plan(), containers: 'setup-dind-1-x' }],
    ['a non-string volume', { ...plan(), volumes: [1] }],
    ['no paths', { ...plan(), paths: undefined }],
    ['a non-numeric stopSeconds', { ...plan(), stopSeconds: '30' }],
    ['contexts not an array', { ...plan(), contexts: 'ci' }],
  ])('throws on a plan with %s', (_what, value) => {
    expect(() => parsePlan(JSON.stringify(value))).toThrow(/unexpected shape/);
  });
});

describe('isEmptyPlan', () => {
  it('is true when there is nothing to remove', () => {
    expect(isEmptyPlan(plan({ containers: [], volumes: [], paths: [] }))).toBe(true);
  });

  it.each([
    ['a container', { containers: ['c'], volumes: [], paths: [] }],
    ['a volume', { containers: [], volumes: ['v'], paths: [] }],
    ['a path', { containers: [], volumes: [], paths: ['/tmp/p'] }],
    ['a docker context', { containers: [], volumes: [], paths: [], contexts: ['ci'] }],
  ])('is false with %s left', (_what, lists) => {
    expect(isEmptyPlan(plan(lists))).toBe(false);
  });
});

describe('identity', () => {
  const github = {
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: '987654321',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_REPOSITORY: 'octo/repo',
    GITHUB_JOB: 'build',
  };

  it('identifies a GitHub Actions job', () => {
    const identity = identify(github, 'abc123');
    expect(identity.owner.startsWith('github:')).toBe(true);
    expect(identity.owner).toBe('github:octo/repo/run/987654321/attempt/2/job/build');
    expect(identity.jobId).toBe('987654321');
    expect(identity.instance).toBe('abc123');
  });

  it('identifies a GitLab CI job', () => {
    const identity = identify({ GITLAB_CI: 'true', CI_JOB_ID: '5551', CI_PROJECT_PATH: 'group/project' });
    expect(identity.owner.startsWith('gitlab:')).toBe(true);
    expect(identity.owner).toBe('gitlab:group/project/job/5551');
    expect(identity.jobId).toBe('5551');
  });

  it('identifies a local process otherwise', () => {
    const identity = identify({ CI: 'true', PATH: '/usr/bin' });
    expect(identity.owner.startsWith('local:')).toBe(true);
    expect(identity.owner).toContain(`/pid/${process.pid}`);
    expect(identity.jobId).toBe('');
  });

  it('gives a fresh random instance to each call', () => {
    const a = identify(github);
    const b = identify(github);
    expect(a.instance).toMatch(/^[0-9a-f]{10}$/);
    expect(a.instance).not.toBe(b.instance);
  });

  it('resourceName is a valid Docker object name for any run id', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (runId) => {
        const identity = identify({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: runId });
        expect(identity.owner.startsWith('github:')).toBe(true);
        expect(identity.jobId).toBe(runId);
        const name = resourceName(identity);
        expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
        expect(`${name}-data`).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
        expect(name.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 200 },
    );
  });

  it('resourceName differs between two identities of the same job', () => {
    fc.assert(
      fc.property(fc.string(), (runId) => {
        const env = { GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: runId };
        expect(resourceName(identify(env))).not.toBe(resourceName(identify(env)));
      }),
      { numRuns: 100 },
    );
  });

  it('resourceName puts the job id in the name for people', () => {
    expect(resourceName({ owner: 'x', jobId: '1234', instance: 'abc' })).toBe('setup-dind-1234-abc');
    expect(resourceName({ owner: 'x', jobId: '', instance: 'abc' }, '-data')).toBe('setup-dind-abc-data');
  });

  it('labelsFor names owner, instance, role and creation time in seconds', () => {
    expect(labelsFor({ owner: 'github:o/r', jobId: '1', instance: 'abc' }, 'data', 1_700_000_000_999)).toEqual({
      [LABELS.owner]: 'github:o/r',
      [LABELS.instance]: 'abc',
      [LABELS.role]: 'data',
      [LABELS.created]: '1700000000',
    });
  });
});
