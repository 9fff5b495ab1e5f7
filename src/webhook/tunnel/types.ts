// The tunnel abstraction behind `mms listen --tunnel` and `mms send --media ./file`: something that
// makes the loopback webhook server reachable from the provider. See reference tunnels.md §5.

/** Names accepted by `--tunnel` (plus `auto`, resolved by select.ts). */
export type TunnelBackendName = 'public-url' | 'ngrok' | 'cloudflared' | 'localtunnel';

/** What start() returns. */
export interface TunnelStartResult {
  /** Public base URL without a trailing slash; append a server route path to it. */
  publicUrl: string;
  /** Things the user must be told (printed on stderr by the command), e.g. an unencrypted hop. */
  warnings: string[];
}

/** A tunnel from a public URL to a local port on 127.0.0.1. */
export interface Tunnel {
  readonly name: TunnelBackendName;
  /** Opens the tunnel to http://127.0.0.1:<localPort>. Rejects with a CliError on failure or timeout. */
  start(localPort: number): Promise<TunnelStartResult>;
  /** Closes the tunnel. Idempotent; never rejects. */
  stop(): Promise<void>;
  /**
   * Registers a callback for an unexpected loss of the tunnel after start() resolved (child exited,
   * server gone, session closed). Not called for stop(). Returns an unsubscribe function.
   */
  onClose(cb: (reason: Error) => void): () => void;
  /**
   * Registers a callback for a gap the backend healed by itself (localtunnel: every socket to the
   * server dropped, then one reconnected): the public URL still works, but requests sent to it
   * between `since` and `until` were lost. Absent for backends that do not reconnect on their own.
   */
  onGap?(cb: (gap: TunnelGap) => void): () => void;
}

/** A time during which the public URL did not reach the local server. */
export interface TunnelGap {
  since: Date;
  until: Date;
}

/** Options every backend accepts. */
export interface TunnelCommonOptions {
  /** How long start() may take (default 30 s). */
  timeoutMs?: number;
  /** Environment to read (NGROK_AUTHTOKEN, CLOUDFLARED_BIN, PATH, MMS_TEST_OFFLINE); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Default for TunnelCommonOptions.timeoutMs. */
export const DEFAULT_TUNNEL_TIMEOUT_MS = 30_000;

/** Keeps close listeners and fires them at most once. */
export class CloseListeners {
  private readonly listeners = new Set<(reason: Error) => void>();
  private fired = false;

  /** Adds a listener; returns its unsubscribe function. */
  add(cb: (reason: Error) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Calls every listener once with the reason; later calls do nothing. */
  fire(reason: Error): void {
    if (this.fired) return;
    this.fired = true;
    for (const cb of [...this.listeners]) {
      try {
        cb(reason);
      } catch {
        // A listener's failure must not stop the others from hearing about the loss.
      }
    }
  }
}
