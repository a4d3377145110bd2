/**
 * A tar stream read as Go's archive/tar reads it, as the bytes go by: where
 * each header is, how much data follows it (the size field, octal or
 * base-256, or a PAX `size` record; none for links, devices, directories and
 * fifos), and where the first zero header block is, at which Go's reader
 * stops (it needs the next block or EOF to call it the end). The small
 * entries named manifest.json, index.json or repositories are kept, up to a
 * bound, for the tags they name.
 *
 * Where readers disagree about the layout (old and new Go differ on an 'x'
 * header before a 'g'; sparse files carry extra blocks) the scanner refuses,
 * so that what it calls the end of the archive is the end for the daemon too.
 */
import { posix } from 'node:path';
import { policyRefusal, type Refused } from './refused.js';

const BLOCK = 512;
/** Go's maxSpecialFileSize: PAX and GNU long-name records larger than this are an error there. */
export const MAX_SPECIAL_ENTRY = 1 << 20;
/** The most of one metadata entry (manifest.json, ...) the scanner keeps. */
export const MAX_METADATA_ENTRY = 4 << 20;
/** Final path components of the entries the loaders read tags from. */
export const METADATA_NAMES = new Set(['manifest.json', 'index.json', 'repositories']);

/** One metadata entry, whole. */
export interface MetadataEntry {
  name: string;
  data: Buffer;
}

/** A refusal for an archive the proxy will not pass on: strict cannot vouch for what the daemon reads in it. */
export function archiveRefusal(why: string): Refused {
  return policyRefusal('strict', 'this docker load archive', why);
}

/** Go's parseString: up to the first NUL. */
function cString(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return (nul >= 0 ? bytes.subarray(0, nul) : bytes).toString('latin1');
}

/** Go's parseNumeric for a size: base-256 when the top bit is set, else octal trimmed of spaces and NULs. */
export function parseTarNumber(field: Buffer): number | undefined {
  if (field.length > 0 && (field[0]! & 0x80) !== 0) {
    if ((field[0]! & 0x40) !== 0) return undefined; // negative
    let value = 0n;
    for (let index = 0; index < field.length; index++) value = (value << 8n) | BigInt(index === 0 ? field[0]! & 0x7f : field[index]!);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  }
  let start = 0;
  let end = field.length;
  while (start < end && (field[start] === 0x20 || field[start] === 0)) start++;
  while (end > start && (field[end - 1] === 0x20 || field[end - 1] === 0)) end--;
  if (start === end) return 0;
  const digits = cString(field.subarray(start, end));
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : undefined;
}

/** A header block's checksum is right (Go accepts the unsigned or the signed sum). */
function checksumMatches(block: Buffer): boolean {
  const stored = parseTarNumber(block.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < BLOCK; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : block[index]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored !== undefined && (stored === unsigned || stored === signed);
}

/** The name in a header block: USTAR's (and STAR's) prefix joined on, as Go does; GNU and V7 have none. */
function headerName(block: Buffer): string {
  const name = cString(block.subarray(0, 100));
  const magic = block.subarray(257, 263).toString('latin1');
  if (magic !== 'ustar\0') return name;
  const star = block.subarray(508, 512).toString('latin1') === 'tar\0';
  const prefix = cString(block.subarray(345, star ? 476 : 500));
  return prefix !== '' ? `${prefix}/${name}` : name;
}

/** Go's parsePAX over raw bytes: "%d %s=%s\n" records; an empty value deletes the key. */
export function parsePaxRecords(data: Buffer): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let rest = data;
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    if (space <= 0) return undefined;
    const lengthText = rest.subarray(0, space).toString('latin1');
    if (!/^[0-9]+$/.test(lengthText)) return undefined;
    const length = Number(lengthText);
    if (length < 5 || length > rest.length || length <= space + 1 || rest[length - 1] !== 0x0a) return undefined;
    const record = rest.subarray(space + 1, length - 1);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) return undefined;
    const key = record.subarray(0, equals).toString('latin1');
    const value = record.subarray(equals + 1).toString('latin1');
    if (key.includes('\0') || (['path', 'linkpath', 'uname', 'gname'].includes(key) && value.includes('\0'))) return undefined;
    if (value === '') records.delete(key);
    else records.set(key, value);
    rest = rest.subarray(length);
  }
  return records;
}

