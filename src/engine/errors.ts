/**
 * Errors that reach the user. Every failure the action can foresee is a
 * SetupDindError: a one-line message, optional details (log lines) and a hint
 * saying what to do. Anything else is a bug and is reported with its stack.
 */
export class SetupDindError extends Error {
  readonly hint: string | undefined;
  readonly details: string[];

  constructor(message: string, options: { hint?: string; details?: string[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SetupDindError';
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** A value given for an input (action input, CLI flag or environment variable) is not accepted. */
export class InputError extends SetupDindError {
  readonly input: string;

  constructor(input: string, problem: string, accepted: string) {
    super(`Input "${input}": ${problem}. Accepted: ${accepted}.`);
    this.name = 'InputError';
    this.input = input;
  }
}

/** The job was cancelled (SIGINT/SIGTERM) while the action was working. */
export class CancelledError extends SetupDindError {
  constructor(what: string) {
    super(`Cancelled while ${what}.`);
    this.name = 'CancelledError';
  }
}

/** Message, hint and details as lines for a log. */
export function describeError(error: unknown): { message: string; hint?: string; details: string[] } {
  if (error instanceof SetupDindError) {
    return { message: error.message, hint: error.hint, details: error.details };
  }
  if (error instanceof Error) {
    return { message: `Unexpected error: ${error.stack ?? error.message}`, details: [] };
  }
  return { message: `Unexpected error: ${String(error)}`, details: [] };
}

/** An error's message for a one-line report (what was thrown may be anything). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
