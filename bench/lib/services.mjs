// Contenders where a CI platform runs the daemon as a service:
// - the GitLab component (templates/dind.yml): its service command and its
//   before_script wait, in a job container beside the service, against the
//   image's own TLS set-up with a plain `docker info` loop;
// - a GitHub Actions dind service container (examples/github/service-dind.yml,
//   created as the runner creates it) with setup-dind in mode attach.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../../scripts/actions-runner.mjs';
import { serviceCreateArgs } from '../../scripts/service-container.mjs';
import { actionMain } from './contenders.mjs';
import { RUN_LABEL, BENCH_LABEL } from './resources.mjs';
import { docker, firstLine, freePort, run } from './proc.mjs';

/** @typedef {import('./contenders.mjs').Context} Context */
/** @typedef {import('./contenders.mjs').Measured} Measured */

const READY_TIMEOUT_MS = 120_000;
/** The job image of the GitLab flows (the component's default cli-image). */
const CLI_IMAGE = 'docker:cli';

/** The component's service script and before_script, read from templates/dind.yml. */
async function component() {
  const text = await readFile(join(ROOT, 'templates/dind.yml'), 'utf8');
  const dind = parseAllDocuments(text)[1].toJS()['.dind'];
  const [, , serviceScript, scriptName] = dind.services[0].entrypoint;
  return { serviceScript, scriptName, wait: dind.before_script[0] };
}

/** Labels of this run, for a volume. */
function volumeLabels(ctx) {
  return ['--label', `${BENCH_LABEL}=1`, '--label', `${RUN_LABEL}=${ctx.res.runTag}`];
}

/**
 * A GitLab job with a DinD service: the service container (alias `docker` is
 * the job's loopback here: the job container shares its network namespace),
 * then the job container, which waits. Timed from the service's `docker run`
 * to the job container's exit; `wait` is the seconds the wait itself reports.
 * @param {Context} ctx
 * @param {{ name: string, flow: 'image' | 'component', tls: boolean }} how
 * @returns {Promise<Measured>}
 */
async function gitlabJob(ctx, how) {
  const { serviceScript, scriptName, wait } = await component();
  const certs = `setup-dind-bench-${ctx.res.runTag}-certs-${++ctx.res.sequence}`;
  const service = ctx.res.name(how.name);
  const job = ctx.res.name(`${how.name}-job`);
  const port = how.tls ? 2376 : 2375;
  const tlsEnv = how.tls ? ['-e', 'DOCKER_TLS_CERTDIR=/certs'] : ['-e', 'DOCKER_TLS_CERTDIR='];
  if (how.tls) await docker(['volume', 'create', ...volumeLabels(ctx), certs]);
  const certMount = how.tls ? ['-v', `${certs}:/certs/client`] : [];
  const serviceArgs =
    how.flow === 'component'
      ? ['--entrypoint', 'sh', ...tlsEnv, '-e', 'SETUP_DIND_MTU=auto', ctx.image, '-c', serviceScript, scriptName]
      : [...tlsEnv, ctx.image, ...(how.tls ? [] : ['--tls=false'])];
  const clientEnv = ['-e', `DOCKER_HOST=tcp://127.0.0.1:${port}`, ...(how.tls ? ['-e', 'DOCKER_TLS_VERIFY=1', '-e', 'DOCKER_CERT_PATH=/certs/client'] : [])];
  const jobScript = how.flow === 'component' ? wait : 'until docker info >/dev/null 2>&1; do :; done';
  const started = performance.now();
  try {
    await docker(['run', '-d', '--privileged', '--name', service, ...ctx.res.runArgs(), ...certMount, ...serviceArgs], { signal: ctx.signal });
    const result = await run(
      'docker',
      ['run', '--rm', '--name', job, '--label', `${BENCH_LABEL}=1`, '--label', `${RUN_LABEL}=${ctx.res.runTag}`, '--network', `container:${service}`, ...certMount, ...clientEnv, '-e', 'SETUP_DIND_TIMEOUT=120', '--entrypoint', 'sh', CLI_IMAGE, '-c', jobScript],
      { signal: ctx.signal, timeoutMs: READY_TIMEOUT_MS },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.code !== 0) throw new Error(`${how.name}: the job's wait exited ${result.code}: ${firstLine(result.stderr) || firstLine(result.stdout)}`);
    const reported = /is ready at \S+ after (\d+\.\d+) s/.exec(result.stdout)?.[1];
    return { values: { ready: seconds, ...(reported === undefined ? {} : { wait: Number(reported) }) } };
  } finally {
    await docker(['rm', '--force', '--volumes', job, service]).catch(() => {});
    if (how.tls) await docker(['volume', 'rm', '--force', certs]).catch(() => {});
  }
}

