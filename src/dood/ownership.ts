/**
 * strict keeps the job to its own objects: a container, volume or network is
 * the job's when it carries every one of the job's labels. Each check asks
 * the daemon (through DaemonLookup, which the tests fake) and answers with
 * what never changes (a full ID, a volume's name), so the request forwarded
 * names the object that was checked, not a name or prefix that may mean
 * another one by then.
 */
import type { Inspected } from './inspect.js';
import { field, isObject, type Json, type JsonAnswer } from './json.js';
import { policyRefusal, Refused } from './refused.js';
import { claimNameProblem } from './tag-claims.js';

export type ObjectKind = 'container' | 'exec' | 'volume' | 'network';


/** What the ownership checks ask the daemon. */
export interface DaemonLookup {
  /** GET /containers/{ref}/json, /exec/{ref}/json, /volumes/{ref} or /networks/{ref}. */
  inspect(kind: ObjectKind, ref: string): Promise<JsonAnswer>;
  /** POST /volumes/create. */
  createVolume(spec: Json): Promise<JsonAnswer>;
}

export interface OwnershipOptions {
  daemon: DaemonLookup;
  /** The job's labels: an object is the job's when it carries them all. */
  labels: Record<string, string>;
  /** Other jobs' objects are refused only in strict; volumes are pre-created with the labels in every policy. */
  strict: boolean;
  log: (line: string) => void;
}

/** The networks a created container joins when it starts, as its inspect JSON names them. */
export function containerNetworks(container: Json): Inspected['networks'] {
  const hostConfig = field(container, 'HostConfig');
  const settings = field(container, 'NetworkSettings');
  const mode = isObject(hostConfig) ? field(hostConfig, 'NetworkMode') : undefined;
  const networks = isObject(settings) ? field(settings, 'Networks') : undefined;
  const names = new Set([...(typeof mode === 'string' ? [mode] : []), ...(isObject(networks) ? Object.keys(networks) : [])]);
  return [...names].map((ref) => ({ ref, what: `start on network ${ref}` }));
}

export class Ownership {
  constructor(private readonly options: OwnershipOptions) {}

  /** Labels that carry every one of the job's. */
  isOurs(labels: unknown): boolean {
    return isObject(labels) && Object.entries(this.options.labels).every(([key, value]) => labels[key] === value);
  }

