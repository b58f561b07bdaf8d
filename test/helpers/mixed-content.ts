/**
 * Content of exactly `bytes` bytes of UTF-8 mixing 1- to 4-byte characters with what JSON
 * must escape (a tab, a quote, a backslash, U+2028, CR and LF): what a byte-for-byte check of
 * stored and served content needs.
 */
export function mixedContentOfBytes(bytes: number): string {
  const mixed = 'aé€😀\t"\\\u2028\r\n';
  let text = '';
  while (Buffer.byteLength(text + mixed) <= bytes) text += mixed;
  return text + 'a'.repeat(bytes - Buffer.byteLength(text));
}
