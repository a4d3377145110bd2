/**
 * The GitLab components (templates/dind.yml, templates/dood.yml) and the CLI
 * in a GitLab job, run as real pipelines by gitlab-ci-local against the
 * local Docker engine, offline:
 *
 * - each test is a throwaway git repository (gitlab-ci-local needs one) with
 *   a copy of templates/ and its own .gitlab-ci.yml, whose fake `origin`
 *   (gitlab.example.com/setup-dind/setup-dind) lets `include: component:
 *   $CI_SERVER_FQDN/setup-dind/setup-dind/dind@$CI_COMMIT_SHA` resolve to the
 *   local templates/, the way a component project tests its own components;
 * - images: nothing is pulled (only local images are used); the DinD service
 *   starts empty, so a build job loads busybox from a tarball the test
 *   commits into the repository (`docker save` on the host);
 * - certificates: `--volume %gcl-cert%:/certs/client` is gitlab-ci-local's
 *   stand-in for the runner's `volumes = ["/certs/client"]`: one volume per
 *   job, mounted in the service and the job;
 * - leftovers: the test follows `docker events` while the pipeline runs,
 *   collects every container, volume and network of its jobs (by the names
 *   gitlab-ci-local gives them, and what those containers mounted or joined,
 *   including the DinD service's anonymous /var/lib/docker volume), and checks
 *   that none is left afterwards; objects labelled setup-dind.owner for a job
 *   must be gone too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { LABELS } from '../../src/engine/identity.js';
import { DOCKER_MISSING, docker } from '../support/docker.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The fake remote: CI_SERVER_FQDN is gitlab.example.com, CI_PROJECT_PATH setup-dind/setup-dind. */
const REMOTE = 'https://gitlab.example.com/setup-dind/setup-dind.git';
const PROJECT_PATH = 'setup-dind/setup-dind';
const COMPONENT = '$CI_SERVER_FQDN/setup-dind/setup-dind';
/** The runner's `volumes = ["/certs/client"]`, as gitlab-ci-local spells it. */
const CERT_VOLUME = ['--volume', '%gcl-cert%:/certs/client'];
const PIPELINE_TIMEOUT_MS = 150_000;
/** The bridge driver's option that sets a network's MTU. */
const MTU_OPTION = 'com.docker.network.driver.mtu';

interface GitlabCiLocal {
  node: string;
  entry: string;
  /** Put first on gitlab-ci-local's PATH: the rsync stand-in's directory when this machine has no rsync. */
  path: string[];
}

/** tools/gitlab/bin/rsync: the rsync calls gitlab-ci-local makes on the host (tools/gitlab/rsync.mjs). */
const RSYNC_STAND_IN = join(ROOT, 'tools/gitlab/bin');

/**
 * gitlab-ci-local 4.x needs Node 22: tools/gitlab has it with its own
 * `node` package (npm ci --prefix tools/gitlab); node_modules/ is the older
 * place. The system node will do when it is 22 or newer. It copies the
 * repository with rsync: a machine without one gets the stand-in.
 */
function findGitlabCiLocal(): GitlabCiLocal | string {
  const has = (tool: string) => !spawnSync(tool, ['--version'], { stdio: 'ignore' }).error;
  if (!has('git')) return 'git not found (gitlab-ci-local needs it)';
  const path = has('rsync') ? [] : [RSYNC_STAND_IN];
  if (path.length > 0 && !existsSync(join(RSYNC_STAND_IN, 'rsync'))) return `rsync not found, nor its stand-in ${RSYNC_STAND_IN}/rsync`;
  const systemNodeWill = Number(process.versions.node.split('.')[0]) >= 22;
  for (const modules of ['tools/gitlab/node_modules', 'node_modules']) {
    const entry = join(ROOT, modules, 'gitlab-ci-local/dist/index.js');
    const node = join(ROOT, modules, 'node/bin/node');
    if (!existsSync(entry)) continue;
    if (existsSync(node)) return { node, entry, path };
    if (systemNodeWill) return { node: process.execPath, entry, path };
    return `${entry} needs Node 22, and neither ${node} nor the system node (${process.version}) is`;
  }
  return 'gitlab-ci-local is not installed (npm ci installs it, in tools/gitlab)';
}

/** gitlab-ci-local's environment: ours without GCL_* variables (they would change its options), PATH led by gcl.path. */
function gclEnv(gcl: GitlabCiLocal): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GCL_')));
  env.PATH = [...gcl.path, ...(process.env.PATH ? [process.env.PATH] : [])].join(delimiter);
  return env;
}

