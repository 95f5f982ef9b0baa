import { describe, expect, it } from 'vitest';
import { canCarryOn, keyNameProblem } from './keys';

describe('keyNameProblem', () => {
  it('takes what POST /v1/keys takes', () => {
    expect(keyNameProblem('ci-sender_2.prod')).toBeNull();
    expect(keyNameProblem('a'.repeat(64))).toBeNull();
  });
  it('says what is wrong otherwise', () => {
    expect(keyNameProblem('')).toBe('Give the key a name.');
    expect(keyNameProblem('has space')).toMatch(/letters, digits/);
    expect(keyNameProblem('a'.repeat(65))).toMatch(/1 to 64/);
  });
});

describe('canCarryOn', () => {
  it('needs the read scope', () => {
    expect(canCarryOn(['send', 'read'])).toBe(true);
    expect(canCarryOn(['send'])).toBe(false);
  });
});
