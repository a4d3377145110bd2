/**
 * Progress for people, on stderr (stdout carries only the exports), with
 * collapsible sections where the CI knows them: GitLab's section markers,
 * GitHub's groups.
 */
import { ciJob } from '../engine/ci.js';
import type { Logger } from '../engine/context.js';

export type Flavour = 'gitlab' | 'github' | 'plain';

export function flavourOf(env: NodeJS.ProcessEnv): Flavour {
  const { ci } = ciJob(env);
  return ci === 'github' || ci === 'gitlab' ? ci : 'plain';
}

export function cliLogger(flavour: Flavour, write: (text: string) => void = (text) => process.stderr.write(text), debug = false): Logger {
  let sections = 0;
  return {
    info: (message) => write(`${message}\n`),
    warn: (message) => write(flavour === 'github' ? `::warning::${escapeCommand(message)}\n` : `WARNING: ${message}\n`),
    debug: (message) => {
      if (debug) write(`debug: ${message}\n`);
    },
    block(title, lines) {
      const body = lines.map((line) => `${line}\n`).join('');
      if (flavour === 'gitlab') {
        const name = `setup_dind_${++sections}`;
        const now = Math.floor(Date.now() / 1000);
        write(`\x1b[0Ksection_start:${now}:${name}[collapsed=true]\r\x1b[0K${title}\n${body}\x1b[0Ksection_end:${now}:${name}\r\x1b[0K\n`);
      } else if (flavour === 'github') {
        write(`::group::${title}\n${body}::endgroup::\n`);
      } else {
        write(`--- ${title}\n${body}---\n`);
      }
    },
  };
}

function escapeCommand(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
