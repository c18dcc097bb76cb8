import type { ServiceContext } from '../../../../context.js';
import type { Run } from '../../../../generated/prisma/client.js';
import { storedToolResourcesSchema } from '../../../assistants/tool-resources.js';
import { parseJsonColumn } from '../../../common/json-column.js';
import { storedAttachmentsSchema } from '../../../threads/message-content.js';

/**
 * The files code_interpreter gets in a run: the assistant's and the thread's
 * `tool_resources.code_interpreter.file_ids`, and files attached to the thread's messages for
 * code_interpreter, each once.
 */
export async function codeInterpreterFileIds(
  ctx: ServiceContext,
  run: Pick<Run, 'assistantId' | 'threadId'>,
): Promise<string[]> {
  const [assistant, thread, attached] = await Promise.all([
    ctx.db.assistant.findUnique({
      where: { id: run.assistantId },
      select: { toolResources: true },
    }),
    ctx.db.thread.findUnique({ where: { id: run.threadId }, select: { toolResources: true } }),
    ctx.db.message.findMany({
      where: { threadId: run.threadId },
      select: { id: true, attachments: true },
      orderBy: { seq: 'asc' },
    }),
  ]);
  const own = [
    { table: 'assistants', id: run.assistantId, row: assistant },
    { table: 'threads', id: run.threadId, row: thread },
  ].map(
    ({ table, id, row }) =>
      parseJsonColumn(storedToolResourcesSchema.nullish(), row?.toolResources, {
        table,
        id,
        column: 'toolResources',
      }) ?? {},
  );
  const attachedForCode = attached.flatMap(({ id, attachments }) =>
    (
      parseJsonColumn(storedAttachmentsSchema.nullable(), attachments, {
        table: 'messages',
        id,
        column: 'attachments',
      }) ?? []
    )
      .filter((attachment) => attachment.tools.some((tool) => tool.type === 'code_interpreter'))
      .map((attachment) => attachment.fileId),
  );
  return [
    ...new Set([
      ...own.flatMap((resources) => resources.codeInterpreter?.fileIds ?? []),
      ...attachedForCode,
    ]),
  ];
}
