import { describe, expect, it } from 'vitest';
import { parseFileCommands } from '../../scripts/actions-runner.mjs';

describe('parseFileCommands', () => {
  it('reads NAME=VALUE lines', () => {
    expect(parseFileCommands('DOCKER_HOST=tcp://127.0.0.1:32768\nEMPTY=\n')).toEqual({ DOCKER_HOST: 'tcp://127.0.0.1:32768', EMPTY: '' });
  });

  it('keeps "=" inside a value and takes the name up to the first "="', () => {
    expect(parseFileCommands('ARGS=--mtu=1400 --debug')).toEqual({ ARGS: '--mtu=1400 --debug' });
  });

  it('reads NAME<<DELIMITER blocks with several lines', () => {
    const text = 'plan<<ghadelimiter_x\nmulti\nline\nghadelimiter_x\n';
    expect(parseFileCommands(text)).toEqual({ plan: 'multi\nline' });
  });

  it('keeps blank lines and "=" inside a block', () => {
    const text = 'summary<<ghadelimiter_abc\nfirst\n\nA=B\nlast\nghadelimiter_abc\n';
    expect(parseFileCommands(text)).toEqual({ summary: 'first\n\nA=B\nlast' });
  });

  it('reads an empty block as an empty value', () => {
    expect(parseFileCommands('empty<<ghadelimiter_e\nghadelimiter_e\n')).toEqual({ empty: '' });
  });

  it('mixes both forms, as @actions/core writes them', () => {
    const text = [
      'docker-host<<ghadelimiter_1',
      'tcp://127.0.0.1:32768',
      'ghadelimiter_1',
      'container-name=setup-dind-1-abc',
      'state<<ghadelimiter_2',
      '{"version":1,',
      '"containers":["c"]}',
      'ghadelimiter_2',
      '',
    ].join('\n');
    expect(parseFileCommands(text)).toEqual({
      'docker-host': 'tcp://127.0.0.1:32768',
      'container-name': 'setup-dind-1-abc',
      state: '{"version":1,\n"containers":["c"]}',
    });
  });

  it('lets a later value of the same name win', () => {
    expect(parseFileCommands('A=1\nA<<d\n2\nd\n')).toEqual({ A: '2' });
  });

  it('ignores empty text and lines without a name', () => {
    expect(parseFileCommands('')).toEqual({});
    expect(parseFileCommands('\n=value\nnoequals\n')).toEqual({});
  });
});
