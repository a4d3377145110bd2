/**
 * strict's BuildKit rules as pure functions over encoded requests: which
 * calls go on, and what a Solve may ask for. Requests are encoded here with
 * @bufbuild/protobuf's writer, field numbers from BuildKit's control.proto
 * and gateway.proto; the property test sends the same request with its
 * fields in any order, among fields the rules do not read.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuildKitRules, exportedNames, frontendOptionProblem } from '../../src/dood/buildkit.js';
import type { DaemonCall } from '../../src/dood/grpc-relay.js';
import { readFields, stringMapOf, type WireField } from '../../src/dood/protobuf.js';
import { Refused } from '../../src/dood/refused.js';

type Part = { no: number; text: string } | { no: number; map: [string, string] } | { no: number; message: Part[] } | { no: number; varint: number };

function encode(parts: Part[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const part of parts) {
    if ('text' in part) writer.tag(part.no, WireType.LengthDelimited).string(part.text);
    else if ('map' in part) writer.tag(part.no, WireType.LengthDelimited).bytes(encode([{ no: 1, text: part.map[0] }, { no: 2, text: part.map[1] }]));
    else if ('message' in part) writer.tag(part.no, WireType.LengthDelimited).bytes(encode(part.message));
    else writer.tag(part.no, WireType.Varint).uint64(part.varint);
  }
  return writer.finish();
}

const SOLVE = '/moby.buildkit.v1.Control/Solve';
/** A daemon without a build history (Docker 20.10): the ref check's question is unimplemented there. */
const NO_HISTORY: DaemonCall = async () => ({ status: 12, messages: 0 });
const BRIDGE_SOLVE = '/moby.buildkit.v1.frontend.LLBBridge/Solve';

function rules() {
  const checked: string[][] = [];
  const buildkit = new BuildKitRules({
    checkTags: async (tags) => {
      checked.push(tags);
      if (tags.includes('docker.io/library/docker:dind')) throw new Refused(403, 'not the job\'s tag');
    },
  });
  return { buildkit, checked };
}

async function solveRefusal(parts: Part[], path = SOLVE): Promise<string | undefined> {
  try {
    await rules().buildkit.inspect(path, Buffer.from(encode(parts)), NO_HISTORY);
    return undefined;
  } catch (error) {
    if (error instanceof Refused) return error.message;
    throw error;
  }
}

/** A build as buildx sends it: frontend, its options, the session, one image exporter. */
const plainBuild: Part[] = [
  { no: 1, text: 'ref-1' },
  { no: 5, text: 'session-1' },
  { no: 6, text: 'dockerfile.v0' },
  { no: 7, map: ['filename', 'Dockerfile'] },
  { no: 7, map: ['force-network-mode', 'default'] },
  { no: 13, message: [{ no: 1, text: 'moby' }, { no: 2, map: ['name', 'docker.io/library/mine:1,mine:2'] }] },
];

describe('BuildKitRules.admit', () => {
  it('forwards reads and the session, inspects builds, refuses prune, history changes and anything unknown', () => {
    const { buildkit } = rules();
    expect(buildkit.admit('/moby.buildkit.v1.Control/Status')).toBe('forward');
    expect(buildkit.admit('/moby.buildkit.v1.Control/ListWorkers')).toBe('forward');
    expect(buildkit.admit(SOLVE)).toBe('inspect');
    expect(buildkit.admit(BRIDGE_SOLVE)).toBe('inspect');
    expect(String(buildkit.admit('/moby.buildkit.v1.Control/Prune'))).toContain('docker buildx prune is not allowed');
    expect(String(buildkit.admit('/moby.buildkit.v1.Control/UpdateBuildHistory'))).toContain('changing the build history is not allowed');
    expect(String(buildkit.admit('/moby.buildkit.v1.frontend.LLBBridge/NewContainer'))).toContain('the BuildKit call /moby.buildkit.v1.frontend.LLBBridge/NewContainer is not allowed');
    expect(String(buildkit.admit('/moby.buildkit.v1.control/solve'))).toContain('not one the proxy knows');
  });
});

