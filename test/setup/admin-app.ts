import OpenAI from 'openai';
import { type AppWithUpstream, useAppWithUpstream } from './app-with-upstream.js';

/** The app over a scripted upstream for this file, and an SDK client holding its admin key. */
export function useAdminApp(use: (app: AppWithUpstream, admin: OpenAI) => void): void {
  useAppWithUpstream({}, (started) => {
    use(
      started,
      new OpenAI({
        adminAPIKey: started.t.apiKey,
        baseURL: `${started.t.baseUrl}/v1`,
        maxRetries: 0,
      }),
    );
  });
}

/** A project of its own with a service account, and an SDK client holding that account's key. */
export interface Tenant {
  projectId: string;
  keyId: string;
  client: OpenAI;
}

export async function createTenant(
  app: AppWithUpstream,
  admin: OpenAI,
  name: string,
): Promise<Tenant> {
  const project = await admin.admin.organization.projects.create({ name });
  const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
    name,
  });
  const key = account.api_key;
  if (!key) {
    throw new Error('no key');
  }
  return { projectId: project.id, keyId: key.id, client: app.t.client(key.value) };
}
