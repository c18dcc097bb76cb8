import type { ServiceContext } from '../../context.js';
import { PermissionDeniedError } from '../../errors.js';

/**
 * The control plane is for admin keys only. A project key is refused with 403, as OpenAI refuses
 * a project key on its Admin API; the key itself is valid, so it is not a 401.
 */
export function requireAdmin(ctx: ServiceContext): void {
  if (!ctx.actor.admin) {
    throw new PermissionDeniedError(
      'You have insufficient permissions for this operation. This API requires an admin API key.',
      { openaiCode: 'insufficient_permissions' },
    );
  }
}
