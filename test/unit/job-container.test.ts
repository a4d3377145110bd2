/**
 * DinD from a job that runs in a container: the transport moved into the job
 * container's network namespace, and bind sources translated to host paths.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { mountField, mountFields } from '../../src/docker/docker-cli.js';
import { freeLocalPort, hostBindMounts } from '../../src/modes/dind/job-container.js';
import { dindRunArgs } from '../../src/modes/dind/run-args.js';
import { inNetworkOf, prepareTransport } from '../../src/modes/dind/transport.js';
import { options } from '../support/options.js';

const OWN = {
  id: 'c'.repeat(64),
  mounts: [
    { containerPath: '/__w', hostPath: '/home/runner/work' },
    { containerPath: '/__w/_temp', hostPath: '/home/runner/work/_temp' },
  ],
};

describe('mountFields', () => {
  it('reads back what mountField wrote, quotes and commas included', () => {
    const spec = ['type=bind', mountField('src', '/a,b "c"'), 'dst=/x', 'readonly'].join(',');
    expect(mountFields(spec)).toEqual([['type', 'bind'], ['src', '/a,b "c"'], ['dst', '/x'], ['readonly', undefined]]);
  });
});

describe('hostBindMounts', () => {
  it('translates bind sources through the longest covering mount and leaves the rest of each value alone', () => {
    const { mounts, unseen } = hostBindMounts(
      ['type=bind,src=/__w/_temp/job/ca,dst=/certs/ca,readonly', 'type=bind,src=/__w/repo,dst=/__w/repo', 'type=tmpfs,dst=/tmp', 'type=volume,src=data,dst=/var/lib/docker'],
      OWN,
    );
    expect(mounts).toEqual([
      'type=bind,src=/home/runner/work/_temp/job/ca,dst=/certs/ca,readonly',
      'type=bind,src=/home/runner/work/repo,dst=/__w/repo',
      'type=tmpfs,dst=/tmp',
      'type=volume,src=data,dst=/var/lib/docker',
    ]);
    expect(unseen).toEqual([]);
  });

  it('lists the sources no mount covers, and drops them', () => {
    expect(hostBindMounts(['type=bind,src=/tmp/job/socket,dst=/run/setup-dind'], OWN)).toEqual({ mounts: [], unseen: ['/tmp/job/socket'] });
  });

  it('quotes a translated source that needs it', () => {
    const { mounts } = hostBindMounts([`type=bind,${mountField('src', '/__w/a,b')},dst=/d`], OWN);
    expect(mountFields(mounts[0]!)).toContainEqual(['src', '/home/runner/work/a,b']);
  });
});

describe('inNetworkOf', () => {
  it('plain TCP: dockerd listens on bind-address:port of the job container, nothing is published', async () => {
    const moved = inNetworkOf(await prepareTransport(options(), '/nonexistent'), OWN.id, '127.0.0.1', 40123);
    expect(moved.daemon.command).toContain('--host=tcp://127.0.0.1:40123');
    expect(moved.daemon.command).not.toContain('--host=tcp://0.0.0.0:2375');
    expect(moved.daemon.containerPort).toBeUndefined();
    expect(moved.endpoint(0)).toEqual({ dockerHost: 'tcp://127.0.0.1:40123' });
    const args = dindRunArgs(options(), { container: 'c', volume: 'v' }, { owner: 'o', jobId: 'j', instance: 'i' }, moved.daemon);
    expect(args.join(' ')).toContain(`--network container:${OWN.id}`);
    expect(args).not.toContain('--publish');
  });

  it('IPv6 bind address: bracketed in the listener', async () => {
    const moved = inNetworkOf(await prepareTransport(options({ bindAddress: '::1' }), '/nonexistent'), OWN.id, '::1', 40124);
    expect(moved.daemon.command).toContain('--host=tcp://[::1]:40124');
    expect(moved.endpoint(0).dockerHost).toBe('tcp://[::1]:40124');
  });

  it('unix socket: only the network changes', async () => {
    const plan = await prepareTransport(options({ transport: 'unix' }), '/w');
    const moved = inNetworkOf(plan, OWN.id, '127.0.0.1', 0);
    expect(moved.daemon).toEqual({ ...plan.daemon, network: `container:${OWN.id}` });
    expect(moved.endpoint(0)).toEqual(plan.endpoint(0));
  });
});

describe('freeLocalPort', () => {
  it('gives a port that can be listened on', async () => {
    const port = await freeLocalPort('127.0.0.1');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('inNetworkOf, guarded', () => {
  it('refuses a TCP transport whose listener it cannot find, rather than leave it on every address', async () => {
    const plan = await prepareTransport(options(), '/nonexistent');
    const changed = { ...plan, daemon: { ...plan.daemon, command: ['dockerd', '--host=tcp://0.0.0.0:9999'] } };
    expect(() => inNetworkOf(changed, OWN.id, '127.0.0.1', 40125)).toThrow(/no --host=tcp:\/\/0\.0\.0\.0:2375 to move/);
  });
});
