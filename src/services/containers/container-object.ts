import type { Container, ContainerFile } from '../../generated/prisma/client.js';

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** When the container expires unless it is used before: its last use plus its window. */
export function containerExpiresAt(
  row: Pick<Container, 'lastActiveAt' | 'expiresAfterMinutes'>,
): Date {
  return new Date(row.lastActiveAt.getTime() + row.expiresAfterMinutes * 60_000);
}

/**
 * `running` or `expired`. The sweep records an expiry some seconds late; the clock decides
 * first, so a container past its window is expired for every reader at once.
 */
export function containerStatus(
  row: Pick<Container, 'status' | 'lastActiveAt' | 'expiresAfterMinutes'>,
  now = new Date(),
): 'running' | 'expired' {
  return row.status === 'expired' || containerExpiresAt(row) <= now ? 'expired' : 'running';
}

/** A container as OpenAI's Containers API shows it. */
export function containerObject(
  row: Pick<
    Container,
    'id' | 'name' | 'createdAt' | 'status' | 'lastActiveAt' | 'expiresAfterMinutes' | 'memoryLimit'
  >,
) {
  return {
    id: row.id,
    object: 'container' as const,
    created_at: seconds(row.createdAt),
    status: containerStatus(row),
    expires_after: { anchor: 'last_active_at' as const, minutes: row.expiresAfterMinutes },
    last_active_at: seconds(row.lastActiveAt),
    memory_limit: row.memoryLimit,
    name: row.name,
  };
}

/** A container file as OpenAI shows it. */
export function containerFileObject(
  row: Pick<ContainerFile, 'id' | 'containerId' | 'createdAt' | 'bytes' | 'path' | 'source'>,
) {
  return {
    id: row.id,
    object: 'container.file' as const,
    created_at: seconds(row.createdAt),
    bytes: row.bytes,
    container_id: row.containerId,
    path: row.path,
    source: row.source,
  };
}
