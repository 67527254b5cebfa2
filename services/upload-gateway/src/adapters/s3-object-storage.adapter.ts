/**
 * S3ObjectStorage: the object store over the S3 API (AWS S3, MinIO, versitygw, ...).
 *
 * Streaming uploads go through @aws-sdk/lib-storage's Upload (multipart): it reads the request
 * stream into at most `queueSize` parts of `partSize` bytes, so memory per upload is bounded
 * (2 × 5 MiB here) whatever the file size, and back-pressure reaches the client's socket because
 * nothing reads the request faster than parts are sent. A byte counter sits between the request
 * and the Upload: past the limit it fails the stream, Upload aborts the multipart upload
 * (AbortMultipartUpload, nothing left behind) and the request is unpiped, so the HTTP edge can
 * still answer 413 on the same socket.
 */
import { Transform, type Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  GatewayError,
  upstreamFailed,
  upstreamUnavailable,
  uploadTooLarge,
} from '../domain/errors.js';
import {
  ObjectStorage,
  type PresignedUpload,
  type StoredObject,
} from '../ports/object-storage.port.js';

export interface S3ObjectStorageOptions {
  endpoint: string;
  /** Endpoint written into pre-signed URLs (what clients can reach); default `endpoint`. */
  publicEndpoint?: string;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size (S3 minimum 5 MiB) and parts in flight per upload. */
  partSize?: number;
  queueSize?: number;
}

const MiB = 1024 * 1024;

export class S3ObjectStorage extends ObjectStorage {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly presignClient: S3Client;

  constructor(private readonly options: S3ObjectStorageOptions) {
    super();
    this.bucket = options.bucket;
    const base: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      // Recent SDKs add a CRC32 of the body to every request, and to pre-signed URLs the CRC32 of an
      // empty body, which then refuses the client's real file; S3-compatible stores also disagree on
      // the streaming-checksum encoding. Checksums only where the operation requires one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    this.client = new S3Client({ ...base, endpoint: options.endpoint });
    this.presignClient =
      options.publicEndpoint && options.publicEndpoint !== options.endpoint
        ? new S3Client({ ...base, endpoint: options.publicEndpoint })
        : this.client;
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        sizeBytes: head.ContentLength ?? 0,
        ...(head.ContentType ? { contentType: head.ContentType } : {}),
        ...(head.LastModified ? { lastModified: head.LastModified } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storageError('read', key, error);
    }
  }

  async putSmall(key: string, body: string, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw storageError('write', key, error);
    }
  }

  async getSmall(key: string, maxBytes: number): Promise<string | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      if ((object.ContentLength ?? 0) > maxBytes) {
        object.Body?.transformToWebStream()
          .cancel()
          .catch(() => undefined);
        throw upstreamFailed('object-store', `object ${key} is larger than ${maxBytes} bytes`);
      }
      return (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (isNotFound(error)) return undefined;
      if (error instanceof GatewayError) throw error;
      throw storageError('read', key, error);
    }
  }

  async openStream(key: string): Promise<Readable | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return object.Body as Readable | undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storageError('read', key, error);
    }
  }

  async upload(
    key: string,
    body: Readable,
    options: { contentType: string; maxBytes: number },
  ): Promise<{ sizeBytes: number }> {
    let sizeBytes = 0;
    let tooLarge = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sizeBytes += chunk.length;
        if (sizeBytes > options.maxBytes) {
          tooLarge = true;
          callback(uploadTooLarge(options.maxBytes));
        } else callback(null, chunk);
      },
    });
    // Not stream.pipeline: it would destroy the request (and its socket) on overflow, and the client
    // would get a reset instead of a 413. The request is unpiped and left to the HTTP layer instead.
    const onSourceError = (error: Error) => counter.destroy(error);
    const onSourceClose = () => {
      if (!body.readableEnded)
        counter.destroy(new Error('the client closed the connection before the end of the file'));
    };
    body.once('error', onSourceError);
    body.once('close', onSourceClose);
    body.pipe(counter);

    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counter, ContentType: options.contentType },
      partSize: this.options.partSize ?? 5 * MiB,
      queueSize: this.options.queueSize ?? 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      return { sizeBytes };
    } catch (error) {
      body.unpipe(counter);
      counter.destroy();
      // lib-storage aborts the multipart upload itself (leavePartsOnError: false); abort() also stops
      // part uploads still in flight. Its failure must not hide the original error.
      await upload.abort().catch(() => undefined);
      if (tooLarge) throw uploadTooLarge(options.maxBytes);
      if (error instanceof GatewayError) throw error;
      if (!body.readableEnded && body.destroyed) {
        throw new GatewayError(
          'invalid-request',
          'upload-interrupted',
          'the upload was interrupted before the end of the file',
        );
      }
      throw storageError('write', key, error);
    } finally {
      body.off('error', onSourceError);
      body.off('close', onSourceClose);
    }
  }

  async presignPut(
    key: string,
    options: { contentType: string; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    const signedAt = Date.now();
    const url = await getSignedUrl(
      this.presignClient,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }),
      { expiresIn: options.expiresInSeconds },
    );
    return {
      method: 'PUT',
      url,
      headers: { 'content-type': options.contentType },
      expiresAt: new Date(signedAt + options.expiresInSeconds * 1000).toISOString(),
    };
  }
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return (
      error.name === 'NotFound' ||
      error.name === 'NoSuchKey' ||
      error.$metadata.httpStatusCode === 404
    );
  }
  return false;
}

function storageError(action: 'read' | 'write', key: string, error: unknown): GatewayError {
  if (error instanceof S3ServiceException) {
    return upstreamFailed(
      'object-store',
      `the object store refused to ${action} ${key}: ${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})`,
    );
  }
  const cause =
    error instanceof Error
      ? ((error.cause as { code?: string } | undefined)?.code ?? error.message)
      : String(error);
  return upstreamUnavailable(
    'object-store',
    `the object store could not be reached to ${action} ${key} (${cause})`,
  );
}