  /**
   * The job's own container, as the daemon describes it (with its full ID);
   * a refusal for anyone else's, also when the daemon cannot say whose it
   * is, and a 404 (the daemon's own words) when there is none: a reference
   * the daemon might resolve later to another container is never forwarded.
   */
  async ownContainerConfig(ref: string, what: string): Promise<{ id: string; json: Json }> {
    const { status, json } = await this.options.daemon.inspect('container', ref);
    if (status === 404) throw new Refused(404, `No such container: ${ref}`);
    const config = isObject(json) ? json.Config : undefined;
    if (status === 200 && isObject(json) && isObject(config) && this.isOurs(config.Labels) && typeof json.Id === 'string' && json.Id !== '') {
      return { id: json.Id, json };
    }
    const name = isObject(json) && typeof json.Name === 'string' ? json.Name.replace(/^\//, '') : ref;
    throw policyRefusal('strict', `${what} (container ${name})`, 'the container was not created by this job; strict keeps the job to its own containers');
  }

  /** The job's own container's full ID (see ownContainerConfig). */
  async ownContainer(ref: string, what: string): Promise<string> {
    return (await this.ownContainerConfig(ref, what)).id;
  }

  /** An exec instance's full ID, when its container is the job's own; 404 when there is none. */
  async ownExec(ref: string, what: string): Promise<string> {
    const { status, json } = await this.options.daemon.inspect('exec', ref);
    if (status === 404) throw new Refused(404, `No such exec instance: ${ref}`);
    const container = isObject(json) ? json.ContainerID : undefined;
    const id = isObject(json) ? json.ID : undefined;
    if (status !== 200 || typeof container !== 'string' || typeof id !== 'string' || id === '') {
      throw policyRefusal('strict', `${what} (exec ${ref})`, 'the daemon did not say whose container the exec instance is in');
    }
    await this.ownContainerConfig(container, `${what} (exec ${ref})`).catch((error: unknown) => {
      if (error instanceof Refused && error.status === 404) throw new Refused(404, `No such exec instance: ${ref}`);
      throw error;
    });
    return id;
  }

  /** Every container a new one joins (namespaces, volumes-from, links) must be the job's own; each join is pinned to what was checked. */
  async ownJoins(joins: Inspected['joins']): Promise<void> {
    for (const join of joins) {
      const { id, json } = await this.ownContainerConfig(join.ref, join.what);
      join.pin({ id, name: typeof json.Name === 'string' && json.Name !== '' ? json.Name.replace(/^\//, '') : id });
    }
  }

  /**
   * Networks a container joins when it starts (NetworkMode, EndpointsConfig):
   * the job's own, or the daemon's bridge. The daemon resolves these names
   * again at start, by full ID, then name, then ID prefix: a reference that
   * could be a prefix of another network's ID is refused unless it is the
   * full ID (see docs/dood.md on names taken between the check and start).
   */
  async ownNetworks(networks: Inspected['networks']): Promise<void> {
    for (const { ref, what } of networks) {
      if (['', 'bridge', 'default', 'none'].includes(ref) || ref.startsWith('container:')) continue;
      const id = await this.ownObject('network', ref, what);
      if (/^[0-9a-f]+$/i.test(ref) && ref !== id) {
        throw policyRefusal('strict', `${what} (network ${ref})`, 'a name of hex digits only could be read as a prefix of another network\'s ID; give the network a name with other characters, or use its full ID');
      }
    }
  }

  /**
   * The job's own volume's name or network's full ID. Another's is refused;
   * none at all is answered 404 here (there is nothing to pin the request to).
   */
  async ownObject(kind: 'volume' | 'network', ref: string, what: string): Promise<string> {
    const { status, json } = await this.options.daemon.inspect(kind, ref);
    if (status === 404) throw new Refused(404, `setup-dind dood proxy: no such ${kind}: ${ref}`);
    if (status === 200 && isObject(json) && this.isOurs(json.Labels)) {
      const id = kind === 'network' ? json.Id : json.Name;
      if (typeof id === 'string' && id !== '') return id;
    }
    throw policyRefusal('strict', `${what} (${kind} ${ref})`, `the ${kind} was not created by this job; strict keeps the job to its own ${kind}s`);
  }

  /**
   * Network connect/disconnect names a container in the body; both it and the
   * network must be the job's (the default bridge, which cannot be recreated,
   * may be joined or left). Returns the body and network pinned to full IDs.
   */
  async pinNetworkMembership(network: string, what: string, body: unknown): Promise<{ body: Json; network: string }> {
    const container = isObject(body) ? field(body, 'Container') : undefined;
    if (!isObject(body) || typeof container !== 'string' || container === '') throw policyRefusal('strict', `${what} without a container`, 'the proxy must know which container it is');
    const id = await this.ownContainer(container, what);
    const pinned = network === 'bridge' ? 'bridge' : await this.ownObject('network', network, what);
    const key = Object.keys(body).find((name) => name.toLowerCase() === 'container')!;
    return { body: { ...body, [key]: id }, network: pinned };
  }

  /** Named volumes a container will use: created first with the job's labels; strict refuses other jobs' volumes. */
  async prepareVolumes(volumes: Inspected['volumes']): Promise<void> {
    const { daemon, labels, strict, log } = this.options;
    for (const volume of volumes) {
      const found = await daemon.inspect('volume', volume.name);
      if (found.status === 200) {
        if (strict && !(isObject(found.json) && this.isOurs(found.json.Labels))) {
          throw policyRefusal('strict', `using volume ${volume.name}`, 'the volume was not created by this job');
        }
        continue;
      }
      if (found.status !== 404) {
        // strict does not let a container use a volume without knowing whose it is; elsewhere the daemon will say what is wrong.
        if (strict) throw policyRefusal('strict', `using volume ${volume.name}`, `the daemon did not say whose the volume is (status ${found.status})`);
        continue;
      }
      const reserved = strict ? claimNameProblem(volume.name) : undefined;
      if (reserved) throw policyRefusal('strict', `creating volume ${volume.name}`, reserved);
      const created = await daemon.createVolume({
        Name: volume.name,
        ...(volume.driver ? { Driver: volume.driver } : {}),
        ...(volume.driverOpts ? { DriverOpts: volume.driverOpts } : {}),
        Labels: { ...(volume.labels ?? {}), ...labels },
      });
      // The daemon answers a create of a name that exists by then with that volume, its labels as they were.
      if (strict && created.status < 300 && !(isObject(created.json) && this.isOurs(created.json.Labels))) {
        throw policyRefusal('strict', `using volume ${volume.name}`, 'the volume was created by someone else at the same moment');
      }
      if (created.status < 300) log(`created volume ${volume.name} with the job's labels`);
    }
  }
}
