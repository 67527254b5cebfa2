// A Server-Sent Events reader (the WHATWG event-stream format) over a fetch body: `event:`, `data:`
// (several lines joined by \n), `id:`, comment lines ignored, an event ends at a blank line.
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

export async function* readServerSentEvents(
  body: WebReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  let id: string | undefined;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer[end] === '\r' && buffer[end + 1] === '\n' ? end + 2 : end + 1);
      if (line === '') {
        if (data.length > 0) yield { event, data: data.join('\n'), ...(id ? { id } : {}) };
        event = 'message';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  }
}
