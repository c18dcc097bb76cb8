import { knownFields } from '../body-fields.js';
import { RestError } from '../errors.js';
import {
  CreateContainerDocument,
  CreateContainerFileDocument,
  DeleteContainerDocument,
  DeleteContainerFileDocument,
  GetContainerDocument,
  GetContainerFileDocument,
  ListContainerFilesDocument,
  ListContainersDocument,
} from '../generated/operations.js';
import { pageVariables } from '../list.js';
import { readMultipartUpload, rejectUnknownFields } from '../multipart-upload.js';
import { BinaryResponse, type Route } from '../router.js';

/** A page of a connection as OpenAI's list: `first_id`, `last_id`, `has_more`. */
function list(
  connection: {
    edges: { node: { id: string; openai: unknown } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean };
  },
  window: { last?: number },
) {
  const nodes = connection.edges.map((edge) => edge.node);
  return {
    object: 'list',
    data: nodes.map((node) => node.openai),
    first_id: nodes.at(0)?.id ?? null,
    last_id: nodes.at(-1)?.id ?? null,
    has_more:
      window.last === undefined
        ? connection.pageInfo.hasNextPage
        : connection.pageInfo.hasPreviousPage,
  };
}

const notFound = (id: string) => new RestError(404, `Container with id '${id}' not found.`);

/** `/containers` and their files (no OpenAI-Beta header on these paths). */
export function containerRoutes(options: { maxUploadBytes: number; spoolDir: string }): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers',
      beta: false,
      async handle({ body, run }) {
        const input = knownFields(body, ['name', 'file_ids', 'expires_after', 'memory_limit']);
        const data = await run(CreateContainerDocument, {
          input: {
            name: input.name,
            fileIds: input.file_ids,
            expiresAfter: input.expires_after,
            memoryLimit: input.memory_limit,
          },
        });
        return data.createContainer.openai;
      },
    },
    {
      method: 'GET',
      path: '/containers',
      beta: false,
      async handle({ query, run }) {
        const { name, ...rest } = query;
        if (name !== undefined && typeof name !== 'string') {
          throw new RestError(400, "Invalid 'name': expected a single value.", { param: 'name' });
        }
        const page = pageVariables(rest);
        const data = await run(ListContainersDocument, { ...page, name: name || undefined });
        return list(data.containers, page);
      },
    },
    {
      method: 'GET',
      path: '/containers/:container_id',
      beta: false,
      async handle({ params, run }) {
        const data = await run(GetContainerDocument, { id: params.container_id });
        if (!data.container) {
          throw notFound(params.container_id ?? '');
        }
        return data.container.openai;
      },
    },
    {
      method: 'DELETE',
      path: '/containers/:container_id',
      beta: false,
      async handle({ params, run }) {
        const data = await run(DeleteContainerDocument, { id: params.container_id });
        return { id: data.deleteContainer.id, object: 'container.deleted', deleted: true };
      },
    },
    {
      method: 'POST',
      path: '/containers/:container_id/files',
      beta: false,
      rawBody: true,
      // OpenAI takes a multipart upload (`file`) or JSON naming a File (`file_id`).
      async handle({ params, req, readJsonBody, run }) {
        const containerId = params.container_id;
        if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
          const body = knownFields(await readJsonBody(), ['file_id']);
          const data = await run(CreateContainerFileDocument, {
            containerId,
            fileId: body.file_id,
          });
          return data.createContainerFile.openai;
        }
        const upload = await readMultipartUpload(req, {
          fileField: 'file',
          maxBytes: options.maxUploadBytes,
          spoolDir: options.spoolDir,
        });
        try {
          rejectUnknownFields(upload, new Set(['file_id']));
          const data = await run(CreateContainerFileDocument, {
            containerId,
            file: upload.file ?? undefined,
            fileId: upload.fields.get('file_id'),
          });
          return data.createContainerFile.openai;
        } finally {
          await upload.cleanup();
        }
      },
    },
    {
      method: 'GET',
      path: '/containers/:container_id/files',
      beta: false,
      async handle({ params, query, run }) {
        const page = pageVariables(query);
        const data = await run(ListContainerFilesDocument, {
          containerId: params.container_id,
          ...page,
        });
        if (!data.container) {
          throw notFound(params.container_id ?? '');
        }
        return list(data.container.files, page);
      },
    },
    {
      method: 'GET',
      path: '/containers/:container_id/files/:file_id',
      beta: false,
      async handle({ params, run }) {
        const data = await run(GetContainerFileDocument, {
          containerId: params.container_id,
          id: params.file_id,
        });
        return data.containerFile.openai;
      },
    },
    {
      method: 'DELETE',
      path: '/containers/:container_id/files/:file_id',
      beta: false,
      async handle({ params, run }) {
        const data = await run(DeleteContainerFileDocument, {
          containerId: params.container_id,
          id: params.file_id,
        });
        return { id: data.deleteContainerFile.id, object: 'container.file.deleted', deleted: true };
      },
    },
    {
      method: 'GET',
      path: '/containers/:container_id/files/:file_id/content',
      beta: false,
      async handle({ params, containerFileContent }) {
        const content = await containerFileContent(params.container_id ?? '', params.file_id ?? '');
        return new BinaryResponse(content.body, content.headers);
      },
    },
  ];
}
