import {
  type CodeInterpreterSessionUsageResult,
  queryCodeInterpreterSessionUsage,
  queryVectorStoreUsage,
  TOOL_USAGE_GROUPS,
  type ToolUsagePage,
  type VectorStoreUsageResult,
} from '../../services/admin/tool-usage.js';
import { type BuilderTypes, builder } from '../builder.js';

const ToolUsageGroup = builder.enumType('ToolUsageGroupBy', {
  description: 'Vector store and code interpreter usage group by project only (as OpenAI’s).',
  values: TOOL_USAGE_GROUPS,
});

const VectorStoreUsageResultRef = builder
  .objectRef<VectorStoreUsageResult>('VectorStoreUsageResult')
  .implement({
    description: 'Bytes stored in one group’s vector stores. `projectId` is null unless grouped.',
    fields: (t) => ({
      projectId: t.exposeString('projectId', { nullable: true }),
      usageBytes: t.exposeFloat('usageBytes', {
        description: 'Bytes of the chunks stored at the end of the bucket (now, if not over).',
      }),
    }),
  });

const CodeInterpreterSessionUsageResultRef = builder
  .objectRef<CodeInterpreterSessionUsageResult>('CodeInterpreterSessionUsageResult')
  .implement({
    description: 'Sandbox sessions of one group. `projectId` is null unless grouped.',
    fields: (t) => ({
      projectId: t.exposeString('projectId', { nullable: true }),
      numSessions: t.exposeInt('numSessions', {
        description: 'Sessions started in the bucket: one per run that ran code.',
      }),
    }),
  });

/** A page of buckets of `Result`, named `<name>Page` with `<name>Bucket`s. */
function pageOf<T>(name: string, result: PothosSchemaTypes.ObjectRef<BuilderTypes, T>) {
  type Bucket = ToolUsagePage<T>['buckets'][number];
  const bucket = builder.objectRef<Bucket>(`${name}Bucket`).implement({
    fields: (t) => ({
      startTime: t.exposeInt('startTime', { description: 'Unix seconds, inclusive.' }),
      endTime: t.exposeInt('endTime', { description: 'Unix seconds, exclusive.' }),
      results: t.field({ type: [result], resolve: (parent) => parent.results }),
    }),
  });
  return builder.objectRef<ToolUsagePage<T>>(`${name}Page`).implement({
    fields: (t) => ({
      buckets: t.field({ type: [bucket], resolve: (page) => page.buckets }),
      hasMore: t.exposeBoolean('hasMore'),
      nextPage: t.exposeString('nextPage', {
        nullable: true,
        description: 'Pass as `page` for the next buckets.',
      }),
    }),
  });
}

const VectorStoreUsagePage = pageOf('VectorStoreUsage', VectorStoreUsageResultRef);
const CodeInterpreterSessionUsagePage = pageOf(
  'CodeInterpreterSessionUsage',
  CodeInterpreterSessionUsageResultRef,
);

builder.queryFields((t) => {
  const args = {
    startTime: t.arg.int({ required: true, description: 'Unix seconds, inclusive.' }),
    endTime: t.arg.int({ description: 'Unix seconds, exclusive. Default: now.' }),
    bucketWidth: t.arg.string({ description: '1m, 1h or 1d (Default: 1d).' }),
    groupBy: t.arg({ type: [ToolUsageGroup] }),
    projectIds: t.arg.stringList(),
    limit: t.arg.int({
      description: 'Buckets per page (1d: 7, at most 31; 1h: 24/168; 1m: 60/1440).',
    }),
    page: t.arg.string(),
  };
  return {
    vectorStoreUsage: t.field({
      type: VectorStoreUsagePage,
      description:
        'Bytes stored in vector stores, per time bucket (OpenAI’s `/organization/usage/vector_stores`). Admin keys only.',
      args,
      resolve: (_root, input, ctx) => queryVectorStoreUsage(ctx, input),
    }),
    codeInterpreterSessionUsage: t.field({
      type: CodeInterpreterSessionUsagePage,
      description:
        'Code interpreter sessions started, per time bucket (OpenAI’s `/organization/usage/code_interpreter_sessions`). Admin keys only.',
      args,
      resolve: (_root, input, ctx) => queryCodeInterpreterSessionUsage(ctx, input),
    }),
  };
});
