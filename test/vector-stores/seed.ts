import { newId } from '../../src/ids.js';
import { DEFAULT_PROJECT_ID } from '../../src/services/auth/projects.js';
import type { TestApp } from '../setup/app.js';

/**
 * A File row in `projectId`, for tests of attaching files that never index them (the app runs
 * without a worker there): only the row's existence matters.
 */
export async function seedFile(
  t: TestApp,
  projectId = DEFAULT_PROJECT_ID,
  filename = 'notes.txt',
): Promise<string> {
  const file = await t.deps.db.file.create({
    data: {
      id: newId('file'),
      projectId,
      filename,
      purpose: 'assistants',
      bytes: 5n,
      mimeType: 'text/plain',
      storageKey: `test/${filename}`,
    },
  });
  return file.id;
}
