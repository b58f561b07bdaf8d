import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  anchorsOf,
  checkDocLinks,
  diskRepository,
  docFiles,
  githubSlug,
  linksOf,
  main,
  memoryRepository,
} from '../../workbench/check-doc-links';

const ROOT = resolve(__dirname, '..', '..');

describe('githubSlug', () => {
  it('drops backticks, punctuation and emphasis, keeps letters, digits, _ and -, and joins words with -', () => {
    // Act
    const slugs = [
      githubSlug('State machine'),
      githubSlug('`npm run ops`'),
      githubSlug('Time to a decision: after a crash (defaults)'),
      githubSlug('Local stack vs API Gateway'),
      githubSlug('`RULES_JSON` / `RULES_FILE`'),
      githubSlug('**Bold** and [a link](x.md)'),
      githubSlug('Größe & Ärger'),
    ];

    // Assess
    expect(slugs).toEqual([
      'state-machine',
      'npm-run-ops',
      'time-to-a-decision-after-a-crash-defaults',
      'local-stack-vs-api-gateway',
      'rules_json--rules_file',
      'bold-and-a-link',
      'größe--ärger',
    ]);
  });
});

describe('anchorsOf and linksOf', () => {
  it('numbers repeated headings and ignores headings and links inside code', () => {
    // Prepare
    const markdown = [
      '# Title',
      '## Notes',
      '## Notes',
      '```sh',
      '# not a heading [nor](a-link.md)',
      '```',
      'See [`x`](other.md#a) and ![img](pic.png "title"); `[not](code.md)`.',
      '[ref]: docs/ref.md#b',
    ].join('\n');

    // Act
    const anchors = anchorsOf(markdown);
    const links = linksOf(markdown);

    // Assess
    expect([...anchors]).toEqual(['title', 'notes', 'notes-1']);
    expect(links).toEqual([
      { target: 'other.md#a', line: 7 },
      { target: 'pic.png', line: 7 },
      { target: 'docs/ref.md#b', line: 8 },
    ]);
  });
});

describe('checkDocLinks', () => {
  const repository = memoryRepository({
    'README.md': [
      '# Project',
      'Read [the API](docs/api.md), [its caching](docs/api.md#caching-and-etags) and',
      '[the ops command](docs/api.md#npm-run-ops--by-hand-v2) and [the top](#project).',
      'Also [AWS](https://aws.amazon.com/), [mail](mailto:a@example.com) and [a folder](docs/).',
    ].join('\n'),
    'docs/api.md': [
      '# API',
      '## Caching and ETags',
      '## `npm run ops` — by hand (v2)',
      'Back to [the README](../README.md#project).',
    ].join('\n'),
  });

  it('passes good links: files, folders, same-page anchors, and anchors of headings with punctuation and backticks', () => {
    // Act
    const report = checkDocLinks(['README.md', 'docs/api.md'], repository);

    // Assess
    expect(report).toEqual({ checked: 6, broken: [] });
  });

  it('reports a missing file and a missing anchor with file, line and reason, and skips URLs', () => {
    // Prepare
    const broken = memoryRepository({
      'README.md': [
        '# Project',
        'See [gone](docs/gone.md) and [no such part](docs/api.md#limits).',
        'And [here](#nowhere), [a line](serverless.yml#L3), [no anchor there](serverless.yml#top).',
      ].join('\n'),
      'docs/api.md': '# API\n## Caching\n',
      'serverless.yml': 'service: x\n',
    });

    // Act
    const report = checkDocLinks(['README.md'], broken);

    // Assess
    expect(report.checked).toBe(5);
    expect(report.broken).toEqual([
      { file: 'README.md', line: 2, target: 'docs/gone.md', reason: 'file not found' },
      {
        file: 'README.md',
        line: 2,
        target: 'docs/api.md#limits',
        reason: 'no heading with anchor #limits in docs/api.md',
      },
      {
        file: 'README.md',
        line: 3,
        target: '#nowhere',
        reason: 'no heading with anchor #nowhere in README.md',
      },
      {
        file: 'README.md',
        line: 3,
        target: 'serverless.yml#top',
        reason: 'anchor #top on a file that is not Markdown',
      },
    ]);
  });

  it('reads files on disk, and main prints each broken link and exits 1', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'doc-links-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('README.md', '# Top\n[ok](docs/a.md#part-one)\n[bad](docs/a.md#part-two)\n');
    write('docs/a.md', '# A\n## Part one\n[up](../README.md#top)\n');
    write('localstack/README.md', '# LocalStack\n[missing](../nothing.md)\n');
    const out: string[] = [];
    const err: string[] = [];

    try {
      // Act
      const files = docFiles(root);
      const code = main(
        root,
        (text) => out.push(text),
        (text) => err.push(text),
      );

      // Assess
      expect(files).toEqual(['README.md', 'docs/a.md', 'localstack/README.md']);
      expect(code).toBe(1);
      expect(out).toEqual([]);
      expect(err).toEqual([
        'README.md:3: docs/a.md#part-two (no heading with anchor #part-two in docs/a.md)',
        'localstack/README.md:2: ../nothing.md (file not found)',
        'doc links: 2 of 4 broken',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the repository's documentation", () => {
  it('has no broken relative link', () => {
    // Act
    const report = checkDocLinks(docFiles(ROOT), diskRepository(ROOT));

    // Assess
    expect(report.broken).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
  });
});
