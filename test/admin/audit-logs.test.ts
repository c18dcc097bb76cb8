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

  it('filters by effective_at, project_ids, actor_ids and resource_ids, through the SDK and GraphQL', async () => {
    const before = Math.floor(Date.now() / 1000);
    const mine = await admin.admin.organization.projects.create({ name: 'filtered mine' });
    const other = await admin.admin.organization.projects.create({ name: 'filtered other' });
    const account = await admin.admin.organization.projects.serviceAccounts.create(mine.id, {
      name: 'filtered account',
    });
    await admin.admin.organization.projects.update(other.id, { name: 'filtered other 2' });

    const since = { effective_at: { gte: before }, limit: 100 };
    const ofMine = await admin.admin.organization.auditLogs.list({
      ...since,
      project_ids: [mine.id],
    });
    // The project's own entry, its service account's and that account's key's (both name it
    // as `projectId`), not the other project's.
    expect(ofMine.data.map((entry) => entry.type).sort()).toEqual([
      'api_key.created',
      'project.created',
      'service_account.created',
    ]);
    const serviceAccountEntry = ofMine.data.find(
      (entry) => entry.type === 'service_account.created',
    );
    expect(serviceAccountEntry?.['service_account.created']?.id).toBe(account.id);

    const onOther = await admin.admin.organization.auditLogs.list({
      ...since,
      resource_ids: [other.id],
    });
    expect(onOther.data.map((entry) => entry.type)).toEqual(['project.updated', 'project.created']);

    const actorId = onOther.data[0]?.actor?.api_key?.id ?? '';
    expect(actorId).not.toBe('');
    const byActor = await admin.admin.organization.auditLogs.list({
      ...since,
      actor_ids: [actorId],
      resource_ids: [mine.id, other.id],
    });
    expect(byActor.data).toHaveLength(3);
    const byNobody = await admin.admin.organization.auditLogs.list({
      ...since,
      actor_ids: ['key_nobody'],
    });
    expect(byNobody.data).toEqual([]);
    // Admin keys have no email, so an email filter matches nothing.
    const byEmail = await admin.admin.organization.auditLogs.list({
      ...since,
      actor_emails: ['someone@example.com'],
    });
    expect(byEmail.data).toEqual([]);

    // A window ending before the calls sees none of them; a window to now sees them all.
    const tooEarly = await admin.admin.organization.auditLogs.list({
      effective_at: { lt: before },
      resource_ids: [mine.id, other.id],
    });
    expect(tooEarly.data).toEqual([]);
    const now = Math.floor(Date.now() / 1000);
    const upToNow = await admin.admin.organization.auditLogs.list({
      effective_at: { gt: before - 1, lte: now },
      resource_ids: [mine.id, other.id],
    });
    expect(upToNow.data).toHaveLength(3);
    const afterNow = await admin.admin.organization.auditLogs.list({
      effective_at: { gt: now },
      resource_ids: [mine.id, other.id],
    });
    expect(afterNow.data).toEqual([]);

    const graphql = await app.t.graphql<{ auditLogEntries: { nodes: { action: string }[] } }>(
      `query ($projectIds: [String!], $since: UnixTime) {
        auditLogEntries(first: 100, projectIds: $projectIds, effectiveAt: { gte: $since }) {
          nodes { action }
        }
      }`,
      { projectIds: [other.id], since: before },
    );
    expect(graphql.data?.auditLogEntries.nodes.map((node) => node.action)).toEqual([
      'project.updated',
      'project.created',
    ]);
  });

  it('refuses a bad effective_at or filter list with a 400 naming the parameter', async () => {
    const notInteger = await apiError(
      admin.admin.organization.auditLogs.list({ effective_at: { gt: 1.5 } }),
    );
    expect(notInteger.status).toBe(400);
    expect(notInteger.param).toBe('effective_at[gt]');
    expect(notInteger.error).toMatchObject({
      message: "Invalid 'effective_at[gt]': expected an integer, got '1.5'.",
      code: 'invalid_type',
    });

    const unknownBound = await app.t.rest('/organization/audit_logs?effective_at[after]=1', {
      beta: false,
    });
    expect(unknownBound.status).toBe(400);
    expect(await unknownBound.json()).toEqual({
      error: {
        message: "Unknown parameter: 'effective_at[after]'.",
        type: 'invalid_request_error',
        param: 'effective_at[after]',
        code: 'unknown_parameter',
      },
    });

    const flat = await app.t.rest('/organization/audit_logs?effective_at=5', { beta: false });
    expect(flat.status).toBe(400);
    expect(((await flat.json()) as { error: { param: string } }).error.param).toBe('effective_at');

    const nested = await app.t.rest('/organization/audit_logs?project_ids[0][x]=1', {
      beta: false,
    });
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: { param: string } }).error.param).toBe('project_ids');
  });
});