const GCL = findGitlabCiLocal();
const GCL_MISSING = typeof GCL === 'string' ? GCL : undefined;
/** Missing tools skip the file on a developer's machine; with CI=true the tests run, and fail. */
const SKIP = (DOCKER_MISSING !== undefined || GCL_MISSING !== undefined) && process.env.CI !== 'true';

interface Line {
  /** Date.now() when the line arrived. */
  at: number;
  text: string;
}

interface PipelineRun {
  code: number | null;
  lines: Line[];
  output: string;
  /** What one job printed (its "> " lines), in order. */
  jobOutput(job: string): string[];
}

interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  timeNano: number;
}

/** Follows `docker events` from a second ago on; `stop` returns what came. */
function watchEvents(): { stop: () => Promise<DockerEvent[]> } {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const child = spawn(
    'docker',
    ['events', '--since', since, '--format', '{{json .}}', '--filter', 'type=container', '--filter', 'type=volume', '--filter', 'type=network'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    async stop() {
      // Events of the last calls reach the stream within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill();
      await closed;
      return text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as DockerEvent);
    },
  };
}

interface PipelineObjects {
  containers: Set<string>;
  volumes: Set<string>;
  networks: Set<string>;
  /** CI_JOB_ID of each job, from gitlab-ci-local's volume names. */
  jobIds: Map<string, string>;
  /** Start time (ms since the epoch) of each service container, by job. */
  serviceStarts: Map<string, number>;
}

/**
 * Everything the pipeline's jobs created on the host engine: gitlab-ci-local
 * names its volumes gcl-<job>-<CI_JOB_ID>-{build,tmp,cert}, its service
 * network gitlab-ci-local-<CI_JOB_ID> and its wait containers
 * gcl-wait-for-it-<CI_JOB_ID>-…; its other containers (helper, job,
 * services) mount the build volume or join the network.
 */
function pipelineObjects(events: DockerEvent[], jobs: string[]): PipelineObjects {
  const found: PipelineObjects = { containers: new Set(), volumes: new Set(), networks: new Set(), jobIds: new Map(), serviceStarts: new Map() };
  const networkJob = new Map<string, string>();
  for (const event of events) {
    if (event.Type !== 'volume' || event.Action !== 'create') continue;
    for (const job of jobs) {
      const match = new RegExp(`^gcl-${job}-(\\d+)-(build|tmp|cert)$`).exec(event.Actor.ID);
      if (match) {
        found.volumes.add(event.Actor.ID);
        found.jobIds.set(job, match[1]!);
      }
    }
  }
  for (const [job, id] of found.jobIds) networkJob.set(`gitlab-ci-local-${id}`, job);
  const containerJob = new Map<string, string>();
  for (const event of events) {
    const attributes = event.Actor.Attributes ?? {};
    if (event.Type === 'network' && networkJob.has(attributes.name ?? '')) {
      found.networks.add(event.Actor.ID);
      if (event.Action === 'connect' && attributes.container) containerJob.set(attributes.container, networkJob.get(attributes.name!)!);
    }
    if (event.Type === 'volume' && event.Action === 'mount' && found.volumes.has(event.Actor.ID) && attributes.container) {
      found.containers.add(attributes.container);
    }
    if (event.Type === 'container' && [...found.jobIds.values()].some((id) => (attributes.name ?? '').startsWith(`gcl-wait-for-it-${id}-`))) {
      found.containers.add(event.Actor.ID);
    }
  }
  for (const id of containerJob.keys()) found.containers.add(id);
  for (const event of events) {
    const attributes = event.Actor.Attributes ?? {};
    // What those containers mounted: anonymous volumes too (a DinD service's /var/lib/docker).
    if (event.Type === 'volume' && event.Action === 'mount' && found.containers.has(attributes.container ?? '')) found.volumes.add(event.Actor.ID);
    // A service container: on the job's network, started from an image other than the job's.
    if (event.Type === 'container' && event.Action === 'start' && containerJob.has(event.Actor.ID) && /dind/.test(attributes.image ?? '')) {
      found.serviceStarts.set(containerJob.get(event.Actor.ID)!, event.timeNano / 1e6);
    }
  }
  return found;
}

/** Which of the objects still exist. */
async function remaining(objects: PipelineObjects): Promise<string[]> {
  const containers = new Set((await docker(['ps', '--all', '--quiet', '--no-trunc'])).split('\n'));
  const volumes = new Set((await docker(['volume', 'ls', '--quiet'])).split('\n'));
  const networks = new Set((await docker(['network', 'ls', '--quiet', '--no-trunc'])).split('\n'));
  return [
    ...[...objects.containers].filter((id) => containers.has(id)).map((id) => `container ${id}`),
    ...[...objects.volumes].filter((name) => volumes.has(name)).map((name) => `volume ${name}`),
    ...[...objects.networks].filter((id) => networks.has(id)).map((id) => `network ${id}`),
  ];
}

