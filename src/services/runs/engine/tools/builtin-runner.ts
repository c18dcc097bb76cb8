import path from 'node:path';
import { removeSandboxSession } from '../../../../sandbox/sessions.js';
import { type CodeInterpreterDeps, runCodeInterpreter } from './code-interpreter-tool.js';
import { runFileSearch } from './file-search-tool.js';
import type { BuiltinToolRunner } from './runner.js';

/** The server-side tools of this process: vector search, and the sandbox for code. */
export function createBuiltinToolRunner(codeInterpreter: CodeInterpreterDeps): BuiltinToolRunner {
  return {
    run(ctx, run, call, signal) {
      return call.type === 'file_search'
        ? runFileSearch(ctx, run, call)
        : runCodeInterpreter(ctx, codeInterpreter, run, call, signal);
    },
    async release(runId) {
      await removeSandboxSession(path.join(codeInterpreter.workDir, runId));
    },
  };
}
