import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { DEFAULT_PROJECT_ID } from '../auth/projects.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { requireAdmin } from './admin-access.js';
import { recordAdminAction } from './audit-log.js';

type ProjectQuery = Pick<Prisma.ProjectFindFirstArgs, 'select' | 'include'>;

const projectNameSchema = z.string().trim().min(1).max(256);
const createProjectSchema = z.object({ name: projectNameSchema });
const updateProjectSchema = z.object({ name: projectNameSchema.nullish() });

export type CreateProjectInput = z.input<typeof createProjectSchema>;
export type UpdateProjectInput = z.input<typeof updateProjectSchema>;

export const PROJECT_STATUSES = ['active', 'archived'] as const;

export function projectStatus(project: { archivedAt: Date | null }) {
  return project.archivedAt === null ? 'active' : 'archived';
}

export async function createProject(
  ctx: ServiceContext,
  input: CreateProjectInput,
  query: ProjectQuery = {},
) {
  requireAdmin(ctx);
  const data = parseInput(createProjectSchema, input);
  const project = await ctx.db.project.create({
    ...query,
    data: { id: newId('project'), name: data.name },
  });
  await recordAdminAction(ctx, 'project.created', project.id, { name: data.name });
  return project;
}

export async function getProject(ctx: ServiceContext, id: string, query: ProjectQuery = {}) {
  requireAdmin(ctx);
  const project = namesNothing(id)
    ? null
    : await ctx.db.project.findUnique({ ...query, where: { id } });
  if (!project) {
    throw new NotFoundError(`No project found with id '${id}'.`);
  }
  return project;
}

export async function listProjects(
  ctx: ServiceContext,
  input: { page?: PageInput; includeArchived?: boolean },
  query: ProjectQuery = {},
) {
  requireAdmin(ctx);
  const scope = input.includeArchived ? {} : { archivedAt: null };
  return paginate(input.page, {
    seqOf: async (id) =>
      (await ctx.db.project.findUnique({ where: { id }, select: { seq: true } }))?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.project.findMany({ ...query, where: { ...scope, seq }, orderBy, take }),
  });
}

export async function updateProject(
  ctx: ServiceContext,
  id: string,
  input: UpdateProjectInput,
  query: ProjectQuery = {},
) {
  const data = parseInput(updateProjectSchema, input);
  await getProject(ctx, id, { select: { id: true } });
  const project = await ctx.db.project.update({
    ...query,
    where: { id },
    data: { name: data.name ?? undefined },
  });
  await recordAdminAction(ctx, 'project.updated', id, { name: data.name ?? null });
  return project;
}

/**
 * Archives a project: its keys are refused from now on, in every process (the `projects` trigger
 * clears the key caches), and its data stays. Archiving twice keeps the first time.
 */
export async function archiveProject(ctx: ServiceContext, id: string, query: ProjectQuery = {}) {
  if (id === DEFAULT_PROJECT_ID) {
    // The admin keys live there: archiving it would lock every admin out.
    throw new InvalidRequestError('The default project cannot be archived.', {
      param: 'project_id',
    });
  }
  const project = await getProject(ctx, id, { select: { id: true, archivedAt: true } });
  if (project.archivedAt === null) {
    await ctx.db.project.update({ where: { id }, data: { archivedAt: new Date() } });
    await recordAdminAction(ctx, 'project.archived', id, {});
  }
  return getProject(ctx, id, query);
}
