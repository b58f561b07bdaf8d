import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from '../domain/errors';

/**
 * Cursors leave the service signed, so a client can hand back only a cursor this
 * service issued: anything altered is refused (400) before it reaches the store.
 */
export class CursorSigner {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  sign(cursor: string): string {
    return `${cursor}.${this.#mac(cursor)}`;
  }

  verify(signed: string): string {
    const dot = signed.lastIndexOf('.');
    if (dot <= 0) throw new InvalidCursorError();
    const cursor = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1));
    const expected = Buffer.from(this.#mac(cursor));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursorError();
    return cursor;
  }

  #mac(cursor: string): string {
    return createHmac('sha256', this.#secret).update(cursor).digest('base64url');
  }
}
