import { linearCost } from '../cost';
import { limit } from '../params';
import { defineRuleType } from '../rule-type';

const LINE_BREAK = /\r\n|\r|\n/g;

/** Two passes of V8's regex engine, at worst (all line breaks) about 30 ns a byte (bench/rule-cost.ts). */
const LINES_NS_PER_BYTE = 60;

/** Lines as a reader sees them: a final line break does not start another line; empty content has none. */
export function lineCount(content: string): number {
  if (content === '') return 0;
  const breaks = content.match(LINE_BREAK)?.length ?? 0;
  return /(?:\r\n|\r|\n)$/.test(content) ? breaks : breaks + 1;
}

export const maxLinesType = defineRuleType({
  placeholders: ['max', 'lines'],
  messages: {
    passed: 'Content has {lines} lines (maximum {max}).',
    failed: 'Content must have at most {max} lines; it has {lines}.',
  },
  params: limit('max', 1),
  measure({ max }, content) {
    const lines = lineCount(content);
    return { passed: lines <= max, values: { lines }, measured: `lines ${lines}, maximum ${max}` };
  },
  cost: () => linearCost(LINES_NS_PER_BYTE, 'two passes counting line breaks'),
});
