/**
 * The vocabulary of the field tables (src/dood/fields.ts): a Table is the
 * fields one JSON object of the Engine API may hold, each Row a field with
 * the API versions it exists in and the Rule strict applies to its value.
 */
import { isObject } from '../json.js';

/** Why a value is refused: `what` names the value (and its CLI flag), `why` says why and what is accepted. */
export interface Problem {
  what: string;
  why: string;
}

/** A value check: a Problem, or undefined when strict allows the value. */
export type Check = (value: unknown) => Problem | undefined;

export type Rule =
  /** No security meaning (Hostname, Env, Cmd, ...): the daemon checks the value's form. */
  | { kind: 'any' }
  /** Allowed when the check finds no problem. */
  | { kind: 'check'; check: Check }
  /** The proxy's other code inspects the value; `by` names it. */
  | { kind: 'checked-elsewhere'; by: string }
  /** Allowed only as Go's zero value: absent, null, '', 0, false, [] or {}. */
  | { kind: 'refused-unless-empty'; why: string }
  /** Allowed only absent or null: an empty list or object already means something (a pointer the daemon sees set). */
  | { kind: 'refused-unless-null'; why: string }
  /** A nested object, walked through its own table. */
  | { kind: 'object'; table: Table }
  /** A list of objects, each walked through the table. */
  | { kind: 'list'; table: Table }
  /** A map of names (whose meaning `keys` says) to objects (or, with `lists`, lists of objects) walked through the table. */
  | { kind: 'map'; table: Table; keys: string; lists?: boolean };

/** An Engine API version, "1.41"; a row without `since` exists in every version the tables cover. */
export type ApiVersion = `1.${number}`;

export interface Row {
  /** The field's name as the API spells it (the daemon matches it case-insensitively). */
  name: string;
  rule: Rule;
  /** The first API version with the field (when after the first the tables cover). */
  since?: ApiVersion;
  /** The last API version whose reference documents the field (the daemon may still read it: see `note`). */
  until?: ApiVersion;
  /** The docker CLI flag that sets it, for messages. */
  flag?: string;
  /** Why the row is as it is, where the reference does not say (a Go-only field, a removed one). */
  note?: string;
}

export interface Table {
  /** What the object is, for messages about it as a whole. */
  name: string;
  rows: Row[];
}

export const any: Rule = { kind: 'any' };

export function check(checkValue: Check): Rule {
  return { kind: 'check', check: checkValue };
}

export function elsewhere(by: string): Rule {
  return { kind: 'checked-elsewhere', by };
}

export function unlessEmpty(why: string): Rule {
  return { kind: 'refused-unless-empty', why };
}

export function unlessNull(why: string): Rule {
  return { kind: 'refused-unless-null', why };
}

export function object(table: Table): Rule {
  return { kind: 'object', table };
}

export function list(table: Table): Rule {
  return { kind: 'list', table };
}

export function map(table: Table, keys: string, options: { lists?: boolean } = {}): Rule {
  return { kind: 'map', table, keys, ...options };
}

export function row(name: string, rule: Rule, extra: Omit<Row, 'name' | 'rule'> = {}): Row {
  return { name, rule, ...extra };
}

/** Go's zero value, which the daemon treats as "not set". */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** A value as a message shows it. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A string field whose value must be one of `allowed` (null and absent mean the zero value, ''). */
export function oneOf(allowed: string[], why: string, flag?: string): Check {
  return (value) => {
    const text = value === null || value === undefined ? '' : value;
    if (typeof text === 'string' && allowed.includes(text)) return undefined;
    const accepted = allowed.map((item) => (item === '' ? '(unset)' : item)).join(', ');
    return { what: `${shown(value)}${flag && typeof value === 'string' ? ` (${flag} ${value})` : ''}`, why: `${why}; strict accepts ${accepted}` };
  };
}

/**
 * The strings of a list field, or a Problem when it is not a list of strings.
 * `single`: the field is a strslice.StrSlice, which Go also reads from one string.
 */
export function stringItems(value: unknown, single = false): string[] | Problem {
  if (value === undefined || value === null) return [];
  if (single && typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return { what: shown(value), why: 'it must be a list of strings' };
}

/** A list of strings, each checked by `item`. */
export function eachString(item: (text: string) => Problem | undefined, single = false): Check {
  return (value) => {
    const items = stringItems(value, single);
    if (!Array.isArray(items)) return items;
    for (const text of items) {
      const problem = item(text);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** A map of strings to strings, each entry checked by `entry`. */
export function eachEntry(entry: (key: string, text: string) => Problem | undefined): Check {
  return (value) => {
    if (value === undefined || value === null) return undefined;
    if (!isObject(value) || !Object.values(value).every((text) => typeof text === 'string')) {
      return { what: shown(value), why: 'it must be an object of strings' };
    }
    for (const [key, text] of Object.entries(value)) {
      const problem = entry(key, text as string);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** A number field that must be at least `min` (null and absent mean 0). */
export function atLeast(min: number, why: string, flag?: string): Check {
  return (value) => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && value >= min) return undefined;
    return { what: `${shown(value)}${flag ? ` (${flag} ${shown(value)})` : ''}`, why: `${why}; strict accepts ${min} or more` };
  };
}
