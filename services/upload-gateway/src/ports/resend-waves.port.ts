import type { PayloadOf } from '@wab/contracts';

/** What a resend may narrow to: `states` (failed, unknown) and failed `errorCodes`. */
export interface ResendRequest {
  states?: string[];
  errorCodes?: (string | number)[];
}

/** A wave status-tracker created (or the latest one, never started): what to publish to start it. */
export interface CreatedWave {
  id: string;
  parentBroadcastId: string;
  wave: number;
  selected: number;
  /** false: the latest wave already existed but never started (its event was lost): published again. */
  created: boolean;
  uploaded: PayloadOf<'broadcast.uploaded'>;
}

export type WaveAnswer =
  | { kind: 'created'; wave: CreatedWave }
  | { kind: 'not-found' }
  | { kind: 'invalid'; message: string }
  | { kind: 'conflict'; code: string; message: string; details?: Record<string, unknown> }
  | { kind: 'unprocessable'; code: string; message: string };

/**
 * status-tracker creates resend waves (it holds the outcomes): `POST /internal/broadcasts/{id}/waves`.
 * Abstract class = type and DI token.
 */
export abstract class ResendWaves {
  abstract create(
    tenantId: string,
    broadcastId: string,
    request: ResendRequest,
  ): Promise<WaveAnswer>;
}
