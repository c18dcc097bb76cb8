import type { ServiceContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { ModelError } from '../../../models/chat-model.js';
import { createContainer } from '../../containers/containers.js';
import type { ResponseTool } from '../response-input.js';

/**
 * The container of a response's code_interpreter tool: the one it names, or (`auto`) one made
 * for the response at its first code call, with copies of `file_ids`, as OpenAI makes one per
 * response. A container that can no longer be made fails the response.
 */
export function responseContainer(
  ctx: ServiceContext,
  responseId: string,
  tools: ResponseTool[],
): { enabled: boolean; id(): Promise<string> } {
  const tool = tools.find((candidate) => candidate.type === 'code_interpreter');
  let made: Promise<string> | null = null;
  return {
    enabled: tool !== undefined,
    id() {
      if (!tool) {
        return Promise.reject(new Error('the response has no code_interpreter tool'));
      }
      const { container } = tool;
      if (typeof container === 'string') {
        return Promise.resolve(container);
      }
      made ??= createContainer(ctx, {
        name: `Container for ${responseId}`,
        fileIds: container.file_ids ?? [],
        memoryLimit: container.memory_limit ?? undefined,
      }).then(
        (row) => row.id,
        (error: unknown) => {
          if (error instanceof AppError) {
            throw new ModelError('server_error', `Could not make the container: ${error.message}`, {
              cause: error,
            });
          }
          throw error;
        },
      );
      return made;
    },
  };
}
