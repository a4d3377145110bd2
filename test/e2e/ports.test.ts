/**
 * Published ports in mode dind answer on the runner's loopback, as on a local
 * engine: the real action (main, the job's docker CLI and compose, post), a
 * real inner daemon of each engine version, a web server in an inner
 * container. Judged by what a client on the runner gets.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCKER_MISSING, buildToolImage, docker, freePort, holdPort, leftovers, listening, until } from '../support/docker.js';
import { ENGINES_TO_TEST } from '../support/engines.js';
import { useJobs } from '../support/jobs.js';
import { sh } from '../support/shell.js';

/** Serves "hello from PORT" on port 80 of an inner container (busybox httpd). */
const WEB = ['busybox', 'sh', '-c', 'mkdir -p /www && echo "hello from the inner container" > /www/index.html && exec httpd -f -p 80 -h /www'];

/** One HTTP GET of 127.0.0.1:port (or another address); resolves with the body, rejects on a refused or reset connection. */
function get(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write('GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n'));
    let data = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data.split('\r\n\r\n')[1] ?? ''));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });
}

const UDP_IMAGE = 'setup-dind-test/udp-echo:1';

/** One datagram to 127.0.0.1:port; resolves with the answer, or undefined after 200 ms without one. */
function udpRoundTrip(port: number, message: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, 200);
    socket.on('message', (answer) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer.toString('utf8'));
    });
    socket.send(message, port, '127.0.0.1');
  });
}

