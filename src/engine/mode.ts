/**
 * The lifecycle every mode follows, driven by the engine (engine.ts): check,
 * plan, start, then (the engine waits until the daemon answers) ready. The
 * engine saves the plan before `start`, cleans up after any failure, keeps
 * the deadline and reads the daemon's version; a mode only knows its daemon.
 */
import type { DaemonVersion, Endpoint, NotReadyError } from '../docker/probe.js';
import type { TeardownPlan } from '../teardown/plan.js';
import type { Daemon } from './daemon.js';

/** One set-up in one mode. */
export interface ModeRun {
  /** Looks that need the machine but start nothing (a socket, images to preload): a failure leaves nothing behind. */
  check(): Promise<void>;
  /** What the set-up will create, saved before anything exists so a set-up killed half way can be torn down. */
  plan(): TeardownPlan;
  /** The environment of the daemon whose leftovers of dead runs are swept beside the start; none: no sweep. */
  sweepEnv?: NodeJS.ProcessEnv;
  /** Starts (or finds) the daemon. What it creates beyond the plan goes through `record` first. */
  start(record: RecordPlan): Promise<Started>;
  /** After the daemon answered: work that needs it (load-images). Its result is merged into the daemon's. */
  ready?(endpoint: Endpoint, version: DaemonVersion): Promise<Partial<Daemon>>;
  /** Ends what `start` left running for the wait (a container watch); called whatever happened. */
  dispose?(): void;
}

/** Adds to the plan and saves it, before the thing it names is created. */
export type RecordPlan = (update: Partial<TeardownPlan>) => void;

/** A daemon started (or found) and not yet answering. */
export interface Started {
  endpoint: Endpoint;
  /** The client side: DOCKER_HOST and the TLS variables. */
  env: Record<string, string>;
  certPath?: string;
  /** The clock reading its deadline and ready-seconds count from; default: the start of the set-up. */
  since?: number;
  /** Rejects, with the error to report, when waiting is pointless (the daemon's container exited). */
  giveUp?: Promise<never>;
  /** The error for a daemon that did not answer within the deadline. */
  notReady(error: NotReadyError): Promise<Error> | Error;
  /** What the result says of the daemon, beyond the engine's own fields. */
  describe: Omit<Daemon, 'mode' | 'endpoint' | 'env' | 'certPath' | 'serverVersion' | 'readySeconds'>;
}
