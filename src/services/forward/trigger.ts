// `mms trigger inbound|status`: build the webhook a provider would send (its fields, content type and
// signature, with the profile's secret or one from stdin) and send it to the app under test, or only
// show it (--print). Local --media files are served by mms itself on loopback while the app fetches
// them. Steps: check the secret → resolve media → build → sign → send → wait for media fetches.
import { AuthError, ErrorCode, MediaError } from '../../errors/errors.js';
import type { Credentials, ProviderAdapter } from '../../providers/types.js';
import type { WebhookServer } from '../../webhook/server.js';
import { forwardWebhook, type ForwardAttempt } from './forward.js';
import { webhookKit, type BuiltWebhook } from './signers.js';

/** What the command asks for. */
export interface TriggerRequest {
  kind: 'inbound' | 'status';
  url: string;
  from: string;
  to: string;
  body: string;
  /** Paths or URLs. */
  media: string[];
  /** The message id (default: a fresh one in the provider's format). */
  id?: string;
  status: 'delivered' | 'undelivered' | 'failed';
  errorCode?: string;
  /** Build and sign only. */
  print: boolean;
  timeoutMs?: number;
  /** How long local media stays served for the app to fetch it (default 30 s). */
  mediaWaitMs?: number;
}

/** The HTTP request a trigger sends. */
export interface TriggeredRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a trigger did. */
export interface TriggerOutcome {
  provider: string;
  kind: 'inbound' | 'status';
  id: string;
  request: TriggeredRequest;
  /** The app's answer (absent with --print). */
  answer?: ForwardAttempt & { body: string };
  /** Local media served to the app, and how often each was fetched. */
  media: Array<{ input: string; url: string; fetched: number }>;
  /** Things the user must know (e.g. the public key a fresh Telnyx key pair needs the app to hold). */
  notes: string[];
}

/** What a trigger needs from outside. */
export interface TriggerPorts {
  adapter: Pick<ProviderAdapter, 'name' | 'displayName' | 'capabilities'>;
  credentials: Credentials;
  /** --secret-stdin: replaces the credential that signs. */
  secret?: string;
  now?: () => Date;
  cwd?: string;
  /** Starts the loopback server that serves local media (default: webhook/server.ts). */
  startServer?: () => Promise<WebhookServer>;
  signal?: AbortSignal;
  /** Schedules a timeout; returns a cancel function (default: setTimeout). */
  setTimer?: (ms: number, fn: () => void) => () => void;
}

const defaultTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/** The credentials that sign: the secret from stdin, the profile's, or (Telnyx) a fresh key whose public half is noted. */
function signingCredentials(request: TriggerRequest, ports: TriggerPorts, notes: string[]): Credentials {
  const kit = webhookKit(ports.adapter.name);
  if (ports.secret !== undefined) return { ...ports.credentials, [kit.secretField]: ports.secret.trim() };
  if (ports.credentials[kit.secretField]) return ports.credentials;
  if (kit.ephemeralSecret) {
    const fresh = kit.ephemeralSecret();
    notes.push(fresh.note);
    return { ...ports.credentials, [kit.secretField]: fresh.secret };
  }
  throw new AuthError(ErrorCode.AUTH_MISSING, `No secret to sign ${ports.adapter.displayName} webhooks with (${kit.scheme})`, {
    suggestion: `Store it with mms login, or pipe it in: mms trigger ${request.kind} --secret-stdin …`,
  });
}

