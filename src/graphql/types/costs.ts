import { COST_GROUPS, type CostResult, queryCosts } from '../../services/admin/costs.js';
import { builder } from '../builder.js';

const CostGroup = builder.enumType('CostGroupBy', { values: COST_GROUPS });

const CostResultRef = builder.objectRef<CostResult>('CostResult').implement({
  description: 'The cost of one group of a bucket. A field not grouped by is null.',
  fields: (t) => ({
    projectId: t.exposeString('projectId', { nullable: true }),
    apiKeyId: t.exposeString('apiKeyId', { nullable: true }),
    lineItem: t.exposeString('lineItem', {
      nullable: true,
      description: '`<model>, input` or `<model>, output`.',
    }),
    quantity: t.exposeInt('quantity', { nullable: true, description: 'Tokens of the line item.' }),
    amountUsd: t.exposeFloat('amount', { description: 'US dollars.' }),
  }),
});

interface CostBucket {
  startTime: number;
  endTime: number;
  results: CostResult[];
}

const CostBucketRef = builder.objectRef<CostBucket>('CostBucket').implement({
  fields: (t) => ({
    startTime: t.exposeInt('startTime', { description: 'Unix seconds, inclusive.' }),
    endTime: t.exposeInt('endTime', { description: 'Unix seconds, exclusive.' }),
    results: t.field({ type: [CostResultRef], resolve: (bucket) => bucket.results }),
  }),
});

const CostPageRef = builder
  .objectRef<{ buckets: CostBucket[]; hasMore: boolean; nextPage: string | null }>('CostPage')
  .implement({
    fields: (t) => ({
      buckets: t.field({ type: [CostBucketRef], resolve: (page) => page.buckets }),
      hasMore: t.exposeBoolean('hasMore'),
      nextPage: t.exposeString('nextPage', { nullable: true }),
    }),
  });

builder.queryFields((t) => ({
  costs: t.field({
    type: CostPageRef,
    description:
      'Costs in daily buckets (OpenAI’s `/organization/costs`): metered tokens times the prices of MODEL_PRICES_FILE (0 for a model without one). Admin keys only.',
    args: {
      startTime: t.arg.int({ required: true, description: 'Unix seconds, inclusive.' }),
      endTime: t.arg.int({ description: 'Unix seconds, exclusive. Default: now.' }),
      bucketWidth: t.arg.string({ description: 'Only 1d (the default).' }),
      groupBy: t.arg({ type: [CostGroup] }),
      projectIds: t.arg.stringList(),
      apiKeyIds: t.arg.stringList(),
      limit: t.arg.int({ description: 'Buckets per page: 1 to 180 (Default: 7).' }),
      page: t.arg.string(),
    },
    resolve: (_root, args, ctx) => queryCosts(ctx, args),
  }),
}));
