/**
 * The command line: `setup-dind <command> [options] [-- CMD…]`. Options are
 * the action's inputs as flags (`--image docker:27-dind`, `--tls`), or as
 * SETUP_DIND_* environment variables (SETUP_DIND_IMAGE); a flag wins over the
 * environment, which wins over the default. Parsing is node:util's parseArgs.
 */
import { parseArgs } from 'node:util';
import type { InputSource } from '../inputs/inputs.js';
import { INPUTS } from '../inputs/registry.js';

export const COMMANDS = ['up', 'down', 'run', 'env'] as const;
export type Command = (typeof COMMANDS)[number];

/** Inputs that are on/off switches (boolean parsers): `--tls` means `--tls=true`, `--no-tls` means `--tls=false`. */
export const SWITCHES: readonly string[] = INPUTS.filter((input) => input.parser.type === 'boolean').map((input) => input.name);

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  command: Command | undefined;
  help: boolean;
  version: boolean;
  /** --state: where `up` records what `down` removes. */
  statePath: string | undefined;
  /** The inputs given as flags. */
  flags: Record<string, string>;
  /** `run`: the command after `--`. */
  commandLine: string[];
}

/** The environment variable for an input: daemon-args -> SETUP_DIND_DAEMON_ARGS. */
export function envName(input: string): string {
  return `SETUP_DIND_${input.toUpperCase().replace(/-/g, '_')}`;
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const dashDash = argv.indexOf('--');
  const ours = dashDash === -1 ? [...argv] : argv.slice(0, dashDash);
  const commandLine = dashDash === -1 ? [] : argv.slice(dashDash + 1);
  const normalized = ours.map((arg) => {
    const name = arg.replace(/^--(no-)?/, '');
    if (SWITCHES.includes(name) && arg.startsWith('--')) return `--${name}=${arg.startsWith('--no-') ? 'false' : 'true'}`;
    return arg;
  });
  let parsed;
  try {
    parsed = parseArgs({
      args: normalized,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        state: { type: 'string' },
        ...Object.fromEntries(INPUTS.map((input) => [input.name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
  const { help, version, state, ...inputs } = parsed.values as Record<string, string | boolean | undefined>;
  const [commandName, ...extra] = parsed.positionals;
  if (commandName !== undefined && !(COMMANDS as readonly string[]).includes(commandName)) {
    throw new UsageError(`unknown command "${commandName}" (commands: ${COMMANDS.join(', ')})`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"${commandName === 'run' ? ' (put the command after --)' : ''}`);
  const command = commandName as Command | undefined;
  if (command === 'run' && commandLine.length === 0 && !help) throw new UsageError('run needs a command after --, e.g. setup-dind run -- docker version');
  if (command !== 'run' && dashDash !== -1) throw new UsageError(`"--" and a command only go with "run"`);
  const flags: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) if (typeof value === 'string') flags[name] = value;
  if (command !== undefined && command !== 'up' && command !== 'run' && Object.keys(flags).length > 0) {
    throw new UsageError(`--${Object.keys(flags)[0]} goes with "up" or "run", not "${command}"`);
  }
  return { command, help: help === true, version: version === true, statePath: typeof state === 'string' ? state : undefined, flags, commandLine };
}

/** Inputs from flags, then SETUP_DIND_* variables. */
export function inputSource(flags: Record<string, string>, env: NodeJS.ProcessEnv): InputSource {
  return (name) => flags[name] ?? env[envName(name)];
}
