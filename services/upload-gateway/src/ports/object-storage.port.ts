import type { Readable } from 'node:stream';

export interface StoredObject {
  sizeBytes: number;
  contentType?: string;
  lastModified?: Date;
}

export interface PresignedUpload {
  method: 'PUT';
  url: string;
  /** Headers the client must send with exactly these values (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: string;
}

/** The object store holding uploaded CSVs and broadcast drafts (S3 API). Abstract class = type and DI token. */
export abstract class ObjectStorage {
  abstract readonly bucket: string;

  /** Size and type of `key`, or undefined when there is no such object. */
  abstract head(key: string): Promise<StoredObject | undefined>;

  /** Writes a small object (a draft), whole. */
  abstract putSmall(key: string, body: string, contentType: string): Promise<void>;

  /** Reads a small object whole, or undefined when there is none; refuses objects over `maxBytes`. */
  abstract getSmall(key: string, maxBytes: number): Promise<string | undefined>;

  /**
   * Streams `body` into `key` without holding it in memory (multipart, bounded part buffers). Past
   * `maxBytes` it stops reading, aborts the upload (nothing is left in the store) and rejects with a
   * GatewayError `file-too-large`. Resolves with the number of bytes stored.
   */
  abstract upload(
    key: string,
    body: Readable,
    options: { contentType: string; maxBytes: number },
  ): Promise<{ sizeBytes: number }>;

  /** Reads `key` as a stream (pulled as the reader asks: back-pressure), or undefined when there is none. */
  abstract openStream(key: string): Promise<Readable | undefined>;

  /** A URL that lets a client PUT `key` directly for `expiresInSeconds`. */
  abstract presignPut(
    key: string,
    options: { contentType: string; expiresInSeconds: number },
  ): Promise<PresignedUpload>;
}
