/**
 * Cancellation as CI systems do it: SIGINT or SIGTERM to the step. The first
 * signal aborts the set-up (which then removes what it started); a second one
 * exits at once.
 */
import type { Logger } from './context.js';

export interface Cancellation {
  signal: AbortSignal;
  /** Stops listening (e.g. before handing signals to a child command). */
  dispose(): void;
}

export function onCancel(logger: Pick<Logger, 'warn'>): Cancellation {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    logger.warn(`Received ${name}: cancelling and removing what was started.`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
