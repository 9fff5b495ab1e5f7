// Chooses the tunnel backend from the flags (reference tunnels.md §5.2):
//   --public-url <url>        → public-url (wins; --tunnel must be absent, auto or public-url)
//   --tunnel <name>           → that backend; if it cannot work, an error (never a silent fallback)
//   --tunnel / --tunnel auto  → ngrok if NGROK_AUTHTOKEN is set, else cloudflared if found, else an
//                               actionable error. localtunnel is never picked automatically
//                               (plaintext hop, third-party volunteer server).
//   neither                   → no tunnel (the command listens on loopback and says how to expose it)
import { ConfigError, ErrorCode, UsageError } from '../../errors/errors.js';
import { createCloudflaredTunnel, findCloudflared } from './cloudflared.js';
import { createLocalTunnel } from './localtunnel.js';
import { createNgrokTunnel, type NgrokModule } from './ngrok.js';
import { createPublicUrlTunnel } from './public-url.js';
import type { Tunnel, TunnelBackendName } from './types.js';

/** Values of `--tunnel`, for commander's `.choices()`. */
export const TUNNEL_CHOICES = ['auto', 'ngrok', 'cloudflared', 'localtunnel', 'public-url'] as const;

/** A `--tunnel` value. */
export type TunnelChoice = (typeof TUNNEL_CHOICES)[number];

/** Inputs of {@link selectTunnel}: the raw flags plus the environment. */
export interface SelectTunnelOptions {
  /** `--tunnel` (`--tunnel` without a value means 'auto'); undefined when not given. */
  tunnel?: TunnelChoice | undefined;
  /** `--public-url`. */
  publicUrl?: string | undefined;
  /** `--tunnel-host` (localtunnel only). */
  tunnelHost?: string | undefined;
  /** `--cloudflared-path`, overriding CLOUDFLARED_BIN and PATH. */
  cloudflaredPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Injected @ngrok/ngrok loader (tests). */
  ngrokLoad?: () => Promise<NgrokModule>;
}

/** The chosen backend, not started yet. */
export interface TunnelSelection {
  tunnel: Tunnel;
  backend: TunnelBackendName;
  /** Why this backend, for a stderr line such as "Tunnel: cloudflared (found at /usr/bin/cloudflared)". */
  reason: string;
}

const NO_BACKEND_SUGGESTION = [
  'Pick one:',
  '  • set NGROK_AUTHTOKEN (free account at https://ngrok.com) and install @ngrok/ngrok',
  '  • install cloudflared (no account needed), or point CLOUDFLARED_BIN at it',
  '  • pass --public-url <https-url> if you already expose this port yourself',
  '  • --tunnel localtunnel --tunnel-host <url> (third-party server, unencrypted hop)',
].join('\n');

/**
 * Resolves the flags to a tunnel backend, or undefined when no tunnel was asked for. Throws
 * UsageError for contradictory flags, and ConfigError/AuthError when the named backend cannot run.
 */
export async function selectTunnel(opts: SelectTunnelOptions): Promise<TunnelSelection | undefined> {
  const env = opts.env ?? process.env;
  const common = { env, ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) };
  const choice = opts.tunnel;
  if (choice !== undefined && !(TUNNEL_CHOICES as readonly string[]).includes(choice)) {
    throw new UsageError(`Unknown tunnel backend: ${String(choice)}`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: `Use one of: ${TUNNEL_CHOICES.join(', ')}`,
    });
  }
  if (opts.tunnelHost !== undefined && choice !== 'localtunnel') {
    throw new UsageError('--tunnel-host only applies to --tunnel localtunnel', { code: ErrorCode.INVALID_ARGUMENT });
  }
  if (opts.cloudflaredPath !== undefined && choice !== 'cloudflared' && choice !== 'auto') {
    throw new UsageError('--cloudflared-path only applies to --tunnel cloudflared or auto', { code: ErrorCode.INVALID_ARGUMENT });
  }

  if (opts.publicUrl !== undefined) {
    if (choice !== undefined && choice !== 'auto' && choice !== 'public-url') {
      throw new UsageError(`--public-url cannot be combined with --tunnel ${choice}`, {
        code: ErrorCode.INVALID_ARGUMENT,
        suggestion: 'Pass only one of them',
      });
    }
    return { tunnel: createPublicUrlTunnel({ url: opts.publicUrl }), backend: 'public-url', reason: '--public-url given' };
  }

  switch (choice) {
    case undefined:
      return undefined;
    case 'public-url':
      throw new UsageError('--tunnel public-url needs --public-url <url>', { code: ErrorCode.MISSING_ARGUMENT });
    case 'ngrok':
      return { tunnel: createNgrokTunnel({ ...common, ...(opts.ngrokLoad ? { load: opts.ngrokLoad } : {}) }), backend: 'ngrok', reason: '--tunnel ngrok' };
    case 'localtunnel':
      return { tunnel: createLocalTunnel({ ...common, host: opts.tunnelHost ?? '' }), backend: 'localtunnel', reason: '--tunnel localtunnel' };
    case 'cloudflared': {
      const bin = opts.cloudflaredPath ?? (await findCloudflared(env));
      if (!bin) {
        throw new ConfigError(ErrorCode.CONFIG_INVALID, 'cloudflared was not found on PATH', { suggestion: NO_BACKEND_SUGGESTION });
      }
      return { tunnel: createCloudflaredTunnel({ ...common, bin }), backend: 'cloudflared', reason: `--tunnel cloudflared (${bin})` };
    }
    case 'auto': {
      if (env.NGROK_AUTHTOKEN) {
        // If @ngrok/ngrok is missing, start() fails with an install hint rather than quietly
        // opening a different (anonymous, random-URL) tunnel the user did not choose.
        return {
          tunnel: createNgrokTunnel({ ...common, ...(opts.ngrokLoad ? { load: opts.ngrokLoad } : {}) }),
          backend: 'ngrok',
          reason: 'auto: NGROK_AUTHTOKEN is set',
        };
      }
      const bin = opts.cloudflaredPath ?? (await findCloudflared(env));
      if (bin) return { tunnel: createCloudflaredTunnel({ ...common, bin }), backend: 'cloudflared', reason: `auto: cloudflared found at ${bin}` };
      throw new ConfigError(ErrorCode.CONFIG_INVALID, 'No tunnel backend is available: NGROK_AUTHTOKEN is not set and cloudflared is not on PATH', {
        suggestion: NO_BACKEND_SUGGESTION,
      });
    }
  }
}