/** Resolves --media: URLs pass through; local files are served on loopback (not with --print). */
async function resolveTriggerMedia(request: TriggerRequest, ports: TriggerPorts, creds: Credentials, notes: string[], server: () => Promise<WebhookServer>) {
  const { resolveMedia } = await import('../../media/resolve.js');
  const resolved = await resolveMedia(request.media, ports.adapter.capabilities, ports.adapter.name, ports.cwd);
  if (resolved.problems.length > 0) {
    throw new MediaError(resolved.problems[0]!.code, resolved.problems.map((p) => p.message).join('; '));
  }
  const items: Array<{ url: string; contentType: string; size?: number }> = [];
  const auth = webhookKit(ports.adapter.name).mediaAuth?.(creds);
  const served: Array<{ input: string; url: string; token: string }> = [];
  for (const m of resolved.items) {
    const contentType = m.contentType ?? 'application/octet-stream';
    if (m.kind === 'url') {
      items.push({ url: m.url!, contentType, ...(m.size !== undefined ? { size: m.size } : {}) });
      continue;
    }
    if (request.print) {
      throw new MediaError(ErrorCode.MEDIA_URL_INVALID, `--print cannot serve the local file ${m.fileName ?? m.input}: pass a URL, or leave out --print`);
    }
    const srv = await server();
    const route = srv.addMediaFile({
      path: m.path!,
      contentType,
      ...(m.size !== undefined ? { size: m.size } : {}),
      ...(m.fileName ? { fileName: m.fileName } : {}),
      ...(auth ? { authorize: auth } : {}),
    });
    if (auth && !notes.includes(auth.note)) notes.push(auth.note);
    const url = `${srv.origin}${route.routePath}`;
    served.push({ input: m.input, url, token: route.token });
    items.push({ url, contentType, ...(m.size !== undefined ? { size: m.size } : {}) });
  }
  return { items, served };
}

/** Builds (and unless --print, sends) a webhook the way the provider would. */
export async function triggerWebhook(request: TriggerRequest, ports: TriggerPorts): Promise<TriggerOutcome> {
  const now = (ports.now ?? (() => new Date()))();
  const kit = webhookKit(ports.adapter.name);
  const notes: string[] = [];
  const creds = signingCredentials(request, ports, notes);
  let server: WebhookServer | undefined;
  const startServer = async (): Promise<WebhookServer> =>
    (server ??= await (ports.startServer ?? (async () => (await import('../../webhook/server.js')).startWebhookServer({ port: 0 })))());
  try {
    const media = request.kind === 'inbound' ? await resolveTriggerMedia(request, ports, creds, notes, startServer) : { items: [], served: [] };
    const id = request.id ?? kit.newId(media.items.length > 0, now);
    const built: BuiltWebhook =
      request.kind === 'inbound'
        ? kit.inbound({ id, from: request.from, to: request.to, body: request.body, media: media.items, now }, creds, request.url)
        : kit.status(
            {
              id,
              from: request.from,
              to: request.to,
              status: request.status,
              ...(request.errorCode !== undefined ? { errorCode: request.errorCode } : {}),
              now,
            },
            creds,
            request.url,
          );
    const headers = { 'content-type': built.contentType, 'user-agent': 'mms-trigger', ...kit.sign(built, request.url, creds, now) };
    const triggered: TriggeredRequest = { method: 'POST', url: request.url, headers, body: built.body };
    const outcome: TriggerOutcome = { provider: ports.adapter.name, kind: request.kind, id, request: triggered, media: [], notes };
    if (request.print) return outcome;
    const { reply, attempt } = await forwardWebhook(
      { method: 'POST', publicUrl: request.url, headers, rawBody: Buffer.from(built.body, 'utf8') },
      request.url,
      {
        credentials: creds,
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
        ...(ports.setTimer ? { setTimer: ports.setTimer } : {}),
        ...(ports.signal ? { signal: ports.signal } : {}),
      },
    );
    outcome.answer = { ...attempt, body: attempt.error ? '' : Buffer.from(reply.body ?? '').toString('utf8') };
    if (media.served.length > 0 && !attempt.error) await waitForFetches(server!, media.served, request.mediaWaitMs ?? 30_000, ports);
    outcome.media = media.served.map((m) => ({ input: m.input, url: m.url, fetched: server!.fetchCount(m.token) }));
    return outcome;
  } finally {
    await server?.close();
  }
}

/** Keeps serving until every local file was fetched once, or the wait is over. */
async function waitForFetches(server: WebhookServer, served: Array<{ token: string }>, ms: number, ports: TriggerPorts): Promise<void> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  ports.signal?.addEventListener('abort', onAbort, { once: true });
  const cancel = (ports.setTimer ?? defaultTimer)(ms, () => ac.abort());
  try {
    await Promise.all(served.map((m) => server.waitForMediaFetch(m.token, ac.signal).catch(() => undefined)));
  } finally {
    cancel();
    ports.signal?.removeEventListener('abort', onAbort);
  }
}
