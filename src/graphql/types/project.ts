import {
  archiveProject,
  createProject,
  getProject,
  listProjects,
  PROJECT_STATUSES,
  projectStatus,
  updateProject,
} from '../../services/admin/projects.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, orderArg, toPageInput } from './common.js';

const ProjectStatus = builder.enumType('ProjectStatus', {
  description: '`archived`: its keys are refused; its data stays.',
  values: PROJECT_STATUSES,
});

export const Project = builder.prismaNode('Project', {
  description:
    'A tenant: its own keys, data, usage and limits (OpenAI’s organization project). Admin keys see every project; a project key sees only its own, without the admin-only fields.',
  id: { field: 'id', description: '`proj_…`' },
  nullable: true,
  // A project key may look up its own project only: any other id matches no row.
  findUnique: (id, ctx) => ({ id: ctx.actor.admin || id === ctx.actor.projectId ? id : '' }),
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    archivedAt: t.expose('archivedAt', { type: 'UnixTime', nullable: true }),
    status: t.field({ type: ProjectStatus, resolve: (project) => projectStatus(project) }),
  }),
});

export const ProjectConnection = connectionType('Project', Project);

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({ name: t.string({ required: true, description: 'At most 256 characters.' }) }),
});

const UpdateProjectInput = builder.inputType('UpdateProjectInput', {
  fields: (t) => ({ name: t.string({ description: 'At most 256 characters.' }) }),
});

builder.queryFields((t) => ({
  projects: t.connection(
    {
      type: Project,
      description: 'Every project, newest first by default. Admin keys only.',
      args: {
        ...orderArg,
        includeArchived: t.arg.boolean({ description: 'Default: false.' }),
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listProjects(ctx, {
            page: toPageInput(args),
            includeArchived: args.includeArchived ?? false,
          }),
          (project) => project.id,
        ),
    },
    ProjectConnection,
  ),
  project: t.prismaField({
    type: 'Project',
    description: 'One project by id. Admin keys only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getProject(ctx, String(args.id), query),
  }),
}));

builder.mutationFields((t) => ({
  createProject: t.prismaField({
    type: 'Project',
    description: 'Admin keys only.',
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (query, _root, args, ctx) => createProject(ctx, args.input, query),
  }),
  updateProject: t.prismaField({
    type: 'Project',
    description: 'Renames a project. Admin keys only.',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateProjectInput, required: true }),
    },
    resolve: (query, _root, args, ctx) => updateProject(ctx, String(args.id), args.input, query),
  }),
  archiveProject: t.prismaField({
    type: 'Project',
    description:
      'Archives a project: its keys are refused at once, on every server; its data stays. The default project (where the admin keys live) cannot be archived. Admin keys only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => archiveProject(ctx, String(args.id), query),
  }),
}));
