/**
 * load-images: `docker save` on the runner's daemon streamed into `docker
 * load` of the new one, no temporary file and no registry. The two daemons
 * may keep images differently (graphdriver through 28, the containerd image
 * store by default on a fresh Docker 29): the archive format is common to
 * both, but a containerd store can hold a multi-platform index without the
 * content of the platform that was pulled last time for another one, and
 * saving the whole index then fails. The copy is then retried once for the
 * platform the images do have (`docker save --platform`, CLI and daemon 28+).
 */
import { spawn } from 'node:child_process';
import { apiVersionError } from '../../docker/api-version.js';
import type { Logger } from '../../engine/context.js';
import { daemonName, firstErrorLine } from '../../docker/docker-cli.js';
import type { Docker } from '../../docker/docker.js';
import { CancelledError, SetupDindError } from '../../engine/errors.js';

export interface CopyRoute {
  /** The environment of the runner's daemon (save) and of the new one (load). */
  from: NodeJS.ProcessEnv;
  to: NodeJS.ProcessEnv;
  logger: Logger;
  signal?: AbortSignal;
  docker: Docker;
}

interface Attempt {
  /** 0 when both sides succeeded, else the first failing side's exit code. */
  code: number;
  saveErrors: string;
  loadErrors: string;
}

/** A containerd store lacks the content of some platform of an image (docker save without --platform). */
export function missingPlatformContent(saveErrors: string): boolean {
  return /content digest \S+ not found|blob \S+ .*not found|NotFound: content|no suitable export target/i.test(saveErrors);
}

export async function copyImages(images: string[], route: CopyRoute): Promise<void> {
  const first = await saveIntoLoad(['save', ...images], route);
  if (first.code === 0) return;
  let retry: Attempt | undefined;
  if (missingPlatformContent(first.saveErrors)) {
    const platform = await platformOf(images, route);
    if (platform !== undefined) {
      route.logger.info(`The runner's daemon lacks some platforms of ${images.join(', ')}; copying only ${platform}.`);
      retry = await saveIntoLoad(['save', '--platform', platform, ...images], route);
      if (retry.code === 0) return;
    }
  }
  throw copyFailed(images, first, retry, route);
}

/** The one platform all the images have on the runner's daemon (os/arch[/variant]), or undefined. */
async function platformOf(images: string[], route: CopyRoute): Promise<string | undefined> {
  const format = '{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}';
  const result = await route.docker.cli(route.from).exec(['image', 'inspect', '--format', format, ...images], { timeoutMs: 30_000, signal: route.signal });
  const platforms = new Set(result.stdout.split('\n').filter(Boolean));
  return result.code === 0 && platforms.size === 1 ? [...platforms][0] : undefined;
}

function copyFailed(images: string[], first: Attempt, retry: Attempt | undefined, route: CopyRoute): SetupDindError {
  if (route.signal?.aborted) return new CancelledError('copying images into the DinD daemon');
  // Either daemon may refuse the client's API version: the runner's on save, the new one on load.
  const refused = apiVersionError(first.saveErrors, daemonName(route.from), route.from) ?? apiVersionError(first.loadErrors, 'the DinD daemon', route.to);
  if (refused) return refused;
  // The side that failed first tells why: a failed save also makes load fail (a cut archive).
  const why = firstErrorLine(first.saveErrors.trim() !== '' ? first.saveErrors : first.loadErrors);
  const message = `Copying ${images.join(', ')} into the DinD daemon failed: ${why}`;
  if (!missingPlatformContent(first.saveErrors)) return new SetupDindError(message);
  return new SetupDindError(message, {
    hint:
      (retry ? `Saving one platform failed too (${firstErrorLine(retry.saveErrors || retry.loadErrors)}). ` : '') +
      'The runner\'s containerd image store lacks some content of these images: pull each for one platform on the runner (docker pull --platform), or use a docker CLI and engine 28+ (docker save --platform).',
  });
}

/** One `docker SAVE_ARGS | docker load`, settled once both have exited. */
function saveIntoLoad(saveArgs: string[], route: CopyRoute): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const save = spawn(route.docker.binary, saveArgs, { env: route.from, stdio: ['ignore', 'pipe', 'pipe'], signal: route.signal });
    const load = spawn(route.docker.binary, ['load', '--quiet'], { env: route.to, stdio: ['pipe', 'ignore', 'pipe'], signal: route.signal });
    const errors = { save: '', load: '' };
    const codes: { save?: number; load?: number } = {};
    for (const [side, child] of [['save', save], ['load', load]] as const) {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors[side] += chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') return; // close follows; copyFailed names the cancellation
        reject(new SetupDindError(`Copying images into the DinD daemon failed: docker ${side}: ${error.message}`));
      });
      child.on('close', (code) => {
        codes[side] = code ?? 1;
        // A load that ended (refused, say) reads no more: without this, save would block on a full pipe for ever.
        if (side === 'load') save.stdout.destroy();
        if (codes.save === undefined || codes.load === undefined) return;
        // Save's "broken pipe" after that says nothing: load's own error tells why.
        const saveErrors = /broken pipe/i.test(errors.save) ? '' : errors.save;
        resolve({ code: codes.save || codes.load, saveErrors, loadErrors: errors.load });
      });
    }
    save.stdout.pipe(load.stdin);
    load.stdin.on('error', () => {}); // the load side's error is reported from its stderr
  });
}
