/**
 * testcontainers-node, as a job uses it (its own process, the job's
 * environment, Ryuk on): a container with an exposed port, reached at
 * getHost():getMappedPort(), in every DinD transport. Nothing is set for it
 * but what the action exports.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { lastJson, runClient } from '../support/clients.js';
import { DOCKER_MISSING, docker, leftovers, socketForwarder, until } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

/** The Ryuk image testcontainers 11 starts (the host has the stand-in; the DinD daemon gets it with load-images). */
const RYUK = 'testcontainers/ryuk:0.14.0';

describe.skipIf(DOCKER_MISSING !== undefined)('testcontainers with Ryuk, unchanged (mode dind)', () => {
  const newJob = useJobs();

  for (const transport of [{ transport: 'tcp' }, { transport: 'tcp', tls: 'true' }, { transport: 'unix' }]) {
    const name = transport.tls ? 'tls' : transport.transport;
    const leave = name === 'tcp';
    it(`${name}: a mapped port answers at getHost():getMappedPort()${leave ? ', and Ryuk reaps what the test left' : ''}`, async () => {
      const job = newJob();
      const main = await job.main({ ...transport, 'load-images': `busybox ${RYUK}` });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const env = job.stepEnv();
      const run = await runClient('testcontainers', env, leave ? ['--leave'] : []);
      expect(run.code, run.stderr).toBe(0);
      const result = lastJson<{ url: string; body: string; id: string }>(run);
      expect(result.body).toBe('hello from testcontainers\n');
      expect(result.url).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+\//);
      // Ryuk removes what the test left once the test's process is gone (after its reconnection timeout).
      const gone = async () => (await docker(['ps', '--all', '--quiet', '--filter', `id=${result.id}`], env)) === '';
      expect(await until(gone, 60_000)).toBe(true);
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    });
  }
});

describe.skipIf(DOCKER_MISSING !== undefined)('testcontainers with Ryuk, unchanged (modes dood and attach)', () => {
  const newJob = useJobs();

  /** Runs the client with the job's environment, expects its web page, and that Ryuk reaps the container left behind. */
  async function clientWorks(env: NodeJS.ProcessEnv): Promise<void> {
    const run = await runClient('testcontainers', env, ['--leave']);
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson<{ body: string; id: string }>(run);
    expect(result.body).toBe('hello from testcontainers\n');
    const gone = async () => (await docker(['ps', '--all', '--quiet', '--filter', `id=${result.id}`])) === '';
    expect(await until(gone, 60_000)).toBe(true);
  }

  for (const policy of ['none', 'no-privileged', 'strict']) {
    it(`dood, policy ${policy}`, async () => {
      const job = newJob();
      const main = await job.main({ mode: 'dood', 'dood-policy': policy });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      await clientWorks(job.stepEnv());
      expect((await job.post()).code).toBe(0);
      expect(await leftovers(job)).toEqual([]);
    });
  }

  it('attach over TCP and over a unix socket', async () => {
    const forwarder = await socketForwarder();
    try {
      for (const host of [forwarder.dockerHost, 'unix:///var/run/docker.sock']) {
        const job = newJob();
        const main = await job.main({ mode: 'attach', 'docker-host': host });
        expect(main.code, main.stdout + main.stderr).toBe(0);
        await clientWorks(job.stepEnv());
        expect((await job.post()).code).toBe(0);
        expect(await leftovers(job)).toEqual([]);
      }
    } finally {
      await forwarder.close();
    }
  });
});

describe.skipIf(DOCKER_MISSING !== undefined)('Ryuk in dood strict reaps only the job\'s own objects', () => {
  const newJob = useJobs();

  /** Connects to Ryuk, sends one filter line, waits for its ACK and leaves (Ryuk reaps once no client is left). */
  function sendFilter(port: number, filter: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`${filter}\n`));
      socket.setEncoding('utf8').on('data', (answer: string) => {
        socket.end();
        resolve(answer.trim());
      });
      socket.on('error', reject);
    });
  }

  it('a filter that matches another job\'s container, network and volume removes only the job\'s', async () => {
    const job = newJob();
    const main = await job.main({ mode: 'dood', 'dood-policy': 'strict' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env: NodeJS.ProcessEnv = job.stepEnv();
    const label = `setup-dind-test.ryuk=${randomUUID()}`;
    // Another job's objects (made on the host daemon directly, so without this job's labels) and the job's own.
    const foreign = {
      container: await docker(['create', '--label', label, 'busybox', 'true']),
      network: await docker(['network', 'create', '--label', label, `theirs-${randomUUID().slice(0, 8)}`]),
      volume: await docker(['volume', 'create', '--label', label]),
    };
    try {
      await docker(['create', '--label', label, 'busybox', 'true'], env);
      await docker(['network', 'create', '--label', label, `ours-${randomUUID().slice(0, 8)}`], env);
      await docker(['volume', 'create', '--label', label], env);
      // Ryuk as testcontainers starts it: the socket of DOCKER_HOST mounted, a published port.
      const socket = env.DOCKER_HOST!.replace(/^unix:\/\//, '');
      const ryuk = await docker(['run', '-d', '--rm', '-p', '127.0.0.1::8080', '-v', `${socket}:/var/run/docker.sock`, '-e', 'RYUK_RECONNECTION_TIMEOUT=1s', RYUK], env);
      const port = Number((await docker(['port', ryuk, '8080/tcp'], env)).split(':').pop());
      expect(await until(async () => (await docker(['logs', ryuk], env).catch(() => '')).includes('Started'), 30_000)).toBe(true);
      expect(await sendFilter(port, `label=${label}`)).toBe('ACK');
      // Ryuk exits when it has done its round; the job's objects are gone, the other job's are all there.
      expect(await until(async () => (await docker(['ps', '--quiet', '--filter', `id=${ryuk}`])) === '', 60_000)).toBe(true);
      for (const kind of [['ps', '--all'], ['network', 'ls'], ['volume', 'ls']]) {
        const left = (await docker([...kind, '--quiet', '--filter', `label=${label}`])).split('\n').filter(Boolean);
        expect(left, kind.join(' ')).toHaveLength(1);
      }
      expect(await docker(['inspect', '--format', '{{.Id}}', foreign.container])).toBe(foreign.container);
      expect(await docker(['network', 'inspect', '--format', '{{.Id}}', foreign.network])).toBe(foreign.network);
      expect(await docker(['volume', 'inspect', '--format', '{{.Name}}', foreign.volume])).toBe(foreign.volume);
    } finally {
      await docker(['rm', '-fv', foreign.container]).catch(() => '');
      await docker(['network', 'rm', foreign.network]).catch(() => '');
      await docker(['volume', 'rm', foreign.volume]).catch(() => '');
    }
    expect((await job.post()).code).toBe(0);
    expect(await leftovers(job)).toEqual([]);
  });
});
