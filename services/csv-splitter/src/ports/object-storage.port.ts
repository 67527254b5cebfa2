import type { Readable } from 'node:stream';

/** The object (or its bucket) does not exist: the broadcast fails with `object-not-found`. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
}

/** The object exists but may not be read (permissions): the broadcast fails with `object-unreadable`. */
export class ObjectUnreadableError extends Error {
  override readonly name = 'ObjectUnreadableError';
}

/** Read access to uploaded files. Other errors (network, 5xx) are transient: the caller retries. */
export abstract class ObjectStorage {
  /** A byte stream of the object; consumers must read or destroy it. */
  abstract open(bucket: string, key: string): Promise<Readable>;
}
