// The console's Markdown reader: what it makes of model output, and what it never lets through.
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, safeHref } from '../../web/src/markdown/markdown.js';

describe('Markdown for messages', () => {
  it('reads headings, lists, code, emphasis and links', () => {
    expect(
      parseMarkdown(
        '# Title\n\n- one\n- **two**\n\n```ts\nconst a = 1;\n```\nSee [x](https://a.b/c).',
      ),
    ).toEqual([
      { type: 'heading', level: 1, children: [{ type: 'text', text: 'Title' }] },
      {
        type: 'list',
        ordered: false,
        items: [
          [{ type: 'text', text: 'one' }],
          [{ type: 'strong', children: [{ type: 'text', text: 'two' }] }],
        ],
      },
      { type: 'code', lang: 'ts', text: 'const a = 1;' },
      {
        type: 'paragraph',
        children: [
          { type: 'text', text: 'See ' },
          {
            type: 'link',
            href: 'https://a.b/c',
            fileId: null,
            children: [{ type: 'text', text: 'x' }],
          },
          { type: 'text', text: '.' },
        ],
      },
    ]);
  });

  it('keeps HTML as text and drops links to anything but http(s), mailto and this site', () => {
    expect(parseInline('<script>alert(1)</script>')).toEqual([
      { type: 'text', text: '<script>alert(1)</script>' },
    ]);
    for (const url of [
      'javascript:alert(1)',
      'JAVASCRIPT:x',
      'data:text/html,x',
      '//evil.example',
      'vbscript:x',
    ]) {
      expect([url, safeHref(url)]).toEqual([url, null]);
    }
    for (const url of [
      'https://a.example',
      'http://a.example',
      'mailto:a@b.c',
      '/threads',
      '#fn-1',
    ]) {
      expect(safeHref(url)).toBe(url);
    }
  });
});
