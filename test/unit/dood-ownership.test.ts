/** The ownership checks over a fake DaemonLookup (test/support/fake-lookup.ts). */
import { describe, expect, it } from 'vitest';
import { Ownership } from '../../src/dood/ownership.js';
import { ID, jobDaemon, OURS, refusalOf as refusal, THEIRS } from '../support/fake-lookup.js';

function setup(strict = true) {
  const daemon = jobDaemon();
  const log: string[] = [];
  return { daemon, log, ownership: new Ownership({ daemon, labels: OURS, strict, log: (line) => log.push(line) }) };
}

describe('isOurs', () => {
  it('needs every one of the job\'s labels; others may be there too', () => {
    const { ownership } = setup();
    expect(ownership.isOurs({ ...OURS, more: '1' })).toBe(true);
    expect(ownership.isOurs(THEIRS)).toBe(false);
    expect(ownership.isOurs({ 'setup-dind.owner': OURS['setup-dind.owner'] })).toBe(false);
    expect(ownership.isOurs(null)).toBe(false);
    expect(ownership.isOurs([OURS])).toBe(false);
  });
});

describe('ownContainer', () => {
  it('answers the job\'s own container with its full ID, however it was named', async () => {
    const { ownership, daemon } = setup();
    expect(await ownership.ownContainer('mine', 'exec')).toBe(ID('mine'));
    expect(await ownership.ownContainer(ID('mine'), 'exec')).toBe(ID('mine'));
    expect(daemon.asked).toEqual(['container mine', `container ${ID('mine')}`]);
  });

  it('answers 404 itself, in the daemon\'s words, for a container the daemon does not know: the reference is not forwarded', async () => {
    const { ownership } = setup();
    expect(await refusal(ownership.ownContainer('ghost', 'DELETE'))).toEqual({ status: 404, message: 'No such container: ghost' });
  });

  it('an exec instance is the job\'s when its container is; its full ID is answered', async () => {
    const { ownership } = setup();
    expect(await ownership.ownExec(ID('myexec'), 'exec start')).toBe(ID('myexec'));
    expect((await refusal(ownership.ownExec(ID('foreignexec'), 'exec start'))).message).toContain(`exec start (exec ${ID('foreignexec')}) (container foreign)`);
    expect(await refusal(ownership.ownExec('ghost', 'exec start'))).toEqual({ status: 404, message: 'No such exec instance: ghost' });
  });

  it('ownNetworks: the job\'s networks and the bridge pass; another\'s, or a hex name that could be an ID prefix, are refused', async () => {
    const { ownership, daemon } = setup();
    daemon.object('network', 'abc123', OURS);
    await ownership.ownNetworks([{ ref: 'jobnet', what: '--network jobnet' }, { ref: 'bridge', what: '--network bridge' }, { ref: 'default', what: '' }]);
    expect((await refusal(ownership.ownNetworks([{ ref: 'theirnet', what: '--network theirnet' }]))).message).toContain('--network theirnet (network theirnet)');
    expect((await refusal(ownership.ownNetworks([{ ref: 'abc123', what: '--network abc123' }]))).message).toContain('could be read as a prefix');
    expect(daemon.asked).toEqual(['network jobnet', 'network theirnet', 'network abc123']);
  });

  it('refuses another job\'s and the host\'s containers, naming them by name', async () => {
    const { ownership } = setup();
    expect(await refusal(ownership.ownContainer(ID('foreign'), 'DELETE'))).toEqual(await refusal(ownership.ownContainer('foreign', 'DELETE')));
    expect(await refusal(ownership.ownContainer('foreign', 'DELETE'))).toEqual({
      status: 403,
      message: 'setup-dind dood-policy strict: DELETE (container foreign) is not allowed (the container was not created by this job; strict keeps the job to its own containers)',
    });
    expect((await refusal(ownership.ownContainer('hostbox', 'logs'))).message).toContain('logs (container hostbox)');
  });

  it('fails closed when the daemon cannot say whose the container is', async () => {
    const { ownership, daemon } = setup();
    daemon.answers.set('container broken', { status: 500, json: { message: 'bad day' } });
    daemon.answers.set('container odd', { status: 200, json: 'not an object' });
    expect((await refusal(ownership.ownContainer('broken', 'kill'))).message).toContain('kill (container broken)');
    expect((await refusal(ownership.ownContainer('odd', 'kill'))).status).toBe(403);
  });

  it('ownJoins checks every join in order and stops at the first that is not the job\'s', async () => {
    const { ownership, daemon } = setup();
    const pinned: string[] = [];
    const joins = [
      { ref: 'mine', what: '--network container:mine', pin: ({ id }: { id: string }) => pinned.push(id) },
      { ref: 'foreign', what: '--volumes-from foreign', pin: ({ id }: { id: string }) => pinned.push(id) },
      { ref: 'hostbox', what: '--pid container:hostbox', pin: ({ id }: { id: string }) => pinned.push(id) },
    ];
    expect((await refusal(ownership.ownJoins(joins))).message).toContain('--volumes-from foreign (container foreign)');
    expect(daemon.asked).toEqual(['container mine', 'container foreign']);
    await expect(ownership.ownJoins(joins.slice(0, 1))).resolves.toBeUndefined();
    expect(pinned).toEqual([ID('mine'), ID('mine')]);
  });
});

