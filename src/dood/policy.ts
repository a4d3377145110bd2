/** The DooD policies, by name: what the job may ask of the host daemon (README, "DooD"). */
export const DOOD_POLICIES = ['none', 'no-privileged', 'strict'] as const;
export type DoodPolicy = (typeof DOOD_POLICIES)[number];
