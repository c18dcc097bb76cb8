import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createPgListener } from '../../src/events/pg-listener.js';
import { createLogger } from '../../src/logger.js';

const logger = createLogger('silent');

describe('the LISTEN connection', () => {
  it('delivers notifications to the handlers of their channel', async () => {
    const listener = await createPgListener(inject('databaseUrl'), logger);
    const received: string[] = [];
    const delivered = new Promise<void>((resolve) => {
      listener.on('test_listener_a', (payload) => {
        received.push(payload);
        resolve();
      });
    });
    listener.on('test_listener_b', (payload) => received.push(`wrong channel: ${payload}`));
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      // LISTEN is issued asynchronously; notify until it has taken effect.
      const deadline = Date.now() + 5000;
      let done = false;
      void delivered.then(() => {
        done = true;
      });
      while (!done && Date.now() < deadline) {
        await client.query("SELECT pg_notify('test_listener_a', 'hello')");
        await Promise.race([delivered, new Promise((resolve) => setTimeout(resolve, 20))]);
      }
    } finally {
      await client.end();
      await listener.close();
    }
    expect(received[0]).toBe('hello');
    expect(received.some((item) => item.startsWith('wrong channel'))).toBe(false);
  });

  it('can be closed right after subscribing without an unhandled rejection', async () => {
    // A SIGTERM just after start did this: the LISTEN still in flight when the connection
    // closed rejected with nobody listening, and the process exited 1.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const listener = await createPgListener(inject('databaseUrl'), logger);
      listener.on(`test_listener_close_${attempt}`, () => undefined);
      await listener.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
