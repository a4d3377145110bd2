/**
 * dood-policy strict against a job that tries to reach another job's
 * objects, through the bundled action and the real host daemon. Each attempt
 * is judged by its effect: the other job's secret is not read, its container
 * still runs, nothing it holds changed. The same requests on the job's own
 * objects work (so a refusal is the policy, not a broken request).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_MISSING, docker, leftovers } from '../support/docker.js';
import { useJobs } from '../support/jobs.js';

/** Another job's objects, made on the host daemon directly. */
const VICTIM = {
  // The daemon routes /containers/json/... to a container of that name: the name is the point.
  container: 'json',
  network: `setup-dind-e2e-victimnet-${process.pid}`,
  secret: 'the victim\'s file secret',
  envSecret: 'victim-env-secret',
  execSecret: 'victim-exec-secret',
};

/** One Engine API request on the unix socket of DOCKER_HOST in `env`: status and body. */
function api(env: NodeJS.ProcessEnv, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const socketPath = (env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      { socketPath, method, path, headers: { Host: 'docker', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/**
 * A shell command that GETs http://ADDRESS/PATH with nc, a few tries while the
 * server starts (the stand-in images' wget and name look-ups crash: static builds).
 */
function httpGet(address: string, path: string): string {
  return `for i in $(seq 30); do printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${address} 80 | grep . && exit 0; sleep 0.2; done; exit 1`;
}

/** `docker ARGS` in `env`: what it printed, whether or not it failed. */
function attempt(args: string[], env: NodeJS.ProcessEnv): { out: string; err: string } {
  try {
    return { out: execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }), err: '' };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { out: String(failed.stdout ?? ''), err: String(failed.stderr ?? '') };
  }
}

async function removeVictim(): Promise<void> {
  await docker(['rm', '-f', VICTIM.container]).catch(() => '');
  await docker(['network', 'rm', VICTIM.network]).catch(() => '');
}

describe.skipIf(DOCKER_MISSING !== undefined)('dood-policy strict against a hostile job: judged by effect', () => {
  const newJob = useJobs();
  let victimId = '';
  let victimExec = '';

  beforeAll(async () => {
    await removeVictim();
    await docker(['network', 'create', '--label', 'setup-dind-test=victim', VICTIM.network]);
    victimId = await docker([
      'run', '-d', '--name', VICTIM.container, '--label', 'setup-dind-test=victim', '--network', VICTIM.network, '-e', `SECRET=${VICTIM.envSecret}`,
      'busybox:latest', 'sh', '-c', `mkdir -p /www && echo "${VICTIM.secret}" > /www/secret && exec httpd -f -p 80 -h /www`,
    ]);
    // An exec instance the victim made and has not started: its ID shows in the event stream.
    const exec = await api(process.env, 'POST', `/containers/${victimId}/exec`, { Cmd: ['sh', '-c', 'echo pwned > /pwned'], Env: [`EXEC_SECRET=${VICTIM.execSecret}`] });
    victimExec = (JSON.parse(exec.text) as { Id: string }).Id;
  });

  afterAll(removeVictim);

  /** The victim is untouched: still running, its exec never started, no /pwned. */
  async function expectVictimUntouched(): Promise<void> {
    expect(await docker(['inspect', '--format', '{{.State.Running}} {{.Id}}', VICTIM.container])).toBe(`true ${victimId}`);
    expect(attempt(['exec', VICTIM.container, 'cat', '/pwned'], process.env).out).toBe('');
    expect((await api(process.env, 'GET', `/exec/${victimExec}/json`)).text).toMatch(/"Running":false/);
  }

  it('another job\'s container is reached by no path form: a name the router treats specially, an ID prefix, its exec instance', async () => {
    const job = newJob();
    expect((await job.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
    const env = job.stepEnv();

    // /containers/json is the list; DELETE /containers/json removes the container named json.
    expect((await api(env, 'DELETE', '/containers/json?force=1')).status).toBe(403);
    expect((await api(env, 'POST', '/containers/json/kill')).status).toBe(403);
    // An ID prefix is resolved to the container it names, and checked.
    expect(attempt(['exec', victimId.slice(0, 12), 'cat', '/www/secret'], env).out).not.toContain(VICTIM.secret);
    expect((await api(env, 'GET', `/containers/${victimId.slice(0, 8)}/archive?path=/www/secret`)).text).not.toContain(VICTIM.secret);
    // Its exec instance: not inspected (command line and environment), not started.
    expect((await api(env, 'GET', `/exec/${victimExec}/json`)).text).not.toContain(VICTIM.execSecret);
    expect((await api(env, 'POST', `/exec/${victimExec}/start`, { Detach: true })).status).toBe(403);
    // An endpoint the proxy does not know is refused, naming it.
    expect((await api(env, 'POST', '/containers/json/copy', { Resource: '/www/secret' })).text).toContain('is not an Engine API endpoint the proxy knows');
    await expectVictimUntouched();

    // The job's own: the same requests work.
    const mine = await docker(['run', '-d', 'busybox:latest', 'sleep', '300'], env);
    expect(attempt(['exec', mine.slice(0, 12), 'echo', 'own exec'], env).out).toContain('own exec');
    expect((await api(env, 'DELETE', `/containers/${mine.slice(0, 10)}?force=1`)).status).toBe(204);
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('a new container reaches another job\'s container through no link or network: its environment and its service stay unread', async () => {
    const job = newJob();
    expect((await job.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
    const env = job.stepEnv();

    // A legacy link copies the linked container's environment into the new one.
    const linked = attempt(['run', '--rm', '--link', `${VICTIM.container}:v`, 'busybox:latest', 'env'], env);
    expect(linked.out).not.toContain(VICTIM.envSecret);
    expect(linked.err).toMatch(/setup-dind dood-policy strict: --link json:v \(container json\) is not allowed/);
    // Its network, named at create, by name and by ID prefix.
    const networkId = await docker(['network', 'inspect', '--format', '{{.Id}}', VICTIM.network]);
    // By address: the stand-in busybox cannot resolve names (a static build).
    const victimIp = await docker(['inspect', '--format', `{{(index .NetworkSettings.Networks "${VICTIM.network}").IPAddress}}`, VICTIM.container]);
    for (const network of [VICTIM.network, networkId.slice(0, 12)]) {
      const joined = attempt(['run', '--rm', '--network', network, 'busybox:latest', 'sh', '-c', httpGet(victimIp, '/secret')], env);
      expect(joined.out, network).not.toContain(VICTIM.secret);
      expect(joined.err, network).toMatch(/setup-dind dood-policy strict: --network .* is not allowed/);
    }
    // Its network as a second endpoint (the API form compose uses).
    const created = await api(env, 'POST', '/containers/create', {
      Image: 'busybox:latest', Cmd: ['sh', '-c', httpGet(victimIp, '/secret')],
      NetworkingConfig: { EndpointsConfig: { [VICTIM.network]: {} } },
    });
    expect(created.status).toBe(403);
    await expectVictimUntouched();

    // The job's own network and a link to its own container work.
    await docker(['network', 'create', `e2e-own-${job.runId}`], env);
    await docker(['run', '-d', '--name', `e2e-own-web-${job.runId}`, '--network', `e2e-own-${job.runId}`, 'busybox:latest', 'sh', '-c', 'mkdir /www && echo own page > /www/p && exec httpd -f -p 80 -h /www'], env);
    const ownIp = await docker(['inspect', '--format', `{{(index .NetworkSettings.Networks "e2e-own-${job.runId}").IPAddress}}`, `e2e-own-web-${job.runId}`], env);
    const own = attempt(['run', '--rm', '--network', `e2e-own-${job.runId}`, 'busybox:latest', 'sh', '-c', httpGet(ownIp, '/p')], env);
    expect(own.out, own.err).toContain('own page');
    // Legacy links work on the default bridge only.
    await docker(['run', '-d', '--name', `e2e-own-linked-${job.runId}`, '-e', 'OWN=own-env', 'busybox:latest', 'sleep', '300'], env);
    const ownLink = attempt(['run', '--rm', '--link', `e2e-own-linked-${job.runId}:w`, 'busybox:latest', 'env'], env);
    expect(ownLink.out, ownLink.err).toContain('W_ENV_OWN=own-env');
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('a container the daemon restarts on its own, after its bind source became a link out of the job\'s paths, is killed before it reads there', async () => {
    const job = newJob();
    expect((await job.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
    const env: NodeJS.ProcessEnv = job.stepEnv();
    const outside = mkdtempSync(join(tmpdir(), 'setup-dind-e2e-outside-'));
    const source = join(job.runnerTemp!, 'src');
    try {
      writeFileSync(join(outside, 'marker'), 'the host\'s file\n');
      mkdirSync(source);
      writeFileSync(join(source, 'own'), 'the job\'s file\n');
      // The first run (its source checked at create and start) exits 1 after a second; the daemon restarts it with no request.
      const script = 'if [ -e /src/own ]; then sleep 1; exit 1; fi; sleep 2; cat /src/marker; sleep 300';
      const id = await docker(['run', '-d', '--restart', 'on-failure:5', '-v', `${source}:/src`, 'busybox:latest', 'sh', '-c', script], env);
      renameSync(source, `${source}.before`);
      symlinkSync(outside, source);
      let state = '';
      for (let i = 0; i < 100 && !/^false 137 no /.test(state); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = await docker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.RestartCount}}', id], env);
      }
      // Killed (137) on its restart, the policy set to no so it stays down; the host's file never read.
      expect(state).toBe('false 137 no 1');
      expect(await docker(['logs', id], env)).not.toContain('the host\'s file');
      const proxyLog = readFileSync(join(dirname(env.DOCKER_HOST!.replace(/^unix:\/\//, '')), 'proxy.log'), 'utf8');
      expect(proxyLog).toMatch(new RegExp(`killed container \\S+ \\(started\\): setup-dind dood-policy strict: the mount at /src in the container is not allowed \\(the daemon mounted the host's ${outside}`));
      rmSync(source);
      rmSync(`${source}.before`, { recursive: true });
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('an image tag that was there before the job is neither replaced (tag, load) nor removed; the job\'s own tags are', async () => {
    const before = await docker(['image', 'inspect', '--format', '{{.Id}}', 'docker:dind']);
    const dir = mkdtempSync(join(tmpdir(), 'setup-dind-e2e-load-'));
    try {
      // An archive of busybox whose manifest names docker:dind: a load would make the next DinD job run it.
      execFileSync('sh', ['-c', `cd "${dir}" && docker save busybox:latest | tar -x && rm -f repositories`]);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ RepoTags: string[] }>;
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest.map((image) => ({ ...image, RepoTags: ['docker:dind'] }))));
      execFileSync('sh', ['-c', `cd "${dir}" && tar -cf ../evil-${process.pid}.tar . && mv ../evil-${process.pid}.tar evil.tar`]);
      const job = newJob();
      expect((await job.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
      const env = job.stepEnv();
      const tagged = attempt(['tag', 'busybox:latest', 'docker:dind'], env);
      expect(tagged.err).toMatch(/setup-dind dood-policy strict: tagging docker.io\/library\/docker:dind is not allowed/);
      const loaded = execFileSync('sh', ['-c', `docker load -i "${dir}/evil.tar" 2>&1 || true`], { env, encoding: 'utf8' });
      expect(loaded).toMatch(/setup-dind dood-policy strict: loading docker.io\/library\/docker:dind is not allowed/);
      expect(attempt(['rmi', 'docker:dind'], env).err).toMatch(/setup-dind dood-policy strict: untagging docker.io\/library\/docker:dind is not allowed/);
      expect(await docker(['image', 'inspect', '--format', '{{.Id}}', 'docker:dind'])).toBe(before);

      // A tag of the job's own: made, moved and removed.
      const own = `setup-dind-e2e/own:${job.runId}`;
      expect(attempt(['tag', 'busybox:latest', own], env).err).toBe('');
      expect(attempt(['tag', 'alpine:latest', own], env).err).toBe('');
      expect(attempt(['rmi', own], env).err).toBe('');
      await job.post();
      expect(await leftovers(job)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a tag another job created while this one runs is not this job\'s; two jobs creating one tag at once: one gets it', async () => {
    const [a, b] = [newJob(), newJob()];
    expect((await a.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
    expect((await b.main({ mode: 'dood', 'dood-policy': 'strict' })).code).toBe(0);
    const [envA, envB] = [a.stepEnv(), b.stepEnv()];
    const idOf = (image: string) => docker(['image', 'inspect', '--format', '{{.Id}}', image]);
    const [busybox, alpine] = [await idOf('busybox:latest'), await idOf('alpine:latest')];

    // A's tag, made after B's proxy started: B may neither move nor remove it.
    const shared = `setup-dind-e2e/shared:${a.runId}`;
    expect(attempt(['tag', 'busybox:latest', shared], envA).err).toBe('');
    expect(attempt(['tag', 'alpine:latest', shared], envB).err).toMatch(/tagging docker\.io\/setup-dind-e2e\/shared:\S+ is not allowed \(another job created or is creating this tag/);
    expect(attempt(['rmi', shared], envB).err).toMatch(/untagging docker\.io\/setup-dind-e2e\/shared:\S+ is not allowed/);
    expect(await idOf(shared)).toBe(busybox);

    // Both at once, each from its own image: the tag is the image of the one that was allowed.
    const raced = `setup-dind-e2e/raced:${a.runId}`;
    const failure = (args: string[], env: NodeJS.ProcessEnv) => new Promise<string>((resolve) => execFile('docker', args, { env }, (error, _out, err) => resolve(error ? err : '')));
    const [byA, byB] = await Promise.all([failure(['tag', 'busybox:latest', raced], envA), failure(['tag', 'alpine:latest', raced], envB)]);
    expect([byA, byB].filter((err) => err === '')).toHaveLength(1);
    expect(await idOf(raced)).toBe(byA === '' ? busybox : alpine);

    // The claims go with the jobs: afterwards the tags are nobody's, and nothing of either job is left.
    await a.post();
    await b.post();
    for (const job of [a, b]) expect(await leftovers(job)).toEqual([]);
    await docker(['image', 'rm', shared, raced]);
  });
});
