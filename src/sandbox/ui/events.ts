// Live updates for the web phone: GET /_sandbox/events is a Server-Sent Events stream of the
// store's changes (event: message | webhook) plus `cleared` after "clear all". A comment line every
// 15 s keeps proxies and idle timers from closing it; the sandbox's close() ends every stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MessageStore } from '../store.js';

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
  store.subscribe((e) => {
    if (clients.size === 0) return;
    if (e.type === 'webhook.attempted') broadcast('webhook', e.attempt);
    else broadcast('message', e.message);
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
