import { serializeAdminApiKey } from '../admin-serializers.js';
import {
  CreateAdminApiKeyDocument,
  DeleteAdminApiKeyDocument,
  GetAdminApiKeyDocument,
  ListAdminApiKeysDocument,
} from '../generated/operations.js';
import { adminPage } from '../list.js';
import type { Route } from '../router.js';
import { serializeDeleted, serializeList } from '../serializers.js';

export const adminApiKeyRoutes: Route[] = [
  {
    method: 'GET',
    path: '/organization/admin_api_keys',
    beta: false,
    async handle({ query, run }) {
      const page = adminPage(query);
      const data = await run(ListAdminApiKeysDocument, page);
      return serializeList(data.adminApiKeys, serializeAdminApiKey, page);
    },
  },
  {
    method: 'POST',
    path: '/organization/admin_api_keys',
    beta: false,
    async handle({ body, run }) {
      const data = await run(CreateAdminApiKeyDocument, {
        input: { name: body.name, expiresInSeconds: body.expires_in_seconds },
      });
      const { value, apiKey } = data.createAdminApiKey;
      return { ...serializeAdminApiKey(apiKey), value };
    },
  },
  {
    method: 'GET',
    path: '/organization/admin_api_keys/:key_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetAdminApiKeyDocument, { id: params.key_id });
      return serializeAdminApiKey(data.adminApiKey);
    },
  },
  {
    method: 'DELETE',
    path: '/organization/admin_api_keys/:key_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteAdminApiKeyDocument, { id: params.key_id });
      return serializeDeleted('organization.admin_api_key.deleted', data.deleteAdminApiKey);
    },
  },
];
