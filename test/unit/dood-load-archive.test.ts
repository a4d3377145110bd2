/**
 * The docker load watcher over real archives: docker save output of the host
 * daemon and archives made with the system tar (ustar, PAX, GNU long names,
 * gzip), fed in chunks of every awkward size, and crafted headers for what
 * tar readers could read differently.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveNames, detectCompression, LoadArchiveWatcher, type ArchiveNames } from '../../src/dood/load-archive.js';
import { Refused } from '../../src/dood/refused.js';
import { parsePaxRecords, parseTarNumber, TarScanner } from '../../src/dood/tar-scan.js';

let dir: string;
const dockerAvailable = (() => {
  try {
    execFileSync('docker', ['image', 'inspect', 'busybox:latest'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A tar made by the system tar from `files` (written in this order), with extra tar options. */
function makeTar(name: string, files: [string, string][], options: string[] = []): Buffer {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const [path, content] of files) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return execFileSync('tar', ['-c', ...options, '-C', root, ...files.map(([path]) => path)], { maxBuffer: 1 << 28 });
}

const manifest = (tags: unknown) => JSON.stringify([{ Config: 'config.json', RepoTags: tags, Layers: ['layer/layer.tar'] }]);
const TEST_TAG = 'setup-dind-test/load-probe:unit';

interface Outcome {
  names?: ArchiveNames;
  error?: Refused;
  out: Buffer;
  endOfArchive?: number;
  heldFrom?: number;
}

/** Feeds `data` in chunks of `sizes` (cycled) through a watcher whose decision records the names and then does `verdict`. */
async function watch(data: Buffer, sizes: number[] = [data.length], verdict: (names: ArchiveNames) => Promise<void> = async () => {}): Promise<Outcome> {
  const chunks: Buffer[] = [];
  for (let at = 0, index = 0; at < data.length; index++) {
    const size = Math.max(1, sizes[index % sizes.length]!);
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  const outcome: Outcome = { out: Buffer.alloc(0) };
  const received: Buffer[] = [];
  const watcher = new LoadArchiveWatcher(async (names) => {
    outcome.names = names;
    // What reached the daemon when the decision is made: never the end marker.
    outcome.out = Buffer.concat(received);
    await verdict(names);
  });
  try {
    await pipeline(Readable.from(chunks), watcher, new Writable({ write: (chunk: Buffer, _e, done) => (received.push(chunk), done()) }));
    outcome.out = Buffer.concat(received);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    outcome.error = error;
    outcome.out = Buffer.concat(received);
  }
  outcome.endOfArchive = watcher.scanner.endOfArchive;
  outcome.heldFrom = watcher.heldFrom;
  return outcome;
}

/** Random chunk sizes, the same on every run. */
function randomSizes(count: number, max: number): number[] {
  let seed = 42;
  return Array.from({ length: count }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % max)));
}

