/**
 * The download of the docker CLI's archive (and of Docker's listing for
 * docker-version latest): streamed to a file, tried again on errors that
 * another try may cure, failing after a time without data rather than after
 * a total time, torn down at once when cancelled. Through https_proxy/no_proxy
 * (@actions/http-client's agents), imported only when a download is needed.
 */
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../engine/context.js';
import { CancelledError, errorMessage, SetupDindError } from '../engine/errors.js';

export interface DownloadPolicy {
  /** Tries of one URL: connection errors, timeouts, 5xx, 408 and 429 are tried again; other statuses are not. */
  attempts: number;
  /** A try fails when no data has come for this long (connecting, waiting for the answer, or mid-body). */
  idleTimeoutMs: number;
  /** The pause before another try: a random time in [min, max]. */
  pauseMs: readonly [number, number];
}

/**
 * A job waiting for its daemon should learn of a dead mirror within seconds
 * (a refused connection: ~6 s over 3 tries), and of one that accepts but
 * never answers within the idle timeout per try, not the 3 minutes per try
 * of the toolkit's defaults.
 */
export const DOWNLOAD_POLICY: DownloadPolicy = { attempts: 3, idleTimeoutMs: 30_000, pauseMs: [2_000, 4_000] };

export interface DownloadOptions {
  /** Where each failed try that is tried again is reported. */
  logger: Logger;
  signal?: AbortSignal;
  /** DOWNLOAD_POLICY unless a test says otherwise. */
  policy?: DownloadPolicy;
}

/** A failed download: `tries` says how often it was tried. */
export class DownloadError extends Error {
  tries = 1;
  /** Whether another try may help: a connection error, a timeout, 5xx, 408, 429. */
  readonly retryable: boolean;

  constructor(text: string, options: { retryable: boolean; cause?: unknown }) {
    super(text, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

export class HttpStatusError extends DownloadError {
  constructor(readonly httpStatusCode: number) {
    super(`HTTP ${httpStatusCode}`, { retryable: httpStatusCode >= 500 || httpStatusCode === 408 || httpStatusCode === 429 });
  }
}

type HttpClientModule = typeof import('@actions/http-client');
type HttpClient = InstanceType<HttpClientModule['HttpClient']>;

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** What a CancelledError says was interrupted. */
const DOWNLOADING = 'downloading the docker CLI';

/**
 * Downloads `url` to `file` (streamed; replaced on each try), tried as
 * `options.policy` says. Rejects with a DownloadError, a CancelledError on
 * the signal (the request is torn down at once, so nothing holds the
 * process), or a SetupDindError when the file cannot be written.
 */
export async function download(url: string, file: string, options: DownloadOptions): Promise<void> {
  const policy = options.policy ?? DOWNLOAD_POLICY;
  const { signal } = options;
  const client = await import('@actions/http-client');
  for (let attempt = 1; ; attempt++) {
    checkCancelled(signal);
    try {
      await downloadOnce(client, url, file, policy.idleTimeoutMs, signal);
      return;
    } catch (error) {
      if (signal?.aborted) throw new CancelledError(DOWNLOADING);
      if (!(error instanceof DownloadError)) throw error;
      error.tries = attempt;
      if (!error.retryable || attempt >= policy.attempts) throw error;
      const [min, max] = policy.pauseMs;
      const pause = min + Math.random() * (max - min);
      options.logger.info(`Downloading ${url} failed (${error.message}); trying again in ${(pause / 1000).toFixed(1)} s (${attempt + 1} of ${policy.attempts}).`);
      await sleep(pause, signal);
    }
  }
}

/** One try: follows redirects (not from https to http), fails after `idleMs` without data. */
function downloadOnce(client: HttpClientModule, url: string, file: string, idleMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const target = new URL(url);
    const settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
    new DownloadTry(client, url, file, idleMs, signal, settle).start(target);
  });
}

/**
 * The state of one try: the request in flight (a redirect replaces it), its
 * answer, the idle timer. Settles once: the first of success, failure, idle
 * timeout or cancellation wins, and everything else is torn down.
 */
class DownloadTry {
  private readonly agents: HttpClient;
  private request: http.ClientRequest | undefined;
  private response: http.IncomingMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private readonly onAbort = () => this.finish(new CancelledError(DOWNLOADING));