/**
 * An image saved from the host engine: the service's daemon starts empty and
 * no registry is reachable, so it travels with the repository.
 */
function savedImage(image: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    save.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    save.on('error', reject);
    save.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`docker save ${image} -> ${code}`))));
  });
}

/** Containers and volumes labelled as a GitLab job's by setup-dind (the CLI). */
async function labelledLeftovers(jobId: string): Promise<string[]> {
  const filter = `label=${LABELS.owner}=gitlab:${PROJECT_PATH}/job/${jobId}`;
  const containers = (await docker(['ps', '--all', '--quiet', '--filter', filter])).split('\n').filter(Boolean);
  const volumes = (await docker(['volume', 'ls', '--quiet', '--filter', filter])).split('\n').filter(Boolean);
  return [...containers.map((id) => `container ${id}`), ...volumes.map((name) => `volume ${name}`)];
}

describe.skipIf(SKIP)('GitLab components and CLI in real pipelines (gitlab-ci-local)', () => {
  const dirs: string[] = [];
  const objects: PipelineObjects[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    // Whatever a failed test left: remove it, then its repository.
    for (const found of objects.splice(0)) {
      for (const left of await remaining(found).catch(() => [])) {
        const [kind, id] = left.split(' ') as [string, string];
        const args = kind === 'container' ? ['rm', '--force', '--volumes', id] : [kind, 'rm', id];
        await docker(args).catch(() => {});
      }
    }
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  });

  it('has gitlab-ci-local, git and rsync or its stand-in (required when CI=true)', () => {
    expect(GCL_MISSING, 'the GitLab end-to-end tests need gitlab-ci-local: npm ci installs it (tools/gitlab)').toBeUndefined();
    if ((GCL as GitlabCiLocal).path.length > 0) console.log(`[gitlab] no rsync on this machine: gitlab-ci-local uses ${RSYNC_STAND_IN}/rsync`);
  });

  /** A git repository with templates/ and `files`, committed. */
  async function project(files: Record<string, string | Buffer>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'setup-dind-gitlab-'));
    dirs.push(dir);
    await mkdir(join(dir, 'templates'));
    for (const name of await readdir(join(ROOT, 'templates'))) await copyFile(join(ROOT, 'templates', name), join(dir, 'templates', name));
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    const git = (...args: string[]) => {
      const result = spawnSync('git', ['-c', 'init.defaultBranch=main', '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    };
    git('init', '--quiet');
    git('remote', 'add', 'origin', REMOTE);
    git('add', '--all');
    git('commit', '--quiet', '--message', 'pipeline under test');
    // A default remote branch, so gitlab-ci-local does not warn that it has none.
    git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
    return dir;
  }

  /** Runs the pipeline in `dir` with gitlab-ci-local, following the engine's events. */
  async function pipeline(dir: string, jobs: string[], extraArgs: string[] = []): Promise<{ run: PipelineRun; found: PipelineObjects }> {
    if (GCL_MISSING !== undefined) throw new Error(GCL_MISSING);
    const { node, entry } = GCL as GitlabCiLocal;
    const env = gclEnv(GCL as GitlabCiLocal);
    const events = watchEvents();
    const args = [
      entry,
      '--no-color',
      '--privileged', // DinD services need it, as on a runner with privileged = true
      '--pull-policy', 'if-not-present', // offline: local images only
      '--helper-image', 'alpine:latest', // instead of docker.io/firecow/gitlab-ci-local-util
      // Instead of docker.io/sumina46/wait-for-it. alpine has no wait-for-it, so
      // gitlab-ci-local's port check of the service fails at once with a
      // warning and the job starts, as on a runner whose check gave up: the
      // component's before_script is what waits.
      '--wait-image', 'alpine:latest',
      ...extraArgs,
    ];
    const lines: Line[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(node, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGINT'), PIPELINE_TIMEOUT_MS - 10_000);
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream.setEncoding('utf8').on('data', (chunk: string) => {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop()!;
          const at = Date.now();
          for (const text of parts) lines.push({ at, text });
        });
        stream.on('end', () => partial && lines.push({ at: Date.now(), text: partial }));
      }
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const found = pipelineObjects(await events.stop(), jobs);
    objects.push(found);
    const output = lines.map((line) => line.text).join('\n');
    const run: PipelineRun = {
      code,
      lines,
      output,
      jobOutput: (job) =>
        lines.flatMap(({ text }) => {
          const match = /^(\S+)\s+> ?(.*)$/.exec(text);
          return match && match[1] === job ? [match[2]!] : [];
        }),
    };
    return { run, found };
  }

  /** What the job's service printed (gitlab-ci-local keeps it per job and image). */
  function serviceLog(dir: string, job: string, image = 'docker:dind'): string {
    return readFileSync(join(dir, '.gitlab-ci-local/services-output', job, `${image}-0.log`), 'utf8');
  }

  /** The epoch milliseconds a job printed with `echo "ready-epoch-ms $(date +%s%3N)"`. */
  function readyAt(run: PipelineRun, job: string): number {
    const line = run.jobOutput(job).find((text) => text.startsWith('ready-epoch-ms '));
    expect(line, run.output).toBeDefined();
    return Number(line!.split(' ')[1]);
  }

  /** What a job printed as `name=value` (first such line). */
  function printed(run: PipelineRun, job: string, name: string): string {
    const line = run.jobOutput(job).find((text) => text.startsWith(`${name}=`));
    expect(line, run.output).toBeDefined();
    return line!.slice(name.length + 1);
  }

  /** The registry mirrors from `mirrors={{json .RegistryConfig.Mirrors}}`: none is [] from Docker 20.10, null from 28. */
  function mirrors(run: PipelineRun, job: string): string[] {
    return (JSON.parse(printed(run, job, 'mirrors')) as string[] | null) ?? [];
  }

  async function expectNothingLeft(found: PipelineObjects, jobs: string[]): Promise<void> {
    expect(await remaining(found)).toEqual([]);
    for (const job of jobs) {
      const id = found.jobIds.get(job);
      if (id) expect(await labelledLeftovers(id)).toEqual([]);
    }
  }

  const READY_LINE = 'echo "ready-epoch-ms $(date +%s%3N)"';

  it(
    'include: local with inputs: builds an image in the DinD service (TLS) and runs it; --mtu and --registry-mirror reach dockerd',
    async () => {
      const job = 'sde2e-build';
      const busybox = await savedImage('busybox:latest');
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - local: templates/dind.yml
    inputs:
      mtu: "1400"
      registry-mirror: https://mirror.example.invalid
      timeout: 90
${job}:
  extends: .dind
  script:
    - ${READY_LINE}
    - docker load --input busybox.tar
    - docker build --tag "app:$CI_COMMIT_SHORT_SHA" .
    - docker run --rm "app:$CI_COMMIT_SHORT_SHA"
    - docker network inspect bridge --format 'mtu={{index .Options "com.docker.network.driver.mtu"}}'
    - docker info --format 'mirrors={{json .RegistryConfig.Mirrors}}'
`,
        Dockerfile: 'FROM busybox:latest\nRUN echo "RUN step done in the service" > /built.txt\nCOPY greeting.txt /greeting.txt\nCMD ["sh", "-c", "cat /greeting.txt /built.txt"]\n',
        'greeting.txt': 'hello from an image built inside the DinD service\n',
        '.dockerignore': 'busybox.tar\n',
        'busybox.tar': busybox,
      });
      const { run, found } = await pipeline(dir, [job], CERT_VOLUME);
      expect(run.code, run.output).toBe(0);
      const out = run.jobOutput(job);
      expect(out.some((line) => /^setup-dind: Docker \S+ is ready at tcp:\/\/docker:2376 after \d+\.\d\d s/.test(line)), run.output).toBe(true);
      expect(out).toContain('hello from an image built inside the DinD service');
      expect(out).toContain('RUN step done in the service');
      expect(out).toContain('mtu=1400');
      expect(mirrors(run, job)).toEqual(['https://mirror.example.invalid/']);
      expect(found.serviceStarts.has(job)).toBe(true);
      console.log(`[gitlab] TLS service (4096-bit RSA keys made at start) to ready in the pipeline: ${((readyAt(run, job) - found.serviceStarts.get(job)!) / 1000).toFixed(2)} s`);
      await expectNothingLeft(found, [job]);
      // The DinD service's anonymous /var/lib/docker volume was seen, and is gone.
      expect(found.volumes.size).toBeGreaterThan(3);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'include: component with the defaults: mutual TLS with the certificates shared through /certs/client',
    async () => {
      const job = 'sde2e-tls';
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - component: ${COMPONENT}/dind@$CI_COMMIT_SHA
${job}:
  extends: .dind
  script:
    - ${READY_LINE}
    - echo "env $DOCKER_HOST $DOCKER_TLS_VERIFY $DOCKER_CERT_PATH"
    - ls /certs/client
    - docker network inspect bridge --format 'mtu={{index .Options "com.docker.network.driver.mtu"}}'
    - docker info --format 'mirrors={{json .RegistryConfig.Mirrors}}'
    # Mutual TLS: without a client certificate, or over plain HTTP, the daemon refuses.
    - if env -u DOCKER_CERT_PATH -u DOCKER_TLS_VERIFY docker --tls version >/dev/null 2>&1; then echo "answered without a client certificate"; exit 1; fi
    - if env -u DOCKER_CERT_PATH -u DOCKER_TLS_VERIFY docker version >/dev/null 2>&1; then echo "answered plain HTTP"; exit 1; fi
    - if env -u DOCKER_CERT_PATH -u DOCKER_TLS_VERIFY docker --host tcp://docker:2375 version >/dev/null 2>&1; then echo "plain port open"; exit 1; fi
    - echo "refused without certificates"
`,
      });
      const { run, found } = await pipeline(dir, [job], CERT_VOLUME);
      expect(run.code, run.output).toBe(0);
      const out = run.jobOutput(job);
      expect(out).toContain('env tcp://docker:2376 1 /certs/client');
      expect(out).toEqual(expect.arrayContaining(['ca.pem', 'cert.pem', 'key.pem']));
      // No --mtu: the engine's default, 1500 (or no MTU option on the bridge at all).
      expect(['1500', '']).toContain(printed(run, job, 'mtu'));
      expect(mirrors(run, job)).toEqual([]);
      expect(out).toContain('refused without certificates');
      // The service got no optional flags, and the image's entrypoint made the TLS set-up.
      const log = serviceLog(dir, job);
      expect(log).toMatch(/^setup-dind: dockerd-entrypoint\.sh *$/m);
      // mtu auto on gitlab-ci-local's network of MTU 1500: nothing to change, and the log says why.
      expect(log).toMatch(/^setup-dind: MTU left at dockerd's default \(eth0 of this service has MTU 1500: dockerd's default 1500 fits\)$/m);
      console.log(`[gitlab] TLS service (include: component, defaults) to ready in the pipeline: ${((readyAt(run, job) - found.serviceStarts.get(job)!) / 1000).toFixed(2)} s`);
      await expectNothingLeft(found, [job]);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'tls: false: plain TCP on 2375 with --tls=false, so the daemon skips its 15 s pause',
    async () => {
      const job = 'sde2e-plain';
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - local: templates/dind.yml
    inputs:
      tls: false
${job}:
  extends: .dind
  script:
    - ${READY_LINE}
    - echo "env $DOCKER_HOST tls-verify=\${DOCKER_TLS_VERIFY:-unset} certdir=\${DOCKER_TLS_CERTDIR:-empty}"
    - docker version --format 'server={{.Server.Version}}'
`,
      });
      const { run, found } = await pipeline(dir, [job], CERT_VOLUME);
      expect(run.code, run.output).toBe(0);
      const out = run.jobOutput(job);
      expect(out).toContain('env tcp://docker:2375 tls-verify=unset certdir=empty');
      expect(out.some((line) => line.startsWith('server='))).toBe(true);
      expect(serviceLog(dir, job)).toMatch(/^setup-dind: dockerd-entrypoint\.sh --tls=false *$/m);
      const seconds = (readyAt(run, job) - found.serviceStarts.get(job)!) / 1000;
      console.log(`[gitlab] plain service (--tls=false) to ready in the pipeline: ${seconds.toFixed(2)} s (an upper bound: the job's first attempt answered)`);
      // Without --tls=false dockerd alone would pause 16 s.
      expect(seconds).toBeLessThan(12);
      await expectNothingLeft(found, [job]);
    },
    PIPELINE_TIMEOUT_MS,
  );

  /**
   * A job network whose MTU is below 1500, as on an overlay or a runner with a
   * smaller bridge MTU. gitlab-ci-local makes its own network (MTU 1500) and
   * connects the job and its services to those of --network before they
   * start; dockerd (20.10 to 28) gives the default route to the first network
   * in name order, so this one's name sorts before gitlab-ci-local-<id>.
   */
  async function networkOfMtu(mtu: number): Promise<{ name: string; args: string[] }> {
    const name = `gcl-e2e-mtu${mtu}-${process.pid}`;
    await docker(['network', 'create', '--opt', `${MTU_OPTION}=${mtu}`, '--label', 'setup-dind-test=gitlab-mtu', name]);
    cleanups.push(() => docker(['network', 'rm', name]).then(() => {}));
    return { name, args: ['--network', name] };
  }

  /** Job lines that show the inner daemon's MTUs: options of the default bridge and of a network the job creates, and eth0 in each. */
  const MTU_SCRIPT = `
    - docker load --input busybox.tar
    - docker network inspect bridge --format 'bridge-option={{index .Options "${MTU_OPTION}"}}'
    - docker network create job-net
    - docker network inspect job-net --format 'job-net-option={{index .Options "${MTU_OPTION}"}}'
    - docker run --rm busybox:latest sh -c 'echo "bridge-eth0=$(cat /sys/class/net/eth0/mtu)"'
    - docker run --rm --network job-net busybox:latest sh -c 'echo "job-net-eth0=$(cat /sys/class/net/eth0/mtu)"'
    - docker network rm job-net`;

  it(
    'mtu auto (the default) on a job network of MTU 1300: the default bridge and networks the job creates get 1300; off leaves 1500',
    async () => {
      const jobs = ['sde2e-mtu-auto', 'sde2e-mtu-off'];
      const net = await networkOfMtu(1300);
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - component: ${COMPONENT}/dind@$CI_COMMIT_SHA
${jobs[0]}:
  extends: .dind
  script:${MTU_SCRIPT}
${jobs[1]}:
  extends: .dind
  variables:
    SETUP_DIND_MTU: "off"
  script:${MTU_SCRIPT}
`,
        'busybox.tar': await savedImage('busybox:latest'),
      });
      const { run, found } = await pipeline(dir, jobs, [...CERT_VOLUME, ...net.args]);
      expect(run.code, run.output).toBe(0);
      const [auto, off] = jobs as [string, string];
      expect([printed(run, auto, 'bridge-option'), printed(run, auto, 'job-net-option')]).toEqual(['1300', '1300']);
      expect([printed(run, auto, 'bridge-eth0'), printed(run, auto, 'job-net-eth0')]).toEqual(['1300', '1300']);
      const version = (await docker(['image', 'inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', 'docker:dind'])).match(/^DOCKER_VERSION=(.*)$/m)?.[1];
      expect(serviceLog(dir, auto)).toMatch(
        new RegExp(`^setup-dind: inner networks get MTU 1300 \\(eth\\d of this service has MTU 1300; default bridge and networks the job creates, Docker ${version!.replace(/\./g, '\\.')}\\)$`, 'm'),
      );
      expect(serviceLog(dir, auto)).toMatch(new RegExp(`^setup-dind: dockerd-entrypoint\\.sh --mtu=1300 --default-network-opt=bridge=${MTU_OPTION.replace(/\./g, '\\.')}=1300 *$`, 'm'));
      // off: dockerd's 1500, even on this network.
      expect(['1500', '']).toContain(printed(run, off, 'bridge-option'));
      expect(['1500', '']).toContain(printed(run, off, 'job-net-option'));
      expect([printed(run, off, 'bridge-eth0'), printed(run, off, 'job-net-eth0')]).toEqual(['1500', '1500']);
      expect(serviceLog(dir, off)).toMatch(/^setup-dind: MTU left at dockerd's default \(mtu is off: dockerd keeps its default\)$/m);
      await expectNothingLeft(found, jobs);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'mtu auto with Docker 20.10 (docker:20-dind): the default bridge gets 1300, and the service log says how to cover new networks',
    async () => {
      const job = 'sde2e-mtu-old';
      const net = await networkOfMtu(1300);
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - local: templates/dind.yml
    inputs:
      image: docker:20-dind
      tls: false
${job}:
  extends: .dind
  script:${MTU_SCRIPT}
`,
        'busybox.tar': await savedImage('busybox:latest'),
      });
      const { run, found } = await pipeline(dir, [job], net.args);
      expect(run.code, run.output).toBe(0);
      expect([printed(run, job, 'bridge-option'), printed(run, job, 'bridge-eth0')]).toEqual(['1300', '1300']);
      // dockerd 20.10 knows no --default-network-opt (it would exit on it): new networks keep 1500.
      expect([printed(run, job, 'job-net-option'), printed(run, job, 'job-net-eth0')]).toEqual(['', '1500']);
      const log = serviceLog(dir, job, 'docker:20-dind');
      expect(log).toMatch(/^setup-dind: inner networks get MTU 1300 \(eth\d of this service has MTU 1300; default bridge only: the image runs Docker 20\.10\.\d+, .*docker network create -o com\.docker\.network\.driver\.mtu=1300\)$/m);
      expect(log).toMatch(/^setup-dind: dockerd-entrypoint\.sh --tls=false --mtu=1300 *$/m);
      await expectNothingLeft(found, [job]);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'fails fast with the runner fix when /certs/client is not shared, and at the deadline with the last error when no daemon answers',
    async () => {
      const jobs = ['sde2e-nocerts', 'sde2e-deadline'];
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - local: templates/dind.yml
${jobs[0]}:
  extends: .dind
  script: [docker version]
${jobs[1]}:
  extends: .dind
  variables:
    # A service that never serves the Docker API, plain TCP, 3 s to wait.
    DOCKER_TLS_CERTDIR: ""
    DOCKER_HOST: tcp://docker:2375
    DOCKER_TLS_VERIFY: ""
    DOCKER_CERT_PATH: ""
    SETUP_DIND_TIMEOUT: "3"
  services:
    - name: busybox:latest
      alias: docker
      command: [sleep, "600"]
  script: [docker version]
`,
      });
      // No CERT_VOLUME: the runner shares nothing.
      const started = Date.now();
      const { run, found } = await pipeline(dir, jobs);
      expect(run.code, run.output).not.toBe(0);
      const noCerts = run.jobOutput(jobs[0]!).join('\n');
      expect(noCerts).toContain('setup-dind: ERROR: the client certificates are not in /certs/client, and they cannot appear there');
      expect(noCerts).toContain('volumes = ["/certs/client"]');
      const deadline = run.jobOutput(jobs[1]!).join('\n');
      expect(deadline).toMatch(/setup-dind: ERROR: no Docker daemon answered at tcp:\/\/docker:2375 within 3 s \(attempts: \d+\)\. Last error: .*(connection refused|Cannot connect)/);
      expect(deadline).toMatch(/Hint: nothing listens there/);
      expect(run.output).toMatch(/ FAIL 1/);
      expect(Date.now() - started).toBeLessThan(60_000);
      await expectNothingLeft(found, jobs);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'shell executor with the CLI: after_script tears down after a failing script',
    async () => {
      const job = 'sde2e-cli';
      const dir = await project({
        '.gitlab-ci.yml': `
${job}:
  # No image: gitlab-ci-local's shell executor runs it on this machine, like a shell runner.
  before_script:
    # Two steps, so a failing "up" fails the job (eval "$(…)" alone would hide it).
    - setup_dind_env=$("$SETUP_DIND_NODE" "$SETUP_DIND_CLI" up --tls)
    - eval "$setup_dind_env"
  script:
    - echo "job $CI_JOB_ID state $(ls "\${TMPDIR:-/tmp}/setup-dind-$(id -u)/gitlab-$CI_JOB_ID.env")"
    - docker version --format 'inner server {{.Server.Version}} at '"$DOCKER_HOST"
    - docker ps --quiet
    - exit 3
  after_script:
    - echo "after_script status $CI_JOB_STATUS DOCKER_HOST=\${DOCKER_HOST:-unset}"
    - '"$SETUP_DIND_NODE" "$SETUP_DIND_CLI" down'
`,
      });
      const events = watchEvents();
      const { run, found } = await pipeline(dir, [job], [
        '--shell-executor-no-image',
        '--variable', `SETUP_DIND_NODE=${process.execPath}`,
        '--variable', `SETUP_DIND_CLI=${join(ROOT, 'dist/cli.js')}`,
      ]);
      const ourEvents = await events.stop();
      expect(run.code, run.output).not.toBe(0);
      expect(run.output).toMatch(/ FAIL 3/);
      const out = run.jobOutput(job);
      const jobLine = out.find((line) => line.startsWith('job '));
      expect(jobLine, run.output).toBeDefined();
      const [, jobId, statePath] = /^job (\d+) state (\S+)$/.exec(jobLine!)!;
      expect(out.some((line) => /^inner server \S+ at tcp:\/\/127\.0\.0\.1:\d+$/.test(line)), run.output).toBe(true);
      expect(out).toContain('after_script status failed DOCKER_HOST=unset');
      expect(run.output).toMatch(/Removed container setup-dind-\S+/);
      // The CLI's container and volume (labelled for this job) were made, and are gone; so is the state file.
      const owner = `gitlab:${PROJECT_PATH}/job/${jobId}`;
      const daemons = ourEvents.filter((event) => event.Type === 'container' && event.Action === 'create' && event.Actor.Attributes?.[LABELS.owner] === owner);
      expect(daemons).toHaveLength(1);
      const mounted = ourEvents.filter((event) => event.Type === 'volume' && event.Action === 'mount' && event.Actor.Attributes?.container === daemons[0]!.Actor.ID);
      expect(mounted.length).toBeGreaterThan(0);
      const containers = new Set((await docker(['ps', '--all', '--quiet', '--no-trunc'])).split('\n'));
      const volumes = new Set((await docker(['volume', 'ls', '--quiet'])).split('\n'));
      expect(containers.has(daemons[0]!.Actor.ID)).toBe(false);
      expect(mounted.filter((event) => volumes.has(event.Actor.ID))).toEqual([]);
      expect(await labelledLeftovers(jobId!)).toEqual([]);
      expect(existsSync(statePath!)).toBe(false);
      await expectNothingLeft(found, [job]);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'dood: the host socket, and clear failures when it is missing, not a socket, or not permitted',
    async () => {
      const jobs = ['sde2e-dood', 'sde2e-dood-missing', 'sde2e-dood-dir', 'sde2e-dood-perm'];
      const dir = await project({
        '.gitlab-ci.yml': `
include:
  - component: ${COMPONENT}/dood@$CI_COMMIT_SHA
    inputs:
      timeout: 5
${jobs[0]}:
  extends: .dood
  script:
    - docker info --format 'engine {{.ID}}'
${jobs[1]}:
  extends: .dood
  variables:
    DOCKER_HOST: unix:///var/run/no-such-docker.sock
  script: [docker version]
${jobs[2]}:
  extends: .dood
  variables:
    DOCKER_HOST: unix:///tmp
  script: [docker version]
${jobs[3]}:
  extends: .dood
  image:
    name: docker:cli
    docker:
      user: "65534"
  script: [docker version]
`,
      });
      const { run, found } = await pipeline(dir, jobs, ['--volume', '/var/run/docker.sock:/var/run/docker.sock']);
      expect(run.code, run.output).not.toBe(0);
      const hostEngine = await docker(['info', '--format', '{{.ID}}']);
      expect(run.jobOutput(jobs[0]!)).toContain(`engine ${hostEngine}`);
      expect(run.output).toMatch(new RegExp(`PASS\\s+${jobs[0]}`));
      expect(run.jobOutput(jobs[1]!).join('\n')).toMatch(/ERROR: \/var\/run\/no-such-docker\.sock does not exist in the job[^]*volumes = \["\/var\/run\/no-such-docker\.sock:\/var\/run\/no-such-docker\.sock"\]/);
      expect(run.jobOutput(jobs[2]!).join('\n')).toMatch(/ERROR: \/tmp is a directory, not a socket/);
      const socket = await import('node:fs').then(({ statSync }) => statSync('/var/run/docker.sock'));
      if ((socket.mode & 0o006) !== 0o006) {
        expect(run.jobOutput(jobs[3]!).join('\n')).toMatch(/ERROR: this job's user \(uid 65534, groups [\d ]+\) may not open \/var\/run\/docker\.sock/);
      }
      await expectNothingLeft(found, jobs);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'examples/gitlab: each pipeline resolves its component and passes GitLab\'s schema',
    async () => {
      if (GCL_MISSING !== undefined) throw new Error(GCL_MISSING);
      const exampleDir = join(ROOT, 'examples/gitlab');
      const examples = (await readdir(exampleDir)).filter((name) => name.endsWith('.gitlab-ci.yml'));
      expect(examples.length).toBeGreaterThanOrEqual(4);
      const { node, entry } = GCL as GitlabCiLocal;
      const env = gclEnv(GCL as GitlabCiLocal);
      for (const name of examples) {
        const text = readFileSync(join(exampleDir, name), 'utf8');
        const includes = [...text.matchAll(/component: (\S+)/g)].map((match) => match[1]!);
        // Only this project's components, at a release: they resolve to the local templates at the commit under test.
        for (const include of includes) expect(include, name).toMatch(/^\$CI_SERVER_FQDN\/setup-dind\/setup-dind\/(dind|dood)@\d+(\.\d+){0,2}$/);
        const dir = await project({ '.gitlab-ci.yml': text.replace(/(component: \S+)@[\d.]+$/gm, '$1@$CI_COMMIT_SHA') });
        const preview = spawnSync(node, [entry, '--no-color', '--preview'], { cwd: dir, env, encoding: 'utf8' });
        expect(preview.status, `${name}: ${preview.stderr}${preview.stdout}`).toBe(0);
        expect(preview.stderr + preview.stdout, name).toContain('json schema validated');
        const expanded = parseAllDocuments(preview.stdout.slice(preview.stdout.indexOf('---'))).map((doc) => doc.toJS())[0] as Record<
          string,
          { extends?: unknown; services?: { alias?: string }[]; before_script?: string[] }
        >;
        const jobs = Object.entries(expanded).filter(([job, body]) => !job.startsWith('.') && typeof body === 'object' && body !== null && 'script' in body);
        expect(jobs.length, name).toBeGreaterThan(0);
        for (const [job, body] of jobs) {
          if (includes.some((include) => include.includes('/dind@'))) expect(body.services?.[0]?.alias, `${name} ${job}`).toBe('docker');
          if (includes.length > 0) expect(body.before_script?.join('\n'), `${name} ${job}`).toMatch(/setup-dind: (wait until|check the host's socket)/);
        }
      }
    },
    PIPELINE_TIMEOUT_MS,
  );

});
