import type { Consumer, Producer } from 'kafkajs';

/**
 * Follows a kafkajs client's connection through its instrumentation events and returns a readiness
 * probe: true between CONNECT and DISCONNECT, false after a consumer CRASH until it reconnects.
 * kafkajs has no synchronous "is connected" query, so this is the cheapest honest signal.
 */
export function connectionProbe(client: Producer | Consumer): () => boolean {
  let connected = false;
  const events = client.events as Record<string, string>;
  const on = (event: string | undefined, listener: () => void) => {
    if (event) (client.on as (e: string, l: () => void) => void)(event, listener);
  };
  on(events.CONNECT, () => (connected = true));
  on(events.DISCONNECT, () => (connected = false));
  on(events.CRASH, () => (connected = false));
  on(events.GROUP_JOIN, () => (connected = true));
  return () => connected;
}