/** The body once the inner server answers (its process may still be starting when docker run returns, as locally). */
async function body(port: number): Promise<string> {
  let last = '';
  await until(async () => {
    last = await get(port).catch(() => '');
    return last !== '';
  }, 10_000);
  return last;
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

async function forwarderRunning(runnerTemp: string): Promise<boolean> {
  const { stdout } = await sh(`ps -eo args | grep -F -- '--setup-dind-ports=${runnerTemp}' | grep -v grep || true`, process.env);
  return stdout.trim() !== '';
}

describe.skipIf(DOCKER_MISSING !== undefined)('published ports answer on the runner\'s loopback (mode dind)', () => {
  const newJob = useJobs();

  for (const transport of [{ transport: 'tcp' }, { transport: 'tcp', tls: 'true' }, { transport: 'unix' }]) {
    const name = transport.tls ? 'tls' : transport.transport;
    it(`${name}: -p HOST:80 is listening when docker run returns, answers, and only on loopback; stop, start and rm follow`, async () => {
      const job = newJob();
      const main = await job.main({ ...transport, 'load-images': 'busybox' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const env = job.stepEnv();
      const port = await freePort();
      await docker(['run', '-d', '--name', 'web', '-p', `${port}:80`, ...WEB], env);
      // No race: the runner's port exists as soon as docker run -d returned.
      expect(await listening(port)).toBe(true);
      expect(await body(port)).toBe('hello from the inner container\n');
      expect(await docker(['port', 'web', '80/tcp'], env)).toContain(`0.0.0.0:${port}`);
      const external = externalAddress();
      if (external !== undefined) expect(await listening(port, external)).toBe(false);

      await docker(['stop', '--time', '0', 'web'], env);
      expect(await until(async () => !(await listening(port)), 5000)).toBe(true);
      await docker(['start', 'web'], env);
      expect(await listening(port)).toBe(true);
      expect(await body(port)).toBe('hello from the inner container\n');
      await docker(['rm', '--force', 'web'], env);
      expect(await until(async () => !(await listening(port)), 5000)).toBe(true);

      const post = await job.post();
      expect(post.warnings).toEqual([]);
      expect(await forwarderRunning(job.runnerTemp!)).toBe(false);
      expect(await leftovers(job)).toEqual([]);
    });
  }

  for (const engine of ENGINES_TO_TEST) {
    it(`${engine.name}: a Docker-picked port (-p 80) answers at the number docker port reports`, async () => {
      const job = newJob();
      const main = await job.main({ image: engine.image, 'load-images': 'busybox' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const env = job.stepEnv();
      await docker(['run', '-d', '--name', 'web', '-p', '80', ...WEB], env);
      const published = await docker(['port', 'web', '80/tcp'], env);
      const port = Number(/:(\d+)$/m.exec(published)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(await listening(port)).toBe(true);
      expect(await body(port)).toBe('hello from the inner container\n');
      await job.post();
      expect(await forwarderRunning(job.runnerTemp!)).toBe(false);
      expect(await leftovers(job)).toEqual([]);
    });
  }

  it('-p 127.0.0.1:HOST:80, on the DinD container\'s loopback, answers on the runner\'s loopback too', async () => {
    const job = newJob();
    const main = await job.main({ 'load-images': 'busybox' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    const port = await freePort();
    await docker(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, ...WEB], env);
    expect(await listening(port)).toBe(true);
    expect(await body(port)).toBe('hello from the inner container\n');
    await docker(['rm', '--force', 'web'], env);
    expect(await until(async () => !(await listening(port)), 5000)).toBe(true);
    await job.post();
    expect(await forwarderRunning(job.runnerTemp!)).toBe(false);
    expect(await leftovers(job)).toEqual([]);
  });

  it('a host port taken on the runner fails the container start, naming the port', async () => {
    const job = newJob();
    const main = await job.main({ 'load-images': 'busybox' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    const held = await holdPort();
    try {
      const run = await sh(`docker run -d --name web -p ${held.port}:80 busybox httpd -f -p 80`, env);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(new RegExp(`port ${held.port}/tcp is already in use on the runner`));
      expect(await docker(['ps', '--quiet', '--filter', 'name=web'], env)).toBe('');
    } finally {
      await held.close();
    }
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('compose ports: answer on the runner while the project is up, and are released by compose down', async () => {
    const job = newJob();
    const main = await job.main({ 'load-images': 'busybox' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    const port = await freePort();
    const project = join(job.runnerTemp!, '..', `compose-${job.runId}`);
    await sh(`mkdir -p '${project}'`, process.env);
    const compose = `services:\n  web:\n    image: busybox\n    command: ["sh", "-c", "mkdir -p /www && echo hello from compose > /www/index.html && exec httpd -f -p 80 -h /www"]\n    ports: ["${port}:80"]\n`;
    await sh(`cat > '${project}/compose.yaml' <<'EOF'\n${compose}EOF`, process.env);
    try {
      const up = await sh(`cd '${project}' && docker compose up -d --quiet-pull`, env);
      expect(up.code, up.stderr).toBe(0);
      expect(await listening(port)).toBe(true);
      expect(await body(port)).toBe('hello from compose\n');
      const down = await sh(`cd '${project}' && docker compose down -v`, env);
      expect(down.code, down.stderr).toBe(0);
      expect(await until(async () => !(await listening(port)), 5000)).toBe(true);
    } finally {
      await sh(`rm -rf '${project}'`, process.env);
    }
    await job.post();
    expect(await leftovers(job)).toEqual([]);
  });

  it('-p HOST:PORT/udp: a datagram to the runner\'s loopback reaches the inner container, and its answer comes back', async () => {
    // busybox has no UDP server: an image holding this machine's node, with a dgram echo.
    await buildToolImage(UDP_IMAGE, { '/usr/local/bin/node': process.execPath });
    try {
      const job = newJob();
      const main = await job.main({ 'load-images': UDP_IMAGE });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const env = job.stepEnv();
      const port = await freePort();
      const echo = "const s = require('dgram').createSocket('udp4'); s.on('message', (m, r) => s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address)); s.bind(5353);";
      await docker(['run', '-d', '--name', 'udp', '-p', `${port}:5353/udp`, UDP_IMAGE, '/usr/local/bin/node', '-e', echo], env);
      expect(await docker(['port', 'udp', '5353/udp'], env)).toContain(`0.0.0.0:${port}`);
      let answer: string | undefined;
      for (let attempt = 0; attempt < 50 && answer === undefined; attempt++) answer = await udpRoundTrip(port, 'ping');
      expect(answer).toBe('echo:ping');
      await docker(['rm', '--force', 'udp'], env);
      expect((await job.post()).warnings).toEqual([]);
      expect(await leftovers(job)).toEqual([]);
    } finally {
      await docker(['image', 'rm', UDP_IMAGE]).catch(() => '');
    }
  });

  it('post tears down cleanly when the forwarder died', async () => {
    const job = newJob();
    const main = await job.main({});
    expect(main.code, main.stdout + main.stderr).toBe(0);
    await sh(`pkill -KILL -f -- '--setup-dind-ports=${job.runnerTemp!}'`, process.env);
    expect(await until(async () => !(await forwarderRunning(job.runnerTemp!)), 5000)).toBe(true);
    const post = await job.post();
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(await leftovers(job)).toEqual([]);
  });

  it('post stops the forwarder also when the DinD daemon died', async () => {
    const job = newJob();
    const main = await job.main({});
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(await forwarderRunning(job.runnerTemp!)).toBe(true);
    await docker(['kill', main.outputs['container-id']!]);
    const post = await job.post();
    expect(post.code).toBe(0);
    expect(await forwarderRunning(job.runnerTemp!)).toBe(false);
    expect(await leftovers(job)).toEqual([]);
  });
});
