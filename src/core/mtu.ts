/**
 * The inner daemon's MTU (input `mtu`). STUB: to be implemented.
 */
import type { DockerCli } from './docker-cli.js';
import type { Options } from './inputs.js';

export interface MtuChoice {
  /** The MTU given to the inner daemon, or undefined when left at dockerd's default. */
  mtu: number | undefined;
  /** dockerd flags that apply it (`--mtu=N`, and on Docker 24+ `--default-network-opt=bridge=com.docker.network.driver.mtu=N`). */
  daemonArgs: string[];
  /** Where the value came from, for the log: e.g. "eth0 of this host has MTU 1450". */
  reason: string;
  /** Things the user should know (e.g. an engine too old for default-network-opt). */
  warnings: string[];
}

export async function chooseMtu(options: Pick<Options, 'mtu' | 'image' | 'pull' | 'daemonArgs' | 'daemonJson'>, _docker: DockerCli, _signal?: AbortSignal): Promise<MtuChoice> {
  return { mtu: undefined, daemonArgs: [], reason: `mtu ${String(options.mtu)}`, warnings: [] };
}
