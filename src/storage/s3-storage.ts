import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertBlobKey, type BlobBody, type BlobStorage, type PutOptions } from './blob-storage.js';
import { feedThroughLimit } from './byte-limit.js';
import { BlobNotFoundError } from './errors.js';

export interface S3StorageOptions {
  bucket: string;
  /** For S3-compatible stores (MinIO, R2, s3rver…); absent: AWS. */
  endpoint?: string;
  /** Absent: the SDK's region chain (`AWS_REGION`, profile). */
  region?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  forcePathStyle?: boolean;
  /** Absent: the SDK's default credential chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' ||
      error.name === 'NotFound' ||
      error.$metadata.httpStatusCode === 404)
  );
}

/**
 * Objects in an S3-compatible bucket. Uploads go through lib-storage's multipart `Upload`, which
 * holds at most queueSize × partSize (4 × 5 MB) in memory; S3 makes an object visible only when
 * its upload completes, and a failed upload is aborted (its parts dropped).
 */
export function createS3Storage(options: S3StorageOptions): BlobStorage {
  const config: S3ClientConfig = {
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // With the default (WHEN_SUPPORTED) the SDK frames streamed bodies as aws-chunked with a
    // trailing checksum, which several S3-compatible servers store verbatim inside the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  const client = new S3Client(config);
  const Bucket = options.bucket;

  return {
    kind: 's3',

    async put(key: string, body: BlobBody, putOptions: PutOptions = {}) {
      assertBlobKey(key);
      // The limit stream errors out on the byte that crosses maxBytes (or when the source
      // fails); the upload reads from it and fails too.
      const { limit, fed, failure } = feedThroughLimit(body, putOptions.maxBytes);
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: limit, ContentType: putOptions.contentType },
      });
      try {
        await upload.done();
      } catch (error) {
        // By the time the upload has failed, a failing source has long reported; read it
        // before destroying the limit (which would add an error of our own making).
        const sourceFailure = failure();
        limit.destroy();
        await fed;
        // lib-storage aborts a multipart upload itself; a single-part put may have landed.
        await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch(() => undefined);
        // The source's error (too large, client gone) explains more than the upload's, which
        // may come from aborting the multipart upload.
        throw sourceFailure ?? error;
      }
      await fed;
      return { bytes: limit.bytes };
    },

    async get(key: string): Promise<Readable> {
      assertBlobKey(key);
      try {
        const result = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (result.Body instanceof Readable) {
          return result.Body;
        }
        throw new Error(`S3 GetObject for '${key}' returned no Node stream`);
      } catch (error) {
        throw isNotFound(error) ? new BlobNotFoundError(key, { cause: error }) : error;
      }
    },

    async head(key: string) {
      assertBlobKey(key);
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { bytes: result.ContentLength ?? 0 };
      } catch (error) {
        if (isNotFound(error)) {
          return null;
        }
        throw error;
      }
    },

    async delete(key: string) {
      assertBlobKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },

    async close() {
      client.destroy();
    },
  };
}
