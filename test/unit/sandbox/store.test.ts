// The sandbox store's change events: what a terminal, a web UI or a persistence layer follows.
import { describe, expect, it } from 'vitest';
import { MessageStore, type SandboxMessage, type StoreEvent } from '../../../src/sandbox/store.js';
import { createWebhookDelivery } from '../../../src/sandbox/webhooks.js';
import { startReceiver } from '../../helpers/sandbox-unit.js';

function message(id: string): SandboxMessage {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id,
    provider: 'twilio',
    account: 'AC1',
    direction: 'outbound',
    to: '+15550001',
    from: '+15550002',
    body: 'hi',
    media: [],
    status: 'queued',
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'queued', at }],
  };
}

describe('MessageStore events', () => {
  it('publishes message.created and message.status with the live record, in order', () => {
    const store = new MessageStore();
    const seen: Array<[string, string]> = [];
    store.subscribe((e) => {
      if (e.type !== 'webhook.attempted') seen.push([e.type, e.message.status]);
    });
    store.add(message('SM1'));
    store.setStatus('SM1', 'failed', { errorCode: 30008, errorMessage: 'Unknown error' });
    expect(store.setStatus('nope', 'sent')).toBeUndefined();
    expect(seen).toEqual([
      ['message.created', 'queued'],
      ['message.status', 'failed'],
    ]);
    expect(store.get('SM1')).toMatchObject({ status: 'failed', errorCode: 30008, errorMessage: 'Unknown error' });
    expect(store.get('SM1')!.history.map((h) => h.status)).toEqual(['queued', 'failed']);
  });

  it('stops calling a listener once unsubscribed; the same function can subscribe twice', () => {
    const store = new MessageStore();
    const events: StoreEvent[] = [];
    const listener = (e: StoreEvent) => events.push(e);
    const stopA = store.subscribe(listener);
    store.subscribe(listener);
    store.add(message('SM1'));
    expect(events).toHaveLength(2);
    stopA();
    store.add(message('SM2'));
    expect(events).toHaveLength(3);
  });

  it('drops the oldest message beyond its limit and keeps the webhook log separately', () => {
    const store = new MessageStore({ messages: 2, webhooks: 1 });
    for (const id of ['SM1', 'SM2', 'SM3']) store.add(message(id));
    expect(store.list().map((m) => m.id)).toEqual(['SM2', 'SM3']);
    store.startWebhook({ kind: 'status', messageId: 'SM2', url: 'http://127.0.0.1:1/a' });
    store.startWebhook({ kind: 'status', messageId: 'SM3', url: 'http://127.0.0.1:1/b' });
    expect(store.webhooks().map((a) => a.messageId)).toEqual(['SM3']);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.webhooks()).toHaveLength(1);
    store.clearWebhooks();
    expect(store.webhooks()).toHaveLength(0);
  });

  it('publishes webhook.attempted with the answer of a delivery, or why it was not delivered', async () => {
    const store = new MessageStore();
    const attempts: StoreEvent[] = [];
    store.subscribe((e) => {
      if (e.type === 'webhook.attempted') attempts.push(e);
    });
    const receiver = await startReceiver();
    try {
      const deliver = createWebhookDelivery({ store, allowRemote: false, log: () => undefined });
      await deliver({ url: receiver.url('/hook'), headers: { 'content-type': 'text/plain' }, body: 'x' }, 'inbound', 'SM1');
      await deliver({ url: 'http://example.invalid/hook', headers: {}, body: 'x' }, 'status', 'SM2');
      expect(attempts).toEqual([
        { type: 'webhook.attempted', attempt: expect.objectContaining({ kind: 'inbound', messageId: 'SM1', url: receiver.url('/hook'), status: 200 }) },
        {
          type: 'webhook.attempted',
          attempt: expect.objectContaining({ kind: 'status', messageId: 'SM2', error: expect.stringContaining('only calls loopback URLs') }),
        },
      ]);
      expect(store.webhooks()).toHaveLength(2);
      expect(receiver.hooks.map((h) => h.rawBody.toString())).toEqual(['x']);
    } finally {
      await receiver.close();
    }
  });
});
