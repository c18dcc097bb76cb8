/**
 * MIME types by extension, for the file types OpenAI lists for file_search and
 * code_interpreter (with OpenAI's own type names) plus a few common neighbours.
 */
const BY_EXTENSION: Record<string, string> = {
  c: 'text/x-c',
  cc: 'text/x-c++',
  cpp: 'text/x-c++',
  cs: 'text/x-csharp',
  css: 'text/css',
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  gif: 'image/gif',
  go: 'text/x-golang',
  h: 'text/x-c',
  hpp: 'text/x-c++',
  htm: 'text/html',
  html: 'text/html',
  java: 'text/x-java',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  js: 'text/javascript',
  json: 'application/json',
  jsonl: 'application/jsonl',
  kt: 'text/x-kotlin',
  log: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  mjs: 'text/javascript',
  pdf: 'application/pdf',
  php: 'text/x-php',
  pkl: 'application/octet-stream',
  png: 'image/png',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  py: 'text/x-python',
  rb: 'text/x-ruby',
  rs: 'text/x-rust',
  sh: 'application/x-sh',
  sql: 'application/sql',
  svg: 'image/svg+xml',
  tar: 'application/x-tar',
  tex: 'text/x-tex',
  ts: 'application/typescript',
  tsx: 'application/typescript',
  txt: 'text/plain',
  webp: 'image/webp',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  zip: 'application/zip',
};

const GENERIC = 'application/octet-stream';
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

/**
 * The file's MIME type: from its extension when known, else the type the client declared
 * (clients usually send `application/octet-stream` whatever the file is), else generic.
 */
export function guessMimeType(filename: string, declared?: string | null): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : BY_EXTENSION[extension];
  if (known) {
    return known;
  }
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  return type && MEDIA_TYPE.test(type) ? type : GENERIC;
}
