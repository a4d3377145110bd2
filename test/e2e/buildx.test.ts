/**
 * `docker buildx` (the real plugin), unchanged, with nothing but the
 * environment the action exports (job.stepEnv()), in the job's workspace and
 * with the job's own CLI configuration (HOME, so ~/.docker/buildx and
 * ~/.docker/contexts are the job's):
 *
 * - `buildx build` on the default builder (docker driver) of the job's
 *   endpoint, by default and with --load: the job's daemon has the image and
 *   runs it.
 * - `buildx create --driver docker-container`: its node's endpoint is the
 *   job's daemon. Bootstrapping needs moby/buildkit from a registry, which is
 *   out of reach here, so a stand-in container of the name buildx gives its
 *   BuildKit container is put in the job's daemon: buildx finds it there (the
 *   node is no longer "inactive") and `buildx rm` removes it there.
 * - With TLS, plain `buildx create --driver docker-container` refuses ("could
 *   not create a builder instance with TLS data loaded from environment"), and
 *   docker/setup-buildx-action's way round works: `docker context create
 *   buildx-<uuid>` (the environment's endpoint and TLS material in a named
 *   context), then `buildx create --driver docker-container <that context>`.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionsJob } from '../../scripts/actions-runner.mjs';
import { DOCKER_MISSING, cliPluginMissing, docker, leftovers, ownerOf } from '../support/docker.js';
import { expectCleanPost, useJobs, withOwnHome } from '../support/jobs.js';
import { sh } from '../support/shell.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/buildx/', import.meta.url));
/** What the fixture's image prints. */
const OUTPUT = "from the build context\nRUN in the job's builder\n";
const PLAIN_CREATE_WITH_TLS = /could not create a builder instance with TLS data loaded from environment/;

const BUILDX_MISSING = cliPluginMissing('buildx');
/** No buildx plugin skips the file on a developer's machine; with CI=true the tests run, and fail. */
const SKIP = DOCKER_MISSING !== undefined || (BUILDX_MISSING !== undefined && process.env.CI !== 'true');

/** Images the tests built, which a failed DooD test may have left on the host daemon. */
const IMAGES: string[] = [];

/** Protobuf, just enough for a crafted BuildKit request: a length-delimited field. */
function protoBytes(no: number, bytes: Buffer): Buffer {
  const varint = (value: number) => {
    const out: number[] = [];
    for (; value > 127; value >>>= 7) out.push((value & 127) | 128);
    out.push(value);
    return Buffer.from(out);
  };
  return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
}
const protoString = (no: number, text: string) => protoBytes(no, Buffer.from(text));
const protoMessage = protoBytes;

/** One gRPC call on BuildKit's /grpc through DOCKER_HOST (a unix socket), as buildx makes it: its grpc-status and message. */
async function grpcCall(dockerHost: string, path: string, message: Buffer): Promise<{ status: string; message: string }> {
  const socket = net.connect(new URL(dockerHost).pathname);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write('POST /grpc HTTP/1.1\r\nHost: docker\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n');
  let head = Buffer.alloc(0);
  while (!head.includes('\r\n\r\n')) head = Buffer.concat([head, (await once(socket, 'data'))[0] as Buffer]);
  expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
  socket.pause();
  const rest = head.subarray(head.indexOf('\r\n\r\n') + 4);
  if (rest.length > 0) socket.unshift(rest);
  const session = http2.connect('http://docker', { createConnection: () => socket });
  try {
    return await new Promise((resolve, reject) => {
      const call = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      let answer: http2.IncomingHttpHeaders = {};
      call.on('response', (headers) => (answer = { ...answer, ...headers }));
      call.on('trailers', (trailers) => (answer = { ...answer, ...trailers }));
      call.on('error', reject);
      call.resume();
      call.on('close', () => resolve({ status: String(answer['grpc-status'] ?? ''), message: decodeURIComponent(String(answer['grpc-message'] ?? '')) }));
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(message.length, 1);
      call.end(Buffer.concat([frame, message]));
    });
  } finally {
    session.destroy();
    socket.destroy();
  }
}

/** The job's HOME (its CLI configuration) and GITHUB_WORKSPACE (the fixture), as a runner gives them, set before main. */
async function prepareJob(job: ActionsJob): Promise<{ home: string; workspace: string }> {
  await job.prepare();
  const home = await withOwnHome(job);
  const workspace = join(job.runnerTemp!, '..', 'workspace');
  await cp(FIXTURE, workspace, { recursive: true });
  job.baseEnv.GITHUB_WORKSPACE = workspace;
  return { home, workspace };
}

