/**
 * DooD: the job gets the host's daemon through its socket, but through a
 * per-job proxy (src/dood/) that labels what the job creates, so that
 * teardown removes exactly that, translates bind-mount paths when the job runs
 * in a container, and applies dood-policy. No privileged container; the job
 * shares the host daemon (see docs/security.md).
 */
import { realpathSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Docker } from '../docker/docker.js';
import { ownContainerMounts } from '../docker/own-container.js';
import { ProbeFailure, type Endpoint } from '../docker/probe.js';
import { translateHostPath } from '../dood/paths.js';
import type { ProxyOptions } from '../dood/proxy.js';
import type { EngineContext } from '../engine/context.js';
import { errorMessage, SetupDindError } from '../engine/errors.js';
import { labelsFor, resourceName, type Identity } from '../engine/identity.js';
import type { ModeRun, Started } from '../engine/mode.js';
import type { Options } from '../inputs/inputs.js';
import { startingPlan } from '../teardown/plan.js';

/** The bundle of the proxy's background process, next to the running entry (dist/). */
export const PROXY_BUNDLE = 'dood-proxy.js';

/** Checks that `socket` is a socket this user can use, with messages that say how to fix it. */
export async function checkSocket(socket: string, timeoutMs: number, docker: Pick<Docker, 'ping' | 'waitUntilReady'>, signal?: AbortSignal): Promise<void> {
  const info = await stat(socket).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new SetupDindError(`Input "socket": ${socket} does not exist, so there is no host daemon to share.`, {
        hint:
          'Mount the host\'s socket into the job: GitHub container jobs: `options: -v /var/run/docker.sock:/var/run/docker.sock`; ' +
          'GitLab Runner (docker executor): `volumes = ["/var/run/docker.sock:/var/run/docker.sock"]` in config.toml. Or use mode dind.',
      });
    }
    throw new SetupDindError(`Input "socket": cannot inspect ${socket}: ${error.message}`);
  });
  if (!info.isSocket()) {
    throw new SetupDindError(`Input "socket": ${socket} is not a unix socket.`, { hint: 'Give the path of the Docker daemon\'s socket, usually /var/run/docker.sock.' });
  }
  try {
    await docker.ping({ dockerHost: `unix://${socket}` }, Math.min(timeoutMs, 5000), signal);
    return;
  } catch (error) {
    if (error instanceof ProbeFailure && error.reason === 'permission') throw await permissionDenied(socket, info.uid, info.gid, info.mode);
    if (!(error instanceof ProbeFailure)) throw error;
  }
  // The socket exists but the daemon did not answer yet: wait like for any daemon.
  await docker.waitUntilReady({ dockerHost: `unix://${socket}` }, { timeoutMs, signal }).catch((error: unknown) => {
    throw new SetupDindError(`The daemon behind ${socket} did not answer GET /_ping: ${errorMessage(error)}`, {
      hint: 'Is dockerd running on the host, and is this its socket?',
    });
  });
}

async function permissionDenied(socket: string, uid: number, gid: number, mode: number): Promise<SetupDindError> {
  const [owner, group] = await Promise.all([nameOf('/etc/passwd', uid), nameOf('/etc/group', gid)]);
  const me = `uid ${process.getuid?.() ?? '?'}, gid ${process.getgid?.() ?? '?'}, groups ${(process.getgroups?.() ?? []).join(',') || 'none'}`;
  return new SetupDindError(
    `Permission denied opening ${socket} (owned by ${owner} (${uid}):${group} (${gid}), mode ${(mode & 0o777).toString(8)}); this job runs as ${me}.`,
    {
      hint:
        `Give the job's user the socket's group: a GitHub container job \`options: --group-add ${gid}\`, \`docker run --group-add ${gid}\`, ` +
        `or \`usermod -aG ${group} <user>\` on a self-hosted runner; or run the job as root.`,
    },
  );
}

/** The name of a uid or gid from /etc/passwd or /etc/group, or the number. */
async function nameOf(file: string, id: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const line = text.split('\n').find((entry) => entry.split(':')[2] === String(id));
  return line?.split(':')[0] ?? String(id);
}

