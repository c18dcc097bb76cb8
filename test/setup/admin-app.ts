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
