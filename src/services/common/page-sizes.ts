// Imports nothing, so the REST shim can take these values too (it checks OpenAI's `limit`).

/** Items per page when the caller gives no size: OpenAI's default for its lists. */
export const DEFAULT_PAGE_SIZE = 20;

/** The most items one page of a list holds. */
export const MAX_PAGE_SIZE = 100;

/** `GET /files` pages differently: up to 10,000 items, and all of them by default. */
export const MAX_FILE_PAGE_SIZE = 10_000;
