import type { Readable } from 'node:stream';
import { broadcastObjectKeys, type BroadcastDraft } from './domain/broadcast-request.js';
import { upstreamFailed } from './domain/errors.js';
import type { ObjectStorage, PresignedUpload, StoredObject } from './ports/object-storage.port.js';

const CSV_CONTENT_TYPE = 'text/csv';
const DRAFT_MAX_BYTES = 256 * 1024;

/**
 * A broadcast's objects in the store: its draft (what was asked at creation, read back at start:
 * status-tracker's read API does not return the mapping) and its CSV, both under
 * `uploads/{tenantId}/`, so one tenant can never name another's objects.
 */
export class BroadcastDrafts {
  constructor(private readonly storage: ObjectStorage) {}

  get bucket(): string {
    return this.storage.bucket;
  }

  keys(tenantId: string, broadcastId: string): { csv: string; draft: string } {
    return broadcastObjectKeys(tenantId, broadcastId);
  }

  async save(draft: BroadcastDraft): Promise<void> {
    await this.storage.putSmall(
      this.keys(draft.tenantId, draft.id).draft,
      JSON.stringify(draft),
      'application/json',
    );
  }

  /** The tenant's draft, or undefined (unknown id, or another tenant's). */
  async load(tenantId: string, broadcastId: string): Promise<BroadcastDraft | undefined> {
    const key = this.keys(tenantId, broadcastId).draft;
    const text = await this.storage.getSmall(key, DRAFT_MAX_BYTES);
    if (text === undefined) return undefined;
    let draft: BroadcastDraft;
    try {
      draft = JSON.parse(text) as BroadcastDraft;
    } catch {
      throw upstreamFailed(
        'object-store',
        `the draft of broadcast ${broadcastId} is not readable JSON`,
      );
    }
    return draft.tenantId === tenantId && draft.id === broadcastId ? draft : undefined;
  }

  /** The uploaded CSV as a stream, or undefined before the upload. */
  openFile(draft: BroadcastDraft): Promise<Readable | undefined> {
    return this.storage.openStream(draft.object.key);
  }

  file(draft: BroadcastDraft): Promise<StoredObject | undefined> {
    return this.storage.head(draft.object.key);
  }

  presignUpload(draft: BroadcastDraft, expiresInSeconds: number): Promise<PresignedUpload> {
    return this.storage.presignPut(draft.object.key, {
      contentType: CSV_CONTENT_TYPE,
      expiresInSeconds,
    });
  }

  upload(draft: BroadcastDraft, body: Readable, maxBytes: number): Promise<{ sizeBytes: number }> {
    return this.storage.upload(draft.object.key, body, {
      contentType: CSV_CONTENT_TYPE,
      maxBytes,
    });
  }
}
