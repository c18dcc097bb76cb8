import type {
  ApiKeyFieldsFragment,
  CreatedApiKeyFieldsFragment,
  ProjectFieldsFragment,
  ServiceAccountFieldsFragment,
} from './generated/operations.js';

type Json = Record<string, unknown>;

export function serializeProject(project: ProjectFieldsFragment): Json {
  return {
    id: project.id,
    object: 'organization.project',
    name: project.name,
    created_at: project.createdAt,
    archived_at: project.archivedAt,
    status: project.status,
    external_key_id: null,
  };
}

export function serializeServiceAccount(account: ServiceAccountFieldsFragment): Json {
  return {
    object: 'organization.project.service_account',
    id: account.id,
    name: account.name,
    role: account.role,
    created_at: account.createdAt,
  };
}

/** A project key. There are no users here: a key without a service account is the operator's. */
export function serializeProjectApiKey(key: ApiKeyFieldsFragment): Json {
  const account = key.serviceAccount;
  return {
    object: 'organization.project.api_key',
    id: key.id,
    name: key.name ?? '',
    redacted_value: key.redactedValue,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
    owner_project_access: key.project.status === 'active' ? 'active' : 'inactive',
    owner: account
      ? {
          type: 'service_account',
          service_account: {
            id: account.id,
            name: account.name,
            created_at: account.createdAt,
            role: account.role,
          },
        }
      : { type: 'user' },
  };
}

export function serializeAdminApiKey(key: ApiKeyFieldsFragment): Json {
  return {
    object: 'organization.admin_api_key',
    id: key.id,
    name: key.name,
    redacted_value: key.redactedValue,
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    last_used_at: key.lastUsedAt,
    // Keys are not owned by users here; every admin key has the owner's powers.
    owner: { type: 'user', object: 'organization.user', role: 'owner' },
  };
}

/** A service account's new key: the one answer that holds its secret. */
export function serializeServiceAccountApiKey(created: CreatedApiKeyFieldsFragment): Json {
  return {
    object: 'organization.project.service_account.api_key',
    value: created.value,
    name: created.apiKey.name ?? '',
    created_at: created.apiKey.createdAt,
    id: created.apiKey.id,
  };
}
