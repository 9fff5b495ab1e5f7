// A local webhook/media server plus the way the provider reaches it: a tunnel, a URL the user
// exposes, or — when the provider itself is on loopback (`mms sandbox`) — the server's own
// loopback origin. Shared by `mms listen` and `mms send` (local files, --wait).
import { ErrorCode, UsageError } from '../errors/errors.js';
import { isLoopbackUrl } from './loopback.js';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from './server.js';
import { selectTunnel, type TunnelChoice } from './tunnel/select.js';
import type { Tunnel } from './tunnel/types.js';

export interface EndpointOptions {
  port?: number;
  tunnel?: TunnelChoice;
  publicUrl?: string;
  tunnelHost?: string;
  cloudflaredPath?: string;
  /** The provider API base URL: when it is loopback and no tunnel was asked for, no tunnel is needed. */
  providerBaseUrl: string;
  env: NodeJS.ProcessEnv;
  server?: Omit<WebhookServerOptions, 'port'>;
  /** When nothing says how to reach the server: 'auto' picks a tunnel, 'error' refuses. */
  whenUnspecified: 'auto' | 'error';
  /** Called for the tunnel's warnings and the chosen backend. */
  note?: (line: string) => void;
}

export interface PublicEndpoint {
  server: WebhookServer;
  /** Base URL the provider uses (no trailing slash); append a route path. */
  publicUrl: string;
  /** How the provider reaches us, in words. */
  via: string;
  tunnel?: Tunnel;
  close(): Promise<void>;
}

/** Starts the server and makes it reachable for the provider. Cleans up on failure. */
export async function openEndpoint(opts: EndpointOptions): Promise<PublicEndpoint> {
  const server = await startWebhookServer({ ...(opts.server ?? {}), port: opts.port ?? 0 });
  try {
    const explicit = opts.tunnel !== undefined || opts.publicUrl !== undefined;
    if (!explicit && isLoopbackUrl(opts.providerBaseUrl)) {
      // The provider is on this machine (the sandbox): it can call our loopback server directly.
      return { server, publicUrl: server.origin, via: 'loopback (the provider is local)', close: () => server.close() };
    }
    const selection = await selectTunnel({
      ...(opts.tunnel !== undefined ? { tunnel: opts.tunnel } : explicit || opts.whenUnspecified === 'error' ? {} : { tunnel: 'auto' as const }),
      ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.tunnelHost !== undefined ? { tunnelHost: opts.tunnelHost } : {}),
      ...(opts.cloudflaredPath !== undefined ? { cloudflaredPath: opts.cloudflaredPath } : {}),
      env: opts.env,
    });
    if (!selection) {
      throw new UsageError('The provider cannot reach a listener on this machine without a public URL', {
        code: ErrorCode.MISSING_ARGUMENT,
        suggestion: 'Pass --tunnel auto (ngrok or cloudflared), or --public-url <https-url> if you expose the port yourself',
      });
    }
    const started = await selection.tunnel.start(server.port);
    for (const w of started.warnings) opts.note?.(`Warning: ${w}`);
    opts.note?.(`Tunnel: ${selection.backend} (${selection.reason}) → ${started.publicUrl}`);
    const tunnel = selection.tunnel;
    return {
      server,
      publicUrl: started.publicUrl.replace(/\/+$/, ''),
      via: selection.backend,
      tunnel,
      close: async () => {
        await tunnel.stop();
        await server.close();
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
