import type { ServiceContext, ServiceSettings } from '../../../context.js';
import type { LeaseLocks } from '../../../db/lease-locks.js';
import type { PrismaClient } from '../../../db/prisma.js';
import type { ChatModel } from '../../../models/chat-model.js';
import type { CodeInterpreterDeps } from './tools/code-interpreter-tool.js';
import type { BuiltinToolRunner } from './tools/runner.js';

export interface EngineSettings extends ServiceSettings {
  /** How often the executing worker proves it is alive (Default: 2000 ms). */
  runHeartbeatMs: number;
  /** A run whose heartbeat is older than this is taken over (Default: 15000 ms). */
  runStaleAfterMs: number;
  /** Streamed output is written and announced at most this often (Default: 20 ms). */
  streamFlushMs: number;
}

/**
 * The worker's context: the service context's resources plus what only the engine needs. It has
 * no caller (each run acts for its own project: `actingFor`), and its client is the root one,
 * since the engine opens its own transactions. The worker builds one; a run narrows its logger.
 */
export interface EngineContext extends Omit<ServiceContext, 'actor' | 'db' | 'settings'> {
  db: PrismaClient;
  settings: EngineSettings;
  model: ChatModel;
  /** Executes file_search and code_interpreter calls. */
  builtinTools: BuiltinToolRunner;
  /** The sandbox, for the code_interpreter of responses (sessions by container). */
  codeInterpreter: CodeInterpreterDeps;
  /** This worker's lease locks: held while it executes a run, freed by PostgreSQL if it dies. */
  leases: Pick<LeaseLocks, 'hold' | 'release'>;
  /**
   * Aborts `controller` when the run is signalled (cancel, expiry) or handed back at shutdown
   * (reason `HandBack`); returns the unsubscribe.
   */
  watchRun(runId: string, controller: AbortController): () => void;
}
