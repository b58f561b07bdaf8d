import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type OwnerIndexKey } from '../../src/adapters/dynamodb/cursor';
import { InvalidCursorError } from '../../src/domain/errors';

const OWNER = 'owner-1';
const KEY: OwnerIndexKey = {
  id: '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f',
  owner: OWNER,
  createdAt: '2025-01-01T00:00:00.000Z',
};

/** Encodes any value the way a cursor is encoded, to forge cursors. */
const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it.each([
    { name: 'a plain key', key: KEY },
    { name: 'a non-ASCII owner', key: { ...KEY, owner: 'Zoë 😀 ∑' } },
    { name: 'a JWT-style owner', key: { ...KEY, owner: 'auth0|5f7c8ec7c33c6c004bbafe82' } },
  ])('round-trips $name', ({ key }) => {
    // Act
    const cursor = encodeCursor(key);
    const decoded = decodeCursor(cursor, key.owner);

    // Assess
    expect(decoded).toEqual(key);
  });

  it('is safe to put in a query string', () => {
    // Act
    const cursor = encodeCursor({ ...KEY, owner: '??>>~~ ünïcode' });

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    { name: 'not base64url at all', cursor: '!!!not a cursor!!!' },
    { name: 'empty', cursor: '' },
    { name: 'base64url of text that is not JSON', cursor: Buffer.from('not json').toString('base64url') },
    { name: 'truncated', cursor: encodeCursor(KEY).slice(0, -4) },
    { name: 'JSON null', cursor: forge(null) },
    { name: 'a JSON array', cursor: forge([KEY.id, KEY.owner, KEY.createdAt]) },
    { name: 'a JSON string', cursor: forge('cursor') },
    { name: 'a numeric id', cursor: forge({ ...KEY, id: 1 }) },
    { name: 'a missing createdAt', cursor: forge({ id: KEY.id, owner: OWNER }) },
    { name: 'an empty id', cursor: forge({ ...KEY, id: '' }) },
    { name: 'an extra key', cursor: forge({ ...KEY, status: 'PASSED' }) },
    { name: "another owner's key", cursor: encodeCursor({ ...KEY, owner: 'owner-2' }) },
  ])('refuses a cursor that is $name', ({ cursor }) => {
    // Act
    const act = () => decodeCursor(cursor, OWNER);

    // Assess
    expect(act).toThrow(InvalidCursorError);
  });
});
