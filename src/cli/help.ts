/** Usage text, one per command; options come from the input registry, so they cannot drift from the action's. */
import { describeInput, INPUTS } from '../inputs/registry.js';
import { envName, SWITCHES, type Command } from './args.js';

const SUMMARY = `setup-dind: give a CI job a working Docker daemon, and leave nothing behind.

Usage:
  setup-dind up [options]            start (or attach to) a daemon; prints export lines for eval
  setup-dind down [--state FILE]     remove what "up" started (idempotent)
  setup-dind run [options] -- CMD…   up, run CMD with DOCKER_HOST set, down; exits with CMD's code
  setup-dind env [--state FILE]      print the export lines again

  env="$(setup-dind up --tls)"       # e.g. in a GitLab before_script; two lines, so that
  eval "$env"                        # a failed up fails the job (eval "$(...)" hides it)
  setup-dind down                    # in after_script, a fresh shell

Run "setup-dind <command> --help" for a command's options.
`;

function optionsText(): string {
  const lines = INPUTS.map((input) => {
    const flag = SWITCHES.includes(input.name) ? `--${input.name}, --no-${input.name}` : `--${input.name} VALUE`;
    const fallback = input.default === '' ? '' : ` (default: ${input.default})`;
    return `  ${flag}\n      ${describeInput(input).replace(/`/g, '')}${fallback}\n      env: ${envName(input.name)}`;
  });
  return `Options (flags win over SETUP_DIND_* variables, which win over defaults):\n${lines.join('\n')}\n  --state FILE\n      where "up" records what "down" removes (default: a per-user file for this CI job under the system temp dir)\n`;
}

const COMMAND_HELP: Record<Command, string> = {
  up: `Usage: setup-dind up [options]\n\nStarts a DinD daemon (or, with --mode attach, waits for one), waits until it answers,\nwrites the state file and prints "export NAME='value'" lines on stdout (progress goes to stderr).\nExit codes: 0 ready, 1 failed (nothing left running), 2 usage or input error.\n\n`,
  down: `Usage: setup-dind down [--state FILE]\n\nRemoves what "up" recorded in the state file, through the daemon that created it.\nA second run, or a run without a state file, does nothing and exits 0.\nExit codes: 0 done, 1 something could not be removed (kept in the state file for another try).\n`,
  run: `Usage: setup-dind run [options] -- CMD [ARG…]\n\nStarts a daemon, runs CMD with DOCKER_HOST (and TLS variables) set, removes the daemon\nwhatever CMD did, and exits with CMD's exit code.\n\n`,
  env: `Usage: setup-dind env [--state FILE]\n\nPrints the export lines of the recorded daemon again, e.g. for: eval "$(setup-dind env)"\n`,
};

export function helpText(command: Command | undefined): string {
  if (command === undefined) return SUMMARY;
  return command === 'up' || command === 'run' ? `${COMMAND_HELP[command]}${optionsText()}` : COMMAND_HELP[command];
}
