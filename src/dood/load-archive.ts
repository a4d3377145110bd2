/**
 * docker load, watched: the body of POST /images/load passes through as it
 * comes, while a TarScanner reads it for the tags it names, and everything
 * from the tar's end-of-archive marker (its first zero header block) on is
 * held back. The daemon applies tags only once its tar reader has met that
 * marker (Go's archive/tar stops there), so until the decision nothing is
 * tagged; on a refusal the stream fails, the forwarder's pipeline destroys
 * the upstream request, and the daemon's body read ends in
 * io.ErrUnexpectedEOF: it loads nothing.
 *
 * gzip input is inflated alongside (the compressed bytes pass on, in slices
 * of at most SLICE bytes; the slice whose output reaches the marker is held
 * with all after it). bzip2, xz and zstd, which the daemon also reads, are
 * refused: node cannot inflate them here.
 */
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { field, isObject, parseFirstJsonValue, strings } from './json.js';
import { normalizedTag, isTagReference } from './image-refs.js';
import { Refused } from './refused.js';
import { archiveRefusal, TarScanner, type MetadataEntry } from './tar-scan.js';

/** The names an archive gives its images. */
export interface ArchiveNames {
  /** Tags as the daemon writes them, normalized (docker.io/library/x:tag). */
  tags: string[];
  /** Names that are not image references the proxy can read (strict refuses them). */
  unreadable: string[];
}

/** The most the watcher holds back: what follows the end marker (GNU tar pads to 10 KiB) and, for gzip, one slice. */
export const MAX_HELD_BACK = 1 << 20;
/** gzip input is inflated and passed on in slices this large at most. */
export const SLICE = 64 << 10;

/** The compressions the daemon detects by their first bytes (moby's DetectCompression, containerd's too). */
type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';
const MAGIC_LENGTH = 6;

export function detectCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  // zstd skippable frames: 0x184D2A50 to 0x184D2A5F, little-endian.
  if (head.length >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return 'none';
}

/** The tags in the metadata entries, read as the daemon's JSON decoder reads them (field names case-insensitive). */
export function archiveNames(entries: MetadataEntry[]): ArchiveNames {
  const names: string[] = [];
  for (const entry of entries) {
    const parsed = parseFirstJsonValue(entry.data.toString('utf8'));
    if (!parsed) throw archiveRefusal(`its ${entry.name} is not JSON the proxy can read`);
    names.push(...namesIn(entry.name, parsed.value));
  }
  const result: ArchiveNames = { tags: [], unreadable: [] };
  for (const name of names) {
    const tag = isTagReference(name) ? normalizedTag(name) : undefined;
    if (tag === undefined) result.unreadable.push(name);
    else if (!result.tags.includes(tag)) result.tags.push(tag);
  }
  return result;
}

/** manifest.json: [{RepoTags}]; index.json: manifests' image-name annotations; repositories: {repo: {tag: id}}. */
function namesIn(entryName: string, value: unknown): string[] {
  const base = entryName.split('/').pop();
  if (base === 'manifest.json') return Array.isArray(value) ? value.flatMap((item) => (isObject(item) ? strings(field(item, 'RepoTags')) : [])) : [];
  if (base === 'index.json') {
    const manifests = isObject(value) ? field(value, 'manifests') : undefined;
    return Array.isArray(manifests) ? manifests.flatMap(indexEntryName) : [];
  }
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([repo, tags]) => (isObject(tags) ? Object.keys(tags).map((tag) => `${repo}:${tag}`) : []));
}

/** containerd's import names an index entry by io.containerd.image.name, else org.opencontainers.image.ref.name. */
function indexEntryName(manifest: unknown): string[] {
  const annotations = isObject(manifest) ? field(manifest, 'annotations') : undefined;
  if (!isObject(annotations)) return [];
  const name = annotations['io.containerd.image.name'];
  if (typeof name === 'string' && name !== '') return [name];
  const ref = annotations['org.opencontainers.image.ref.name'];
  // A bare tag ("latest", as OCI layouts write it) names no repository: containerd keeps it as an image named so, no Docker tag.
  return typeof ref === 'string' && ref !== '' && !/^[\w][\w.-]{0,127}$/.test(ref) ? [ref] : [];
}

/** The watcher's decision hook: resolves to let the load go on, throws a Refused to stop it. */
export type LoadDecision = (names: ArchiveNames) => Promise<void>;

/** gzip inflated alongside: each slice's whole output, read before the slice is passed on. */
class Inflater {
  private readonly gunzip = zlib.createGunzip();
  private output: Buffer[] = [];
  private failure: Error | undefined;

  constructor() {
    // Paused mode: output waits in the stream's buffer until read; 'readable' drains it, so zlib never stalls.
    this.gunzip.on('readable', () => this.drain());
    this.gunzip.on('error', (error) => (this.failure = error));
  }

  private drain(): void {
    let chunk: Buffer | null;
    while ((chunk = this.gunzip.read() as Buffer | null) !== null) this.output.push(chunk);
  }

