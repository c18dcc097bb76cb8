import type { ServiceContext } from '../../context.js';
import { InvalidRequestError } from '../../errors.js';

/**
 * The model a request runs on: the one it names, else its project's default model. A request
 * with neither gets OpenAI's missing-parameter 400. The allow-list is checked where the work is
 * admitted (`admitModelWork`), for a default exactly as for a named model.
 */
export async function requestModel(
  ctx: ServiceContext,
  model: string | null | undefined,
): Promise<string> {
  if (model) {
    return model;
  }
  // Read only when the request names no model: requests that do cost no extra query.
  const project = await ctx.db.project.findUnique({
    where: { id: ctx.actor.projectId },
    select: { defaultModel: true },
  });
  if (!project?.defaultModel) {
    throw new InvalidRequestError("Missing required parameter: 'model'.", {
      param: 'model',
      openaiCode: 'missing_required_parameter',
    });
  }
  return project.defaultModel;
}
