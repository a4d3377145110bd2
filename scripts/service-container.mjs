// A GitHub Actions service container, created the way the runner creates one
// (actions/runner, DockerCommandManager.DockerCreate), for the end-to-end test
// of examples/github/service-dind.yml and for the benchmark.

/**
 * @typedef {object} ServiceSpec a `jobs.<id>.services.<id>` entry of a workflow
 * @property {string} image
 * @property {string} [options]
 * @property {Record<string, string | number | boolean>} [env]
 * @property {string} [entrypoint]
 * @property {string} [command]
 * @property {string[]} [ports]
 * @property {string[]} [volumes]
 */

/**
 * Words of a string the runner puts on docker's command line as it is
 * (`options`, `command`): split at blanks, double quotes group, as the
 * runner's process start parses its argument string.
 * @param {string | undefined} text
 * @returns {string[]}
 */
export function runnerWords(text) {
  return [...(text ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

/**
 * `docker create` arguments for a service, in the runner's order: name,
 * label, network and alias, ports, options, env (an empty value as `-e NAME`,
 * which takes NAME from the environment of `docker` itself, and without it
 * removes the image's default), the runner's own variables, volumes,
 * entrypoint, image, command.
 * @param {ServiceSpec} service
 * @param {{ name: string, labels: string[], network: string, alias: string, ports?: string[], volumes?: string[], extra?: string[] }} how
 *   `labels`: `--label` values; `ports`/`volumes` replace the service's own (e.g. a free port, expanded paths);
 *   `extra`: more arguments of the caller's, after the labels
 * @returns {string[]}
 */
export function serviceCreateArgs(service, how) {
  return [
    'create', '--name', how.name,
    ...how.labels.flatMap((label) => ['--label', label]),
    ...(how.extra ?? []),
    '--network', how.network, '--network-alias', how.alias,
    ...(how.ports ?? service.ports ?? []).flatMap((port) => ['-p', port]),
    ...runnerWords(service.options),
    ...Object.entries(service.env ?? {}).flatMap(([key, value]) => ['-e', String(value) === '' ? key : `${key}=${String(value)}`]),
    '-e', 'GITHUB_ACTIONS=true', '-e', 'CI=true',
    ...(how.volumes ?? service.volumes ?? []).flatMap((volume) => ['-v', volume]),
    ...(service.entrypoint ? ['--entrypoint', service.entrypoint] : []),
    service.image,
    ...runnerWords(service.command),
  ];
}
