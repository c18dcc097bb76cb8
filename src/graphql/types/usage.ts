import {
  queryUsage,
  USAGE_GROUPS,
  USAGE_KINDS,
  type UsageBucket,
  type UsagePage,
  type UsageResult,
} from '../../services/admin/usage.js';
import { builder } from '../builder.js';

const UsageKind = builder.enumType('UsageKind', {
  description: 'Which upstream calls: chat completions (runs) or embeddings.',
  values: USAGE_KINDS,
});
const UsageGroup = builder.enumType('UsageGroupBy', { values: USAGE_GROUPS });

const UsageResultRef = builder.objectRef<UsageResult>('UsageResult').implement({
  description: 'Sums over one group of a bucket. A field not grouped by is null.',
  fields: (t) => ({
    projectId: t.exposeString('projectId', { nullable: true }),
    apiKeyId: t.exposeString('apiKeyId', { nullable: true }),
    model: t.exposeString('model', { nullable: true }),
    inputTokens: t.exposeInt('inputTokens'),
    inputCachedTokens: t.exposeInt('inputCachedTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    numModelRequests: t.exposeInt('numModelRequests', { description: 'Upstream calls.' }),
  }),
});

const UsageBucketRef = builder.objectRef<UsageBucket>('UsageBucket').implement({
  description: 'One time bucket; empty buckets of the page are listed too.',
  fields: (t) => ({
    startTime: t.exposeInt('startTime', { description: 'Unix seconds, inclusive.' }),
    endTime: t.exposeInt('endTime', { description: 'Unix seconds, exclusive.' }),
    results: t.field({ type: [UsageResultRef], resolve: (bucket) => bucket.results }),
  }),
});

const UsagePageRef = builder.objectRef<UsagePage>('UsagePage').implement({
  fields: (t) => ({
    buckets: t.field({ type: [UsageBucketRef], resolve: (page) => page.buckets }),
    hasMore: t.exposeBoolean('hasMore'),
    nextPage: t.exposeString('nextPage', {
      nullable: true,
      description: 'Pass as `page` for the next buckets.',
    }),
  }),
});

builder.queryFields((t) => ({
  usage: t.field({
    type: UsagePageRef,
    description:
      'Metered upstream calls in time buckets (OpenAI’s `/organization/usage/*`), optionally grouped and filtered. The sums equal the `usage` of the runs. Admin keys only.',
    args: {
      kind: t.arg({ type: UsageKind, required: true }),
      startTime: t.arg.int({ required: true, description: 'Unix seconds, inclusive.' }),
      endTime: t.arg.int({ description: 'Unix seconds, exclusive. Default: now.' }),
      bucketWidth: t.arg.string({ description: '1m, 1h or 1d (Default: 1d).' }),
      groupBy: t.arg({ type: [UsageGroup] }),
      projectIds: t.arg.stringList(),
      apiKeyIds: t.arg.stringList(),
      models: t.arg.stringList(),
      limit: t.arg.int({
        description: 'Buckets per page (1d: 7, at most 31; 1h: 24/168; 1m: 60/1440).',
      }),
      page: t.arg.string(),
    },
    resolve: (_root, args, ctx) => queryUsage(ctx, args),
  }),
}));
