/**
 * Ports that containers in the DinD daemon publish answer on the runner's
 * loopback too, as on a local engine: the inner dockerd runs our helper as
 * its userland proxy, and a forwarder process on the runner opens each port
 * before the container start goes on (src/ports/).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mountField } from '../../docker/docker-cli.js';
import type { DockerClient } from '../../docker/docker.js';
import type { EngineContext } from '../../engine/context.js';
import { SetupDindError } from '../../engine/errors.js';
import type { Options } from '../../inputs/options.js';
import { CONTAINER_PORTS_DIR, HELPER_NAME, HELPER_SCRIPT } from '../../ports/helper-script.js';

export const FORWARDER_BUNDLE = 'port-forwarder.js';

/** Whether the user left dockerd's userland proxy to us (daemon-args or daemon-config may turn it off or replace it). */
export function forwardsPorts(options: Pick<Options, 'daemonArgs' | 'daemonConfig'>): boolean {
  const flags = options.daemonArgs.some((arg) => /^--userland-proxy(-path)?(=|$)/.test(arg));
  const config = options.daemonConfig !== undefined && ('userland-proxy' in options.daemonConfig || 'userland-proxy-path' in options.daemonConfig);
  return !flags && !config;
}

export interface PortsPlan {
  /** The directory shared with the DinD container. */
  dir: string;
  mount: string;
  daemonArgs: string[];
}

/** The shared directory with the helper in it, and what the container and dockerd need to use it. */
export async function preparePorts(workDir: string): Promise<PortsPlan> {
  const dir = join(workDir, 'ports');
  await mkdir(dir, { mode: 0o700 });
  const helper = join(dir, HELPER_NAME);
  await writeFile(helper, HELPER_SCRIPT, { mode: 0o755 });
  await chmod(helper, 0o755);
  return {
    dir,
    mount: `type=bind,${mountField('src', dir)},dst=${CONTAINER_PORTS_DIR}`,
    daemonArgs: [`--userland-proxy-path=${CONTAINER_PORTS_DIR}/${HELPER_NAME}`],
  };
}

/** Starts the forwarder for the DinD container `containerId`; resolves with what the plan must stop. */
export async function startPortForwarder(
  docker: DockerClient,
  background: EngineContext['background'],
  containerId: string,
  ports: PortsPlan,
  workDir: string,
): Promise<{ pid: number; marker: string }> {
  const addresses = await docker.run(['container', 'inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', containerId], { timeoutMs: 15_000 });
  const target = addresses.split(/\s+/).find((address) => address !== '');
  if (target === undefined) {
    throw new SetupDindError('The DinD container has no IP address on the runner\'s Docker network, so its published ports cannot be forwarded.', {
      hint: 'Start it on a network the runner reaches (the default bridge), or turn the forwarding off with --userland-proxy=false in daemon-args.',
    });
  }
  const marker = `--setup-dind-ports=${ports.dir}`;
  const pid = await background({
    bundle: FORWARDER_BUNDLE,
    what: 'The DinD port forwarder',
    marker,
    optionsVariable: 'SETUP_DIND_FORWARDER_OPTIONS',
    options: { dir: ports.dir, target, logPath: join(workDir, 'ports.log') },
    stderrPath: join(workDir, 'ports.stderr'),
  });
  return { pid, marker };
}
