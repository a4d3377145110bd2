/**
 * load-images: `docker save` on the runner's daemon streamed into `docker
 * load` of the new one, no temporary file and no registry. The two daemons
 * may keep images differently (graphdriver through 28, the containerd image
 * store by default on a fresh Docker 29): the archive format is common to
 * both, but a containerd store can hold a multi-platform index with only some
 * platforms' content, and saving all of it fails. Then the copy is retried
 * once for the new daemon's own platform (`docker save --platform`, CLI 28+).
 */
import { spawn } from 'node:child_process';
import { apiVersionError } from './api-version.js';
import type { Logger } from './context.js';
import { daemonName, firstErrorLine } from './docker-cli.js';
import { SetupDindError } from './errors.js';
import { daemonVersion, type Endpoint } from './probe.js';

export interface CopyRoute {
  /** The environment of the runner's daemon (save) and of the new one (load). */
  from: NodeJS.ProcessEnv;
  to: NodeJS.ProcessEnv;
  /** The new daemon, asked for its platform when a retry needs it. */
  toEndpoint: Endpoint;
  logger: Logger;
  signal?: AbortSignal;
}

interface Attempt {
  code: number;
  saveErrors: string;
  loadErrors: string;
}

/** Content of some platforms is missing from a containerd store (docker save without --platform). */
export function missingPlatformContent(saveErrors: string): boolean {
  return /content digest \S+ not found|blob \S+ .*not found|NotFound: content|no suitable export target/i.test(saveErrors);
}

export async function copyImages(images: string[], route: CopyRoute): Promise<void> {
  let attempt = await saveIntoLoad(['save', ...images], route);
  if (attempt.code !== 0 && missingPlatformContent(attempt.saveErrors)) {
    const { platform } = await daemonVersion(route.toEndpoint).catch(() => ({ platform: undefined }));
    if (platform !== undefined) {
      route.logger.info(`The runner's daemon lacks some platforms of ${images.join(', ')}; copying only ${platform}, the new daemon's.`);
      attempt = await saveIntoLoad(['save', '--platform', platform, ...images], route);
    }
  }
  if (attempt.code === 0) return;
  // Either daemon may refuse the client's API version: the runner's on save, the new one on load.
  const refused = apiVersionError(attempt.saveErrors, daemonName(route.from), route.from) ?? apiVersionError(attempt.loadErrors, 'the DinD daemon', route.to);
  throw refused ?? new SetupDindError(`Copying ${images.join(', ')} into the DinD daemon failed: ${firstErrorLine(attempt.saveErrors + attempt.loadErrors)}`);
}

/** One `docker SAVE_ARGS | docker load`; resolves with the first failing exit code (0 when both succeeded) and each side's errors. */
function saveIntoLoad(saveArgs: string[], route: CopyRoute): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const save = spawn('docker', saveArgs, { env: route.from, stdio: ['ignore', 'pipe', 'pipe'], signal: route.signal });
    const load = spawn('docker', ['load', '--quiet'], { env: route.to, stdio: ['pipe', 'ignore', 'pipe'], signal: route.signal });
    const errors = { save: '', load: '' };
    for (const [side, child] of [['save', save], ['load', load]] as const) {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors[side] += chunk));
      child.on('error', (error) => reject(new SetupDindError(`Copying images into the DinD daemon failed: ${error.message}`)));
    }
    save.stdout.pipe(load.stdin);
    load.stdin.on('error', () => {}); // the load side's error is reported below
    let saveCode: number | null = null;
    save.on('close', (code) => (saveCode = code));
    load.on('close', (code) => {
      const failed = saveCode !== null && saveCode !== 0 ? saveCode : (code ?? 1);
      resolve({ code: code === 0 ? (saveCode ?? 0) : failed, saveErrors: errors.save, loadErrors: errors.load });
    });
  });
}
