/**
 * A stand-in for the DooD proxy's DaemonLookup: a table of what the daemon
 * answers for each object, a record of what was asked and created, and a
 * daemon populated with the job's objects and others'.
 */
import type { Json, JsonAnswer } from '../../src/dood/json.js';
import type { DaemonLookup, ObjectKind } from '../../src/dood/ownership.js';
import { Refused } from '../../src/dood/refused.js';

export const OURS = { 'setup-dind.owner': 'github:o/r/run/1', 'setup-dind.instance': 'job-a' };
/** Another job of the same run. */
export const THEIRS = { ...OURS, 'setup-dind.instance': 'job-b' };
/** The fake daemon's full ID of an object. */
export const ID = (name: string): string => `${name.replace(/[^a-z0-9]/g, '')}${'0'.repeat(64)}`.slice(0, 64);

export class FakeLookup implements DaemonLookup {
  readonly answers = new Map<string, JsonAnswer>();
  readonly asked: string[] = [];
  readonly created: Json[] = [];
  createStatus = 201;

  /** A container known by its name and its full ID. */
  container(name: string, labels: unknown): this {
    const answer = { status: 200, json: { Id: ID(name), Name: `/${name}`, Config: { Labels: labels } } };
    this.answers.set(`container ${name}`, answer);
    this.answers.set(`container ${ID(name)}`, answer);
    return this;
  }

  /** An exec instance (by its full ID only, as the daemon finds them) in a container. */
  exec(name: string, container: string): this {
    this.answers.set(`exec ${ID(name)}`, { status: 200, json: { ID: ID(name), ContainerID: ID(container), Running: false } });
    return this;
  }

  object(kind: 'volume' | 'network', name: string, labels: unknown): this {
    this.answers.set(`${kind} ${name}`, { status: 200, json: { Name: name, Id: ID(name), Labels: labels } });
    return this;
  }

  async inspect(kind: ObjectKind, ref: string): Promise<JsonAnswer> {
    this.asked.push(`${kind} ${ref}`);
    return this.answers.get(`${kind} ${ref}`) ?? { status: 404, json: { message: `no such ${kind}` } };
  }

  /** An image, by each of its tags and its ID. */
  image(id: string, tags: string[]): this {
    const answer = { status: 200, json: { Id: id, RepoTags: tags, RepoDigests: [] } };
    for (const ref of [id, ...tags]) this.answers.set(`image ${ref}`, answer);
    return this;
  }

  async inspectImage(ref: string): Promise<JsonAnswer> {
    this.asked.push(`image ${ref}`);
    return this.answers.get(`image ${ref}`) ?? { status: 404, json: { message: `No such image: ${ref}` } };
  }

  async createVolume(spec: Json): Promise<JsonAnswer> {
    this.created.push(spec);
    // As the daemon: the volume it made, with the labels asked for.
    return { status: this.createStatus, json: { Name: spec.Name, Driver: 'local', Labels: spec.Labels ?? null } };
  }
}

/** The job's objects (mine, myexec, myvol, jobnet), another job's (foreign, foreignexec, theirvol, theirnet) and the host's (hostbox). */
export function jobDaemon(): FakeLookup {
  return new FakeLookup()
    .container('mine', { ...OURS, extra: 'label' })
    .container('foreign', THEIRS)
    .container('hostbox', null)
    .exec('myexec', 'mine')
    .exec('foreignexec', 'foreign')
    .object('volume', 'myvol', OURS)
    .object('volume', 'theirvol', THEIRS)
    .object('network', 'jobnet', OURS)
    .object('network', 'theirnet', THEIRS);
}

/** The Refused that `promise` rejects with. */
export async function refusalOf(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error: unknown = await promise.then(
    () => new Error('not refused'),
    (caught: unknown) => caught,
  );
  if (!(error instanceof Refused)) throw error;
  return { status: error.status, message: error.message };
}