/** The final path component a name has once cleaned (Go's loaders clean names). */
function finalComponent(name: string): string {
  return posix.basename(posix.normalize(`/${name}`));
}

/** The entry being read: what the scanner does with its data. */
type Entry =
  | { kind: 'skip'; remaining: number; padding: number }
  | { kind: 'collect'; special: 'x' | 'g' | 'L' | 'K' | 'metadata'; name: string; size: number; chunks: Buffer[]; got: number; padding: number };

/** Types Go reads with no data whatever their size field says (isHeaderOnlyType). */
const HEADER_ONLY_TYPES = new Set(['1', '2', '3', '4', '5', '6']);
/** Types whose entries are files with their data as is. */
const REGULAR_TYPES = new Set(['0', '\0', '7']);

export class TarScanner {
  /** Bytes of the tar stream consumed so far. */
  offset = 0;
  /** Where the first zero header block starts, once seen: Go's reader stops there. */
  endOfArchive: number | undefined;
  readonly metadata: MetadataEntry[] = [];
  private header = Buffer.alloc(0);
  private entry: Entry | undefined;
  /** The records of the last 'x' header, for the next real header. */
  private pax: Map<string, string> | undefined;
  private longName: string | undefined;
  /** The previous header was an 'x' (an 'x' before a 'g' is read differently by old and new Go). */
  private afterPax = false;

  /** Where a header that is still incomplete starts (nothing from there may reach the daemon yet), else undefined. */
  get pendingHeaderStart(): number | undefined {
    return this.entry === undefined && this.header.length > 0 ? this.offset - this.header.length : undefined;
  }

