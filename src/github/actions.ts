/** The GitHub Actions side of the engine: logging, state and errors through @actions/core. */
import * as core from '@actions/core';
import type { Logger, PlanStore } from '../engine/context.js';
import { onCancel } from '../engine/cancel.js';
import { describeError } from '../engine/errors.js';
import type { TeardownPlan } from '../teardown/plan.js';

export const PLAN_STATE = 'plan';

export const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  block(title, lines) {
    core.startGroup(title);
    for (const line of lines) core.info(line);
    core.endGroup();
  },
};

export const actionsPlanStore: PlanStore = {
  save: (plan: TeardownPlan) => core.saveState(PLAN_STATE, JSON.stringify(plan)),
};

/** Logs an error's details in a group and fails the step with its message and hint. */
export function failStep(error: unknown): void {
  const { message, hint, details } = describeError(error);
  if (details.length > 0) actionsLogger.block('Daemon log (last lines)', details);
  core.setFailed(hint ? `${message}\nHint: ${hint}` : message);
}

/** An AbortSignal that fires when the runner cancels the job (SIGINT/SIGTERM). */
export function cancellationSignal(): AbortSignal {
  return onCancel(actionsLogger).signal;
}
