// Server-sent events (text/event-stream): the wire format and a reply that streams events.
import { Readable } from 'node:stream';
import type { Reply } from './api-route';

export interface SseEvent {
  readonly event: string;
  /** JSON-encoded, so a payload never breaks the one-line `data:` field. */
  readonly data: unknown;
  /** What the client sends back as Last-Event-ID when it reconnects. */
  readonly id?: string;
}

/** One event in the text/event-stream format. */
export function formatSseEvent(e: SseEvent): string {
  const id = e.id !== undefined ? `id: ${e.id.replace(/[\r\n]/g, '')}\n` : '';
  return `${id}event: ${e.event.replace(/[\r\n]/g, '')}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/**
 * A reply streaming `events`. It opens with the client's reconnection delay, which also sends the
 * headers at once; proxies are asked not to buffer it.
 */
export function sseReply(events: AsyncIterable<SseEvent>, retryMs: number): Reply {
  async function* wire(): AsyncGenerator<string> {
    yield `retry: ${retryMs}\n\n`;
    for await (const e of events) yield formatSseEvent(e);
  }
  return {
    status: 200,
    stream: Readable.from(wire(), { objectMode: false }),
    contentType: 'text/event-stream; charset=utf-8',
    headers: { 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
  };
}

/** The byte offset a reconnecting client asks for: Last-Event-ID, else ?offset=, else 0. */
export function resumeOffset(lastEventId: string | undefined, queryOffset: number | undefined): number {
  if (lastEventId !== undefined && /^\d+$/.test(lastEventId.trim())) return Number(lastEventId.trim());
  return queryOffset ?? 0;
}