  /** Reads more of the stream; throws a Refused for an archive the scanner will not vouch for. Nothing is read past the end. */
  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.endOfArchive === undefined) {
      const used = this.entry ? this.feedEntry(chunk.subarray(at)) : this.feedHeader(chunk.subarray(at));
      at += used;
      this.offset += used;
    }
  }

  private feedHeader(bytes: Buffer): number {
    const used = Math.min(BLOCK - this.header.length, bytes.length);
    this.header = Buffer.concat([this.header, bytes.subarray(0, used)]);
    if (this.header.length === BLOCK) {
      const block = this.header;
      this.header = Buffer.alloc(0);
      if (block.every((byte) => byte === 0)) this.endOfArchive = this.offset + used - BLOCK;
      else this.readHeader(block);
    }
    return used;
  }

  private feedEntry(bytes: Buffer): number {
    const entry = this.entry!;
    if (entry.kind === 'skip') {
      const used = Math.min(entry.remaining + entry.padding, bytes.length);
      const data = Math.min(entry.remaining, used);
      entry.remaining -= data;
      entry.padding -= used - data;
      if (entry.remaining === 0 && entry.padding === 0) this.entry = undefined;
      return used;
    }
    const wanted = entry.size - entry.got;
    const data = bytes.subarray(0, Math.min(wanted, bytes.length));
    entry.chunks.push(data);
    entry.got += data.length;
    if (entry.got < entry.size) return data.length;
    this.entry = { kind: 'skip', remaining: 0, padding: entry.padding };
    if (entry.padding === 0) this.entry = undefined;
    this.finishCollected(entry.special, entry.name, Buffer.concat(entry.chunks));
    return data.length;
  }

  private readHeader(block: Buffer): void {
    if (!checksumMatches(block)) throw archiveRefusal('it has a tar header with a bad checksum, which the daemon rejects');
    const type = String.fromCharCode(block[156]!);
    const fieldSize = parseTarNumber(block.subarray(124, 136));
    if (fieldSize === undefined) throw archiveRefusal('a tar header has a size the proxy cannot read');
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') return this.readSpecialHeader(type, fieldSize);
    const names = [headerName(block), this.pax?.get('path'), this.longName].filter((name): name is string => name !== undefined);
    const size = this.pax?.has('size') ? paxSize(this.pax.get('size')!) : fieldSize;
    if (type === 'S' || [...(this.pax?.keys() ?? [])].some((key) => key.startsWith('GNU.sparse.'))) {
      throw archiveRefusal('it holds a sparse file, whose layout the proxy does not follow');
    }
    this.pax = undefined;
    this.longName = undefined;
    this.afterPax = false;
    // Go reads no data for these types, and a '\0' entry named with a trailing slash is a directory to it.
    const noData = HEADER_ONLY_TYPES.has(type) || (type === '\0' && names.some((name) => name.endsWith('/')));
    if (noData && size !== 0) throw archiveRefusal('a link, directory or device entry claims data, which tar readers skip differently');
    const metadata = names.find((name) => METADATA_NAMES.has(finalComponent(name)));
    if (metadata !== undefined && (!REGULAR_TYPES.has(type) || noData)) {
      throw archiveRefusal(`its ${finalComponent(metadata)} is not a plain file (a link or directory there can point the daemon elsewhere)`);
    }
    if (metadata !== undefined) {
      if (size > MAX_METADATA_ENTRY) throw archiveRefusal(`its ${metadata} is larger than ${MAX_METADATA_ENTRY} bytes`);
      this.startEntry('metadata', metadata, size);
    } else this.startSkip(noData ? 0 : size);
  }

  private readSpecialHeader(type: 'x' | 'g' | 'L' | 'K', size: number): void {
    if (type === 'g' && this.afterPax) throw archiveRefusal('a PAX global header follows a PAX header, which Go versions read differently');
    if (size > MAX_SPECIAL_ENTRY) throw archiveRefusal(`it has a PAX or GNU long-name record larger than ${MAX_SPECIAL_ENTRY} bytes`);
    // Old Go merges a pending 'x' into a 'g' (it reads 'g' as a file); new Go does not: refuse the mix above.
    if (type === 'x') this.afterPax = true;
    if (type === 'g') this.afterPax = false;
    this.startEntry(type, '', size);
  }

  private startEntry(special: 'x' | 'g' | 'L' | 'K' | 'metadata', name: string, size: number): void {
    if (size === 0) {
      this.entry = undefined;
      this.finishCollected(special, name, Buffer.alloc(0));
      return;
    }
    this.entry = { kind: 'collect', special, name, size, chunks: [], got: 0, padding: padding(size) };
  }

  private startSkip(size: number): void {
    this.entry = size === 0 ? undefined : { kind: 'skip', remaining: size, padding: padding(size) };
  }

  private finishCollected(special: 'x' | 'g' | 'L' | 'K' | 'metadata', name: string, data: Buffer): void {
    if (special === 'metadata') {
      this.metadata.push({ name, data });
      return;
    }
    if (special === 'L' || special === 'K') {
      if (special === 'L') this.longName = cString(data);
      return;
    }
    const records = parsePaxRecords(data);
    if (!records) throw archiveRefusal('it has a PAX header the proxy cannot read');
    this.pax = records;
    if (special === 'g') {
      // Go returns a global header as an entry of its own: it applies to nothing after it.
      this.pax = undefined;
      this.longName = undefined;
    }
  }
}

/** The zeros that fill an entry's data to a whole block. */
function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** A PAX size record as Go's strconv.ParseInt reads it. */
function paxSize(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw archiveRefusal('a PAX size record is not a number');
  const size = Number(text);
  if (!Number.isSafeInteger(size) || size < 0) throw archiveRefusal('a PAX size record is out of range');
  return size;
}
