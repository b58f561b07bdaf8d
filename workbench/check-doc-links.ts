/**
 * Checks the relative links of the project's documentation: README.md, docs/*.md and
 * localstack/README.md. A link `[text](target)` whose target is not a URL (no `http:`,
 * `https:`, `mailto:` or other scheme) must name a file or folder that exists and, when it
 * carries a `#anchor` (or is one, on the same page), a heading of the target Markdown file
 * whose GitHub slug is that anchor.
 *
 *   node --import tsx workbench/check-doc-links.ts [root]
 *
 * Prints each broken link as `file:line: target (reason)` and exits 1, or prints
 * `doc links: N checked, all resolve` and exits 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** What the check needs of a repository, so it runs on files in memory as well as on disk. */
export interface DocRepository {
  /** Whether a file or folder exists at this path (relative to the root, `/`-separated). */
  exists(path: string): boolean;
  /** The text of a file, or undefined when there is none. */
  read(path: string): string | undefined;
}

export interface DocLink {
  /** The link's target as written, e.g. `docs/api.md#caching`. */
  target: string;
  /** 1-based line of the file the link is on. */
  line: number;
}

export interface BrokenLink extends DocLink {
  file: string;
  reason: string;
}

export interface DocLinkReport {
  /** Relative links checked. */
  checked: number;
  broken: BrokenLink[];
}

/** The Markdown files whose links are checked, relative to the root: README.md, docs/*.md, localstack/README.md. */
export function docFiles(root: string): string[] {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...docs, 'localstack/README.md'].filter((path) => existsSync(join(root, path)));
}

/** The repository at `root` on disk. */
export function diskRepository(root: string): DocRepository {
  return {
    exists: (path) => existsSync(join(root, path)),
    read: (path) => {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** A repository of the given files (path → text); a folder exists when a file lies under it. */
export function memoryRepository(files: Readonly<Record<string, string>>): DocRepository {
  const paths = Object.keys(files);
  return {
    exists: (path) => {
      const folder = path.replace(/\/+$/, '');
      return path in files || folder === '' || paths.some((file) => file.startsWith(`${folder}/`));
    },
    read: (path) => files[path],
  };
}

/**
 * The anchor GitHub gives a heading: the heading's text as rendered (no backticks, emphasis
 * or link syntax), lower-cased, with everything but letters, marks, digits, `_`, `-` and
 * spaces removed, and each space turned into `-`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/[`*]/g, '') // code spans and emphasis
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ text: string; line: number }> {
  const lines: Array<{ text: string; line: number }> = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && text.trim() === marker) {
        fence = undefined;
      }
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    lines.push({ text, line: index + 1 });
  });
  return lines;
}

/** Every anchor a Markdown file offers: its headings' GitHub slugs (repeats get -1, -2, …) and `<a id|name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of text.matchAll(/<a\s[^>]*(?:id|name)=["']([^"']+)["']/gi)) anchors.add(match[1]!);
  }
  return anchors;
}

/** The Markdown links of a file, outside code: inline `[text](target)` and definitions `[ref]: target`. */
export function linksOf(markdown: string): DocLink[] {
  const links: DocLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
    if (definition) {
      links.push({ target: definition[1]!, line });
      continue;
    }
    const prose = text.replace(/(`+)[^`]*?\1/g, (code) => ' '.repeat(code.length)); // code spans
    for (const match of prose.matchAll(
      /\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*<?([^\s)>]*)>?(?:\s+["'(][^)]*)?\)/g,
    )) {
      links.push({ target: match[1]!, line });
    }
  }
  return links;
}

/** True for a target that leaves the repository: a scheme (`https:`, `mailto:`, …) or `//host`. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** Checks every relative link of `files` (paths relative to the repository's root). */
export function checkDocLinks(files: readonly string[], repository: DocRepository): DocLinkReport {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (path: string) => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = anchorsOf(repository.read(path) ?? '');
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  const broken: BrokenLink[] = [];
  let checked = 0;
  for (const file of files) {
    const text = repository.read(file);
    if (text === undefined) {
      broken.push({ file, line: 0, target: file, reason: 'file not found' });
      continue;
    }
    for (const link of linksOf(text)) {
      if (link.target === '' || isExternal(link.target)) continue;
      checked += 1;
      const report = (reason: string) => broken.push({ file, ...link, reason });
      const hash = link.target.indexOf('#');
      const pathPart = hash === -1 ? link.target : link.target.slice(0, hash);
      let anchor: string | undefined;
      let path: string;
      try {
        anchor = hash === -1 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
        const decoded = decodeURIComponent(pathPart);
        path =
          decoded === ''
            ? file
            : decoded.startsWith('/')
              ? posix.normalize(decoded.slice(1))
              : posix.join(posix.dirname(file), decoded);
      } catch {
        report('not a valid URL path');
        continue;
      }
      if (path.startsWith('..')) {
        report('outside the repository');
        continue;
      }
      if (!repository.exists(path)) {
        report('file not found');
        continue;
      }
      if (anchor === undefined) continue;
      if (!/\.md$/i.test(path)) {
        // GitHub's line anchors (#L10, #L10-L20) are the only ones a file that is not Markdown has.
        if (!/^L\d+(-L\d+)?$/.test(anchor)) report(`anchor #${anchor} on a file that is not Markdown`);
        continue;
      }
      if (repository.read(path) === undefined) {
        report('not a readable file');
        continue;
      }
      if (!anchorsIn(path).has(anchor)) report(`no heading with anchor #${anchor} in ${path}`);
    }
  }
  return { checked, broken };
}

/** Runs the check on the repository at `root`; returns the exit code. */
export function main(root: string, out: (text: string) => void, err: (text: string) => void): number {
  const { checked, broken } = checkDocLinks(docFiles(root), diskRepository(root));
  for (const link of broken) err(`${link.file}:${link.line}: ${link.target} (${link.reason})`);
  if (broken.length > 0) {
    err(`doc links: ${broken.length} of ${checked} broken`);
    return 1;
  }
  out(`doc links: ${checked} checked, all resolve`);
  return 0;
}

if (process.argv[1] && /check-doc-links\.ts$/.test(process.argv[1])) {
  process.exitCode = main(
    process.argv[2] ?? process.cwd(),
    (text) => process.stdout.write(`${text}\n`),
    (text) => process.stderr.write(`${text}\n`),
  );
}