/**
 * strict: the host paths bind sources may come from, the job's own: its
 * workspace, RUNNER_TEMP (the runner empties it for each job) and its own
 * per-job directory (which holds the proxy's socket, for Ryuk). Never a
 * shared temp dir (the system's, /tmp, /var/tmp, /dev/shm) nor CI_BUILDS_DIR:
 * every job and user on the machine has directories there (another job's DinD
 * socket, TLS keys, proxy socket).
 */
export function bindRoots(env: NodeJS.ProcessEnv, workDir: string, systemTemp = tmpdir()): string[] {
  const shared = [systemTemp, '/tmp', '/var/tmp', '/dev/shm'].map((dir) => resolve(dir));
  // A root that is a shared temp dir or holds one would let in every directory in it.
  const holdsShared = (root: string) => shared.some((dir) => dir === root || dir.startsWith(root === '/' ? '/' : `${root}/`));
  const own = resolve(workDir);
  const roots = [env.GITHUB_WORKSPACE, env.RUNNER_TEMP, env.CI_PROJECT_DIR].filter((root): root is string => !!root).map((root) => resolve(root));
  return [...new Set([...roots.filter((root) => !holdsShared(root)), own])];
}

/** Says which of the job's own variables point at a shared temp dir, and so gave no bind root: else a refused bind would not say why. */
function warnDroppedRoots(env: NodeJS.ProcessEnv, roots: string[], logger: EngineContext['logger']): void {
  for (const name of ['GITHUB_WORKSPACE', 'RUNNER_TEMP', 'CI_PROJECT_DIR']) {
    const value = env[name];
    if (value && !roots.includes(resolve(value))) {
      logger.warn(`dood-policy strict: ${name} (${value}) is or holds a temp dir that every job on this machine shares, so it is no bind root; bind sources must be under ${roots.join(', ')}.`);
    }
  }
}

export function doodMode(options: Options, identity: Identity, context: EngineContext): ModeRun {
  const { logger } = context;
  const host: Endpoint = { dockerHost: `unix://${options.socket}` };
  const workDir = join(context.tempDir, resourceName(identity));
  const listenPath = join(workDir, 'docker.sock');
  const marker = `--setup-dind-proxy=${workDir}`;

  return {
    sweepEnv: { ...context.env, DOCKER_HOST: host.dockerHost },

    check: () => checkSocket(options.socket, options.timeoutSeconds * 1000, context.docker, context.signal),

    plan: () => startingPlan('dood', identity.instance, { DOCKER_HOST: host.dockerHost }, { paths: [workDir], labelled: identity.instance, processes: [] }),

    async start(record): Promise<Started> {
      await mkdir(workDir, { mode: 0o700 });
      const own = await ownContainerMounts(context.docker, host);
      if (own) logger.info(`The job runs in container ${own.id.slice(0, 12)}; bind-mount sources are translated through its ${own.mounts.length} mounts.`);
      const jobRoots = bindRoots(context.env, workDir);
      if (options.doodPolicy === 'strict') warnDroppedRoots(context.env, jobRoots, logger);
      const roots = jobRoots
        .map((root) => (own ? translateHostPath(root, own.mounts) : root))
        .filter((root): root is string => !!root);
      const proxyOptions: Omit<ProxyOptions, 'log'> & { logPath: string } = {
        listenPath,
        upstreamPath: options.socket,
        labels: labelsFor(identity, 'job'),
        policy: options.doodPolicy,
        allowedBindRoots: [...new Set(roots)],
        socketPaths: [...new Set([options.socket, realpathSync(options.socket)])],
        ...(own ? { pathMap: own.mounts } : {}),
        logPath: join(workDir, 'proxy.log'),
      };
      const pid = await context.background({
        bundle: PROXY_BUNDLE,
        what: 'The DooD proxy',
        marker,
        optionsVariable: 'SETUP_DIND_PROXY_OPTIONS',
        options: proxyOptions,
        stderrPath: join(workDir, 'proxy.stderr'),
      });
      record({ processes: [{ pid, marker }] });
      const endpoint: Endpoint = { dockerHost: `unix://${listenPath}` };
      return {
        endpoint,
        env: { DOCKER_HOST: endpoint.dockerHost },
        notReady: (error) => error,
        describe: { transport: `host socket ${options.socket} through a per-job proxy`, warnings: [] },
      };
    },

    async ready() {
      if (options.doodPolicy !== 'none') logger.info(`dood-policy ${options.doodPolicy}: requests it forbids are refused with an API error.`);
      return {};
    },
  };
}
