/**
 * Rate limits count in fixed minute windows of the database's clock (this machine's). A test
 * that makes several requests against one limit waits, when the current minute is about to
 * end, until the next one has begun, so all its requests fall in one window.
 */
export async function inOneRateWindow(neededSeconds = 15): Promise<void> {
  const intoMinute = (Date.now() / 1000) % 60;
  if (60 - intoMinute < neededSeconds) {
    await new Promise((resolve) => setTimeout(resolve, (60 - intoMinute) * 1000 + 250));
  }
}

/** The `x-ratelimit-*` and `retry-after` headers of a response, by name. */
export function rateLimitHeaders(headers: Headers | undefined): Record<string, string> {
  const picked: Record<string, string> = {};
  headers?.forEach((value, name) => {
    if (name.startsWith('x-ratelimit-') || name === 'retry-after' || name === 'x-should-retry') {
      picked[name] = value;
    }
  });
  return picked;
}
