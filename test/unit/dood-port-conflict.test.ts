import { describe, expect, it, vi } from 'vitest';
import { conflictingPort, explainPortConflict, withPortHolder } from '../../src/dood/port-conflict.js';

describe('port conflicts', () => {
  const listed = [
    { Id: 'a'.repeat(64), Names: ['/web'], Ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }] },
    { Id: 'b'.repeat(64), Names: ['/dns'], Ports: [{ IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' }] },
  ];

  it('finds the address and port in the daemon\'s messages', () => {
    expect(conflictingPort('driver failed programming external connectivity on endpoint x (y): Bind for 127.0.0.1:8080 failed: port is already allocated')).toEqual({
      ip: '127.0.0.1',
      port: 8080,
      protocol: '',
    });
    expect(conflictingPort('Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use')).toEqual({ ip: '0.0.0.0', port: 8080, protocol: 'tcp' });
    expect(conflictingPort('Bind for [::]:9000 failed: port is already allocated')).toEqual({ ip: '::', port: 9000, protocol: '' });
    expect(conflictingPort('No such container: x')).toBeUndefined();
  });

  it('names the container publishing the port, or says none does', () => {
    expect(explainPortConflict('Bind for 127.0.0.1:8080 failed: port is already allocated', listed)).toBe(
      'Bind for 127.0.0.1:8080 failed: port is already allocated (the port is held by container web)',
    );
    expect(explainPortConflict('Bind for 0.0.0.0:8080 failed: port is already allocated', listed)).toMatch(/held by container web\)$/);
    expect(explainPortConflict('listen udp4 0.0.0.0:5353: bind: address already in use', listed)).toMatch(/held by container dns\)$/);
    expect(explainPortConflict('listen tcp4 10.0.0.1:8080: bind: address already in use', listed)).toMatch(/no container publishes host port 8080/);
    expect(explainPortConflict('something else', listed)).toBeUndefined();
  });

  it('withPortHolder rewrites a port conflict answer, keeping its other fields, and leaves any other answer alone', async () => {
    const log: string[] = [];
    const conflict = Buffer.from('{"message":"Bind for 0.0.0.0:8080 failed: port is already allocated","extra":1} trailing');
    const rewritten = await withPortHolder(conflict, async () => listed, (line) => log.push(line));
    expect(JSON.parse(rewritten.toString('utf8'))).toEqual({ message: 'Bind for 0.0.0.0:8080 failed: port is already allocated (the port is held by container web)', extra: 1 });
    expect(rewritten.toString('utf8').endsWith('}\n')).toBe(true);
    expect(log).toEqual(['port conflict explained: Bind for 0.0.0.0:8080 failed: port is already allocated (the port is held by container web)']);

    const other = Buffer.from('{"message":"No such image: x"}');
    const list = vi.fn(async () => listed);
    expect(await withPortHolder(other, list, () => {})).toBe(other);
    expect(await withPortHolder(Buffer.from('not json'), list, () => {})).toEqual(Buffer.from('not json'));
    expect(list).not.toHaveBeenCalled();
  });

  it('withPortHolder says no container holds the port when the daemon cannot list them', async () => {
    const conflict = Buffer.from('{"message":"Bind for 0.0.0.0:8080 failed: port is already allocated"}');
    const answer = await withPortHolder(conflict, () => Promise.reject(new Error('gone')), () => {});
    expect(JSON.parse(answer.toString('utf8')).message).toMatch(/no container publishes host port 8080/);
  });
});
