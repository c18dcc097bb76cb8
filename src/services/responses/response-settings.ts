import { z } from 'zod';
import type { Response } from '../../generated/prisma/client.js';
import { parseJsonColumn } from '../common/json-column.js';
import {
  type ResponseText,
  type ResponseTool,
  type ResponseToolChoice,
  responseTextSchema,
  responseToolSchema,
  toolChoiceSchema,
} from './response-input.js';

/** The JSON columns the engine reads, parsed where they are read. */
export function responseSettings(row: Pick<Response, 'id' | 'tools' | 'toolChoice' | 'text'>): {
  tools: ResponseTool[];
  toolChoice: ResponseToolChoice;
  text: ResponseText;
} {
  const at = (column: string) => ({ table: 'responses', id: row.id, column });
  return {
    tools: parseJsonColumn(z.array(responseToolSchema), row.tools, at('tools')),
    toolChoice: parseJsonColumn(toolChoiceSchema, row.toolChoice, at('toolChoice')),
    text: parseJsonColumn(responseTextSchema, row.text, at('text')),
  };
}
