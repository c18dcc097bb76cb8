import { parseArgs } from 'node:util';
import { createDeps } from './deps.js';
import { EnvError, parseEnv } from './env.js';
import { createLogger } from './logger.js';
import { createApiKey } from './services/auth/api-keys.js';
import { createProject, DEFAULT_PROJECT_ID, listProjects } from './services/auth/projects.js';

const USAGE = `Usage:
  npm run cli -- project:create <name>              create a project, print its id and first key
  npm run cli -- key:create [--project ID] [--name N]  create a key (default project if omitted)
  npm run cli -- projects                           list projects`;

/** Administration from the shell: projects and API keys (keys are printed once, stored hashed). */
async function cli(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { project: { type: 'string' }, name: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  if (!command || !['project:create', 'key:create', 'projects'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const env = parseEnv();
  const deps = await createDeps(env, createLogger('warn'));
  try {
    if (command === 'project:create') {
      const name = rest.join(' ').trim();
      if (!name) {
        throw new EnvError('project:create needs a name');
      }
      const project = await createProject(deps.db, { name });
      const key = await createApiKey(deps.db, { projectId: project.id, name: values.name ?? null });
      process.stdout.write(`project ${project.id}\nkey     ${key.key}\n`);
    } else if (command === 'key:create') {
      const projectId = values.project ?? DEFAULT_PROJECT_ID;
      const project = await deps.db.project.findUnique({ where: { id: projectId } });
      if (!project) {
        throw new EnvError(`No project with id '${projectId}'`);
      }
      const key = await createApiKey(deps.db, { projectId, name: values.name ?? null });
      process.stdout.write(`${key.key}\n`);
    } else {
      for (const project of await listProjects(deps.db)) {
        process.stdout.write(`${project.id}\t${project.name}\t${project._count.apiKeys} key(s)\n`);
      }
    }
  } finally {
    await deps.close();
  }
}

cli().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
