import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { statusWithin } from '../setup/key-status.js';
import { expectAdminSpec } from '../setup/openapi.js';

let t: TestApp;
let admin: OpenAI;
useTestApp({ worker: false }, (app) => {
  t = app;
  admin = adminClient(app.apiKey);
});

function adminClient(key: string): OpenAI {
  return new OpenAI({ adminAPIKey: key, baseURL: `${t.baseUrl}/v1`, maxRetries: 0 });
}

async function projectWithKey(name: string) {
  const project = await admin.admin.organization.projects.create({ name });
  const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
    name: `${name} app`,
  });
  const value = account.api_key?.value;
  if (!value) {
    throw new Error('no key returned');
  }
  return { project, account, value };
}

describe('projects over the Admin API (official SDK)', () => {
  it('are created, listed, retrieved, renamed and archived in OpenAI’s shapes', async () => {
    const projects = admin.admin.organization.projects;
    const created = await projects.create({ name: 'Billing app' });
    expectAdminSpec('Project', created);
    expect(created).toMatchObject({
      object: 'organization.project',
      name: 'Billing app',
      status: 'active',
      archived_at: null,
    });
    expect(created.id).toMatch(/^proj_/);

    const page = await projects.list({ limit: 100 });
    expect(page.data.map((project) => project.id)).toEqual(
      expect.arrayContaining(['proj_default', created.id]),
    );

    const renamed = await projects.update(created.id, { name: 'Invoices app' });
    expectAdminSpec('Project', renamed);
    expect((await projects.retrieve(created.id)).name).toBe('Invoices app');

    const archived = await projects.archive(created.id);
    expectAdminSpec('Project', archived);
    expect(archived.status).toBe('archived');
    expect(archived.archived_at).toEqual(expect.any(Number));
    const active = await projects.list({ limit: 100 });
    expect(active.data.map((project) => project.id)).not.toContain(created.id);
    const all = await t.rest('/organization/projects?include_archived=true&limit=100', {
      beta: false,
    });
    const body = (await all.json()) as { data: { id: string }[] };
    expectAdminSpec('ProjectListResponse', body);
    expect(body.data.map((project) => project.id)).toContain(created.id);
  });

  it('page with limit and after, oldest first', async () => {
    const names = ['page a', 'page b', 'page c'];
    const made = [];
    for (const name of names) {
      made.push(await admin.admin.organization.projects.create({ name }));
    }
    const seen: string[] = [];
    for await (const project of admin.admin.organization.projects.list({ limit: 2 })) {
      seen.push(project.id);
    }
    const positions = made.map((project) => seen.indexOf(project.id));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('refuse what cannot be: an unknown project (404), no name (400), archiving the default (400)', async () => {
    const projects = admin.admin.organization.projects;
    expect((await apiError(projects.retrieve('proj_nope'))).status).toBe(404);
    const missing = await apiError(projects.create({} as { name: string }));
    expect(missing.status).toBe(400);
    expect(missing.param).toBe('name');
    expect((await apiError(projects.archive('proj_default'))).status).toBe(400);
  });
});

describe('service accounts and project keys', () => {
  it('give a key that works in its project and sees nothing of another (404)', async () => {
    const { value, account } = await projectWithKey('Tenant A');
    expectAdminSpec('ProjectServiceAccountCreateResponse', account);
    expect(account.api_key?.value).toMatch(/^sk-proj-/);
    const ownAssistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const tenant = t.client(value);
    const mine = await tenant.beta.assistants.create({ model: 'gpt-4o', name: 'mine' });
    expect((await tenant.beta.assistants.list()).data.map((a) => a.id)).toEqual([mine.id]);
    expect((await apiError(tenant.beta.assistants.retrieve(ownAssistant.id))).status).toBe(404);
    expect((await apiError(t.openai.beta.assistants.retrieve(mine.id))).status).toBe(404);
  });

  it('are refused on the Admin API with 403, in OpenAI’s envelope', async () => {
    const { value, project } = await projectWithKey('Tenant B');
    const asTenant = adminClient(value);
    const refused = await apiError(asTenant.admin.organization.projects.list());
    expect(refused.status).toBe(403);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((await apiError(asTenant.admin.organization.adminAPIKeys.list())).status).toBe(403);
    expect(
      (await apiError(asTenant.admin.organization.projects.apiKeys.list(project.id))).status,
    ).toBe(403);
    // No key at all is a 401.
    const anonymous = await t.rest('/organization/projects', { apiKey: null, beta: false });
    expect(anonymous.status).toBe(401);
  });

  it('are listed redacted, with last_used_at once used', async () => {
    const { value, project, account } = await projectWithKey('Tenant C');
    const keys = admin.admin.organization.projects.apiKeys;
    const before = await keys.list(project.id);
    expect(before.data).toHaveLength(1);
    const [listed] = before.data;
    expectAdminSpec('ProjectApiKey', listed);
    expect(listed?.last_used_at).toBeNull();
    expect(listed?.redacted_value).toBe(`${value.slice(0, 8)}...${value.slice(-4)}`);
    expect(JSON.stringify(before.data)).not.toContain(value);
    expect(listed?.owner).toMatchObject({
      type: 'service_account',
      service_account: { id: account.id, name: 'Tenant C app' },
    });
    const response = await t.rest(`/organization/projects/${project.id}/api_keys`, {
      beta: false,
    });
    expectAdminSpec('ProjectApiKeyListResponse', await response.json());

    expect((await t.rest('/assistants', { apiKey: value })).status).toBe(200);
    const retrieved = await keys.retrieve(listed?.id ?? '', { project_id: project.id });
    expectAdminSpec('ProjectApiKey', retrieved);
    expect(retrieved.last_used_at).toEqual(expect.any(Number));
    // Another project's key id is not found under this project.
    expect(
      (await apiError(keys.retrieve(listed?.id ?? '', { project_id: 'proj_default' }))).status,
    ).toBe(404);
  });

  it('stop working at once when deleted, when their account is deleted, or the project archived', async () => {
    const first = await projectWithKey('Tenant D');
    const second = await admin.admin.organization.projects.serviceAccounts.apiKeys.create(
      first.account.id,
      { project_id: first.project.id, name: 'second' },
    );
    expectAdminSpec('ServiceAccountApiKeyBody', second);
    const third = await admin.admin.organization.projects.serviceAccounts.apiKeys.create(
      first.account.id,
      { project_id: first.project.id, name: 'third' },
    );
    for (const key of [first.value, second.value, third.value]) {
      expect((await t.rest('/assistants', { apiKey: key })).status).toBe(200);
    }
    const deleted = await admin.admin.organization.projects.apiKeys.delete(second.id, {
      project_id: first.project.id,
    });
    expectAdminSpec('ProjectApiKeyDeleteResponse', deleted);
    expect(await statusWithin(t, second.value, 401, 1000)).toBe(401);
    expect((await t.rest('/assistants', { apiKey: first.value })).status).toBe(200);

    await admin.admin.organization.projects.archive(first.project.id);
    expect(await statusWithin(t, first.value, 401, 1000)).toBe(401);
    expect(await statusWithin(t, third.value, 401, 1000)).toBe(401);
    const listed = await admin.admin.organization.projects.apiKeys.list(first.project.id);
    expect(listed.data.map((key) => key.owner_project_access)).toEqual(['inactive', 'inactive']);

    const other = await projectWithKey('Tenant E');
    expect((await t.rest('/assistants', { apiKey: other.value })).status).toBe(200);
    const gone = await admin.admin.organization.projects.serviceAccounts.delete(other.account.id, {
      project_id: other.project.id,
    });
    expectAdminSpec('ProjectServiceAccountDeleteResponse', gone);
    expect(await statusWithin(t, other.value, 401, 1000)).toBe(401);
  });

  it('are listed, retrieved and renamed as service accounts', async () => {
    const { project, account } = await projectWithKey('Tenant F');
    const accounts = admin.admin.organization.projects.serviceAccounts;
    const page = await accounts.list(project.id);
    const response = await t.rest(`/organization/projects/${project.id}/service_accounts`, {
      beta: false,
    });
    expectAdminSpec('ProjectServiceAccountListResponse', await response.json());
    expect(page.data.map((item) => item.id)).toEqual([account.id]);
    const retrieved = await accounts.retrieve(account.id, { project_id: project.id });
    expectAdminSpec('ProjectServiceAccount', retrieved);
    expect(retrieved.role).toBe('member');
    const renamed = await accounts.update(account.id, {
      project_id: project.id,
      name: 'Tenant F worker',
      role: 'owner',
    });
    expectAdminSpec('ProjectServiceAccount', renamed);
    expect(renamed).toMatchObject({ name: 'Tenant F worker', role: 'owner' });
    const bare = await accounts.create(project.id, {
      name: 'no key',
      create_service_account_only: true,
    });
    expectAdminSpec('ProjectServiceAccountCreateResponse', bare);
    expect(bare).toMatchObject({ role: 'none', api_key: null });
    expect(
      (await apiError(accounts.retrieve(account.id, { project_id: 'proj_default' }))).status,
    ).toBe(404);
  });
});

describe('admin API keys', () => {
  it('are created (secret once), listed redacted, retrieved, and revoked at once', async () => {
    const keys = admin.admin.organization.adminAPIKeys;
    const created = await keys.create({ name: 'ops', expires_in_seconds: 3600 });
    expectAdminSpec('AdminApiKeyCreateResponse', created);
    expect(created.value).toMatch(/^sk-admin-/);
    expect(created.expires_at).toBeGreaterThan(created.created_at);
    const asNew = adminClient(created.value);
    expect((await asNew.admin.organization.projects.list()).data.length).toBeGreaterThan(0);

    const page = await t.rest('/organization/admin_api_keys', { beta: false });
    const body = (await page.json()) as { data: { id: string; redacted_value: string }[] };
    expectAdminSpec('ApiKeyList', body);
    expect(body.data.map((key) => key.id)).toContain(created.id);
    expect(JSON.stringify(body)).not.toContain(created.value);
    const retrieved = await keys.retrieve(created.id);
    expectAdminSpec('AdminApiKey', retrieved);
    expect(retrieved.last_used_at).toEqual(expect.any(Number));

    const deleted = await keys.delete(created.id);
    expect(deleted).toEqual({
      id: created.id,
      object: 'organization.admin_api_key.deleted',
      deleted: true,
    });
    expect(await statusWithin(t, created.value, 401, 1000)).toBe(401);
    expect((await apiError(keys.retrieve(created.id))).status).toBe(404);
    // A project key's id is no admin key.
    const { project } = await projectWithKey('Tenant G');
    const [projectKey] = (await admin.admin.organization.projects.apiKeys.list(project.id)).data;
    expect((await apiError(keys.retrieve(projectKey?.id ?? ''))).status).toBe(404);
  });

  it('refuse an expiry out of OpenAI’s bounds', async () => {
    const refused = await apiError(
      admin.admin.organization.adminAPIKeys.create({ name: 'x', expires_in_seconds: 0 }),
    );
    expect(refused.status).toBe(400);
    expect(refused.param).toBe('expires_in_seconds');
  });
});
