import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useAdminApp } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';

let app: AppWithUpstream;
let admin: OpenAI;
useAdminApp((started, adminClient) => {
  app = started;
  admin = adminClient;
});

// admin.openapi.yaml has no audit-log operation; the shape asserted here is the SDK's
// `AuditLogListResponse` (id, type, effective_at, actor, the payload under the type's key).
describe('/v1/organization/audit_logs', () => {
  it('lists admin actions newest first, in OpenAI’s shape, and pages with after', async () => {
    const before = Math.floor(Date.now() / 1000);
    const project = await admin.admin.organization.projects.create({ name: 'audited' });
    await admin.admin.organization.projects.update(project.id, { name: 'audited 2' });
    await admin.admin.organization.projects.archive(project.id);

    const page = await admin.admin.organization.auditLogs.list({ limit: 3 });
    const [archived, updated, created] = page.data;
    expect(page.data.map((entry) => entry.type)).toEqual([
      'project.archived',
      'project.updated',
      'project.created',
    ]);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^audit_/),
      effective_at: expect.any(Number),
      actor: { type: 'api_key', api_key: { id: expect.any(String) } },
      'project.created': { id: project.id, data: expect.objectContaining({ name: 'audited' }) },
    });
    expect(created?.effective_at).toBeGreaterThanOrEqual(before - 1);
    expect(updated?.['project.updated']).toEqual({
      id: project.id,
      changes_requested: expect.objectContaining({ name: 'audited 2' }),
    });
    expect(archived?.['project.archived']?.id).toBe(project.id);

    const raw = await app.t.rest('/organization/audit_logs?limit=2', { beta: false });
    const body = (await raw.json()) as { object: string; has_more: boolean; first_id: string };
    expect(body).toMatchObject({ object: 'list', has_more: true, first_id: archived?.id });

    const next = await admin.admin.organization.auditLogs.list({ limit: 1, after: updated?.id });
    expect(next.data.map((entry) => entry.id)).toEqual([created?.id]);

    const onlyUpdates = await admin.admin.organization.auditLogs.list({
      event_types: ['project.updated', 'project.archived'],
      limit: 2,
    });
    expect(onlyUpdates.data.map((entry) => entry.id)).toEqual([archived?.id, updated?.id]);
    const graphql = await app.t.graphql<{ auditLogEntries: { nodes: { id: string }[] } }>(
      `{ auditLogEntries(first: 1, actions: ["project.created"]) { nodes { id } } }`,
    );
    expect(graphql.data?.auditLogEntries.nodes).toEqual([{ id: created?.id }]);
  });

  it('refuses project keys (403) and a bad limit (400)', async () => {
    const project = await admin.admin.organization.projects.create({ name: 'audit refused' });
    const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
      name: 'x',
    });
    const asProject = new OpenAI({
      adminAPIKey: account.api_key?.value ?? '',
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 0,
    });
    expect((await apiError(asProject.admin.organization.auditLogs.list())).status).toBe(403);
    const badLimit = await apiError(admin.admin.organization.auditLogs.list({ limit: 0 }));
    expect(badLimit.status).toBe(400);
    expect(badLimit.param).toBe('limit');
  });
});