let busybox: Buffer;
let small: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dood-load-'));
  small = makeTar('small', [['config.json', '{}'], ['layer/layer.tar', 'x'.repeat(700)], ['manifest.json', manifest([TEST_TAG, 'alpine'])], ['repositories', '{"legacy/x":{"v1":"abc"}}']]);
  if (dockerAvailable) busybox = execFileSync('docker', ['save', 'busybox:latest'], { maxBuffer: 1 << 28 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('names', () => {
  it('reads manifest.json RepoTags and repositories, normalized', async () => {
    const { names, error } = await watch(small);
    expect(error).toBeUndefined();
    expect(names).toEqual({ tags: ['docker.io/setup-dind-test/load-probe:unit', 'docker.io/library/alpine:latest', 'docker.io/legacy/x:v1'], unreadable: [] });
  });

  it.skipIf(!dockerAvailable)('reads docker save output of the host daemon', async () => {
    const { names, endOfArchive, out } = await watch(busybox);
    expect(names?.tags).toEqual(['docker.io/library/busybox:latest']);
    expect(endOfArchive).toBeLessThan(busybox.length);
    expect(out.equals(busybox)).toBe(true);
  });

  it('reads index.json image names (containerd\'s store) and ignores bare ref.name tags', () => {
    const index = { manifests: [{ annotations: { 'io.containerd.image.name': 'docker.io/library/docker:dind', 'org.opencontainers.image.ref.name': 'dind' } }, { annotations: { 'org.opencontainers.image.ref.name': 'latest' } }, { annotations: { 'org.opencontainers.image.ref.name': 'x/y:1' } }] };
    expect(archiveNames([{ name: 'index.json', data: Buffer.from(JSON.stringify(index)) }])).toEqual({ tags: ['docker.io/library/docker:dind', 'docker.io/x/y:1'], unreadable: [] });
  });

  it('finds a manifest.json after the blobs, and none in an archive without tags', async () => {
    const late = makeTar('late', [['blobs/a', 'y'.repeat(5000)], ['blobs/b', ''], ['manifest.json', manifest(['late:1'])]]);
    expect((await watch(late)).names?.tags).toEqual(['docker.io/library/late:1']);
    const untagged = makeTar('untagged', [['config.json', '{}'], ['manifest.json', manifest(null)]]);
    expect((await watch(untagged)).names).toEqual({ tags: [], unreadable: [] });
  });

  it('reads names hidden behind PAX and GNU long names, at any depth', async () => {
    const deep = `${'d'.repeat(120)}/${'e'.repeat(120)}/manifest.json`;
    for (const format of ['pax', 'gnu']) {
      const tar = makeTar(`long-${format}`, [['blob', 'z'.repeat(600)], [deep, manifest(['deep:1'])]], [`--format=${format}`]);
      expect((await watch(tar)).names?.tags).toEqual(['docker.io/library/deep:1']);
    }
  });

  it('marks names that are no image reference, and refuses metadata that is not JSON', async () => {
    expect((await watch(makeTar('upper', [['manifest.json', manifest(['Upper:1', `x@sha256:${'a'.repeat(64)}`])]]))).names?.unreadable).toEqual(['Upper:1', `x@sha256:${'a'.repeat(64)}`]);
    expect((await watch(makeTar('notjson', [['manifest.json', '[{"RepoTags": ']]))).error?.message).toContain('not JSON');
  });

  it('refuses a manifest.json that is a symlink or a hard link', async () => {
    const root = join(dir, 'links');
    mkdirSync(root);
    writeFileSync(join(root, 'real.json'), manifest(['docker:dind']));
    symlinkSync('real.json', join(root, 'manifest.json'));
    const symlinked = execFileSync('tar', ['-c', '-C', root, 'real.json', 'manifest.json']);
    expect((await watch(symlinked)).error?.message).toContain('manifest.json is not a plain file');
  });
});

describe('holding back the end of the archive', () => {
  it('holds back from the first zero block, whatever the chunks', async () => {
    const whole = await watch(small);
    // GNU tar pads the archive to 10 KiB records: the marker is well before the end of the upload.
    expect(whole.endOfArchive).toBe(whole.heldFrom);
    expect(small.subarray(whole.endOfArchive!).every((byte) => byte === 0)).toBe(true);
    for (const sizes of [[1], [511], [512], [513], [1023, 1], randomSizes(500, 900)]) {
      const chunked = await watch(small, sizes);
      expect(chunked.names).toEqual(whole.names);
      expect(chunked.endOfArchive).toBe(whole.endOfArchive);
      expect(chunked.heldFrom).toBe(whole.endOfArchive);
    }
  });

  it.skipIf(!dockerAvailable)('holds back at the same place in docker save output for every chunking', async () => {
    const whole = await watch(busybox);
    for (const sizes of [[511], [512], [4096], [65536], randomSizes(2000, 3000)]) {
      const chunked = await watch(busybox, sizes);
      expect({ names: chunked.names, end: chunked.endOfArchive, held: chunked.heldFrom }).toEqual({ names: whole.names, end: whole.endOfArchive, held: whole.endOfArchive });
    }
  });

  it('has passed on exactly the bytes before the marker when deciding; on a refusal nothing more', async () => {
    const refused = await watch(small, [100], async () => {
      throw new Refused(403, 'no');
    });
    expect(refused.error?.message).toBe('no');
    expect(refused.out.equals(small.subarray(0, refused.endOfArchive))).toBe(true);
    const allowed = await watch(small, [100]);
    expect(allowed.out.equals(small)).toBe(true);
  });

  it('refuses more than the bound after the end marker', async () => {
    const padded = Buffer.concat([small, Buffer.alloc(2 << 20)]);
    expect((await watch(padded, [65536])).error?.message).toContain('follow the end of its tar archive');
  });
});

describe('compression', () => {
  it('watches gzip archives, also split into several members, in any chunks', async () => {
    const gzipped = zlib.gzipSync(small);
    const whole = await watch(gzipped);
    expect(whole.names?.tags).toContain('docker.io/setup-dind-test/load-probe:unit');
    expect(whole.out.equals(gzipped)).toBe(true);
    for (const sizes of [[1], [511], [512], randomSizes(300, 200)]) {
      const chunked = await watch(gzipped, sizes);
      expect({ names: chunked.names, end: chunked.endOfArchive }).toEqual({ names: whole.names, end: whole.endOfArchive });
    }
    const split = Buffer.concat([zlib.gzipSync(small.subarray(0, 1024)), zlib.gzipSync(small.subarray(1024))]);
    expect((await watch(split, [300])).names).toEqual(whole.names);
  });

  it.skipIf(!dockerAvailable)('holds back the compressed bytes whose output reaches the marker, within the bound', async () => {
    const gzipped = execFileSync('gzip', ['-c'], { input: busybox, maxBuffer: 1 << 28 });
    const refused = await watch(gzipped, [16384], async () => {
      throw new Refused(403, 'no');
    });
    expect(refused.names?.tags).toEqual(['docker.io/library/busybox:latest']);
    expect(refused.endOfArchive).toBe((await watch(busybox)).endOfArchive);
    // What reached the daemon inflates to less than the archive up to its end marker.
    const passed = zlib.gunzipSync(refused.out, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(passed.length).toBeLessThan(refused.endOfArchive! + 512);
    expect(gzipped.length - refused.out.length).toBeLessThanOrEqual(65536 + 16384);
  });

  it('refuses bzip2, xz and zstd, saying how to load them', async () => {
    for (const [tool, name] of [['bzip2', 'bzip2'], ['xz', 'xz'], ['zstd', 'zstd']]) {
      const compressed = execFileSync(tool!, ['-c'], { input: small });
      expect(detectCompression(compressed)).toBe(name);
      const { error, out } = await watch(compressed);
      expect(error?.message).toContain(`it is ${name}-compressed`);
      expect(out.length).toBe(0);
    }
  });
});

/** A header block as tar writes it, with a right checksum. */
function header(name: string, type: string, size: number | Buffer): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 'latin1');
  block.write('0000644\0', 100);
  if (Buffer.isBuffer(size)) size.copy(block, 124);
  else block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write(type, 156, 'latin1');
  block.write('ustar\0' + '00', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}
const data = (content: Buffer | string) => {
  const bytes = Buffer.from(content);
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
};
const pax = (records: Record<string, string>) =>
  Buffer.from(
    Object.entries(records)
      .map(([key, value]) => {
        const body = ` ${key}=${value}\n`;
        let length = body.length + 1;
        while (`${length}${body}`.length !== length) length++;
        return `${length}${body}`;
      })
      .join(''),
  );
const END = Buffer.alloc(1024);

describe('TarScanner, where readers could disagree', () => {
  it('takes a PAX size over the header\'s, so zero blocks in data are not the end', () => {
    const records = pax({ size: '1024' });
    const archive = Buffer.concat([header('x', 'x', records.length), data(records), header('blob', '0', 0), Buffer.alloc(1024), header('manifest.json', '0', 2), data('[]'), END]);
    const scanner = new TarScanner();
    scanner.feed(archive);
    expect(scanner.endOfArchive).toBe(archive.length - 1024);
    expect(scanner.metadata.map((entry) => entry.name)).toEqual(['manifest.json']);
  });

  it('reads base-256 sizes', () => {
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size.writeUInt32BE(513, 8);
    expect(parseTarNumber(size)).toBe(513);
    expect(parseTarNumber(Buffer.from('  0000001001\0'))).toBe(513);
    expect(parseTarNumber(Buffer.from('12 4\0'))).toBeUndefined();
    const archive = Buffer.concat([header('blob', '0', size), data(Buffer.alloc(513)), END]);
    const scanner = new TarScanner();
    scanner.feed(archive);
    expect(scanner.endOfArchive).toBe(512 + 1024);
  });

  it('refuses directories and links that claim data, sparse files, and an x header before a g', () => {
    const refuse = (archive: Buffer) => {
      try {
        new TarScanner().feed(archive);
        return undefined;
      } catch (error) {
        return (error as Refused).message;
      }
    };
    expect(refuse(Buffer.concat([header('dir/', '5', 512), data('x'), END]))).toContain('claims data');
    expect(refuse(Buffer.concat([header('dir/', '\0', 512), data('x'), END]))).toContain('claims data');
    expect(refuse(Buffer.concat([header('s', 'S', 0), END]))).toContain('sparse');
    expect(refuse(Buffer.concat([header('x', 'x', pax({ 'GNU.sparse.major': '1' }).length), data(pax({ 'GNU.sparse.major': '1' })), header('s', '0', 0), END]))).toContain('sparse');
    expect(refuse(Buffer.concat([header('x', 'x', pax({ size: '0' }).length), data(pax({ size: '0' })), header('g', 'g', 0), END]))).toContain('global');
    const bad = header('blob', '0', 0);
    bad[0] = 0x41;
    expect(refuse(Buffer.concat([bad, END]))).toContain('checksum');
    expect(refuse(Buffer.concat([header('manifest.json', '2', 0), END]))).toContain('not a plain file');
  });

  it('parses PAX records as Go does', () => {
    expect(parsePaxRecords(pax({ path: 'a/manifest.json', size: '7' }))).toEqual(new Map([['path', 'a/manifest.json'], ['size', '7']]));
    expect(parsePaxRecords(Buffer.from('8 size=\n'))).toEqual(new Map());
    expect(parsePaxRecords(Buffer.from('8 size=1'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('3 a=\n'))).toBeUndefined();
  });
});
