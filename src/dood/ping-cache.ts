/**
 * The daemon's answer to /_ping, kept for a moment. Every docker command
 * pings before its real request, so in a loop of small commands half the
 * requests are pings, and each one forwarded costs a connection to the
 * daemon. An unversioned ping (the CLI's; a versioned one may be refused by
 * the daemon) is answered from what the daemon said less than a second
 * ago; when it has not said so (a failed ping, or none lately) the request
 * goes to the daemon as any other, so a stopped daemon is still found out.
 */

/** The daemon's answer to HEAD /_ping: its status and raw header pairs. */
export interface PingAnswer {
  status: number;
  rawHeaders: string[];
}

/** The daemon's headers the proxy does not repeat: its framing and its Date (the proxy's answer has its own). */
const NOT_REPEATED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

export const PING_FRESH_MS = 1000;

export class PingCache {
  private last: { at: number; headers: string[] } | undefined;
  private pending: Promise<string[] | undefined> | undefined;

  constructor(
    private readonly ping: () => Promise<PingAnswer>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The headers of a fresh 200 answer (asking the daemon when there is none), or undefined: forward the ping. */
  async headers(): Promise<string[] | undefined> {
    if (this.last && this.now() - this.last.at < PING_FRESH_MS) return this.last.headers;
    this.pending ??= this.ask().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async ask(): Promise<string[] | undefined> {
    const at = this.now();
    const answer = await this.ping().catch(() => undefined);
    if (answer?.status !== 200) {
      this.last = undefined;
      return undefined;
    }
    const headers: string[] = [];
    for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
      if (!NOT_REPEATED.has(answer.rawHeaders[index]!.toLowerCase())) headers.push(answer.rawHeaders[index]!, answer.rawHeaders[index + 1]!);
    }
    this.last = { at, headers };
    return headers;
  }
}

/** The ping's answer as the daemon gives it: `OK` to GET, no body to HEAD. */
export function pingBody(method: string): string {
  return method === 'HEAD' ? '' : 'OK';
}
