/** How a file's bytes become text. */
export type DocumentKind = 'text' | 'markdown' | 'html' | 'json' | 'code' | 'pdf';

const BY_EXTENSION: Record<string, DocumentKind> = {
  txt: 'text',
  text: 'text',
  log: 'text',
  csv: 'text',
  tsv: 'text',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  rst: 'markdown',
  tex: 'markdown',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  json: 'json',
  pdf: 'pdf',
};

/** Source and config files: indexed verbatim, as OpenAI's file_search does for its code types. */
const CODE_EXTENSIONS = new Set(
  [
    'c h cc cpp cxx hpp hh cs css scss less go java kt kts scala groovy js mjs cjs jsx ts mts cts',
    'tsx php py pyi rb rs swift m mm sh bash zsh fish ps1 bat sql r lua pl pm dart ex exs erl hs',
    'clj vue svelte xml yaml yml toml ini cfg conf properties graphql gql proto jsonl ndjson',
    'dockerfile makefile gradle cmake tf env',
  ]
    .join(' ')
    .split(' '),
);

const BY_MIME_TYPE: Record<string, DocumentKind> = {
  'text/plain': 'text',
  'text/csv': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/json': 'json',
  'application/pdf': 'pdf',
};

function extensionOf(filename: string): string {
  const base = filename.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  const dot = base.lastIndexOf('.');
  // `Makefile`, `Dockerfile`: the whole name is the type.
  return dot === -1 ? base : base.slice(dot + 1);
}

/**
 * The kind of a file, from its extension first (uploads usually arrive as
 * `application/octet-stream`, so the name is the better witness), else its MIME type; null when
 * it is neither a text format nor a PDF.
 */
export function documentKind(filename: string, mimeType: string | null): DocumentKind | null {
  const extension = extensionOf(filename);
  const known = BY_EXTENSION[extension];
  if (known) {
    return known;
  }
  if (CODE_EXTENSIONS.has(extension)) {
    return 'code';
  }
  const mime = mimeType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return BY_MIME_TYPE[mime] ?? (mime.startsWith('text/') ? 'text' : null);
}
