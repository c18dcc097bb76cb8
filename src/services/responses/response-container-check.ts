import type { ServiceContext } from '../../context.js';
import { InvalidRequestError } from '../../errors.js';
import { containerStatus } from '../containers/container-object.js';
import { containerExpired, getContainer } from '../containers/containers.js';
import { filesByIds } from '../files/files.js';
import type { ResponseTool } from './response-input.js';

/**
 * Refuses, before anything is written, a code_interpreter tool the response could not use: a
 * container of another project or none (404), an expired one (`Container is expired.`, as
 * OpenAI words it), or `auto` with a file that does not exist.
 */
export async function checkResponseContainers(
  ctx: ServiceContext,
  tools: readonly ResponseTool[],
): Promise<void> {
  for (const [index, tool] of tools.entries()) {
    if (tool.type !== 'code_interpreter') {
      continue;
    }
    const param = `tools.${index}.container`;
    if (typeof tool.container === 'string') {
      const container = await getContainer(ctx, tool.container, {}, param);
      if (containerStatus(container) === 'expired') {
        throw containerExpired();
      }
      continue;
    }
    const fileIds = tool.container.file_ids ?? [];
    const found = fileIds.length > 0 ? await filesByIds(ctx, fileIds) : new Map();
    const missing = fileIds.find((id) => !found.has(id));
    if (missing !== undefined) {
      throw new InvalidRequestError(
        `Invalid '${param}.file_ids': no file found with id '${missing}'.`,
        { param: `${param}.file_ids` },
      );
    }
  }
}
