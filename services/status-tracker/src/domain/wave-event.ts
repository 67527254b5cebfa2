import type { PayloadOf } from '@wab/contracts';
import type { WaveRecord } from '../ports/broadcast-store.port.js';

/**
 * The `broadcast.uploaded` payload that starts a wave: the original's object, template, mapping and
 * sender, with `wave.selection: 'status-tracker'` so that csv-splitter splits only the rows stored for
 * the wave (GET /internal/broadcasts/{waveId}/wave-rows), keeping the original's row numbers.
 */
export function waveUploadedPayload(wave: WaveRecord): PayloadOf<'broadcast.uploaded'> {
  return {
    broadcastId: wave.id,
    object: { bucket: wave.object.bucket, key: wave.object.key },
    phoneNumberId: wave.phoneNumberId,
    template: wave.template,
    mapping: wave.mapping as PayloadOf<'broadcast.uploaded'>['mapping'],
    ...(wave.defaultCountry ? { defaultCountry: wave.defaultCountry } : {}),
    wave: {
      number: wave.number,
      parentBroadcastId: wave.parentBroadcastId,
      selection: 'status-tracker',
    },
  };
}
