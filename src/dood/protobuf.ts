/**
 * Just enough protobuf to read the few fields of a BuildKit request that
 * strict checks, without the .proto files: a message as its fields by
 * number, over @bufbuild/protobuf's wire reader. Unknown fields are kept as
 * they are, so nothing is dropped from what the daemon gets (the proxy
 * forwards the original bytes; this only reads them).
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** One field as sent: bytes for length-delimited ones (strings, messages, maps), a number for the rest. */
export type WireField = { no: number; bytes: Uint8Array } | { no: number; scalar: bigint };

/** The fields of one message, in order; throws on a malformed message. */
export function readFields(message: Uint8Array): WireField[] {
  const reader = new BinaryReader(message);
  const fields: WireField[] = [];
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    switch (wireType) {
      case WireType.LengthDelimited:
        fields.push({ no, bytes: reader.bytes() });
        break;
      case WireType.Varint:
        fields.push({ no, scalar: BigInt(reader.uint64()) });
        break;
      case WireType.Bit64:
        fields.push({ no, scalar: BigInt(reader.fixed64()) });
        break;
      case WireType.Bit32:
        fields.push({ no, scalar: BigInt(reader.fixed32()) });
        break;
      default:
        throw new Error(`protobuf wire type ${wireType} (groups) in field ${no}`);
    }
  }
  return fields;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The length-delimited values of field `no` (every occurrence: repeated fields and map entries). */
export function bytesOf(fields: WireField[], no: number): Uint8Array[] {
  return fields.flatMap((field) => (field.no === no && 'bytes' in field ? [field.bytes] : []));
}

/** Field `no` as strings (a repeated string field; the last one of a singular field wins, as in protobuf). */
export function stringsOf(fields: WireField[], no: number): string[] {
  return bytesOf(fields, no).map((bytes) => decoder.decode(bytes));
}

/**
 * A map<string, string> field: entries are messages of key 1 and value 2; a
 * later key wins. Go's decoders read an entry's key and value as
 * length-delimited whatever their tag's wire type says, so an entry tagged
 * otherwise would read differently here: it is refused (throws).
 */
export function stringMapOf(fields: WireField[], no: number): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of bytesOf(fields, no)) {
    const entryFields = readFields(entry);
    const odd = entryFields.find((field) => (field.no === 1 || field.no === 2) && !('bytes' in field));
    if (odd) throw new Error(`a map entry of field ${no} whose ${odd.no === 1 ? 'key' : 'value'} is not length-delimited`);
    map.set(stringsOf(entryFields, 1).at(-1) ?? '', stringsOf(entryFields, 2).at(-1) ?? '');
  }
  return map;
}
