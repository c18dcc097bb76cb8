// Prints the GraphQL schema to schema.graphql; with --check, fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { getSchema } from '../src/graphql/schema.js';

const target = new URL('../schema.graphql', import.meta.url);
const header = '# DO NOT EDIT: generated from the Pothos schema by `npm run schema:print`.\n\n';
const printed = header + printSchema(lexicographicSortSchema(getSchema()));

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== printed) {
    console.error('schema.graphql is stale: run `npm run schema:print` and commit the result.');
    process.exit(1);
  }
  console.log('schema.graphql is up to date.');
} else {
  await writeFile(target, printed);
  console.log('wrote schema.graphql');
}
