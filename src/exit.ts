/**
 * Ends a failed or cancelled run now, once stdout and stderr have taken what
 * was written (on Linux, writes to pipes and files are synchronous anyway):
 * what the set-up started has been removed, and nothing left holding the
 * event loop (a request a library keeps open) may keep the CI job waiting.
 * Shared by the action's main step and the CLI.
 */
export function exitWhenFlushed(code: number): void {
  let pending = 2;
  const exit = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', exit);
  process.stderr.write('', exit);
  // A reader that stopped reading must not hold the job either.
  setTimeout(() => process.exit(code), 2000);
}
