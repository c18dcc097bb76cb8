// Prisma CLI config. `engine: 'js'` makes the CLI use its bundled wasm schema engine through the
// pg driver adapter: Prisma 6's native engine is a download, and these machines are offline.
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// `prisma generate` never connects, but an unresolved env("DATABASE_URL") makes the CLI fall back
// to downloading the native query engine. A placeholder keeps generate offline.
process.env.DATABASE_URL ??= 'postgresql://unset.invalid/generate-only';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) {
      throw new Error('DATABASE_URL must be set for Prisma CLI commands that touch a database');
    }
    return new PrismaPg({ connectionString });
  },
});
