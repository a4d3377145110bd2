/**
 * The action's post step: remove what main created. It runs even when the job
 * failed, possibly after main failed half way, and must never fail the job:
 * problems are warnings, and a plan with nothing left in it is a no-op.
 */
import * as core from '@actions/core';
import { realDocker } from '../docker/docker.js';
import { errorMessage } from '../engine/errors.js';
import { tearDown } from '../teardown/teardown.js';
import { parsePlan } from '../teardown/plan.js';
import { PLAN_STATE, actionsLogger } from './actions.js';

async function post(): Promise<void> {
  try {
    const plan = parsePlan(core.getState(PLAN_STATE));
    if (!plan) {
      core.info('Nothing to tear down: main saved no teardown plan (it failed before starting anything, or did not run).');
      return;
    }
    const started = performance.now();
    // The runner gives post the PATH main added to, so a downloaded docker CLI is found.
    const result = await tearDown(plan, { logger: actionsLogger, env: process.env, docker: realDocker() });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (result.removed.length > 0) core.info(`Removed ${result.removed.join(', ')} in ${seconds} s.`);
    if (result.alreadyGone.length > 0) core.info(`Already gone: ${result.alreadyGone.join(', ')}.`);
    if (result.removed.length === 0 && result.alreadyGone.length === 0 && result.complete) core.info('Nothing to tear down.');
    if (result.publishedPorts.length > 0) {
      core.info(`Host ports the job's containers published: ${result.publishedPorts.join('; ')}`);
      if (process.env.GITHUB_STEP_SUMMARY) {
        await core.summary
          .addHeading('Host ports published by the job (DooD)', 3)
          .addList(result.publishedPorts)
          .write()
          .catch((error: unknown) => core.warning(`Could not write the job summary: ${String(error)}`));
      }
    }
  } catch (error) {
    core.warning(`Teardown failed: ${errorMessage(error)}`);
  }
}

/** Runs the post step (dist/post.js, through src/entries.ts). */
export const runPost: () => Promise<void> = post;
