import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Host header: a name, an IPv4 address or a bracketed IPv6 literal, and an optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::\d{0,5})?$/;

function parses(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The URL a request names, with `req` rewritten to the origin form (`/path?query`) the handlers
 * expect; null when it names none, which the caller answers with 400. RFC 9112 §3.2 lets a
 * client send the absolute form (`GET http://host/v1/assistants`), whose authority replaces the
 * Host header; both go into the URL graphql-yoga builds from `Host` + target, where an unusable
 * one used to throw and come back as a 500 with the stack trace in its body.
 */
export function normalizeRequestTarget(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  if (/^https?:\/\//i.test(target)) {
    const url = parses(target);
    if (!url) {
      return null;
    }
    req.url = `${url.pathname}${url.search}`;
    req.headers.host = url.host;
    return url;
  }
  const host = req.headers.host ?? 'localhost';
  // Anything else (`*`, `host:port`, other schemes) names nothing here.
  if (!target.startsWith('/') || !HOST.test(host)) {
    return null;
  }
  return parses(`http://${host || 'localhost'}${target}`);
}

/** The 400 for a request `normalizeRequestTarget` found no URL in. */
export function refuseRequestTarget(res: ServerResponse): void {
  // OpenAI's envelope: what REST clients read; GraphQL clients see a plain 400 with a message.
  const body = JSON.stringify({
    error: {
      message: 'The request target or its Host header is not a URL of this server.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
  res.writeHead(400, { 'content-type': 'application/json' }).end(body);
}
