import { Prisma } from '../../generated/prisma/client.js';

/**
 * A value as stored in a JSON column: absent (`undefined`) keys dropped, so what is read back is
 * exactly what was written.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

/** SQL NULL for a nullable JSON column (Prisma refuses a plain `null` there). */
export const SQL_NULL = Prisma.DbNull;
