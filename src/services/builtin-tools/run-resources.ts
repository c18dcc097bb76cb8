import type { ServiceContext } from '../../context.js';
import type { Run } from '../../generated/prisma/client.js';
import type { Attachment } from '../message-content.js';
import type { ToolResources } from '../tool-resources.js';

/** What code_interpreter may use in a run: the assistant's files plus the thread's. */
export interface RunResources {
  /** Files for code_interpreter, including those attached to the thread's messages for it. */
  codeInterpreterFileIds: string[];
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

export async function runResources(ctx: ServiceContext, run: Run): Promise<RunResources> {
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
  return {
    codeInterpreterFileIds: unique([
      ...own.flatMap((resources) => resources.codeInterpreter?.fileIds ?? []),
      ...attachedForCode,
    ]),
  };
}
