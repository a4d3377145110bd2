/**
 * JSON as the daemon reads it. The daemon decodes bodies with Go's
 * encoding/json: only the first value counts, and field names match
 * case-insensitively. The proxy reads bodies the same way and sends on what
 * it re-serializes, so the daemon acts on exactly what was checked.
 */
import { Refused } from './refused.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The strings of a list; anything else is an empty list. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Where the first JSON value that starts at `start` ends (or where the text does). */
function valueEnd(text: string, start: number): number {
  const first = text[start]!;
  let end = start;
  if (first === '{' || first === '[') {
    let depth = 0;
    let inString = false;
    for (; end < text.length; end++) {
      const char = text[end]!;
      if (inString) {
        if (char === '\\') end++;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) return end + 1;
      }
    }
  } else if (first === '"') {
    for (end = start + 1; end < text.length; end++) {
      if (text[end] === '\\') end++;
      else if (text[end] === '"') return end + 1;
    }
  } else {
    while (end < text.length && !' \t\r\n{}[],"'.includes(text[end]!)) end++;
  }
  return end;
}

/**
 * The first JSON value of a body, as Go's json.Decoder reads it (the daemon
 * ignores what follows), or undefined when there is none.
 */
export function parseFirstJsonValue(text: string): { value: unknown } | undefined {
  let start = 0;
  while (start < text.length && ' \t\r\n'.includes(text[start]!)) start++;
  if (start >= text.length) return undefined;
  try {
    return { value: JSON.parse(text.slice(start, valueEnd(text, start))) as unknown };
  } catch {
    return undefined;
  }
}

/** Go's encoding/json matches field names case-insensitively (with K and ſ folding). */
function fold(key: string): string {
  return key.toLowerCase().replace(/\u017f/g, 's');
}

/** Whether the daemon reads the key `key` as the field `name`. */
export function sameFieldName(key: string, name: string): boolean {
  return fold(key) === fold(name);
}

/** The key of a field the daemon reads as `name`; a refusal when the body names it twice (the daemon would merge them). */
export function keyOf(object: Json, name: string): string | undefined {
  const matches = Object.keys(object).filter((key) => fold(key) === fold(name));
  if (matches.length > 1) {
    throw new Refused(400, `setup-dind dood: the request names the field ${name} more than once (${matches.join(', ')}); send it once.`);
  }
  return matches[0];
}

/** The field the daemon reads as `name`, however the body spells it. */
export function field(object: Json, name: string): unknown {
  const key = keyOf(object, name);
  return key === undefined ? undefined : object[key];
}

/** Sets the field the daemon reads as `name`, spelled `name` from then on. */
export function setField(object: Json, name: string, value: unknown): void {
  const key = keyOf(object, name);
  if (key !== undefined && key !== name) delete object[key];
  object[name] = value;
}

/** `labels` over the request's own (all spellings of the field merged, as Go merges maps), ours winning. */
export function withLabels(object: Json, name: string, labels: Record<string, string>): void {
  const merged: Json = {};
  for (const key of Object.keys(object).filter((candidate) => fold(candidate) === fold(name))) {
    const value = object[key];
    if (isObject(value)) for (const [label, text] of Object.entries(value)) merged[label] = text;
    delete object[key];
  }
  for (const [label, text] of Object.entries(labels)) merged[label] = text;
  object[name] = merged;
}

/** A daemon answer: its status and its body's first JSON value (undefined when not JSON). */
export interface JsonAnswer {
  status: number;
  json: unknown;
}
