/**
 * Reading the inputs: each value from the source (action inputs, CLI flags,
 * SETUP_DIND_* variables) is parsed by its entry in the registry, then the
 * rules between inputs are checked, all before anything touches Docker. A bad
 * value fails with an InputError that names the input and what it accepts.
 */
import { InputError } from '../engine/errors.js';
import { duration, imageReference, InvalidValue, type Parser } from './parsers.js';
import { INPUTS, inputSpec, type Given, type InputSpec } from './registry.js';
import type { Mode, Options, Transport } from './options.js';

export * from './options.js';
export { DEFAULT_DOCKER_DOWNLOAD_URL, INPUTS, OUTPUTS, type InputSpec, type OutputSpec } from './registry.js';
export { quote } from './parsers.js';

/** Reads one raw input value; `undefined` or '' means "not given". */
export type InputSource = (name: string) => string | undefined;

export function readOptions(source: InputSource): Options {
  const value = (spec: InputSpec): string => source(spec.name)?.trim() || spec.default;
  // Given = set to something other than its default (the Actions runner passes every default explicitly).
  const given: Given = (name) => {
    const spec = inputSpec(name);
    return value(spec).toLowerCase() !== spec.default.toLowerCase();
  };

  const parsed: Partial<Record<keyof Options, unknown>> = {};
  // Inputs that add to another's option (the daemon.json lists) come after it.
  for (const spec of [...INPUTS.filter((spec) => !spec.merge), ...INPUTS.filter((spec) => spec.merge)]) {
    const result = parseAs(spec.name, spec.parser, value(spec));
    parsed[spec.option] = spec.merge ? spec.merge(parsed[spec.option], result) : result;
  }
  const options = parsed as Options;

  // An input that has no effect in the chosen mode or transport is a mistake worth stopping for.
  for (const spec of INPUTS) if (spec.modes && !spec.modes.includes(options.mode) && given(spec.name)) throw wrongMode(spec.name, spec.modes, options.mode);
  for (const spec of INPUTS) if (spec.transports && !spec.transports.includes(options.transport) && given(spec.name)) throw wrongTransport(spec, spec.transports, options.transport);
  for (const spec of INPUTS) spec.check?.(options, given);
  return options;
}

function wrongMode(name: string, modes: readonly Mode[], mode: Mode): InputError {
  const owners = modes.length === 1 ? `mode ${modes[0]} only` : `modes ${modes.join(' and ')} only`;
  return new InputError(name, `applies to ${owners}, and mode is ${mode}`, `no value in mode ${mode} (remove the input)`);
}

function wrongTransport(spec: InputSpec, transports: readonly Transport[], transport: Transport): InputError {
  const { problem, accepted } = spec.otherTransport ?? {
    problem: `only applies to transport ${transports.map((name) => `"${name}"`).join(' or ')}`,
    accepted: `no value with transport ${transport} (remove the input)`,
  };
  return new InputError(spec.name, problem, accepted);
}

/** A value read by a parser, its refusal an InputError naming the input. */
export function parseAs<T>(input: string, parser: Parser<T>, value: string): T {
  try {
    return parser.parse(value);
  } catch (error) {
    if (error instanceof InvalidValue) throw new InputError(input, error.problem, error.accepted);
    throw error;
  }
}

/** `0`, or a number with a unit: 90s, 30m, 6h, 1.5d. */
export function parseDuration(input: string, value: string, min: number, max: number): number {
  return parseAs(input, duration(min, max), value);
}

export function parseImageReference(input: string, value: string): string {
  return parseAs(input, imageReference, value);
}

export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}
