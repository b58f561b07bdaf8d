import { linearCost } from '../cost';
import { limit } from '../params';
import { defineRuleType } from '../rule-type';

/**
 * An http(s):// URL, or a bare `www.` link not already part of one. No nested
 * quantifiers, so the built-in engine stays linear here.
 */
const LINK = /\bhttps?:\/\/[^\s<>"']+|(?<![\p{L}\p{N}/.:@-])www\.[^\s<>"']+/giu;

/** One pass of V8's regex engine, at worst (links or near-links throughout) under 5 ns a byte (bench/rule-cost.ts). */
const LINKS_NS_PER_BYTE = 20;

export function linkCount(content: string): number {
  return content.match(LINK)?.length ?? 0;
}

export const maxLinksType = defineRuleType({
  placeholders: ['max', 'links'],
  messages: {
    passed: 'Content has {links} links (maximum {max}).',
    failed: 'Content must have at most {max} links; it has {links}.',
  },
  params: limit('max', 0),
  measure({ max }, content) {
    const links = linkCount(content);
    return { passed: links <= max, values: { links }, measured: `links ${links}, maximum ${max}` };
  },
  cost: () => linearCost(LINKS_NS_PER_BYTE, 'one pass counting links'),
});
