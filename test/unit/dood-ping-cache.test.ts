/** The proxy's answer to /_ping from the daemon's recent one, over a fake ping and clock. */
import { describe, expect, it } from 'vitest';
import { PING_FRESH_MS, PingCache, pingBody, type PingAnswer } from '../../src/dood/ping-cache.js';

const DAEMON_HEADERS = ['Api-Version', '1.47', 'Content-Length', '0', 'Date', 'Mon, 07 Dec 2026 14:00:00 GMT', 'Ostype', 'linux', 'Connection', 'keep-alive', 'Swarm', 'inactive'];

function setup(answers: Array<PingAnswer | Error>) {
  let now = 0;
  let asked = 0;
  const cache = new PingCache(
    async () => {
      const answer = answers[Math.min(asked++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    () => now,
  );
  return { cache, asked: () => asked, advance: (ms: number) => (now += ms) };
}

describe('PingCache', () => {
  it("answers from the daemon's answer while it is fresh, without its framing or date, and asks again after", async () => {
    const { cache, asked, advance } = setup([{ status: 200, rawHeaders: DAEMON_HEADERS }]);
    expect(await cache.headers()).toEqual(['Api-Version', '1.47', 'Ostype', 'linux', 'Swarm', 'inactive']);
    advance(PING_FRESH_MS - 1);
    await cache.headers();
    expect(asked()).toBe(1);
    advance(1);
    await cache.headers();
    expect(asked()).toBe(2);
  });

  it('asks once for pings that come together', async () => {
    const { cache, asked } = setup([{ status: 200, rawHeaders: DAEMON_HEADERS }]);
    await Promise.all([cache.headers(), cache.headers(), cache.headers()]);
    expect(asked()).toBe(1);
  });

  it('has no answer when the daemon failed or did not say 200 (the ping is forwarded), and keeps none of it', async () => {
    const { cache, asked } = setup([new Error('ECONNREFUSED'), { status: 500, rawHeaders: [] }, { status: 200, rawHeaders: DAEMON_HEADERS }]);
    expect(await cache.headers()).toBeUndefined();
    expect(await cache.headers()).toBeUndefined();
    expect(await cache.headers()).toContain('Api-Version');
    expect(asked()).toBe(3);
  });

  it('a GET gets the body OK, a HEAD none, as from the daemon', () => {
    expect(pingBody('GET')).toBe('OK');
    expect(pingBody('HEAD')).toBe('');
  });
});
