import { z } from 'zod';
import { defineJob } from './define-job.js';

/** Extracts, chunks and embeds one file of a vector store, then marks it completed or failed. */
export const indexVectorStoreFileJob = defineJob(
  'index-vector-store-file',
  z.object({
    projectId: z.string().min(1),
    /** The key that attached the file, whose usage its embeddings are (absent in older jobs). */
    apiKeyId: z.string().min(1).nullish(),
    vectorStoreId: z.string().min(1),
    fileId: z.string().min(1),
  }),
);
