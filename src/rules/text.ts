/** Length in Unicode code points, so an emoji counts once and a combining mark counts on its own. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}