describe('BuildKitRules.inspect (ListenBuildHistory)', () => {
  const HISTORY = '/moby.buildkit.v1.Control/ListenBuildHistory';
  const history = (parts: Part[]) => Buffer.from(encode(parts));

  it("shows a job the records of its own builds only: not the whole list, not another job's build", async () => {
    const { buildkit } = rules();
    expect(buildkit.admit(HISTORY)).toBe('inspect');
    await expect(buildkit.inspect(HISTORY, history([{ no: 2, text: 'ref-1' }]), NO_HISTORY)).rejects.toThrow('the build record ref-1 is not allowed (it is not a build of this job)');
    // buildx's probe for the history API, at every build: a ref no build has.
    await buildkit.inspect(HISTORY, history([{ no: 1, varint: 1 }, { no: 2, text: 'buildx-test-history-api-feature' }, { no: 3, varint: 1 }]), NO_HISTORY);
    await buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), NO_HISTORY);
    await buildkit.inspect(HISTORY, history([{ no: 1, varint: 1 }, { no: 2, text: 'ref-1' }, { no: 3, varint: 1 }]), NO_HISTORY);
    await expect(buildkit.inspect(HISTORY, history([{ no: 1, varint: 1 }]), NO_HISTORY)).rejects.toThrow(
      "listing the build history (docker buildx history ls) is not allowed (it shows every job's builds on the daemon",
    );
    // The last Ref is the one the daemon reads; a Ref sent as a number is no Ref to it either (it refuses the message).
    await expect(buildkit.inspect(HISTORY, history([{ no: 2, text: 'ref-1' }, { no: 2, text: 'theirs' }]), NO_HISTORY)).rejects.toThrow('the build record theirs');
    await expect(buildkit.inspect(HISTORY, history([{ no: 2, varint: 5 }]), NO_HISTORY)).rejects.toThrow('listing the build history');
    await expect(buildkit.inspect(HISTORY, Buffer.from([0x12, 0x09]), NO_HISTORY)).rejects.toThrow('a BuildKit request the proxy cannot read');
  });
});

describe('BuildKitRules.inspect: a build names a new ref', () => {
  it('asks the daemon for records of the ref once, and refuses one it has (another build\'s record would be the job\'s)', async () => {
    const asked: Array<[string, Array<string | bigint>]> = [];
    const readable = (field: WireField) => ('bytes' in field ? `${field.no}:${Buffer.from(field.bytes).toString()}` : field.scalar);
    const history = (messages: number, status = 0): DaemonCall => async (path, message) => {
      asked.push([path, readFields(message).map(readable)]);
      return { status, messages };
    };
    const { buildkit } = rules();
    await expect(buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), history(1))).rejects.toThrow(
      'a build with the ref ref-1 is not allowed (the daemon has a build of that ref already',
    );
    // Ref 2 and EarlyExit 3 (true).
    expect(asked).toEqual([['/moby.buildkit.v1.Control/ListenBuildHistory', ['2:ref-1', 1n]]]);
    // Not the job's after all: its record stays unread.
    await expect(buildkit.inspect('/moby.buildkit.v1.Control/ListenBuildHistory', Buffer.from(encode([{ no: 2, text: 'ref-1' }])), NO_HISTORY)).rejects.toThrow('not a build of this job');
    await buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), history(0));
    await buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), history(5));
    expect(asked).toHaveLength(2);
  });

  it('refuses when the daemon does not say, and asks nothing of a daemon without a history beyond the question', async () => {
    const failing: DaemonCall = async () => {
      throw new Error('the daemon did not answer within 15 s');
    };
    await expect(rules().buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), failing)).rejects.toThrow('the daemon did not say whether it has a build of that ref (the daemon did not answer within 15 s)');
    await expect(rules().buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), async () => ({ status: 14, messages: 0 }))).rejects.toThrow('(gRPC status 14)');
    await rules().buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), NO_HISTORY);
  });
});

