import { describe, expect, it } from 'vitest';
import { parseKeyValueLines } from './keyvalue';

describe('parseKeyValueLines', () => {
  it('reads key=value lines', () => {
    expect(parseKeyValueLines('user_id = 42\n\nplan=pro=yes')).toEqual({ value: { user_id: '42', plan: 'pro=yes' } });
  });
  it('names the line it cannot read', () => {
    expect(parseKeyValueLines('a=1\noops').error).toBe('line 2: write key=value');
    expect(parseKeyValueLines('=x').error).toBe('line 1: write key=value');
  });
});
