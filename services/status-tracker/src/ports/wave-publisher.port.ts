import type { WaveRecord } from './broadcast-store.port.js';

/**
 * Publishes a wave's `broadcast.uploaded` (UNKNOWN_POLICY=resend: the tracker starts the waves it
 * creates itself; operator waves are published by upload-gateway). Abstract class = type and DI token.
 */
export abstract class WavePublisher {
  /** Resolves once the event is durable in Kafka. Publishing a wave twice is harmless (re-split). */
  abstract publishUploaded(wave: WaveRecord): Promise<void>;
}