describe('BuildKitRules.inspect (Control Solve)', () => {
  it('passes a plain build and checks the tags it exports to, normalized', async () => {
    const { buildkit, checked } = rules();
    await buildkit.inspect(SOLVE, Buffer.from(encode(plainBuild)), NO_HISTORY);
    expect(checked).toEqual([['docker.io/library/mine:1', 'docker.io/library/mine:2']]);
  });

  it('refuses every entitlement, naming the flag', async () => {
    expect(await solveRefusal([...plainBuild, { no: 9, text: 'network.host' }])).toBe(
      "setup-dind dood-policy strict: a build with the entitlement network.host (--allow network.host, --network host) is not allowed (its RUN steps would share the host's network stack)",
    );
    expect(await solveRefusal([{ no: 9, text: 'security.insecure' }])).toContain('security.insecure (--allow security.insecure) is not allowed (its RUN steps would run privileged');
    expect(await solveRefusal([{ no: 9, text: 'device' }])).toContain('strict grants a build no entitlement');
  });

  it('refuses a host network mode, a cgroup parent, priority ulimits and a context the daemon fetches', async () => {
    expect(await solveRefusal([{ no: 7, map: ['force-network-mode', 'host'] }])).toContain('build --network host is not allowed');
    expect(await solveRefusal([{ no: 7, map: ['force-network-mode', 'container:abc'] }])).toContain('strict accepts default, sandbox, none');
    expect(await solveRefusal([{ no: 7, map: ['cgroup-parent', '/'] }])).toContain('build --cgroup-parent is not allowed');
    expect(await solveRefusal([{ no: 7, map: ['ulimit', 'nofile=1024:1024,rtprio=9:9'] }])).toContain('build --ulimit "rtprio"');
    expect(await solveRefusal([{ no: 7, map: ['context', 'https://github.com/moby/moby.git'] }])).toContain('a build context the daemon fetches');
    expect(await solveRefusal([{ no: 7, map: ['context:base', 'git@github.com:x/y'] }])).toContain('a build context the daemon fetches');
    expect(await solveRefusal([{ no: 7, map: ['context:base', 'docker-image://alpine'] }, { no: 7, map: ['ulimit', 'nofile=1:1'] }])).toBeUndefined();
  });

  it('reads a later map entry over an earlier one, as the daemon does', async () => {
    expect(await solveRefusal([{ no: 7, map: ['force-network-mode', 'host'] }, { no: 7, map: ['force-network-mode', 'none'] }])).toBeUndefined();
    expect(await solveRefusal([{ no: 7, map: ['force-network-mode', 'none'] }, { no: 7, map: ['force-network-mode', 'host'] }])).toContain('--network host');
  });

  it("refuses exporting over a tag that is not the job's, from any exporter, the legacy one too", async () => {
    expect(await solveRefusal([{ no: 13, message: [{ no: 1, text: 'image' }, { no: 2, map: ['name', 'mine:1, docker:dind'] }] }])).toBe("not the job's tag");
    expect(await solveRefusal([{ no: 3, text: 'moby' }, { no: 4, map: ['name', 'docker:dind'] }])).toBe("not the job's tag");
    expect(await solveRefusal([{ no: 13, message: [{ no: 2, map: ['name', 'Not A Name'] }] }])).toContain('building into Not A Name is not allowed (the proxy cannot read it');
  });

  it('refuses a map entry whose key or value is not sent length-delimited: the daemon reads it as a string all the same', async () => {
    // Key 1 tagged fixed32 (0x0d): the daemon reads a length (4) and "name"; a reader that trusts the tag sees no key.
    const entry = (value: string) => Buffer.concat([Buffer.from([0x0d, 4]), Buffer.from('name'), Buffer.from([0x12, value.length]), Buffer.from(value)]);
    const solve = (no: number, value: string) => {
      const writer = new BinaryWriter();
      writer.tag(no, WireType.LengthDelimited).bytes(entry(value));
      return Buffer.from(writer.finish());
    };
    await expect(rules().buildkit.inspect(SOLVE, solve(4, 'aab0,docker:dind,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), NO_HISTORY)).rejects.toThrow(/a BuildKit request the proxy cannot read .*map entry/);
    await expect(rules().buildkit.inspect(SOLVE, solve(7, 'x'), NO_HISTORY)).rejects.toThrow(/cannot read/);
    await expect(rules().buildkit.inspect(BRIDGE_SOLVE, solve(3, 'x'), NO_HISTORY)).rejects.toThrow(/cannot read/);
  });

  it('refuses a request it cannot read', async () => {
    expect(await solveRefusal([{ no: 7, text: 'not a map entry' }])).toContain('a BuildKit request the proxy cannot read');
    await expect(rules().buildkit.inspect(SOLVE, Buffer.from([0x0b]), NO_HISTORY)).rejects.toThrow(/cannot read/);
  });

  it('decides the same whatever the order of fields and the unknown fields among them (property)', async () => {
    const unknown: fc.Arbitrary<Part> = fc.oneof(
      fc.record({ no: fc.integer({ min: 14, max: 200 }), text: fc.string() }),
      fc.record({ no: fc.constantFrom(1, 5, 6, 11, 14, 300), varint: fc.nat() }),
    );
    const risky = fc.constantFrom<Part>({ no: 9, text: 'network.host' }, { no: 7, map: ['force-network-mode', 'host'] }, { no: 7, map: ['cgroup-parent', 'x'] }, { no: 4, map: ['name', 'docker:dind'] });
    await fc.assert(
      fc.asyncProperty(risky, fc.array(unknown, { maxLength: 6 }), fc.nat(), async (part, noise, at) => {
        const parts: Part[] = [...noise];
        parts.splice(at % (parts.length + 1), 0, part);
        expect(await solveRefusal(parts)).toBeDefined();
        expect(await solveRefusal(noise)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('BuildKitRules.inspect (LLBBridge Solve, builds driven from the client)', () => {
  it('checks the frontend options', async () => {
    expect(await solveRefusal([{ no: 2, text: 'dockerfile.v0' }, { no: 3, map: ['force-network-mode', 'host'] }], BRIDGE_SOLVE)).toContain('build --network host');
    expect(await solveRefusal([{ no: 2, text: 'dockerfile.v0' }, { no: 3, map: ['filename', 'Dockerfile'] }], BRIDGE_SOLVE)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('frontendOptionProblem accepts what buildx sends for a plain build', () => {
    expect(frontendOptionProblem(new Map([['force-network-mode', ''], ['build-arg:A', '1'], ['target', 'x']]))).toBeUndefined();
  });

  it('exportedNames reads every exporter', () => {
    const fields = readFields(encode([...plainBuild, { no: 4, map: ['name', 'a:1'] }]));
    expect(exportedNames(fields)).toEqual(['a:1', 'docker.io/library/mine:1', 'mine:2']);
    expect(stringMapOf(fields, 7).get('filename')).toBe('Dockerfile');
  });
});
