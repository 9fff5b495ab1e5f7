// ngrok through its official SDK, @ngrok/ngrok (a napi-rs addon shipped inside npm per platform;
// no binary download). It is an optional dependency: loaded lazily, and a missing install is a
// ConfigError with the install command. API: https://ngrok.github.io/ngrok-javascript/
// (`forward(config)` → Listener with url()/close(); `onStatusChange('closed'|'connected')`).
import { AuthError, CliError, ConfigError, ErrorCode } from '../../errors/errors.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { CloseListeners, DEFAULT_TUNNEL_TIMEOUT_MS, type Tunnel, type TunnelCommonOptions } from './types.js';

/** The subset of @ngrok/ngrok's forward() config we use. */
export interface NgrokForwardConfig {
  addr: string;
  authtoken?: string;
  authtoken_from_env?: boolean;
  onStatusChange?: (status: string) => void;
  verify_webhook_provider?: string;
  verify_webhook_secret?: string;
}

/** The subset of an @ngrok/ngrok Listener we use. */
export interface NgrokListener {
  url(): string | null;
  close(): Promise<void>;
}

/** The subset of the @ngrok/ngrok module we use (injectable for tests). */
export interface NgrokModule {
  forward(config: NgrokForwardConfig): Promise<NgrokListener>;
}

/** Options of {@link createNgrokTunnel}. */
export interface NgrokTunnelOptions extends TunnelCommonOptions {
  /** Authtoken; default NGROK_AUTHTOKEN from env. Never logged. */
  authtoken?: string;
  /** Loads the SDK; default `import('@ngrok/ngrok')`. Tests inject a fake. */
  load?: () => Promise<NgrokModule>;
}

const PACKAGE = '@ngrok/ngrok';
const INSTALL_HINT = `Install the optional ngrok SDK next to mms: \`npm install -g ${PACKAGE}\` for a global mms, \`npm install ${PACKAGE}\` for a project-local one; or use --tunnel cloudflared or --public-url <url>`;

/** Imports @ngrok/ngrok, mapping a missing or broken install to a ConfigError with an install hint. */
export async function loadNgrokModule(): Promise<NgrokModule> {
  // A variable specifier keeps tsc and bundlers from requiring the optional package at build time.
  const specifier: string = PACKAGE;
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)|Failed to load/i.test(String(err));
    throw new ConfigError(
      ErrorCode.CONFIG_INVALID,
      missing
        ? `The ngrok tunnel needs the optional package ${PACKAGE}, which is not installed`
        : `The optional package ${PACKAGE} could not be loaded on this platform`,
      { suggestion: INSTALL_HINT, cause: err },
    );
  }
  const m = mod as { forward?: unknown; default?: { forward?: unknown } };
  const forward = typeof m.forward === 'function' ? m.forward : m.default?.forward;
  if (typeof forward !== 'function') {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `${PACKAGE} does not export forward(); an incompatible version is installed`, { suggestion: INSTALL_HINT });
  }
  return { forward: forward as NgrokModule['forward'] };
}

/** Maps an SDK failure (which carries `errorCode` such as ERR_NGROK_4018) to our error classes. */
export function mapNgrokError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const errorCode = (err as { errorCode?: unknown }).errorCode;
  const message = err instanceof Error ? err.message : String(err);
  // https://ngrok.com/docs/errors/ : 4018 = no verified account/authtoken (seen in
  // twilio-labs/serverless-toolkit#554); 105/107 = malformed/invalid token (from the error list,
  // not observed here).
  if (errorCode === 'ERR_NGROK_4018' || errorCode === 'ERR_NGROK_105' || errorCode === 'ERR_NGROK_107') {
    return new AuthError(ErrorCode.AUTH_REJECTED, `ngrok rejected the authtoken (${String(errorCode)})`, {
      suggestion: 'Check NGROK_AUTHTOKEN (https://dashboard.ngrok.com/get-started/your-authtoken)',
      cause: err,
    });
  }
  if (errorCode === 'ERR_NGROK_108') {
    return new ConfigError(ErrorCode.CONFIG_INVALID, 'ngrok refused another session for this account (ERR_NGROK_108: session limit reached)', {
      suggestion: 'Stop other ngrok agents using this authtoken and try again',
      cause: err,
    });
  }
  return new CliError(
    ErrorCode.NETWORK_ERROR,
    ExitCode.UNAVAILABLE,
    `Could not open the ngrok tunnel${errorCode ? ` (${String(errorCode)})` : ''}: ${message}`,
    {
      suggestion: 'Check your connection, or use --tunnel cloudflared or --public-url <url>',
      cause: err,
    },
  );
}

/** Creates the ngrok backend. Needs NGROK_AUTHTOKEN (or opts.authtoken); throws AuthError otherwise. */
export function createNgrokTunnel(opts: NgrokTunnelOptions = {}): Tunnel {
  const env = opts.env ?? process.env;
  const authtoken = opts.authtoken ?? env.NGROK_AUTHTOKEN;
  if (!authtoken) {
    throw new AuthError(ErrorCode.AUTH_MISSING, 'The ngrok tunnel needs an authtoken', {
      suggestion: 'Set NGROK_AUTHTOKEN (https://dashboard.ngrok.com/get-started/your-authtoken), or use --tunnel cloudflared',
    });
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TUNNEL_TIMEOUT_MS;
  const load = opts.load ?? loadNgrokModule;
  const listeners = new CloseListeners();
  let listener: NgrokListener | undefined;
  let stopped = false;

  return {
    name: 'ngrok',
    async start(localPort) {
      const ngrok = await load();
      let timer: NodeJS.Timeout | undefined;
      const pending = ngrok.forward({
        addr: `127.0.0.1:${localPort}`,
        authtoken,
        onStatusChange: (status) => {
          // The SDK reconnects by itself; 'closed' means the session is lost for now. We report it
          // (the command decides whether to wait or stop); a later 'connected' cannot un-fire it.
          if (status === 'closed' && listener && !stopped) listeners.fire(new Error('The ngrok session was closed'));
        },
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // If forward() resolves after we gave up, close what it opened.
          pending.then((l) => l.close()).catch(() => undefined);
          reject(
            new CliError(ErrorCode.TIMEOUT, ExitCode.UNAVAILABLE, `ngrok did not open a tunnel within ${Math.round(timeoutMs / 1000)} s`, {
              suggestion: 'Check your connection, or use --tunnel cloudflared or --public-url <url>',
            }),
          );
        }, timeoutMs);
      });
      try {
        listener = await Promise.race([pending, timeout]);
      } catch (err) {
        throw mapNgrokError(err);
      } finally {
        clearTimeout(timer);
      }
      const url = listener.url();
      if (!url) {
        await listener.close().catch(() => undefined);
        listener = undefined;
        throw new CliError(ErrorCode.NETWORK_ERROR, ExitCode.UNAVAILABLE, 'ngrok opened a listener without a public URL');
      }
      if (stopped) {
        await listener.close().catch(() => undefined);
        throw new CliError(ErrorCode.CANCELLED, ExitCode.INTERRUPTED, 'The tunnel was stopped while starting');
      }
      return { publicUrl: url.replace(/\/+$/, ''), warnings: [] };
    },
    async stop() {
      stopped = true;
      const l = listener;
      listener = undefined;
      await l?.close().catch(() => undefined);
    },
    onClose: (cb) => listeners.add(cb),
  };
}
