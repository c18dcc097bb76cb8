import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

const CREATE = `mutation ($name: String!) {
  createProject(input: { name: $name }) { id name status }
}`;
const CREATE_ACCOUNT = `mutation ($projectId: ID!) {
  createServiceAccount(projectId: $projectId, input: { name: "worker" }) {
    serviceAccount { id name role project { id } }
    apiKey { value apiKey { id role redactedValue project { id } } }
  }
}`;

interface Created {
  createServiceAccount: {
    serviceAccount: { id: string };
    apiKey: { value: string; apiKey: { id: string; role: string; redactedValue: string } };
  };
}

async function projectWithKey(name: string) {
  const project = await t.graphql<{ createProject: { id: string } }>(CREATE, { name });
  const projectId = project.data?.createProject.id ?? '';
  const created = await t.graphql<Created>(CREATE_ACCOUNT, { projectId });
  const account = created.data?.createServiceAccount;
  if (!account) {
    throw new Error(JSON.stringify(created.errors));
  }
  return { projectId, account };
}

describe('the control plane over GraphQL', () => {
  it('creates projects and service accounts whose key is returned once and shown redacted after', async () => {
    const { projectId, account } = await projectWithKey('GraphQL tenant');
    expect(account.apiKey.apiKey.role).toBe('project');
    expect(account.apiKey.apiKey.redactedValue).toBe(
      `${account.apiKey.value.slice(0, 8)}...${account.apiKey.value.slice(-4)}`,
    );
    const read = await t.graphql<{
      project: { status: string; apiKeys: { nodes: { id: string; lastUsedAt: number | null }[] } };
    }>(`query ($id: ID!) { project(id: $id) { status apiKeys { nodes { id lastUsedAt } } } }`, {
      id: projectId,
    });
    expect(read.data?.project).toEqual({
      status: 'active',
      apiKeys: { nodes: [{ id: account.apiKey.apiKey.id, lastUsedAt: null }] },
    });
  });

  it('resolves Project, ApiKey and ServiceAccount ids as nodes, for admins', async () => {
    const { projectId, account } = await projectWithKey('Nodes');
    const nodes = await t.graphql<{ nodes: ({ __typename: string; id: string } | null)[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
      { ids: [projectId, account.apiKey.apiKey.id, account.serviceAccount.id] },
    );
    expect(nodes.data?.nodes.map((node) => node?.__typename)).toEqual([
      'Project',
      'ApiKey',
      'ServiceAccount',
    ]);
  });

  it('lets a project key see its own Project node only, and none of the admin-only fields', async () => {
    const { projectId, account } = await projectWithKey('Scoped');
    const apiKey = account.apiKey.value;
    const own = await t.graphql<{ node: { id: string; name: string } | null }>(
      `query ($id: ID!) { node(id: $id) { ... on Project { id name } } }`,
      { id: projectId },
      { apiKey },
    );
    expect(own.data?.node).toEqual({ id: projectId, name: 'Scoped' });
    const others = await t.graphql<{ nodes: unknown[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: ['proj_default', account.apiKey.apiKey.id, account.serviceAccount.id] },
      { apiKey },
    );
    expect(others.data?.nodes).toEqual([null, null, null]);
    const fields = await t.graphql(
      `query ($id: ID!) { node(id: $id) { ... on Project { apiKeys { nodes { id } } } } }`,
      { id: projectId },
      { apiKey },
    );
    expect(fields.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const query of [
      '{ projects { nodes { id } } }',
      '{ adminApiKeys { nodes { id } } }',
      '{ auditLogEntries { nodes { id } } }',
      'mutation { createProject(input: { name: "x" }) { id } }',
    ]) {
      const refused = await t.graphql(query, {}, { apiKey });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('revokes a deleted key and an archived project’s keys at once', async () => {
    const { projectId, account } = await projectWithKey('Revoked');
    const apiKey = account.apiKey.value;
    const query = '{ assistants { nodes { id } } }';
    expect((await t.graphql(query, {}, { apiKey })).errors).toBeUndefined();
    await t.graphql(`mutation ($id: ID!) { archiveProject(id: $id) { status archivedAt } }`, {
      id: projectId,
    });
    const deadline = Date.now() + 1000;
    let code: unknown;
    while (Date.now() < deadline) {
      code = (await t.graphql(query, {}, { apiKey })).errors?.[0]?.extensions?.code;
      if (code === 'UNAUTHENTICATED') {
        break;
      }
      await sleep(20);
    }
    expect(code).toBe('UNAUTHENTICATED');
  });

  it('records admin actions in the audit log, newest first, without secrets', async () => {
    const { projectId, account } = await projectWithKey('Audited');
    await t.graphql(
      `mutation ($projectId: ID!, $id: ID!) { deleteProjectApiKey(projectId: $projectId, id: $id) { deleted } }`,
      { projectId, id: account.apiKey.apiKey.id },
    );
    const log = await t.graphql<{
      auditLogEntries: {
        nodes: { action: string; targetId: string; actorApiKeyId: string | null }[];
      };
    }>('{ auditLogEntries(first: 4) { nodes { action targetId actorApiKeyId details } } }');
    const entries = log.data?.auditLogEntries.nodes ?? [];
    expect(entries.map((entry) => [entry.action, entry.targetId])).toEqual([
      ['api_key.deleted', account.apiKey.apiKey.id],
      ['api_key.created', account.apiKey.apiKey.id],
      ['service_account.created', account.serviceAccount.id],
      ['project.created', projectId],
    ]);
    const adminKey = await t.deps.db.apiKey.findFirstOrThrow({ where: { name: 'API_KEYS' } });
    expect(entries.every((entry) => entry.actorApiKeyId === adminKey.id)).toBe(true);
    expect(JSON.stringify(log)).not.toContain(account.apiKey.value);
  });
});