/**
 * examples/github/service-dind.yml's service as the Actions runner starts it
 * (a job network, `docker create` in DockerCommandManager's order, `docker
 * start`), on a free port instead of 2375 and without its workspace volume,
 * then dist/main.js in mode attach. Timed from the network's creation to
 * main's exit (`ready`); `attach` is main alone. The runner's clean-up
 * (`docker rm --force`, network rm) is untimed; the bench also removes the volume.
 * @param {Context} ctx
 * @returns {Promise<Measured>}
 */
async function githubService(ctx) {
  const workflow = parse(await readFile(join(ROOT, 'examples/github/service-dind.yml'), 'utf8'));
  const service = workflow.jobs.build.services.docker;
  const port = await freePort();
  const name = ctx.res.name('github-service');
  const network = `${name}-network`;
  const entry = ctx.res.newJob();
  const started = performance.now();
  try {
    await docker(['network', 'create', '--label', `${BENCH_LABEL}=1`, '--label', `${RUN_LABEL}=${ctx.res.runTag}`, network]);
    const create = serviceCreateArgs(
      { ...service, image: ctx.image },
      { name, labels: [], extra: ctx.res.runArgs(), network, alias: 'docker', ports: [`127.0.0.1:${port}:2375`], volumes: [] },
    );
    await docker(create, { signal: ctx.signal, env: { ...process.env, DOCKER_TLS_CERTDIR: undefined } });
    await docker(['start', name], { signal: ctx.signal });
    const main = await actionMain(entry, { mode: 'attach', 'docker-host': `tcp://127.0.0.1:${port}`, timeout: '120' }, ctx.signal);
    const seconds = (performance.now() - started) / 1000;
    return { values: { ready: seconds, attach: main.seconds } };
  } finally {
    await ctx.res.finishJob(entry);
    await docker(['rm', '--force', '--volumes', name]).catch(() => {});
    await docker(['network', 'rm', network]).catch(() => {});
  }
}

/** @param {string} image */
export function serviceContenders(image) {
  return [
    {
      id: 'gitlab-image-tls',
      description:
        `A GitLab job with GitLab's documented service settings: docker run -d --privileged -e DOCKER_TLS_CERTDIR=/certs -v CERTS:/certs/client ${image} (the image makes its CA, server and client certificates, 4096-bit RSA), ` +
        `then a ${CLI_IMAGE} job container in its network namespace with the same volume, until docker info; do :; done; timed from the service's docker run to the job's exit.`,
      series: { ready: "service's docker run to the job container's exit" },
      run: (ctx) => gitlabJob(ctx, { name: 'gitlab-image-tls', flow: 'image', tls: true }),
    },
    {
      id: 'gitlab-component',
      description:
        "templates/dind.yml with its defaults (tls: true, mtu: auto): the component's service command (sh -c, then the image's entrypoint) and its before_script wait in the job container; otherwise as gitlab-image-tls.",
      series: { ready: "service's docker run to the job container's exit", wait: "the wait's own 'ready after N s'" },
      run: (ctx) => gitlabJob(ctx, { name: 'gitlab-component', flow: 'component', tls: true }),
    },
    {
      id: 'gitlab-component-plain',
      description: 'templates/dind.yml with tls: false (DOCKER_TLS_CERTDIR empty, --tls=false, port 2375); otherwise as gitlab-component.',
      series: { ready: "service's docker run to the job container's exit", wait: "the wait's own 'ready after N s'" },
      run: (ctx) => gitlabJob(ctx, { name: 'gitlab-component-plain', flow: 'component', tls: false }),
    },
    {
      id: 'github-service',
      description:
        "examples/github/service-dind.yml's service as the Actions runner creates it (job network, docker create with its options, env and command, docker start; a free port, no workspace volume), " +
        'then dist/main.js with mode: attach at that port; timed from the network create to main\'s exit (ready), and main alone (attach).',
      series: { ready: 'network create to dist/main.js exit', attach: 'dist/main.js (mode attach) spawn to exit' },
      run: githubService,
    },
  ];
}
