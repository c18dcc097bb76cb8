import PgBoss from 'pg-boss';
import type { Deps } from './deps.js';
import { jobs } from './jobs/registry.js';

export interface Worker {
  stop(): Promise<void>;
}

/**
 * Background jobs on pg-boss, inside the same PostgreSQL (schema `<schema>_boss`). Any number of
 * worker processes may run; pg-boss hands each job to one of them.
 */
export async function startWorker(deps: Deps): Promise<Worker> {
  const boss = new PgBoss({
    connectionString: deps.database.url,
    schema: `${deps.database.schema}_boss`,
  });
  boss.on('error', (error) => deps.logger.error({ err: error }, 'pg-boss error'));
  await boss.start();
  for (const job of jobs) {
    await boss.createQueue(job.name);
    await boss.work(job.name, async (batch) => {
      for (const item of batch) {
        await job.handle(deps, job.schema.parse(item.data));
      }
    });
  }
  deps.logger.info({ jobs: jobs.map((job) => job.name) }, 'worker started');
  return {
    async stop() {
      await boss.stop({ graceful: true, wait: true });
    },
  };
}
