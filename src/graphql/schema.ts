import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { mapServiceErrors } from './errors.js';
import './scalars.js';
import './types/common.js';
import './types/tools.js';
import './types/assistant.js';
import './types/message.js';
import './types/thread.js';
import './types/run.js';
import './types/run-step.js';
import './types/run-event.js';
import './types/file.js';
import './types/upload.js';
import './types/vector-store.js';
import './types/vector-store-file.js';
import './types/vector-store-file-batch.js';
import './types/vector-store-search.js';
import './types/vector-store-file-content.js';
import './types/project.js';
import './types/api-key.js';
import './types/service-account.js';
import './types/audit-log.js';
import './types/usage.js';
import './types/costs.js';
import './types/tool-usage.js';
import './types/response.js';
import './types/conversation.js';
import './types/container.js';
import './types/rate-limit.js';
import './types/upstream.js';
import './types/relations.js';

let schema: GraphQLSchema | undefined;

/** The one API. Built once; REST (`compat/`) executes against this same schema. */
export function getSchema(): GraphQLSchema {
  schema ??= mapServiceErrors(builder.toSchema({ sortSchema: true }));
  return schema;
}