  constructor(
    client: HttpClientModule,
    private readonly url: string,
    private readonly file: string,
    private readonly idleMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly settle: (error?: unknown) => void,
  ) {
    // A fresh client per try: its agent routes through https_proxy unless no_proxy says otherwise.
    this.agents = new client.HttpClient('setup-dind', [], { keepAlive: false });
  }

  start(target: URL): void {
    if (this.signal?.aborted) return this.onAbort();
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.restartIdleTimer();
    this.get(target, 0);
  }

  private get(target: URL, redirects: number): void {
    let request: http.ClientRequest;
    try {
      const options = { agent: this.agents.getAgent(target.href), headers: { 'user-agent': 'setup-dind' } };
      request = (target.protocol === 'https:' ? https : http).request(target, options, (answer) => this.onAnswer(request, answer, target, redirects));
    } catch (error) {
      // e.g. a malformed https_proxy
      return this.finish(new DownloadError(errorMessage(error), { retryable: false, cause: error }));
    }
    this.request = request;
    request.on('error', (error) => {
      // An error of a request a redirect has replaced is no longer this try's.
      if (this.request === request) this.finish(new DownloadError(errorMessage(error), { retryable: true, cause: error }));
    });
    request.end();
  }

  private onAnswer(request: http.ClientRequest, answer: http.IncomingMessage, target: URL, redirects: number): void {
    if (this.request !== request || this.settled) return void answer.destroy();
    this.response = answer;
    this.restartIdleTimer();
    const status = answer.statusCode ?? 0;
    const location = answer.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      answer.resume();
      return this.redirect(target, status, location, redirects);
    }
    if (status !== 200) {
      answer.resume();
      return this.finish(new HttpStatusError(status));
    }
    this.saveBody(answer);
  }

  private redirect(from: URL, status: number, location: string, redirects: number): void {
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      return this.finish(new DownloadError(`HTTP ${status} to an invalid location ${JSON.stringify(location)}`, { retryable: false }));
    }
    if (from.protocol === 'https:' && next.protocol !== 'https:') {
      return this.finish(new DownloadError(`redirected from https to ${next.href}, refused`, { retryable: false }));
    }
    if (redirects >= MAX_REDIRECTS) return this.finish(new DownloadError(`more than ${MAX_REDIRECTS} redirects`, { retryable: false }));
    this.response = undefined;
    this.get(next, redirects + 1);
  }

  /** Streams the body to the file; each chunk restarts the idle timer. */
  private saveBody(answer: http.IncomingMessage): void {
    const out = createWriteStream(this.file);
    let writeFailed: Error | undefined;
    out.on('error', (error) => {
      writeFailed ??= error;
    });
    pipeline(answer, onEachChunk(() => this.restartIdleTimer()), out).then(
      () => this.finish(),
      (error: unknown) => this.finish(writeFailed === undefined ? new DownloadError(`the connection broke mid-download (${errorMessage(error)})`, { retryable: true, cause: error }) : this.writeError(writeFailed)),
    );
  }

  private writeError(error: Error): SetupDindError {
    return new SetupDindError(`Could not write the download of ${this.url} to ${this.file}: ${error.message}`, {
      hint: 'Check the free space and permissions of the temporary directory (RUNNER_TEMP, or TMPDIR for the CLI).',
      cause: error,
    });
  }

  private restartIdleTimer(): void {
    clearTimeout(this.timer);
    // A settled try keeps no timer: it would hold the process.
    if (this.settled) return;
    this.timer = setTimeout(() => this.finish(new DownloadError(`no data for ${formatSeconds(this.idleMs)}`, { retryable: true })), this.idleMs);
  }

  private finish(error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    if (error !== undefined) {
      // Tear the connection down now: a socket left open would hold the process.
      this.response?.destroy();
      this.request?.destroy();
    }
    this.agents.dispose();
    this.settle(error);
  }
}

/** A pipeline step passing the chunks on unchanged, calling `onChunk` for each. */
function onEachChunk(onChunk: () => void) {
  return async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      onChunk();
      yield chunk;
    }
  };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Waits `ms`; rejects with a CancelledError at once on the signal. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError(DOWNLOADING));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(DOWNLOADING);
}
