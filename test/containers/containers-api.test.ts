import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { sweepExpiredContainers } from '../../src/services/containers/container-expiry.js';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { uploadFile } from '../setup/factories.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let t: TestApp;
useTestApp({}, (started) => {
  t = started;
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

async function storageKeys(containerId: string): Promise<string[]> {
  const rows = await t.deps.db.containerFile.findMany({
    where: { containerId },
    select: { storageKey: true },
  });
  return rows.flatMap((row) => (row.storageKey === null ? [] : [row.storageKey]));
}

describe('containers', () => {
  it('create (with files), retrieve, list and delete, spec-valid', async () => {
    const source = await uploadFile(t, 'notes.txt', 'hello container');
    const { openai } = t;
    const created = await openai.containers.create({
      name: 'Analysis',
      file_ids: [source.id],
      expires_after: { anchor: 'last_active_at', minutes: 5 },
      memory_limit: '4g',
    });
    expectResponsesSpec('ContainerResource', created);
    expect(created).toMatchObject({
      object: 'container',
      name: 'Analysis',
      status: 'running',
      expires_after: { anchor: 'last_active_at', minutes: 5 },
      memory_limit: '4g',
    });
    expect(created.id).toMatch(/^cntr_/);
    expect(created.last_active_at).toBe(created.created_at);

    const fetched = await openai.containers.retrieve(created.id);
    expectResponsesSpec('ContainerResource', fetched);
    expect(fetched).toEqual(created);

    const files = await openai.containers.files.list(created.id);
    expect(files.data).toHaveLength(1);
    const [copy] = files.data;
    expectResponsesSpec('ContainerFileResource', copy);
    expect(copy).toMatchObject({
      object: 'container.file',
      container_id: created.id,
      path: '/mnt/data/notes.txt',
      bytes: 15,
      source: 'user',
    });
    const content = await openai.containers.files.content.retrieve(copy?.id ?? '', {
      container_id: created.id,
    });
    expect(await content.text()).toBe('hello container');

    const defaults = await openai.containers.create({ name: 'Defaults' });
    expect(defaults.expires_after).toEqual({ anchor: 'last_active_at', minutes: 20 });
    expect(defaults.memory_limit).toBe('1g');

    const raw = await t.rest('/containers?limit=1');
    const page = await raw.json();
    expectResponsesSpec('ContainerListResource', page);
    expect(page).toMatchObject({ first_id: defaults.id, last_id: defaults.id, has_more: true });
    const next = await openai.containers.list({ limit: 1, after: defaults.id });
    expect(next.data.map((container) => container.id)).toEqual([created.id]);
    const named = await openai.containers.list({ name: 'Analysis' } as never);
    expect(named.data.map((container) => container.id)).toEqual([created.id]);

    const keys = await storageKeys(created.id);
    expect(keys).toHaveLength(1);
    const deleted = await t.rest(`/containers/${created.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({
      id: created.id,
      object: 'container.deleted',
      deleted: true,
    });
    expect(await t.deps.storage.head(keys[0] ?? '')).toBeNull();
    expect((await apiError(openai.containers.retrieve(created.id))).status).toBe(404);
    expect((await apiError(openai.containers.delete(created.id))).status).toBe(404);
    // The File it was copied from is untouched.
    expect((await openai.files.retrieve(source.id)).id).toBe(source.id);
  });

  it('files: upload (byte-exact), copy from file_id, list, retrieve and delete', async () => {
    const { openai } = t;
    const container = await openai.containers.create({ name: 'Files' });
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, index) => index % 256));
    const uploaded = await openai.containers.files.create(container.id, {
      file: await toFile(bytes, 'data.bin'),
    });
    expectResponsesSpec('ContainerFileResource', uploaded);
    expect(uploaded).toMatchObject({ path: '/mnt/data/data.bin', bytes: 3000, source: 'user' });
    expect(uploaded.id).toMatch(/^cfile_/);
    const content = await openai.containers.files.content.retrieve(uploaded.id, {
      container_id: container.id,
    });
    expect(Buffer.from(await content.arrayBuffer())).toEqual(bytes);

    const source = await uploadFile(t, 'table.csv', 'a,b\n1,2\n');
    const copied = await openai.containers.files.create(container.id, { file_id: source.id });
    expectResponsesSpec('ContainerFileResource', copied);
    expect(copied).toMatchObject({ path: '/mnt/data/table.csv', bytes: 8, source: 'user' });

    const listed = await openai.containers.files.list(container.id, { order: 'asc' });
    expect(listed.data.map((file) => file.id)).toEqual([uploaded.id, copied.id]);
    const raw = await t.rest(`/containers/${container.id}/files?limit=1`);
    expectResponsesSpec('ContainerFileListResource', await raw.json());
    const fetched = await openai.containers.files.retrieve(copied.id, {
      container_id: container.id,
    });
    expect(fetched).toEqual(copied);

    const deleted = await t.rest(`/containers/${container.id}/files/${uploaded.id}`, {
      method: 'DELETE',
    });
    expect(await deleted.json()).toEqual({
      id: uploaded.id,
      object: 'container.file.deleted',
      deleted: true,
    });
    const gone = await apiError(
      openai.containers.files.retrieve(uploaded.id, { container_id: container.id }),
    );
    expect(gone.status).toBe(404);
    expect((await openai.containers.files.list(container.id)).data).toHaveLength(1);
    // The same name again replaces the file at that path.
    const again = await openai.containers.files.create(container.id, {
      file: await toFile(Buffer.from('new'), 'table.csv'),
    });
    const after = await openai.containers.files.list(container.id);
    expect(after.data.map((file) => file.id)).toEqual([again.id]);
  });

  it('expires after its window: status expired, files refused, bytes removed by the sweep', async () => {
    const { openai } = t;
    const container = await openai.containers.create({
      name: 'Short',
      expires_after: { anchor: 'last_active_at', minutes: 1 },
    });
    const file = await openai.containers.files.create(container.id, {
      file: await toFile(Buffer.from('soon gone'), 'x.txt'),
    });
    const touched = await openai.containers.retrieve(container.id);
    expect(touched.last_active_at).toBeGreaterThanOrEqual(container.last_active_at ?? 0);

    await t.deps.db.container.update({
      where: { id: container.id },
      data: { lastActiveAt: minutesAgo(2) },
    });
    const expired = await openai.containers.retrieve(container.id);
    expectResponsesSpec('ContainerResource', expired);
    expect(expired.status).toBe('expired');

    const refused = await apiError(
      openai.containers.files.create(container.id, {
        file: await toFile(Buffer.from('late'), 'late.txt'),
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.error).toEqual({
      message: 'Container is expired.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });

    const [key] = await storageKeys(container.id);
    const swept = await sweepExpiredContainers(t.deps);
    expect(swept.expired).toContain(container.id);
    expect(await t.deps.storage.head(key ?? '')).toBeNull();
    expect((await openai.containers.retrieve(container.id)).status).toBe('expired');
    const download = await apiError(
      openai.containers.files.content.retrieve(file.id, { container_id: container.id }),
    );
    expect(download.status).toBe(400);
    expect(download.message).toContain('Container is expired.');
    // Listing still shows what it held.
    expect((await openai.containers.files.list(container.id)).data).toHaveLength(1);
  });

  it('a use moves last_active_at on', async () => {
    const { openai } = t;
    const container = await openai.containers.create({ name: 'Active' });
    await t.deps.db.container.update({
      where: { id: container.id },
      data: { lastActiveAt: minutesAgo(10) },
    });
    const before = await openai.containers.retrieve(container.id);
    await openai.containers.files.create(container.id, {
      file: await toFile(Buffer.from('use'), 'use.txt'),
    });
    const after = await openai.containers.retrieve(container.id);
    expect((after.last_active_at ?? 0) - (before.last_active_at ?? 0)).toBeGreaterThanOrEqual(590);
    expect(after.status).toBe('running');
  });

  it('answers 404 for another project’s container, everywhere', async () => {
    const container = await t.openai.containers.create({ name: 'Mine' });
    const file = await t.openai.containers.files.create(container.id, {
      file: await toFile(Buffer.from('secret'), 's.txt'),
    });
    const { apiKey } = await t.createOtherProject();
    const stranger = t.client(apiKey);
    for (const attempt of [
      () => stranger.containers.retrieve(container.id),
      () => stranger.containers.delete(container.id),
      () => stranger.containers.files.list(container.id),
      () => stranger.containers.files.retrieve(file.id, { container_id: container.id }),
      () => stranger.containers.files.content.retrieve(file.id, { container_id: container.id }),
      () => stranger.containers.files.delete(file.id, { container_id: container.id }),
      () =>
        stranger.containers.files.create(container.id, {
          file: new File([Buffer.from('x')], 'x.txt'),
        }),
    ]) {
      const error = await apiError(attempt());
      expect(error.status).toBe(404);
      expect(error.message).toBe(`404 Container with id '${container.id}' not found.`);
    }
    expect((await stranger.containers.list()).data).toEqual([]);
    expect((await t.openai.containers.retrieve(container.id)).id).toBe(container.id);
  });

  it('refuses bad input in OpenAI’s envelope, keeping nothing', async () => {
    const { openai } = t;
    const before = await t.deps.db.container.count();
    const cases: [() => Promise<unknown>, string, string | null][] = [
      [() => openai.containers.create({} as never), "Missing required parameter: 'name'.", 'name'],
      [
        () => openai.containers.create({ name: 'x', memory_limit: '2g' as never }),
        "Invalid 'memory_limit'",
        'memory_limit',
      ],
      [
        () =>
          openai.containers.create({
            name: 'x',
            expires_after: { anchor: 'created_at' as never, minutes: 5 },
          }),
        "Invalid 'expires_after.anchor'",
        'expires_after.anchor',
      ],
      [
        () => openai.containers.create({ name: 'x', file_ids: ['file-missing'] }),
        "Invalid 'file_ids': no file found with id 'file-missing'.",
        'file_ids',
      ],
      [
        () => openai.containers.create({ name: 'x', colour: 'red' } as never),
        "Unknown parameter: 'colour'.",
        'colour',
      ],
    ];
    for (const [attempt, message, param] of cases) {
      const error = await apiError(attempt());
      expect(error.status).toBe(400);
      expect(error.message).toContain(message);
      expect(error.param).toBe(param);
    }
    expect(await t.deps.db.container.count()).toBe(before);

    const container = await openai.containers.create({ name: 'Bad files' });
    const neither = await apiError(openai.containers.files.create(container.id, {}));
    expect(neither.status).toBe(400);
    expect(neither.param).toBe('file');
    const unknownFile = await apiError(
      openai.containers.files.create(container.id, { file_id: 'file-nope' }),
    );
    expect(unknownFile.status).toBe(400);
    expect(unknownFile.param).toBe('file_id');
    expect((await apiError(openai.containers.retrieve('cntr_nope'))).status).toBe(404);
    expect(
      (
        await apiError(
          openai.containers.files.retrieve('cfile_nope', { container_id: container.id }),
        )
      ).status,
    ).toBe(404);
    expect((await openai.containers.files.list(container.id)).data).toEqual([]);
  });

  it('over GraphQL: createContainer, the Container node with its files, deleteContainer', async () => {
    const created = await t.graphql<{ createContainer: { id: string; status: string } }>(
      `mutation { createContainer(input: { name: "Graph", expiresAfter: { anchor: "last_active_at", minutes: 3 } }) { id status } }`,
    );
    const id = created.data?.createContainer.id ?? '';
    expect(id).toMatch(/^cntr_/);
    expect(created.data?.createContainer.status).toBe('running');
    await t.openai.containers.files.create(id, {
      file: await toFile(Buffer.from('graph'), 'g.txt'),
    });
    const read = await t.graphql<{
      node: { __typename: string; expiresAfterMinutes: number; files: { edges: unknown[] } };
    }>(
      `query ($id: ID!) { node(id: $id) { __typename ... on Container { expiresAfterMinutes
        files { edges { node { path source bytes contentUrl } } } } } }`,
      { id },
    );
    expect(read.data?.node).toMatchObject({
      __typename: 'Container',
      expiresAfterMinutes: 3,
      files: { edges: [{ node: { path: '/mnt/data/g.txt', source: 'user', bytes: 5 } }] },
    });
    const { apiKey } = await t.createOtherProject();
    const hidden = await t.graphql<{ node: unknown }>(
      'query ($id: ID!) { node(id: $id) { id } }',
      { id },
      { apiKey },
    );
    expect(hidden.data?.node).toBeNull();
    const deleted = await t.graphql<{ deleteContainer: { deleted: boolean } }>(
      'mutation ($id: ID!) { deleteContainer(id: $id) { deleted } }',
      { id },
    );
    expect(deleted.data?.deleteContainer.deleted).toBe(true);
  });
});
