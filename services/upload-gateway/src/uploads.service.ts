/**
 * Streamed uploads (`PUT /v1/broadcasts/{id}/file`): the request body goes straight to the object
 * store, never held whole in memory (see S3ObjectStorage for the bounded multipart buffering). The
 * declared Content-Length is checked before anything is read; the bytes are counted while
 * streaming for bodies without one (chunked) or that lie about it.
 */
import type { Readable } from 'node:stream';
import type { Logger } from '@wab/service-runtime';
import type { BroadcastDrafts } from './broadcast-drafts.js';
import { BROADCAST_ID } from './domain/broadcast-request.js';
import { broadcastNotFound, GatewayError, uploadTooLarge } from './domain/errors.js';
import type { StatusTracker } from './ports/status-tracker.port.js';
import { links } from './broadcasts.service.js';

export class UploadsService {
  constructor(
    private readonly drafts: BroadcastDrafts,
    private readonly tracker: StatusTracker,
    private readonly log: Logger,
    private readonly options: { maxUploadBytes: number },
  ) {}

  /** Throws `file-too-large` when the declared length is over the limit: call before reading the body. */
  checkDeclaredLength(contentLength: number | undefined): void {
    if (contentLength !== undefined && contentLength > this.options.maxUploadBytes) {
      throw uploadTooLarge(this.options.maxUploadBytes, contentLength);
    }
  }

  async upload(
    tenantId: string,
    id: string,
    body: Readable,
    contentLength: number | undefined,
    requestId: string,
  ): Promise<{ id: string; sizeBytes: number; startUrl: string }> {
    this.checkDeclaredLength(contentLength);
    if (!BROADCAST_ID.test(id)) throw broadcastNotFound(id);
    const draft = await this.drafts.load(tenantId, id);
    if (!draft) throw broadcastNotFound(id);
    const status = await this.tracker.get(tenantId, id);
    if (!status) throw broadcastNotFound(id);
    if (status.state !== 'created') {
      // The splitter may be reading the file right now: replacing it would mix two lists.
      throw new GatewayError(
        'conflict',
        'broadcast-already-started',
        `broadcast ${id} has already been started (state "${status.state}"): its file can no longer be replaced`,
        { state: status.state },
      );
    }
    const started = Date.now();
    const { sizeBytes } = await this.drafts.upload(draft, body, this.options.maxUploadBytes);
    this.log.info(
      { correlationId: id, requestId, tenantId, sizeBytes, ms: Date.now() - started },
      'broadcast file uploaded',
    );
    return { id, sizeBytes, startUrl: links(id).startUrl };
  }
}
