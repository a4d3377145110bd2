/** The action's main step: set up a daemon and point the job's later steps at it. */
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { realDocker, systemClock } from '../docker/docker.js';
import { startBackground } from '../engine/background.js';
import { addsToPath, ensureDockerCli } from '../docker/docker-install.js';
import { setUp, type Daemon } from '../engine/engine.js';
import { readOptions } from '../inputs/inputs.js';
import { exitWhenFlushed } from '../exit.js';
import { actionsLogger, actionsPlanStore, cancellationSignal, failStep } from './actions.js';

/** Resolves with whether the step succeeded (a failure has been reported). */
async function main(): Promise<boolean> {
  const signal = cancellationSignal();
  try {
    const options = readOptions((name) => core.getInput(name));
    const tempDir = process.env.RUNNER_TEMP || tmpdir();
    // Before the daemon: a bad docker-version or mirror must fail with nothing started.
    const cli = await ensureDockerCli({
      dockerVersion: options.dockerVersion,
      dockerDownloadUrl: options.dockerDownloadUrl,
      logger: actionsLogger,
      env: process.env,
      tempDir,
      signal,
    });
    // For the later steps; the engine runs the binary by its path.
    if (addsToPath(cli)) core.addPath(cli.dir);
    const daemon = await setUp(options, {
      logger: actionsLogger,
      plans: actionsPlanStore,
      env: process.env,
      tempDir,
      signal,
      docker: realDocker(cli.path || 'docker'),
      clock: systemClock,
      background: startBackground,
    });
    core.setOutput('docker-cli-path', cli.path);
    core.setOutput('docker-cli-version', await cli.version);
    publish(daemon);
    return true;
  } catch (error) {
    failStep(error);
    return false;
  }
}

function publish(daemon: Daemon): void {
  for (const [name, value] of Object.entries(daemon.env)) core.exportVariable(name, value);
  const readySeconds = daemon.readySeconds.toFixed(2);
  core.setOutput('docker-host', daemon.endpoint.dockerHost);
  core.setOutput('container-id', daemon.containerId ?? '');
  core.setOutput('container-name', daemon.containerName ?? '');
  core.setOutput('server-version', daemon.serverVersion);
  core.setOutput('ready-seconds', readySeconds);
  core.setOutput('cert-path', daemon.certPath ?? '');
  const exported = Object.keys(daemon.env).join(', ');
  core.info(`Docker ${daemon.serverVersion} is ready at ${daemon.endpoint.dockerHost} after ${readySeconds} s; ${exported} set for the next steps.`);
  if (process.env.GITHUB_STEP_SUMMARY) {
    const started = { attach: 'attached to a running daemon', dood: "the runner's daemon, through a per-job proxy", dind: `${daemon.image ?? ''} as ${daemon.containerName ?? ''}` }[
      daemon.mode
    ];
    let summary = core.summary
      .addHeading('Docker daemon', 3)
      .addTable([
        [
          { data: 'Mode', header: true },
          { data: 'Daemon', header: true },
          { data: 'Docker', header: true },
          { data: 'Endpoint', header: true },
          { data: 'Transport', header: true },
          { data: 'Ready after', header: true },
        ],
        [daemon.mode, started, daemon.serverVersion, daemon.endpoint.dockerHost, daemon.transport, `${readySeconds} s`],
      ]);
    if (daemon.preloaded) {
      summary = summary.addRaw(`\nPreloaded ${daemon.preloaded.images.map((image) => `\`${image}\``).join(', ')} from the runner's daemon in ${daemon.preloaded.seconds.toFixed(2)} s.\n`, true);
    }
    const details = [
      daemon.mtu !== undefined ? `Inner networks have MTU ${daemon.mtu}.` : '',
      daemon.cacheVolume !== undefined ? `/var/lib/docker is cache volume \`${daemon.cacheVolume}\`, kept after the job.` : '',
      daemon.context !== undefined ? `Docker context \`${daemon.context}\` created for this daemon (\`docker --context ${daemon.context}\`); removed after the job.` : '',
    ].filter((line) => line !== '');
    if (details.length > 0) summary = summary.addList(details);
    for (const warning of daemon.warnings) summary = summary.addRaw(`\n> [!WARNING]\n> ${warning}\n`, true);
    // The summary is a convenience: failing to write it must not fail the step.
    void summary.write().catch((error: unknown) => core.warning(`Could not write the job summary: ${String(error)}`));
  }
}

/** Runs the main step (dist/main.js, through src/entries.ts). */
export async function runMain(): Promise<void> {
  if (!(await main())) exitWhenFlushed(1);
}