describe('ownObject', () => {
  it('pins the job\'s own volume to its name and network to its full ID', async () => {
    const { ownership } = setup();
    expect(await ownership.ownObject('volume', 'myvol', 'DELETE volume')).toBe('myvol');
    expect(await ownership.ownObject('network', 'jobnet', 'network remove')).toBe(ID('jobnet'));
  });

  it('refuses another job\'s, and answers 404 itself for none at all', async () => {
    const { ownership } = setup();
    expect(await refusal(ownership.ownObject('network', 'theirnet', 'network remove'))).toEqual({
      status: 403,
      message: 'setup-dind dood-policy strict: network remove (network theirnet) is not allowed (the network was not created by this job; strict keeps the job to its own networks)',
    });
    expect(await refusal(ownership.ownObject('volume', 'nosuch', 'DELETE volume'))).toEqual({ status: 404, message: 'setup-dind dood proxy: no such volume: nosuch' });
  });

  it('refuses the job\'s own object when the daemon gives nothing to pin it to', async () => {
    const { ownership, daemon } = setup();
    daemon.answers.set('network noid', { status: 200, json: { Name: 'noid', Labels: OURS } });
    expect((await refusal(ownership.ownObject('network', 'noid', 'network remove'))).status).toBe(403);
  });
});

describe('pinNetworkMembership', () => {
  it('pins the container in the body and the network to their full IDs, keeping the body\'s spelling of Container', async () => {
    const { ownership } = setup();
    expect(await ownership.pinNetworkMembership('jobnet', 'network connect', { container: 'mine', EndpointConfig: { Aliases: ['db'] } })).toEqual({
      body: { container: ID('mine'), EndpointConfig: { Aliases: ['db'] } },
      network: ID('jobnet'),
    });
  });

  it('lets the job\'s containers join and leave the default bridge without looking it up', async () => {
    const { ownership, daemon } = setup();
    expect(await ownership.pinNetworkMembership('bridge', 'network disconnect', { Container: 'mine' })).toEqual({ body: { Container: ID('mine') }, network: 'bridge' });
    expect(daemon.asked).toEqual(['container mine']);
  });

  it('refuses a body that names no container, an unknown container (404), and other jobs\' containers or networks', async () => {
    const { ownership } = setup();
    for (const body of [{}, { Container: '' }, { Container: 7 }, 'not an object', null]) {
      expect((await refusal(ownership.pinNetworkMembership('jobnet', 'network connect', body))).message).toContain('network connect without a container');
    }
    expect(await refusal(ownership.pinNetworkMembership('jobnet', 'network connect', { Container: 'ghost' }))).toEqual({
      status: 404,
      message: 'No such container: ghost',
    });
    expect((await refusal(ownership.pinNetworkMembership('bridge', 'network connect', { Container: 'foreign' }))).status).toBe(403);
    expect((await refusal(ownership.pinNetworkMembership('theirnet', 'network connect', { Container: 'mine' }))).message).toContain('(network theirnet)');
  });

  it('refuses a body that names the container twice (the daemon would merge the two)', async () => {
    const { ownership } = setup();
    expect((await refusal(ownership.pinNetworkMembership('jobnet', 'network connect', { Container: 'mine', container: 'foreign' }))).status).toBe(400);
  });
});

describe('prepareVolumes', () => {
  it('creates a volume that does not exist yet with the job\'s labels over the request\'s, and its driver and options', async () => {
    const { ownership, daemon, log } = setup();
    await ownership.prepareVolumes([{ name: 'fresh', driver: 'local', driverOpts: { type: 'tmpfs' }, labels: { keep: '1', 'setup-dind.instance': 'job-b' } }, { name: 'plain' }]);
    expect(daemon.created).toEqual([
      { Name: 'fresh', Driver: 'local', DriverOpts: { type: 'tmpfs' }, Labels: { keep: '1', ...OURS } },
      { Name: 'plain', Labels: OURS },
    ]);
    expect(log).toEqual(["created volume fresh with the job's labels", "created volume plain with the job's labels"]);
  });

  it('does not create an existing volume; strict refuses another job\'s, other policies let it be used', async () => {
    const strict = setup();
    await strict.ownership.prepareVolumes([{ name: 'myvol' }]);
    expect(await refusal(strict.ownership.prepareVolumes([{ name: 'theirvol' }]))).toEqual({
      status: 403,
      message: 'setup-dind dood-policy strict: using volume theirvol is not allowed (the volume was not created by this job)',
    });
    const none = setup(false);
    await none.ownership.prepareVolumes([{ name: 'theirvol' }]);
    expect([...strict.daemon.created, ...none.daemon.created]).toEqual([]);
  });

  it('logs nothing when the daemon does not create the volume (the container create will say why)', async () => {
    const { ownership, daemon, log } = setup();
    daemon.createStatus = 500;
    await ownership.prepareVolumes([{ name: 'fresh' }]);
    expect(daemon.created).toHaveLength(1);
    expect(log).toEqual([]);
  });

  // When the daemon answers the volume look-up with anything but 200 or 404 (a 500 under load), strict
  // does not let the container use a volume without knowing whose it is.
  it('strict fails closed when the daemon cannot say whose a volume is', async () => {
    const { ownership, daemon } = setup();
    daemon.answers.set('volume flaky', { status: 500, json: { message: 'bad day' } });
    expect((await refusal(ownership.prepareVolumes([{ name: 'flaky' }]))).status).toBe(403);
  });
});
