/**
 * Whether a read's Prisma/Pothos query asks for the whole row and nothing more (no `select`, no
 * `include`): then a row just written answers it as well as reading it again would.
 */
export function wantsWholeRow(query: { select?: unknown; include?: unknown }): boolean {
  return query.select === undefined && query.include === undefined;
}