/** Entries of a directory, [] when it does not exist. */
async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Builders and contexts the job's CLI configuration holds (buildx's own build records and activity are not objects of the job's). */
async function madeInConfig(home: string): Promise<string[]> {
  const config = join(home, '.docker');
  return [
    ...(await entries(join(config, 'buildx', 'instances'))).map((name) => `builder ${name}`),
    ...(await entries(join(config, 'contexts', 'meta'))).map((name) => `context ${name}`),
    ...(await entries(join(config, 'contexts', 'tls'))).map((name) => `context TLS material ${name}`),
  ];
}

interface Endpoint {
  /** The job's daemon is the runner's own (DooD): an image or container the job makes is also the host's. */
  hostDaemon: boolean;
}

/** `buildx build` on the default builder, by default and with --load; the job's docker runs the image. */
async function buildOnDefaultBuilder(env: NodeJS.ProcessEnv, workspace: string, tag: string, { hostDaemon }: Endpoint): Promise<void> {
  expect(BUILDX_MISSING, 'CI=true requires the docker buildx plugin').toBeUndefined();
  IMAGES.push(tag, `${tag}-load`);
  const inspect = await sh('docker buildx inspect', env);
  expect(inspect.code, inspect.stderr).toBe(0);
  expect(inspect.stdout).toMatch(/^Driver:\s+docker$/m);

  const build = await sh(`cd '${workspace}' && docker buildx build --tag '${tag}' .`, env);
  expect(build.code, `docker buildx build: ${build.stderr}`).toBe(0);
  expect(await docker(['run', '--rm', tag], env)).toBe(OUTPUT.trim());
  const load = await sh(`cd '${workspace}' && docker buildx build --load --tag '${tag}-load' .`, env);
  expect(load.code, `docker buildx build --load: ${load.stderr}`).toBe(0);
  expect(await docker(['run', '--rm', `${tag}-load`], env)).toBe(OUTPUT.trim());

  // Built by the job's daemon: the runner's has the image only when it is the job's (DooD).
  const onHost = spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0;
  expect(onHost, 'the image is on the runner\'s daemon').toBe(hostDaemon);
  await docker(['image', 'rm', tag, `${tag}-load`], env);
}

/**
 * A docker-container builder on the job's endpoint: created (from the
 * environment, or with TLS through a context as docker/setup-buildx-action
 * does), its node's endpoint the job's daemon, found there, removed there.
 */
