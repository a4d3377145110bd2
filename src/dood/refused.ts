/**
 * A request the proxy answers itself instead of forwarding it: every check
 * (body, route, ownership, size) throws one, and the server turns it into the
 * Engine API's error form, {"message": ...}, which the docker CLI prints.
 */
import type { DoodPolicy } from './policy.js';

/** A request the proxy answers itself, with this status and {"message": ...}. */
export class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'Refused';
  }
}

/** 403: the policy does not allow `what`, for the reason `why`. */
export function policyRefusal(policy: DoodPolicy, what: string, why: string): Refused {
  return new Refused(403, `setup-dind dood-policy ${policy}: ${what} is not allowed (${why})`);
}
