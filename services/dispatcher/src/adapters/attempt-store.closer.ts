import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AttemptStore } from '../ports/attempt-store.port.js';

/**
 * Closes the attempt record's database last: onApplicationShutdown runs after every
 * beforeApplicationShutdown, i.e. after the consumer drained its in-flight sends into the record.
 */
@Injectable()
export class AttemptStoreCloser implements OnApplicationShutdown {
  constructor(private readonly store: AttemptStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
