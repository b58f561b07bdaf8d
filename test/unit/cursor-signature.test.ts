import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/adapters/dynamodb/cursor';
import { InvalidCursorError } from '../../src/domain/errors';
import { CursorSigner } from '../../src/http/cursor-signature';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const STORE_CURSOR = encodeCursor({
  id: '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f',
  owner: 'owner-1',
  createdAt: '2025-01-01T00:00:00.000Z',
});

/** Every string that differs from `text` in exactly one character, over the base64url alphabet and '.'. */
function singleCharacterChanges(text: string): string[] {
  const alphabet = 'AZaz09-_.';
  return [...text].flatMap((character, index) =>
    [...alphabet]
      .filter((replacement) => replacement !== character)
      .map((replacement) => `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`),
  );
}

describe('CursorSigner', () => {
  it('round-trips a store cursor: verify gives back exactly what was signed', () => {
    // Prepare
    const signer = new CursorSigner(SECRET);

    // Act
    const signed = signer.sign(STORE_CURSOR);

    // Assess
    expect(signed).toMatch(new RegExp(`^${STORE_CURSOR}\\.[A-Za-z0-9_-]{43}$`));
    expect(signer.verify(signed)).toBe(STORE_CURSOR);
  });

  it('verifies with a second signer built from the same secret (another Lambda container)', () => {
    // Prepare
    const signed = new CursorSigner(SECRET).sign(STORE_CURSOR);

    // Act
    const cursor = new CursorSigner(SECRET).verify(signed);

    // Assess
    expect(cursor).toBe(STORE_CURSOR);
  });

  it('refuses every single-character change anywhere in the signed cursor', () => {
    // Prepare
    const signer = new CursorSigner(SECRET);
    const signed = signer.sign(STORE_CURSOR);
    const tampered = singleCharacterChanges(signed);

    // Act
    const accepted = tampered.filter((cursor) => {
      try {
        signer.verify(cursor);
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidCursorError);
        return false;
      }
    });

    // Assess
    expect(tampered.length).toBeGreaterThan(signed.length * 7);
    expect(accepted).toEqual([]);
  });

  it.each([
    { name: 'the signature dropped', tamper: () => STORE_CURSOR },
    { name: 'an empty signature', tamper: () => `${STORE_CURSOR}.` },
    { name: 'a truncated signature', tamper: (signed: string) => signed.slice(0, -1) },
    { name: 'half the signature', tamper: (signed: string) => signed.slice(0, -22) },
    { name: 'a character appended', tamper: (signed: string) => `${signed}A` },
    { name: 'only the signature', tamper: (signed: string) => signed.slice(signed.lastIndexOf('.')) },
    { name: 'the signature twice', tamper: (signed: string) => `${signed}.${signed.split('.')[1]}` },
    { name: 'an empty string', tamper: () => '' },
    { name: 'a lone dot', tamper: () => '.' },
    {
      name: 'another cursor with this signature',
      tamper: (signed: string) =>
        `${encodeCursor({ id: 'x', owner: 'owner-1', createdAt: '2025-01-01T00:00:00.000Z' })}.${signed.split('.')[1]}`,
    },
    {
      name: 'signed with another secret',
      tamper: () => new CursorSigner(`${SECRET}-other`).sign(STORE_CURSOR),
    },
  ])('refuses $name', ({ tamper }) => {
    // Prepare
    const signer = new CursorSigner(SECRET);
    const signed = signer.sign(STORE_CURSOR);

    // Act
    const act = () => signer.verify(tamper(signed));

    // Assess
    expect(act).toThrow(InvalidCursorError);
  });
});
