// A small Markdown reader for model output: headings, paragraphs, lists, quotes, fenced code,
// inline code, emphasis and links. It builds a tree the renderer turns into React elements, so
// no HTML from a message is ever interpreted (raw `<tags>` stay text), and only http(s), mailto
// and same-site links survive.

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong' | 'em'; children: Inline[] }
  | { type: 'link'; href: string | null; fileId: string | null; children: Inline[] }
  | { type: 'cite'; n: number }
  | { type: 'file'; fileId: string }
  | { type: 'break' };

export type Block =
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'list'; ordered: boolean; items: Inline[][] }
  | { type: 'quote'; children: Block[] };

/** Placeholders the caller puts in the text for annotations: a citation number, a file id. */
export const CITE_OPEN = '\uE000';
export const CITE_CLOSE = '\uE001';
export const FILE_OPEN = '\uE002';
export const FILE_CLOSE = '\uE003';

const SAFE_URL = /^(?:https?:\/\/|mailto:|\/(?!\/)|#)/i;
const FILE_TOKEN = new RegExp(`^${FILE_OPEN}([^${FILE_CLOSE}]+)${FILE_CLOSE}$`);

/** The href a link may have, or null for anything else (javascript:, data:, //host…). */
export function safeHref(url: string): string | null {
  const trimmed = url.trim();
  return SAFE_URL.test(trimmed) ? trimmed : null;
}

const INLINE = new RegExp(
  [
    '`([^`]+)`',
    '\\*\\*(.+?)\\*\\*',
    '__(.+?)__',
    '\\*([^*\\s][^*]*?)\\*',
    '(?<![\\w])_([^_\\s][^_]*?)_(?![\\w])',
    '\\[([^\\]]+)\\]\\(([^)\\s]+)\\)',
    `${CITE_OPEN}(\\d+)${CITE_CLOSE}`,
    `${FILE_OPEN}([^${FILE_CLOSE}]+)${FILE_CLOSE}`,
    '\\n',
  ].join('|'),
  'g',
);

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) {
      out.push({ type: 'text', text: text.slice(last, match.index) });
    }
    last = match.index + match[0].length;
    const [whole, code, strong1, strong2, em1, em2, linkText, linkUrl, cite, file] = match;
    if (code !== undefined) {
      out.push({ type: 'code', text: code });
    } else if (strong1 !== undefined || strong2 !== undefined) {
      out.push({ type: 'strong', children: parseInline(strong1 ?? strong2 ?? '') });
    } else if (em1 !== undefined || em2 !== undefined) {
      out.push({ type: 'em', children: parseInline(em1 ?? em2 ?? '') });
    } else if (linkText !== undefined && linkUrl !== undefined) {
      const fileId = FILE_TOKEN.exec(linkUrl)?.[1] ?? null;
      out.push({
        type: 'link',
        href: fileId ? null : safeHref(linkUrl),
        fileId,
        children: parseInline(linkText),
      });
    } else if (cite !== undefined) {
      out.push({ type: 'cite', n: Number(cite) });
    } else if (file !== undefined) {
      out.push({ type: 'file', fileId: file });
    } else if (whole === '\n') {
      out.push({ type: 'break' });
    }
  }
  if (last < text.length) {
    out.push({ type: 'text', text: text.slice(last) });
  }
  return out;
}

const FENCE = /^\s*(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i += 1;
      while (i < lines.length && !(lines[i] ?? '').trim().startsWith(fence[1] ?? '```')) {
        body.push(lines[i] ?? '');
        i += 1;
      }
      i += 1;
      blocks.push({ type: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({
        type: 'heading',
        level: heading[1]?.length ?? 1,
        children: parseInline(heading[2] ?? ''),
      });
      i += 1;
      continue;
    }
    const listPattern = BULLET.test(line) ? BULLET : NUMBERED.test(line) ? NUMBERED : null;
    if (listPattern) {
      const items: Inline[][] = [];
      while (i < lines.length && listPattern.test(lines[i] ?? '')) {
        items.push(parseInline(listPattern.exec(lines[i] ?? '')?.[1] ?? ''));
        i += 1;
      }
      blocks.push({ type: 'list', ordered: listPattern === NUMBERED, items });
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] ?? '')) {
        quoted.push(QUOTE.exec(lines[i] ?? '')?.[1] ?? '');
        i += 1;
      }
      blocks.push({ type: 'quote', children: parseMarkdown(quoted.join('\n')) });
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length) {
      const next = lines[i] ?? '';
      if (
        next.trim() === '' ||
        FENCE.test(next) ||
        HEADING.test(next) ||
        BULLET.test(next) ||
        NUMBERED.test(next) ||
        QUOTE.test(next)
      ) {
        break;
      }
      paragraph.push(next);
      i += 1;
    }
    blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n')) });
  }
  return blocks;
}
