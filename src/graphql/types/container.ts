import {
  createContainerFile,
  deleteContainerFile,
  getContainerFile,
  listContainerFiles,
} from '../../services/containers/container-files.js';
import {
  containerFileObject,
  containerObject,
  containerStatus,
} from '../../services/containers/container-object.js';
import {
  createContainer,
  deleteContainer,
  getContainer,
  listContainers,
} from '../../services/containers/containers.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';

export const ContainerFileRef = builder.prismaObject('ContainerFile', {
  description:
    'A file in a container’s /mnt/data: uploaded, copied from a File, or written by code.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`cfile_…`' }),
    containerId: t.exposeID('containerId'),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    bytes: t.exposeInt('bytes', { description: 'Size in bytes.' }),
    path: t.exposeString('path', { description: 'Where the code sees it: `/mnt/data/…`.' }),
    source: t.exposeString('source', {
      description: '`user` (uploaded or copied) or `assistant` (written by code).',
    }),
    contentUrl: t.string({
      description:
        'Where to GET the raw bytes, relative to this server, with the same `Authorization` header.',
      resolve: (file) =>
        `/v1/containers/${encodeURIComponent(file.containerId)}/files/${encodeURIComponent(file.id)}/content`,
    }),
    openai: t.field({
      type: 'JSON',
      description: 'The file exactly as OpenAI’s Containers API shows it.',
      resolve: (file) => containerFileObject(file),
    }),
  }),
});

const ContainerFileConnection = connectionType('ContainerFile', ContainerFileRef);

export const ContainerNode = builder.prismaNode('Container', {
  description:
    'A code_interpreter container: a /mnt/data that lives while it is used and expires `expiresAfterMinutes` after its last use.',
  id: { field: 'id', description: '`cntr_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    lastActiveAt: t.expose('lastActiveAt', {
      type: 'UnixTime',
      description: 'The last use: files added or downloaded, code run.',
    }),
    expiresAfterMinutes: t.exposeInt('expiresAfterMinutes', {
      description: 'Minutes after `lastActiveAt` when it expires (Default: 20).',
    }),
    memoryLimit: t.exposeString('memoryLimit', {
      description: '1g, 4g, 16g or 64g, as asked; the sandbox’s own memory limit applies.',
    }),
    status: t.string({
      description: '`running`, or `expired` once past its window (it cannot be used again).',
      resolve: (container) => containerStatus(container),
    }),
    files: t.connection(
      {
        type: ContainerFileRef,
        description: 'The container’s files, newest first by default.',
        args: { ...orderArg },
        resolve: async (container, args, ctx) =>
          connectionOf(
            await listContainerFiles(ctx, container.id, toPageInput(args)),
            (file) => file.id,
          ),
      },
      ContainerFileConnection,
    ),
    openai: t.field({
      type: 'JSON',
      description: 'The container exactly as OpenAI’s Containers API shows it.',
      resolve: (container) => containerObject(container),
    }),
  }),
});

const ContainerConnection = connectionType('Container', ContainerNode);

const ContainerExpirationInput = builder.inputType('ContainerExpirationInput', {
  description: 'OpenAI’s `expires_after`: minutes after the last use.',
  fields: (t) => ({
    anchor: t.string({ required: true, description: 'Only `last_active_at`.' }),
    minutes: t.int({ required: true, description: '1 to 1440.' }),
  }),
});

// Required fields are checked by the service, so a missing one is a 400 naming it.
const CreateContainerInput = builder.inputType('CreateContainerInput', {
  description: 'OpenAI’s create-container body.',
  fields: (t) => ({
    name: t.string({ description: 'Required.' }),
    fileIds: t.idList({ description: 'Files copied into /mnt/data (up to 50).' }),
    expiresAfter: t.field({ type: ContainerExpirationInput }),
    memoryLimit: t.string({ description: '1g (Default), 4g, 16g or 64g.' }),
  }),
});

builder.queryFields((t) => ({
  container: t.prismaField({
    type: 'Container',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getContainer(ctx, String(args.id), query),
  }),
  containers: t.connection(
    {
      type: ContainerNode,
      description: 'The project’s containers, newest first by default.',
      args: { name: t.arg.string({ description: 'Only containers with this name.' }), ...orderArg },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listContainers(ctx, { name: args.name, ...toPageInput(args) }),
          (container) => container.id,
        ),
    },
    ContainerConnection,
  ),
  containerFile: t.prismaField({
    type: 'ContainerFile',
    args: { containerId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, ctx) =>
      getContainerFile(ctx, String(args.containerId), String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createContainer: t.prismaField({
    type: 'Container',
    args: { input: t.arg({ type: CreateContainerInput, required: true }) },
    resolve: (_query, _root, args, ctx) => createContainer(ctx, args.input),
  }),
  deleteContainer: t.field({
    type: DeletionResult,
    description: 'Deletes the container with its files.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteContainer(ctx, String(args.id)),
  }),
  createContainerFile: t.prismaField({
    type: 'ContainerFile',
    description:
      'Adds a file to a running container: an upload (multipart request) or a copy of a File; exactly one.',
    args: {
      containerId: t.arg.id({ required: true }),
      file: t.arg({ type: 'Upload' }),
      fileId: t.arg.id(),
    },
    resolve: (_query, _root, args, ctx) =>
      createContainerFile(ctx, String(args.containerId), {
        file: args.file ? { name: args.file.name, stream: args.file.stream() } : null,
        fileId: args.fileId === null || args.fileId === undefined ? null : String(args.fileId),
      }),
  }),
  deleteContainerFile: t.field({
    type: DeletionResult,
    args: { containerId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      deleteContainerFile(ctx, String(args.containerId), String(args.id)),
  }),
}));
