/**
 * Generic parsers for input values. A parser carries the text of what it
 * accepts; a bad value throws InvalidValue (a problem and that text), which
 * the reader of the inputs turns into an InputError naming the input.
 *
 * This module imports nothing of the project, so every feature (daemon.json,
 * MTU, TLS names) can build its own parsers from these without an import cycle.
 */

/** The value's type: `boolean` inputs are on/off switches (`--tls`, `--no-tls`) and GitLab `boolean` inputs. */
export type ValueType = 'boolean' | 'number' | 'string';

export interface Parser<T> {
  /** What the input accepts, as the "Accepted:" part of an error. */
  readonly accepted: string;
  readonly type: ValueType;
  /** Parses a trimmed value ('' when the input is empty and its default is ''). */
  parse(value: string): T;
}

/** A value a parser refuses: what is wrong with it, and what would be accepted. */
export class InvalidValue extends Error {
  constructor(
    readonly problem: string,
    readonly accepted: string,
  ) {
    super(`${problem}. Accepted: ${accepted}.`);
    this.name = 'InvalidValue';
  }
}

export function parser<T>(accepted: string, parse: (value: string) => T, type: ValueType = 'string'): Parser<T> {
  return { accepted, type, parse };
}

/** Shows a value in an error message without letting it break the message. */
export function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

export function singleLine(value: string, accepted: string): void {
  if (/[\r\n]/.test(value)) throw new InvalidValue(`expected one value, got several lines (${quote(value)})`, accepted);
}

/** Items separated by commas, spaces or new lines, without empty ones and duplicates. */
export function splitList(value: string): string[] {
  return [...new Set(value.split(/[\s,]+/).filter((item) => item !== ''))];
}

/** '' (the input left empty) is undefined; anything else goes to `inner`. */
export function optional<T>(inner: Parser<T>): Parser<T | undefined> {
  return parser(inner.accepted, (value) => (value === '' ? undefined : inner.parse(value)), inner.type);
}

/** A list (commas, spaces or new lines; duplicates dropped), each item read by `item`. */
export function listOf<T>(item: Parser<T>): Parser<T[]> {
  return parser(item.accepted, (value) => splitList(value).map((entry) => item.parse(entry)));
}

export function enumOf<T extends string>(allowed: readonly T[]): Parser<T> {
  const accepted = allowed.join(', ');
  return parser(accepted, (value) => {
    singleLine(value, accepted);
    const match = allowed.find((candidate) => candidate === value.toLowerCase());
    if (!match) throw new InvalidValue(`${quote(value)} is not a valid value`, accepted);
    return match;
  });
}

export function integer(min: number, max: number, accepted: string): Parser<number> {
  return parser(
    accepted,
    (value) => {
      singleLine(value, accepted);
      if (!/^\d+$/.test(value)) throw new InvalidValue(`${quote(value)} is not a whole number`, accepted);
      const number = Number(value);
      if (number < min || number > max) throw new InvalidValue(`${value} is out of range`, accepted);
      return number;
    },
    'number',
  );
}

const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };

/** YAML 1.2 core schema booleans, as @actions/core's getBooleanInput reads them. */
export const boolean: Parser<boolean> = parser(
  'true or false',
  (value) => {
    singleLine(value, 'true or false');
    const result = BOOLEANS[value];
    if (result === undefined) throw new InvalidValue(`${quote(value)} is not a boolean`, 'true or false');
    return result;
  },
  'boolean',
);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `0`, or a number with a unit (90s, 30m, 6h, 1.5d), in seconds. */
export function duration(min: number, max: number): Parser<number> {
  const accepted = `0 (off), or a number with a unit s, m, h or d (e.g. 90m, 6h, 2d) from ${min / 60}m to ${max / 86_400}d`;
  return parser(accepted, (value) => {
    singleLine(value, accepted);
    if (value === '0') return 0;
    const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
    if (!match) throw new InvalidValue(`${quote(value)} is not a duration`, accepted);
    const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
    if (seconds < min || seconds > max) throw new InvalidValue(`${value} is out of range`, accepted);
    return seconds;
  });
}

export const path: Parser<string> = parser('a directory path', (value) => {
  singleLine(value, 'a directory path');
  if (value.includes('\0')) throw new InvalidValue('contains a NUL character', 'a directory path');
  return value;
});

export const absolutePath: Parser<string> = parser('an absolute path, e.g. /var/run/docker.sock', (value) => {
  const checked = path.parse(value);
  if (!checked.startsWith('/')) throw new InvalidValue(`${quote(value)} is not an absolute path`, absolutePath.accepted);
  return checked;
});

/** An http(s) base URL without query, fragment or credentials; trailing slashes dropped. */
export function httpUrl(example: string): Parser<string> {
  const accepted = `an http:// or https:// URL, e.g. ${example}`;
  return parser(accepted, (value) => {
    singleLine(value, accepted);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidValue(`${quote(value)} is not a URL`, accepted);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidValue(`${quote(value)} is not an http(s) URL`, accepted);
    if (url.search !== '' || url.hash !== '') throw new InvalidValue(`${quote(value)} carries a query or fragment`, accepted);
    if (url.username !== '' || url.password !== '') {
      // Not echoed: the value holds a secret.
      throw new InvalidValue(
        'credentials in the URL (user:password@) are not supported: they would be logged with every download; use a mirror reachable without them',
        `${accepted}, without user:password@`,
      );
    }
    return value.replace(/\/+$/, '');
  });
}

// The grammar of github.com/distribution/reference: [domain/]path[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const MAX_NAME_LENGTH = 255;

export const imageReference: Parser<string> = parser(
  'an image reference such as docker:dind, docker:29-dind or registry.example.com/team/dind:1.2@sha256:<digest>',
  (value) => {
    const { accepted } = imageReference;
    singleLine(value, accepted);
    const match = REFERENCE.exec(value);
    if (!match) throw new InvalidValue(`${quote(value)} is not a valid image reference`, accepted);
    if ((match[1] ?? '').length > MAX_NAME_LENGTH) {
      throw new InvalidValue(`the repository name is longer than ${MAX_NAME_LENGTH} characters`, accepted);
    }
    return value;
  },
);

// Docker's own rule for volume and container names.
const OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function objectName(accepted: string): Parser<string> {
  return parser(accepted, (value) => {
    singleLine(value, accepted);
    if (!OBJECT_NAME.test(value) || value.length > 200) throw new InvalidValue(`${quote(value)} is not a valid name`, accepted);
    return value;
  });
}
