import type { ServiceContext } from '../../../../context.js';
import type { Run } from '../../../../generated/prisma/client.js';
import type { ToolResources } from '../../../assistants/tool-resources.js';
import type { Attachment } from '../../../threads/message-content.js';

/**
 * The files code_interpreter gets in a run: the assistant's and the thread's
 * `tool_resources.code_interpreter.file_ids`, and files attached to the thread's messages for
 * code_interpreter, each once.
 */
export async function codeInterpreterFileIds(ctx: ServiceContext, run: Run): Promise<string[]> {
  const [assistant, thread, attached] = await Promise.all([
    ctx.db.assistant.findUnique({
      where: { id: run.assistantId },
      select: { toolResources: true },
    }),
    ctx.db.thread.findUnique({ where: { id: run.threadId }, select: { toolResources: true } }),
    ctx.db.message.findMany({
      where: { threadId: run.threadId },
      select: { attachments: true },
      orderBy: { seq: 'asc' },
    }),
  ]);
  const own = [assistant?.toolResources, thread?.toolResources].map(
    (resources) => (resources as ToolResources | null | undefined) ?? {},
  );
  const attachedForCode = attached.flatMap(({ attachments }) =>
    ((attachments as Attachment[] | null) ?? [])
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
