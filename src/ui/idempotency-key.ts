/**
 * A fresh Idempotency-Key: a retry of the same text reuses it, so a request whose
 * answer was lost is never stored twice. getRandomValues works on plain-http
 * origins too (randomUUID needs a secure context).
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
