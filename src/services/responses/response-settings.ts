import { z } from 'zod';
import type { Response } from '../../generated/prisma/client.js';
import { parseJsonColumn } from '../common/json-column.js';
import {
  type FunctionTool,
  functionToolSchema,
  type ResponseText,
  type ResponseToolChoice,
  responseTextSchema,
  toolChoiceSchema,
} from './response-input.js';

/** The JSON columns the engine reads, parsed where they are read. */
export function responseSettings(row: Pick<Response, 'id' | 'tools' | 'toolChoice' | 'text'>): {
  tools: FunctionTool[];
  toolChoice: ResponseToolChoice;
  text: ResponseText;
} {
  const at = (column: string) => ({ table: 'responses', id: row.id, column });
  return {
    tools: parseJsonColumn(z.array(functionToolSchema), row.tools, at('tools')),
    toolChoice: parseJsonColumn(toolChoiceSchema, row.toolChoice, at('toolChoice')),
    text: parseJsonColumn(responseTextSchema, row.text, at('text')),
  };
}
