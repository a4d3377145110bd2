import { describe, expect, it } from 'vitest';
import { conflictingPort, explainPortConflict } from '../../src/dood/proxy.js';

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
});
