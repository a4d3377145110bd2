/**
 * Input `mtu` through the bundled action: the inner daemon's default bridge
 * and the networks the job creates get the MTU (Docker 24+), or the default
 * bridge only with a warning on an older or unknown engine. `auto` is run in
 * a job container on a network of a smaller MTU, as a job in a pod on an
 * overlay would be.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type ActionsJob } from '../../scripts/actions-runner.mjs';
import { dockerMajor } from '../../src/modes/dind/image.js';
import { DOCKER_MISSING, buildJobImage, docker, leftovers } from '../support/docker.js';
import { ENGINES_TO_TEST } from '../support/engines.js';
import { useJobs } from '../support/jobs.js';

const JOB_IMAGE = 'setup-dind-test/mtu-job:1';
const TEST_LABEL = 'setup-dind-test=mtu';
const MTU_OPTION = 'com.docker.network.driver.mtu';

/** What the inner daemon shows: the bridge option and a container's eth0 on the default bridge and on a new network. */
async function innerMtus(env: NodeJS.ProcessEnv, withContainers: boolean) {
  const optionOf = async (network: string) =>
    (JSON.parse(await docker(['network', 'inspect', '--format', '{{json .Options}}', network], env)) as Record<string, string> | null)?.[MTU_OPTION];
  await docker(['network', 'create', 'job-net'], env);
  const eth0 = (network: string) => docker(['run', '--rm', '--network', network, 'busybox:latest', 'cat', '/sys/class/net/eth0/mtu'], env);
  return {
    bridgeOption: await optionOf('bridge'),
    jobNetOption: await optionOf('job-net'),
    bridgeEth0: withContainers ? await eth0('bridge') : undefined,
    jobNetEth0: withContainers ? await eth0('job-net') : undefined,
  };
}

/** The dockerd arguments the DinD container was started with. */
async function daemonArgs(containerId: string): Promise<string[]> {
  return JSON.parse(await docker(['inspect', '--format', '{{json .Args}}', containerId])) as string[];
}

