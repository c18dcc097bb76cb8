import {
  serializeProject,
  serializeProjectApiKey,
  serializeServiceAccount,
  serializeServiceAccountApiKey,
} from '../admin-serializers.js';
import {
  ArchiveProjectDocument,
  CreateProjectDocument,
  CreateServiceAccountApiKeyDocument,
  CreateServiceAccountDocument,
  DeleteProjectApiKeyDocument,
  DeleteServiceAccountDocument,
  GetProjectApiKeyDocument,
  GetProjectDocument,
  GetServiceAccountDocument,
  ListProjectApiKeysDocument,
  ListProjectsDocument,
  ListServiceAccountsDocument,
  UpdateProjectDocument,
  UpdateServiceAccountDocument,
} from '../generated/operations.js';
import { adminPage } from '../list.js';
import type { Route } from '../router.js';
import { serializeDeleted, serializeList } from '../serializers.js';

const PROJECT = '/organization/projects/:project_id';

export const adminProjectRoutes: Route[] = [
  {
    method: 'GET',
    path: '/organization/projects',
    beta: false,
    async handle({ query, run }) {
      const page = adminPage(query);
      const data = await run(ListProjectsDocument, {
        ...page,
        includeArchived: query.include_archived === 'true',
      });
      return serializeList(data.projects, serializeProject, page);
    },
  },
  {
    method: 'POST',
    path: '/organization/projects',
    beta: false,
    async handle({ body, run }) {
      const data = await run(CreateProjectDocument, { input: { name: body.name } });
      return serializeProject(data.createProject);
    },
  },
  {
    method: 'GET',
    path: PROJECT,
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetProjectDocument, { id: params.project_id });
      return serializeProject(data.project);
    },
  },
  {
    method: 'POST',
    path: PROJECT,
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(UpdateProjectDocument, {
        id: params.project_id,
        input: { name: body.name },
      });
      return serializeProject(data.updateProject);
    },
  },
  {
    method: 'POST',
    path: `${PROJECT}/archive`,
    beta: false,
    async handle({ params, run }) {
      const data = await run(ArchiveProjectDocument, { id: params.project_id });
      return serializeProject(data.archiveProject);
    },
  },
  {
    method: 'GET',
    path: `${PROJECT}/api_keys`,
    beta: false,
    async handle({ params, query, run }) {
      const page = adminPage(query);
      const data = await run(ListProjectApiKeysDocument, {
        projectId: params.project_id,
        ...page,
      });
      return serializeList(data.project.apiKeys, serializeProjectApiKey, page);
    },
  },
  {
    method: 'GET',
    path: `${PROJECT}/api_keys/:key_id`,
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetProjectApiKeyDocument, {
        projectId: params.project_id,
        id: params.key_id,
      });
      return serializeProjectApiKey(data.project.apiKey);
    },
  },
  {
    method: 'DELETE',
    path: `${PROJECT}/api_keys/:key_id`,
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteProjectApiKeyDocument, {
        projectId: params.project_id,
        id: params.key_id,
      });
      return serializeDeleted('organization.project.api_key.deleted', data.deleteProjectApiKey);
    },
  },
  {
    method: 'GET',
    path: `${PROJECT}/service_accounts`,
    beta: false,
    async handle({ params, query, run }) {
      const page = adminPage(query);
      const data = await run(ListServiceAccountsDocument, {
        projectId: params.project_id,
        ...page,
      });
      return serializeList(data.project.serviceAccounts, serializeServiceAccount, page);
    },
  },
  {
    method: 'POST',
    path: `${PROJECT}/service_accounts`,
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(CreateServiceAccountDocument, {
        projectId: params.project_id,
        input: { name: body.name, createServiceAccountOnly: body.create_service_account_only },
      });
      const { serviceAccount, apiKey } = data.createServiceAccount;
      return {
        ...serializeServiceAccount(serviceAccount),
        api_key: apiKey ? serializeServiceAccountApiKey(apiKey) : null,
      };
    },
  },
  {
    method: 'GET',
    path: `${PROJECT}/service_accounts/:service_account_id`,
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetServiceAccountDocument, {
        projectId: params.project_id,
        id: params.service_account_id,
      });
      return serializeServiceAccount(data.project.serviceAccount);
    },
  },
  {
    method: 'POST',
    path: `${PROJECT}/service_accounts/:service_account_id`,
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(UpdateServiceAccountDocument, {
        projectId: params.project_id,
        id: params.service_account_id,
        input: { name: body.name, role: body.role },
      });
      return serializeServiceAccount(data.updateServiceAccount);
    },
  },
  {
    method: 'DELETE',
    path: `${PROJECT}/service_accounts/:service_account_id`,
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteServiceAccountDocument, {
        projectId: params.project_id,
        id: params.service_account_id,
      });
      return serializeDeleted(
        'organization.project.service_account.deleted',
        data.deleteServiceAccount,
      );
    },
  },
  {
    method: 'POST',
    path: `${PROJECT}/service_accounts/:service_account_id/api_keys`,
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(CreateServiceAccountApiKeyDocument, {
        projectId: params.project_id,
        id: params.service_account_id,
        input: { name: body.name },
      });
      return serializeServiceAccountApiKey(data.createServiceAccountApiKey);
    },
  },
];
