/** Tag claims held as volumes, over a fake volume store that answers as the daemon's does (a second create returns the first volume). */
import { describe, expect, it } from 'vitest';
import { inspectVolumeCreate } from '../../src/dood/inspect.js';
import type { Json, JsonAnswer } from '../../src/dood/json.js';
import { Ownership } from '../../src/dood/ownership.js';
import { CLAIM_LABEL, claimVolumeName, daemonClaims, type ClaimDaemon } from '../../src/dood/tag-claims.js';

class FakeVolumes implements ClaimDaemon {
  readonly volumes = new Map<string, Record<string, string>>();

  async createVolume(spec: Json): Promise<JsonAnswer> {
    const { Name, Labels } = spec as { Name: string; Labels: Record<string, string> };
    if (!this.volumes.has(Name)) this.volumes.set(Name, Labels);
    return { status: 201, json: { Name, Driver: 'local', Labels: this.volumes.get(Name) } };
  }

  async inspectVolume(name: string): Promise<JsonAnswer> {
    const labels = this.volumes.get(name);
    return labels ? { status: 200, json: { Name: name, Labels: labels } } : { status: 404, json: { message: 'no such volume' } };
  }

  async removeVolume(name: string): Promise<JsonAnswer> {
    return this.volumes.delete(name) ? { status: 204, json: undefined } : { status: 404, json: { message: 'no such volume' } };
  }
}

const JOB_A = { 'setup-dind.owner': 'job-a', 'setup-dind.instance': 'a1' };
const JOB_B = { 'setup-dind.owner': 'job-b', 'setup-dind.instance': 'b1' };
const TAG = 'docker.io/library/app:1';

describe('daemonClaims', () => {
  it('gives a tag to the first job that claims it, again to it, and names the holder to the others', async () => {
    const daemon = new FakeVolumes();
    const a = daemonClaims(daemon, JOB_A);
    const b = daemonClaims(daemon, JOB_B);
    expect(await a.claim(TAG)).toEqual({ held: true });
    expect(await a.claim(TAG)).toEqual({ held: true });
    expect(await b.claim(TAG)).toEqual({ held: false, holder: `the volume ${claimVolumeName(TAG)} (setup-dind.owner=job-a, setup-dind.instance=a1)` });
    expect(daemon.volumes.get(claimVolumeName(TAG))).toEqual({ ...JOB_A, ...CLAIM_LABEL });
    expect(await a.heldElsewhere(TAG)).toBeUndefined();
    expect(await b.heldElsewhere(TAG)).toBe(`the volume ${claimVolumeName(TAG)} (setup-dind.owner=job-a, setup-dind.instance=a1)`);
    expect(await b.heldElsewhere('docker.io/library/unclaimed:1')).toBeUndefined();
  });

  it('a released claim is anyone\'s; one name per tag, the same in every proxy', async () => {
    const daemon = new FakeVolumes();
    const a = daemonClaims(daemon, JOB_A);
    await a.claim(TAG);
    await a.release(TAG);
    expect(await daemonClaims(daemon, JOB_B).claim(TAG)).toEqual({ held: true });
    expect(claimVolumeName(TAG)).toMatch(/^setup-dind-tag-claim-[0-9a-f]{40}$/);
    expect(claimVolumeName('docker.io/library/app:2')).not.toBe(claimVolumeName(TAG));
  });

  it('a volume of that name someone else made, or a daemon that refuses, holds the tag against the job', async () => {
    const daemon = new FakeVolumes();
    daemon.volumes.set(claimVolumeName(TAG), {});
    expect(await daemonClaims(daemon, JOB_A).claim(TAG)).toMatchObject({ held: false, holder: expect.stringContaining('not labelled as a job') });
    const refusing: ClaimDaemon = { createVolume: async () => ({ status: 500, json: { message: 'disk full' } }), removeVolume: daemon.removeVolume.bind(daemon), inspectVolume: daemon.inspectVolume.bind(daemon) };
    expect(await daemonClaims(refusing, JOB_A).claim(TAG)).toEqual({ held: false, holder: 'unknown: the daemon answered 500 to the claim' });
  });
});

describe('claim volume names are the proxy\'s', () => {
  const context = { labels: JOB_A, policy: 'strict' as const, allowedBindRoots: ['/work'], socketPaths: ['/var/run/docker.sock'] };

  it('strict refuses a job a volume named like a claim (it would squat another job\'s tag), by create or by a mount', async () => {
    const name = claimVolumeName(TAG);
    expect(() => inspectVolumeCreate({ Name: name }, context)).toThrow(/creating volume setup-dind-tag-claim-[0-9a-f]+ is not allowed \(the name setup-dind-tag-claim-… is kept for the proxy's claims on image tags\)/);
    expect(() => inspectVolumeCreate({ Name: name }, { ...context, policy: 'no-privileged' })).not.toThrow();
    const daemon = { inspect: async () => ({ status: 404, json: {} }), createVolume: async () => ({ status: 201, json: { Labels: JOB_A } }) };
    const ownership = new Ownership({ daemon, labels: JOB_A, strict: true, log: () => {} });
    await expect(ownership.prepareVolumes([{ name }])).rejects.toThrow(/kept for the proxy's claims/);
    await expect(ownership.prepareVolumes([{ name: 'data' }])).resolves.toBeUndefined();
  });
});