describe.skipIf(DOCKER_MISSING !== undefined)('MTU of the inner daemon', () => {
  const newJob = useJobs();

  beforeAll(async () => {
    await docker(['image', 'inspect', 'busybox:latest']);
  });

  it.each(ENGINES_TO_TEST)('$name: a forced MTU reaches the default bridge, and networks the job creates on Docker 24+ (else a warning says how)', async ({ image }) => {
    const job = newJob();
    const main = await job.main({ image, mtu: '1400', 'load-images': 'busybox:latest' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toMatch(/Inner networks get MTU 1400 \(input mtu; /);
    const modern = (dockerMajor(main.outputs['server-version']) ?? 0) >= 24;
    const args = await daemonArgs(main.outputs['container-id']!);
    expect(args).toContain('--mtu=1400');

    const seen = await innerMtus(job.stepEnv(), true);
    expect(seen.bridgeOption).toBe('1400');
    expect(seen.bridgeEth0).toBe('1400');
    if (modern) {
      expect(args).toContain(`--default-network-opt=bridge=${MTU_OPTION}=1400`);
      expect(seen.jobNetOption).toBe('1400');
      expect(seen.jobNetEth0).toBe('1400');
      expect(main.warnings.join('\n')).not.toMatch(/MTU/);
    } else {
      // dockerd < 24 (or an image that does not say its version): no flag it would die on,
      // and the warning tells the user how to set the MTU per network.
      expect(args.some((arg) => arg.startsWith('--default-network-opt'))).toBe(false);
      const warning = main.warnings.find((text: string) => text.startsWith('MTU 1400 applies to the inner default bridge only'));
      expect(warning, main.warnings.join('\n')).toContain(`docker network create -o ${MTU_OPTION}=1400`);
      expect(main.summary).toContain('MTU 1400 applies to the inner default bridge only');
      expect(seen.jobNetOption).toBeUndefined();
      expect(seen.jobNetEth0).toBe('1500');
      // What the warning says works: a network created with the option gets the MTU.
      await docker(['network', 'create', '-o', `${MTU_OPTION}=1400`, 'per-net'], job.stepEnv());
      expect(await docker(['run', '--rm', '--network', 'per-net', 'busybox:latest', 'cat', '/sys/class/net/eth0/mtu'], job.stepEnv())).toBe('1400');
    }

    const post = await job.post();
    expect(post.code).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(await leftovers(job)).toEqual([]);
  });

  it('mtu off passes nothing, whatever the host has', async () => {
    const job = newJob();
    const main = await job.main({ mtu: 'off' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).not.toMatch(/Inner networks get MTU/);
    expect((await daemonArgs(main.outputs['container-id']!)).filter((arg) => /^--(mtu|default-network-opt)/.test(arg))).toEqual([]);
    expect((await innerMtus(job.stepEnv(), false)).bridgeOption).toBe('1500');
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  describe('auto, when the job runs in a container on a network of a smaller MTU', () => {
    const NETWORK = `setup-dind-test-mtu-${process.pid}`;
    const JOB_MTU = '1300';
    let jobContainer: string | undefined;

    beforeAll(async () => {
      await buildJobImage(JOB_IMAGE, { '/bin/cat': '/bin/busybox' });
      await docker(['network', 'create', '--label', TEST_LABEL, '-o', `${MTU_OPTION}=${JOB_MTU}`, NETWORK]);
    });

    afterAll(async () => {
      if (jobContainer) await docker(['rm', '-fv', jobContainer]).catch(() => {});
      await docker(['network', 'rm', NETWORK]).catch(() => {});
      await docker(['image', 'rm', JOB_IMAGE]).catch(() => {});
      // The test's own objects are gone too.
      expect(await docker(['ps', '-aq', '--filter', `label=${TEST_LABEL}`])).toBe('');
      expect(await docker(['network', 'ls', '-q', '--filter', `label=${TEST_LABEL}`])).toBe('');
    });

    /** Each step runs in the job container, as GitHub's container jobs (or a runner pod) do. */
    function inJobContainer(job: ActionsJob, container: string): void {
      job.launcher = (entry: string, env: Record<string, string>) => {
        const names = Object.keys(env).filter((name) => /^(INPUT_|STATE_|GITHUB_|RUNNER_|DOCKER_)/.test(name));
        return {
          command: 'docker',
          args: ['exec', ...names.flatMap((name) => ['-e', `${name}=${env[name]}`]), container, '/usr/local/bin/node', `/action/${entry.split('/').pop()}`],
          env: process.env as Record<string, string>,
        };
      };
    }

    it('reads the MTU of the job\'s default-route interface and gives it to the inner daemon', async () => {
      const job = newJob();
      await job.prepare();
      // The runner's files at the same path inside and out: the unix socket the
      // inner daemon creates there is reachable from the job container and from here.
      const runnerFiles = dirname(job.runnerTemp!);
      jobContainer = await docker([
        'run', '-d', '--label', TEST_LABEL, '--network', NETWORK,
        '-v', '/var/run/docker.sock:/var/run/docker.sock',
        '-v', `${runnerFiles}:${runnerFiles}`,
        '-v', `${join(ROOT, 'dist')}:/action:ro`,
        JOB_IMAGE, '/bin/sleep', '3600',
      ]);
      expect(await docker(['exec', jobContainer, '/bin/cat', '/sys/class/net/eth0/mtu'])).toBe(JOB_MTU);
      inJobContainer(job, jobContainer);

      // transport unix: a port published on the host's loopback is not the job container's loopback.
      const main = await job.main({ mtu: 'auto', transport: 'unix', 'load-images': 'busybox:latest' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      expect(main.stdout).toContain(`Inner networks get MTU ${JOB_MTU} (eth0 of this host has MTU ${JOB_MTU}; `);
      const args = await daemonArgs(main.outputs['container-id']!);
      expect(args).toContain(`--mtu=${JOB_MTU}`);
      const seen = await innerMtus(job.stepEnv(), true);
      expect(seen.bridgeOption).toBe(JOB_MTU);
      expect(seen.bridgeEth0).toBe(JOB_MTU);
      if ((dockerMajor(main.outputs['server-version']) ?? 0) >= 24) {
        // --default-network-opt: a network the job creates gets the MTU with no option of its own.
        expect(args).toContain(`--default-network-opt=bridge=${MTU_OPTION}=${JOB_MTU}`);
        expect(seen.jobNetOption).toBe(JOB_MTU);
        expect(seen.jobNetEth0).toBe(JOB_MTU);
        expect(main.warnings.join('\n')).not.toMatch(/MTU/);
      } else {
        expect(seen.jobNetOption).toBeUndefined();
        expect(main.warnings.join('\n')).toMatch(new RegExp(`MTU ${JOB_MTU} applies to the inner default bridge only`));
      }

      const post = await job.post();
      expect(post.code, post.stdout + post.stderr).toBe(0);
      expect(post.warnings).toEqual([]);
      expect(await leftovers(job)).toEqual([]);
    });
  });
});
