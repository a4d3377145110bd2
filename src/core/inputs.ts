/**
 * The action's inputs, defined once. action.yml, the README table and (later)
 * the CLI flags are checked against this table by the unit tests, so the
 * front ends cannot drift apart.
 *
 * Every value is validated here, before anything touches Docker: a bad value
 * fails with an InputError that names the input and what it accepts.
 */
import { InputError } from './errors.js';

export const MODES = ['dind', 'dood', 'attach'] as const;
export type Mode = (typeof MODES)[number];
/** Modes accepted by name whose engine is not built yet. */
const MODES_NOT_YET_IMPLEMENTED: readonly Mode[] = ['dood', 'attach'];

export const PULL_POLICIES = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export interface Options {
  mode: Mode;
  image: string;
  /** Host port for the daemon's API; 0 lets Docker pick a free one. */
  port: number;
  /** Seconds until the daemon must answer. */
  timeoutSeconds: number;
  pull: PullPolicy;
  /** Extra dockerd arguments, already split into an argument vector. */
  daemonArgs: string[];
}

export interface InputSpec {
  name: string;
  description: string;
  default: string;
}

export const INPUTS: readonly InputSpec[] = [
  {
    name: 'mode',
    description:
      'How the job gets a daemon: `dind` starts a Docker-in-Docker container; `dood` (host socket) and `attach` (a daemon someone else runs) are reserved and not implemented yet.',
    default: 'dind',
  },
  { name: 'image', description: 'Image of the DinD daemon container.', default: 'docker:dind' },
  {
    name: 'port',
    description:
      'Host port (on 127.0.0.1) for the daemon API. `0` lets Docker pick a free port, so concurrent jobs never collide.',
    default: '0',
  },
  {
    name: 'timeout',
    description: 'Seconds to wait for the daemon to answer `GET /_ping` before failing (1-3600).',
    default: '60',
  },
  {
    name: 'pull',
    description: 'When to pull `image`: `missing` (only if not present), `always`, or `never`.',
    default: 'missing',
  },
  {
    name: 'daemon-args',
    description:
      'Extra dockerd arguments, separated by spaces or new lines (use `--flag=value`). Passed as an argument vector, never through a shell.',
    default: '',
  },
];

/** Reads one raw input value; `undefined` or '' means "not given". */
export type InputSource = (name: string) => string | undefined;

const MAX_TIMEOUT_SECONDS = 3600;

export function readOptions(source: InputSource): Options {
  const raw = (name: string): string => {
    const spec = INPUTS.find((input) => input.name === name);
    if (!spec) throw new Error(`BUG: unknown input ${name}`);
    const value = source(name)?.trim();
    return value === undefined || value === '' ? spec.default : value;
  };

  const mode = parseEnum('mode', raw('mode'), MODES);
  if (MODES_NOT_YET_IMPLEMENTED.includes(mode)) {
    const ready = MODES.filter((m) => !MODES_NOT_YET_IMPLEMENTED.includes(m));
    throw new InputError('mode', `"${mode}" is not implemented yet`, ready.join(', '));
  }
  return {
    mode,
    image: parseImageReference('image', raw('image')),
    port: parseInteger('port', raw('port'), 0, 65535, 'a whole number from 0 to 65535 (0 picks a free port)'),
    timeoutSeconds: parseInteger('timeout', raw('timeout'), 1, MAX_TIMEOUT_SECONDS, `whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`),
    pull: parseEnum('pull', raw('pull'), PULL_POLICIES),
    daemonArgs: parseDaemonArgs('daemon-args', raw('daemon-args')),
  };
}

/** Shows a value in an error message without letting it break the message. */
export function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

function singleLine(input: string, value: string, accepted: string): void {
  if (/[\r\n]/.test(value)) throw new InputError(input, `expected one value, got several lines (${quote(value)})`, accepted);
}

export function parseEnum<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const accepted = allowed.join(', ');
  singleLine(input, value, accepted);
  const normalized = value.toLowerCase();
  const match = allowed.find((candidate) => candidate === normalized);
  if (!match) throw new InputError(input, `${quote(value)} is not a valid value`, accepted);
  return match;
}

export function parseInteger(input: string, value: string, min: number, max: number, accepted: string): number {
  singleLine(input, value, accepted);
  if (!/^\d+$/.test(value)) throw new InputError(input, `${quote(value)} is not a whole number`, accepted);
  const number = Number(value);
  if (number < min || number > max) throw new InputError(input, `${value} is out of range`, accepted);
  return number;
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

export function parseImageReference(input: string, value: string): string {
  const accepted = 'an image reference such as docker:dind, docker:29-dind or registry.example.com/team/dind:1.2@sha256:<digest>';
  singleLine(input, value, accepted);
  const match = REFERENCE.exec(value);
  if (!match) throw new InputError(input, `${quote(value)} is not a valid image reference`, accepted);
  if ((match[1] ?? '').length > MAX_NAME_LENGTH) {
    throw new InputError(input, `the repository name is longer than ${MAX_NAME_LENGTH} characters`, accepted);
  }
  return value;
}

/** dockerd flags the action sets itself: the listeners and their transport security. */
const RESERVED_DAEMON_FLAGS = ['-H', '--host', '--tls', '--tlsverify', '--tlscacert', '--tlscert', '--tlskey'];

/** dockerd's one-letter flags that take a value: the rest of a cluster such as `-lwarn` is that value. */
const VALUE_SHORTHANDS = new Set(['l', 'G', 'b', 'p', 's', 'g', 'e']);

/** Whether a cluster of one-letter flags (`-H…`, `-DH…`) sets -H, as dockerd's flag parser reads it. */
function setsHostShorthand(arg: string): boolean {
  if (!/^-[^-]/.test(arg)) return false;
  for (const letter of arg.slice(1)) {
    if (letter === 'H') return true;
    if (VALUE_SHORTHANDS.has(letter) || letter === '=') return false;
  }
  return false;
}

export function parseDaemonArgs(input: string, value: string): string[] {
  const accepted = 'dockerd flags such as --mtu=1400 --registry-mirror=https://mirror.example, separated by spaces or new lines';
  const args = value.split(/\s+/).filter((arg) => arg !== '');
  if (args.length > 0 && !args[0]!.startsWith('-')) {
    throw new InputError(input, `${quote(args[0]!)} is not a dockerd flag (flags start with -)`, accepted);
  }
  for (const arg of args) {
    const flag = arg.split('=', 1)[0]!;
    if (RESERVED_DAEMON_FLAGS.includes(flag) || setsHostShorthand(arg)) {
      throw new InputError(input, `${flag.startsWith('--') ? flag : '-H'} is set by the action itself (it chooses the daemon's listener and its security)`, accepted);
    }
    if (/[\0]/.test(arg)) throw new InputError(input, 'contains a NUL character', accepted);
  }
  return args;
}
