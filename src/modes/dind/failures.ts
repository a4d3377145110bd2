/**
 * What went wrong when a DinD daemon would not start, in words that say what
 * to do: a refused `docker run`, a daemon that died, a privileged container
 * the engine will not run.
 */
import { firstErrorLine, type CommandResult } from '../../docker/docker-cli.js';
import { SetupDindError } from '../../engine/errors.js';
import type { Options } from '../../inputs/inputs.js';

/** Turns a failed `docker run` into an error that says what happened and what to do. */
export function explainRunFailure(result: CommandResult, options: Options): SetupDindError {
  const line = firstErrorLine(result.stderr);
  // Match the error lines only: pull progress (stderr too) may name a registry host.
  const errors = result.stderr
    .split('\n')
    .filter((text) => /error|denied|cannot|failed|refused|not permitted|no such/i.test(text))
    .join('\n');
  if (/Cannot connect to the Docker daemon|error during connect|Is the docker daemon running/i.test(errors)) {
    return new SetupDindError(`Cannot reach the Docker daemon that should start the DinD container: ${line}`, {
      hint: 'mode dind needs a running Docker engine on the runner (check DOCKER_HOST and that dockerd is running).',
    });
  }
  if (/port is already allocated|address already in use/i.test(errors)) {
    return new SetupDindError(`Input "port": host port ${options.port} on ${options.bindAddress} is already in use: ${line}`, {
      hint: 'Choose another port, or set port to 0 to let Docker pick a free one.',
    });
  }
  if (/unable to apply caps|operation not permitted|privileged mode is (disabled|not allowed)|authorization denied|privileged/i.test(errors)) {
    return privilegedRefused(line);
  }
  if (/No such image/i.test(errors) && options.pull === 'never') {
    return new SetupDindError(`Image ${options.image} is not present and input "pull" is "never": ${line}`, {
      hint: 'Load the image beforehand, or set pull to "missing".',
    });
  }
  if (/pull access denied|manifest unknown|not found: manifest|repository does not exist/i.test(errors)) {
    return new SetupDindError(`Image ${options.image} cannot be pulled: ${line}`, {
      hint: 'Check the image name and tag, and registry credentials (docker login) for a private image.',
    });
  }
  if (/registry|dial tcp|no such host|i\/o timeout|TLS handshake|connection refused|net\/http/i.test(errors)) {
    return new SetupDindError(`Image ${options.image} could not be pulled (pull: ${options.pull}): ${line}`, {
      hint:
        options.pull === 'always'
          ? 'The registry is unreachable; with pull "missing" a local copy of the image is used.'
          : 'The registry is unreachable; load the image on the runner beforehand (docker load).',
    });
  }
  return new SetupDindError(`Starting the DinD container failed: ${line}`);
}

export function privilegedRefused(engineLine: string): SetupDindError {
  // userns-remap refuses --privileged on every engine version; --userns=host would undo the host's choice, so it is not tried.
  const remapped = /user namespace/i.test(engineLine)
    ? 'This engine remaps user namespaces (userns-remap), which rules out privileged containers. '
    : '';
  return new SetupDindError(`The Docker engine refused to run a privileged container, which DinD needs: ${engineLine}`, {
    hint:
      remapped +
      'Use a runner that allows privileged containers (Kubernetes: securityContext.privileged; GitLab Runner: privileged = true), ' +
      'or use mode dood (the host socket, no privileged container), or a runtime such as Sysbox that runs Docker without --privileged.',
  });
}

/**
 * The most telling line of a daemon's log: its fatal error, not the noise
 * before it. dockerd reports a fatal start error as "Status: MESSAGE, Code: N"
 * (MESSAGE may run over several lines), so that line comes first.
 */
export function daemonErrorLine(lines: readonly string[]): string {
  const status = lines.find((line) => /^Status: /.test(line.trim()));
  if (status !== undefined) return status.trim().replace(/^Status: /, '').replace(/, Code: \d+$/, '');
  const telling = [...lines]
    .reverse()
    .find((line) => /level=(fatal|error)|failed to start daemon|unknown (flag|shorthand)|invalid|error/i.test(line));
  return (telling ?? lines.at(-1) ?? '(the container wrote no log)').trim();
}

/**
 * The log without dockerd's usage text: since Docker 23 a flag error is
 * followed by the whole option list (about 150 lines), which would push the
 * error itself out of any tail.
 */
export function withoutUsage(lines: readonly string[]): string[] {
  const start = lines.findIndex((line) => /^Usage:\s+dockerd\b/.test(line));
  if (start === -1) return [...lines];
  const end = lines.findIndex((line, index) => index > start && /^, Code: \d+$/.test(line.trim()));
  return [...lines.slice(0, start), ...(end === -1 ? [] : lines.slice(end))];
}

export function daemonExited(code: number, logs: string[], options: Pick<Options, 'transport' | 'tls'>): SetupDindError {
  const line = daemonErrorLine(logs);
  return new SetupDindError(`The DinD daemon exited during start (exit code ${code}): ${line}`, {
    hint: exitHint(logs.join('\n'), line, options),
    details: logs,
  });
}

function exitHint(log: string, fatalLine: string, options: Pick<Options, 'transport' | 'tls'>): string {
  if (/daemon\.json|configuration file|directives/i.test(log)) {
    return 'The daemon refused its configuration: check inputs "daemon-config", "registry-mirrors", "insecure-registries" and "daemon-args" (an option may not be given both as a flag and in daemon.json); the daemon log is below.';
  }
  // Docker 26+ warn that an unencrypted TCP API "will be a hard failure preventing the daemon from starting",
  // or a release may refuse --tls=false itself; every plain-TCP start logs such warnings, so only the fatal line counts.
  if (options.transport === 'tcp' && !options.tls && /without (encryption|TLS)|api-security|--tls\b|unauthenticated|\binsecure\b(?![-_ ]registr)/i.test(fatalLine)) {
    return 'This daemon refuses to serve its API on plain TCP: set input "tls" to true (mutual TLS with per-job certificates) or "transport" to unix.';
  }
  if (/operation not permitted|permission denied|read-only file system/i.test(log)) {
    return 'The daemon lacked a permission it needs; the runner may not grant full privileges to containers (see the log below).';
  }
  return 'Check input "daemon-args" and "image"; the daemon log is below.';
}