async function dockerContainerBuilder(env: NodeJS.ProcessEnv, home: string, name: string, { hostDaemon }: Endpoint): Promise<void> {
  expect(BUILDX_MISSING, 'CI=true requires the docker buildx plugin').toBeUndefined();
  const tls = env.DOCKER_TLS_VERIFY === '1';
  let endpoint = env.DOCKER_HOST!;
  let context: string | undefined;
  const plain = await sh(`docker buildx create --driver docker-container --name '${name}'`, env);
  if (tls) {
    // buildx refuses the environment's TLS material; setup-buildx-action copies it into a context.
    expect(plain.code, plain.stdout).not.toBe(0);
    expect(plain.stderr).toMatch(PLAIN_CREATE_WITH_TLS);
    expect(await madeInConfig(home)).toEqual([]);
    context = `buildx-${randomUUID()}`;
    const created = await sh(`docker context create '${context}'`, env);
    expect(created.code, created.stderr).toBe(0);
    const [inspected] = JSON.parse(await docker(['context', 'inspect', context], env)) as {
      Endpoints: { docker: { Host: string; SkipTLSVerify: boolean } };
      TLSMaterial: { docker?: string[] };
    }[];
    expect(inspected!.Endpoints.docker).toEqual({ Host: env.DOCKER_HOST, SkipTLSVerify: false });
    expect([...(inspected!.TLSMaterial.docker ?? [])].sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    const withContext = await sh(`docker buildx create --driver docker-container --name '${name}' '${context}'`, env);
    expect(withContext.code, withContext.stderr).toBe(0);
    endpoint = context;
  } else {
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toBe(name);
  }

  // In the job's CLI configuration.
  expect(await madeInConfig(home)).toContain(`builder ${name}`);
  const inspect = await sh(`docker buildx inspect '${name}'`, env);
  expect(inspect.code, inspect.stderr).toBe(0);
  expect(inspect.stdout).toMatch(/^Driver:\s+docker-container$/m);
  const node = /^Endpoint:\s+(\S+)$/m.exec(inspect.stdout)?.[1];
  expect(node, inspect.stdout).toBe(endpoint);
  expect(node).not.toMatch(/\/var\/run\/docker\.sock/);
  // Not bootstrapped: no BuildKit container at the endpoint yet.
  expect(inspect.stdout).toMatch(/^Status:\s+inactive$/m);

  // A stand-in for the BuildKit container, in the job's daemon: buildx looks there.
  const standIn = `buildx_buildkit_${name}0`;
  await docker(['run', '--detach', '--name', standIn, 'busybox', 'sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"], env);
  if (!hostDaemon) expect(await docker(['ps', '--all', '--quiet', '--filter', `name=^${standIn}$`]), 'on the runner\'s daemon').toBe('');
  const found = await sh(`docker buildx inspect '${name}'`, env);
  expect(found.code, found.stderr).toBe(0);
  expect(found.stdout, 'buildx found the container at the node\'s endpoint').not.toMatch(/^Status:\s+inactive$/m);

  const rm = await sh(`docker buildx rm '${name}'`, env);
  expect(rm.code, rm.stderr).toBe(0);
  expect(await docker(['ps', '--all', '--quiet', '--filter', `name=^${standIn}$`], env), 'buildx rm removed its container at the endpoint').toBe('');
  if (context !== undefined) await docker(['context', 'rm', context], env);
  expect(await madeInConfig(home)).toEqual([]);
}

describe.skipIf(SKIP)('docker buildx, unchanged, on the job\'s endpoint', () => {
  const newJob = useJobs();
  afterEach(async () => {
    for (const image of IMAGES.splice(0)) await docker(['image', 'rm', '--force', image]).catch(() => {});
  });

  const cases: { name: string; inputs: Record<string, string> }[] = [
    { name: 'dind tcp', inputs: { 'load-images': 'busybox' } },
    { name: 'dind tls', inputs: { tls: 'true', 'load-images': 'busybox' } },
    { name: 'dind unix', inputs: { transport: 'unix', 'load-images': 'busybox' } },
    { name: 'dood', inputs: { mode: 'dood' } },
  ];
  for (const { name, inputs } of cases) {
    const tls = inputs.tls === 'true';
    it(`${name}: build on the default builder runs; a docker-container builder's node is the job's daemon${tls ? ' (plain create refuses TLS, a context works)' : ''}`, async () => {
      const job = newJob();
      const { home, workspace } = await prepareJob(job);
      const main = await job.main(inputs);
      expect(main.code, main.stdout + main.stderr).toBe(0);
      const env = job.stepEnv();
      const endpoint = { hostDaemon: inputs.mode === 'dood' };
      await buildOnDefaultBuilder(env, workspace, `setup-dind-e2e/buildx:${job.runId}`, endpoint);
      await dockerContainerBuilder(env, home, `setup-dind-e2e-${job.runId}`, endpoint);
      await expectCleanPost(job);
    });
  }

  it('dood, dood-policy strict: build runs; a docker-container builder\'s BuildKit container is refused (privileged)', async () => {
    const job = newJob();
    const { home, workspace } = await prepareJob(job);
    const main = await job.main({ mode: 'dood', 'dood-policy': 'strict' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    await buildOnDefaultBuilder(env, workspace, `setup-dind-e2e/buildx:${job.runId}`, { hostDaemon: true });
    // busybox as the BuildKit image: present, so buildx gets as far as creating the container (moby/buildkit is out of reach).
    const name = `setup-dind-e2e-${job.runId}`;
    const created = await sh(`docker buildx create --driver docker-container --driver-opt image=busybox:latest --name '${name}'`, env);
    expect(created.code, created.stderr).toBe(0);
    const bootstrap = await sh(`docker buildx inspect --bootstrap '${name}'`, env);
    expect(bootstrap.code).not.toBe(0);
    // The field allowlist meets buildx's --cgroup-parent before the privileged check does: either refusal holds.
    expect(bootstrap.stderr).toMatch(/Error response from daemon: setup-dind dood-policy strict: (--privileged|HostConfig\.CgroupParent "\/docker\/buildx" \(--cgroup-parent\)) is not allowed/);
    const rm = await sh(`docker buildx rm '${name}'`, env);
    expect(rm.code, rm.stderr).toBe(0);
    expect(await docker(['ps', '--all', '--quiet', '--filter', `name=^buildx_buildkit_${name}0$`])).toBe('');
    expect(await docker(['volume', 'ls', '--quiet', '--filter', `name=^buildx_buildkit_${name}0_state$`])).toBe('');
    expect(await madeInConfig(home)).toEqual([]);
    await expectCleanPost(job);
  });

  it('dood, dood-policy strict: a build reaches neither the host\'s network, privilege nor a tag that is not the job\'s', async () => {
    const job = newJob();
    const { home, workspace } = await prepareJob(job);
    const main = await job.main({ mode: 'dood', 'dood-policy': 'strict' });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    const env = job.stepEnv();
    // The RUN step's network interfaces, exported to a directory: the host's include docker0, a build's own do not.
    const context = join(workspace, 'interfaces');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), 'FROM busybox\nRUN ls /sys/class/net > /interfaces\nFROM scratch\nCOPY --from=0 /interfaces /interfaces\n');
    const build = (flags: string, out: string) => sh(`cd '${context}' && docker buildx build ${flags} --output type=local,dest='${out}' .`, env);
    const interfaces = (out: string) => readFile(join(out, 'interfaces'), 'utf8').catch(() => 'no output');

    const own = await build('', join(workspace, 'own'));
    expect(own.code, own.stderr).toBe(0);
    expect(await interfaces(join(workspace, 'own'))).toMatch(/^lo$/m);
    expect(await interfaces(join(workspace, 'own'))).not.toMatch(/docker0/);
    const host = await build('--network host', join(workspace, 'host'));
    expect(host.code).not.toBe(0);
    expect(host.stderr).toMatch(/setup-dind dood-policy strict: a build with the entitlement network.host \(--allow network.host, --network host\) is not allowed/);
    expect(await interfaces(join(workspace, 'host'))).toBe('no output');
    const insecure = await build('--allow security.insecure', join(workspace, 'insecure'));
    expect(insecure.stderr).toMatch(/setup-dind dood-policy strict: a build with the entitlement security.insecure .* is not allowed/);
    expect(await interfaces(join(workspace, 'insecure'))).toBe('no output');

    // A tag that was there before the job: not rebuilt to something else.
    const before = await docker(['image', 'inspect', '--format', '{{.Id}}', 'docker:dind']);
    for (const flags of ['--tag docker:dind', '--load --tag docker:dind']) {
      const overwrite = await sh(`cd '${workspace}' && docker buildx build ${flags} .`, env);
      expect(overwrite.code, flags).not.toBe(0);
      expect(overwrite.stderr, flags).toMatch(/setup-dind dood-policy strict: building into docker.io\/library\/docker:dind is not allowed/);
    }
    expect(await docker(['image', 'inspect', '--format', '{{.Id}}', 'docker:dind'])).toBe(before);
    // The job's own tag: built, rebuilt, run.
    const tag = `setup-dind-e2e/strict-build:${job.runId}`;
    IMAGES.push(tag);
    for (let round = 0; round < 2; round++) {
      const mine = await sh(`cd '${workspace}' && docker buildx build --tag '${tag}' .`, env);
      expect(mine.code, mine.stderr).toBe(0);
    }
    expect(await docker(['run', '--rm', tag], env)).toBe(OUTPUT.trim());
    await docker(['image', 'rm', tag], env);
    expect(await madeInConfig(home)).toEqual([]);
    await expectCleanPost(job);
  });

  it('dood, dood-policy strict, on a daemon that keeps build records (Docker 28): a job reads its own builds\' records, not another job\'s', async () => {
    // The daemon: a DinD job's, on a unix socket; the two DooD jobs share it as a runner's socket.
    const daemon = newJob();
    await prepareJob(daemon);
    const started = await daemon.main({ transport: 'unix' });
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const socket = new URL(started.outputs['docker-host']!).pathname;
    const [victim, intruder] = [newJob(), newJob()];
    const envs: NodeJS.ProcessEnv[] = [];
    for (const job of [victim, intruder]) {
      const { workspace } = await prepareJob(job);
      await writeFile(join(workspace, 'Dockerfile'), 'FROM scratch\nARG SECRET\nCOPY message.txt /message.txt\n');
      const main = await job.main({ mode: 'dood', socket, 'dood-policy': 'strict' });
      expect(main.code, main.stdout + main.stderr).toBe(0);
      envs.push({ ...job.stepEnv(), WORKSPACE: workspace });
    }
    const [victimEnv, intruderEnv] = envs as [NodeJS.ProcessEnv, NodeJS.ProcessEnv];
    const secret = `build-arg-secret-${randomUUID()}`;

    // What docker/build-push-action runs: a build with --metadata-file, which reads the build's record and provenance.
    const build = await sh(`cd "$WORKSPACE" && docker buildx build --build-arg SECRET=${secret} --metadata-file meta.json --tag victim:${victim.runId} .`, victimEnv);
    expect(build.code, build.stderr).toBe(0);
    const meta = JSON.parse(await readFile(join(victimEnv.WORKSPACE!, 'meta.json'), 'utf8')) as Record<string, string>;
    const ref = meta['buildx.build.ref']!.split('/').at(-1)!;
    const own = await sh(`docker buildx history inspect ${ref}`, victimEnv);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain(secret);

    // The other job: neither the list of builds nor the victim's record, by its ref; so not its build arguments.
    for (const command of ['docker buildx history ls', 'docker buildx history inspect', `docker buildx history inspect ${ref}`, `docker buildx history logs ${ref}`]) {
      const read = await sh(command, intruderEnv);
      expect(read.code, command).not.toBe(0);
      expect(read.stdout + read.stderr, command).not.toContain(secret);
      expect(read.stderr, command).toMatch(/setup-dind dood-policy strict: (listing the build history|the build record \S+ is not allowed \(it is not a build of this job\))/);
    }
    // Nor by a build of its own that names the victim's ref (a crafted Solve, as a client of its own could send).
    const solve = Buffer.concat([protoString(1, ref), protoMessage(13, protoString(1, 'image'))]);
    const adopted = await grpcCall(intruderEnv.DOCKER_HOST!, '/moby.buildkit.v1.Control/Solve', solve);
    expect(adopted.message).toMatch(/a build with the ref \S+ is not allowed \(the daemon has a build of that ref already/);
    const after = await sh(`docker buildx history inspect ${ref}`, intruderEnv);
    expect(after.stdout + after.stderr).not.toContain(secret);
    expect(after.stderr).toMatch(/the build record \S+ is not allowed/);
    // Nor can it take the victim's tag, built in its own job.
    const taken = await sh(`cd "$WORKSPACE" && docker buildx build --tag victim:${victim.runId} .`, intruderEnv);
    expect(taken.stderr).toMatch(/building into docker\.io\/library\/victim:\S+ is not allowed \(another job created or is creating this tag/);

    for (const job of [victim, intruder]) {
      const post = await job.post();
      expect(post.code, post.stdout + post.stderr).toBe(0);
      // Its objects are on the shared daemon: the tag claim volumes among them.
      expect(await docker(['volume', 'ls', '--quiet', '--filter', `label=setup-dind.owner=${ownerOf(job)}`], { ...process.env, DOCKER_HOST: `unix://${socket}` })).toBe('');
      expect(await leftovers(job)).toEqual([]);
    }
    await expectCleanPost(daemon);
  });

  it('attach, over TLS, to the DinD daemon of another job of the action: build runs; plain create refuses, a context works', async () => {
    const owner = newJob();
    await prepareJob(owner);
    const started = await owner.main({ tls: 'true', 'load-images': 'busybox' });
    expect(started.code, started.stdout + started.stderr).toBe(0);

    const job = newJob();
    const { home, workspace } = await prepareJob(job);
    const main = await job.main({ mode: 'attach', 'docker-host': started.outputs['docker-host']!, 'cert-path': started.outputs['cert-path']! });
    expect(main.code, main.stdout + main.stderr).toBe(0);
    expect(main.exportedEnv).toMatchObject({ DOCKER_HOST: started.outputs['docker-host'], DOCKER_TLS_VERIFY: '1' });
    const env = job.stepEnv();
    await buildOnDefaultBuilder(env, workspace, `setup-dind-e2e/buildx:${job.runId}`, { hostDaemon: false });
    await dockerContainerBuilder(env, home, `setup-dind-e2e-${job.runId}`, { hostDaemon: false });
    await expectCleanPost(job);

    expect(await docker(['inspect', '--format', '{{.State.Running}}', started.outputs['container-id']!])).toBe('true');
    await expectCleanPost(owner);
  });
});
