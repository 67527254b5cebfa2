import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import {
  ObjectNotFoundError,
  ObjectStorage,
  ObjectUnreadableError,
} from '../ports/object-storage.port.js';

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/**
 * Streams objects with GetObject: the body is consumed as a Node stream, so back-pressure from the
 * parser reaches the socket and a file of any size is never held in memory.
 */
export class S3ObjectStorage extends ObjectStorage {
  private readonly client: S3Client;

  constructor(settings: S3Settings) {
    super();
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.accessKeyId && settings.secretAccessKey
        ? {
            credentials: {
              accessKeyId: settings.accessKeyId,
              secretAccessKey: settings.secretAccessKey,
            },
          }
        : {}),
    });
  }

  async open(bucket: string, key: string): Promise<Readable> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = result.Body;
      if (body instanceof Readable) return body;
      if (body === undefined) return Readable.from([]);
      throw new Error('S3 GetObject returned a body that is not a Node stream');
    } catch (error) {
      if (error instanceof S3ServiceException) {
        const status = error.$metadata.httpStatusCode;
        if (error.name === 'NoSuchKey' || error.name === 'NoSuchBucket' || status === 404) {
          throw new ObjectNotFoundError(`s3://${bucket}/${key} does not exist (${error.name})`);
        }
        if (status === 403) {
          throw new ObjectUnreadableError(`s3://${bucket}/${key} may not be read (${error.name})`);
        }
      }
      throw error;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
