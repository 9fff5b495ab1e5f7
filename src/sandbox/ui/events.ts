// Live updates for the web phone: GET /_sandbox/events is a Server-Sent Events stream of the
// store's changes (event: message | webhook), `opt-outs` (the whole list) after a STOP or START
// arrives or an opt-out is cleared, and `cleared` after "clear all". A comment line every
// 15 s keeps proxies and idle timers from closing it; the sandbox's close() ends every stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyKeyword, optOutsFor } from '../carrier.js';
import type { MessageStore } from '../store.js';
import { OPT_OUTS_EVENT, optOutView } from './opt-outs.js';

export interface EventHub {
  /** Serves one stream until the client goes away. */
  serve(req: IncomingMessage, res: ServerResponse): void;
  /** Sends an event to every open stream. */
  broadcast(type: string, data: unknown): void;
  /** Ends every open stream. */
  close(): void;
}

const HEARTBEAT_MS = 15_000;

/** Creates the hub over `store`. */
export function createEventHub(store: MessageStore): EventHub {
  const clients = new Set<ServerResponse>();
  const write = (res: ServerResponse, type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  const broadcast = (type: string, data: unknown) => {
    for (const res of clients) write(res, type, data);
  };
  // The book follows the store too; taken first, it has applied a STOP by the time this listener reads it.
  optOutsFor(store);
  store.subscribe((e) => {
    if (clients.size === 0) return;
    if (e.type === 'webhook.attempted') return broadcast('webhook', e.attempt);
    broadcast('message', e.message);
    const m = e.message;
    if (e.type === 'message.created' && m.direction === 'inbound' && classifyKeyword(m.body)) broadcast(OPT_OUTS_EVENT, { optOuts: optOutView(store) });
  });
  return {
    serve(req, res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      clients.add(res);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      beat.unref();
      req.on('close', () => {
        clearInterval(beat);
        clients.delete(res);
      });
    },
    broadcast,
    close() {
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