  /** All the output of `slice` (zlib calls back once the slice is consumed, after pushing its output). */
  inflate(slice: Buffer): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      this.gunzip.write(slice, (error) => {
        this.drain();
        const failure = error ?? this.failure;
        if (failure) return reject(archiveRefusal(`its gzip stream cannot be read (${failure.message})`));
        const output = this.output;
        this.output = [];
        resolve(output);
      });
    });
  }

  /** Ends the stream: what output is left. */
  finish(): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      this.gunzip.once('end', () => {
        const output = this.output;
        this.output = [];
        resolve(output);
      });
      this.gunzip.once('error', (error) => reject(archiveRefusal(`its gzip stream cannot be read (${error.message})`)));
      this.gunzip.end();
    });
  }

  close(): void {
    this.gunzip.destroy();
  }
}

/**
 * The pass-through for POST /images/load. Pipe the request through it to
 * the daemon with stream.pipeline (which destroys the upstream request when
 * it fails); its error is the Refused to answer the client with.
 */
export class LoadArchiveWatcher extends Transform {
  readonly scanner = new TarScanner();
  /** Bytes of the upload received and passed on. */
  received = 0;
  released = 0;
  private compression: Compression | undefined;
  private inflater: Inflater | undefined;
  /** Bytes not passed on yet, from `released` on. */
  private held: Buffer[] = [];
  private heldLength = 0;

  constructor(private readonly decide: LoadDecision) {
    super();
  }

  /** Where in the upload holding back began, once the end marker was seen (for the log and the tests). */
  heldFrom: number | undefined;

  /** Bytes held back now. */
  get heldBack(): number {
    return this.heldLength;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    this.hold(chunk);
    this.advance().then(() => callback(), (error: unknown) => callback(asRefusal(error)));
  }

  override _flush(callback: TransformCallback): void {
    this.advance(true)
      .then(() => this.finishGzip())
      .then(() => this.decide(archiveNames(this.scanner.metadata)))
      .then(() => {
        this.releaseUpTo(this.received);
        callback();
      })
      .catch((error: unknown) => callback(asRefusal(error)))
      .finally(() => this.inflater?.close());
  }

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldLength += chunk.length;
  }

  /** Passes on what may go to the daemon now; at the end of the upload (`ending`) the compression is known whatever the length. */
  private async advance(ending = false): Promise<void> {
    if (this.compression === undefined) {
      if (this.heldLength < MAGIC_LENGTH && !ending) return;
      this.compression = detectCompression(Buffer.concat(this.held).subarray(0, MAGIC_LENGTH));
      if (this.compression !== 'none' && this.compression !== 'gzip') {
        throw archiveRefusal(`it is ${this.compression}-compressed; the proxy reads plain and gzip archives only (decompress it first, e.g. ${this.compression === 'zstd' ? 'zstd' : this.compression === 'xz' ? 'xz' : 'bzip2'} -dc archive | docker load)`);
      }
      if (this.compression === 'gzip') this.inflater = new Inflater();
    }
    if (this.compression === 'gzip') await this.advanceGzip();
    else this.advancePlain();
    if (this.scanner.endOfArchive !== undefined) this.heldFrom ??= this.released;
    if (this.heldLength > MAX_HELD_BACK) throw archiveRefusal(`more than ${MAX_HELD_BACK} bytes follow the end of its tar archive`);
  }

  /** Plain tar: everything before the end marker, or before a header still incomplete, goes on. */
  private advancePlain(): void {
    const scanned = this.scanner.offset;
    if (this.scanner.endOfArchive === undefined && this.received > scanned) this.scanner.feed(this.bytesFrom(scanned));
    const safe = this.scanner.endOfArchive ?? this.scanner.pendingHeaderStart ?? this.scanner.offset;
    this.releaseUpTo(safe);
  }

  /** gzip: each slice goes on once its output is scanned without reaching the end marker. */
  private async advanceGzip(): Promise<void> {
    while (this.scanner.endOfArchive === undefined && this.heldLength > 0) {
      const slice = this.bytesFrom(this.released).subarray(0, SLICE);
      for (const output of await this.inflater!.inflate(slice)) this.scanner.feed(output);
      if (this.scanner.endOfArchive !== undefined) return;
      this.releaseUpTo(this.released + slice.length);
    }
  }

  /** The last of a gzip stream's output, should zlib keep any until the end (the held bytes are all scanned by now). */
  private async finishGzip(): Promise<void> {
    if (!this.inflater || this.scanner.endOfArchive !== undefined) return;
    for (const output of await this.inflater.finish()) this.scanner.feed(output);
  }

  /** The held bytes from upload offset `from` on (`from` ≥ released). */
  private bytesFrom(from: number): Buffer {
    const all = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    this.held = [all];
    return all.subarray(from - this.released);
  }

  private releaseUpTo(offset: number): void {
    if (offset <= this.released) return;
    const all = this.bytesFrom(this.released);
    const count = offset - this.released;
    this.push(all.subarray(0, count));
    this.held = count < all.length ? [all.subarray(count)] : [];
    this.heldLength = all.length - count;
    this.released = offset;
  }
}

function asRefusal(error: unknown): Refused {
  if (error instanceof Refused) return error;
  return archiveRefusal(`the proxy could not read it (${error instanceof Error ? error.message : String(error)})`);
}
