// Provider name → adapter, loaded lazily so a command only pays for the provider it uses.
import { ConfigError, ErrorCode } from '../errors/errors.js';
import type { ProviderAdapter, ProviderName } from './types.js';

/** Every provider name `mms` knows, in the order shown to users. */
export const PROVIDER_NAMES: readonly ProviderName[] = ['twilio', 'telnyx', 'plivo', 'vonage', 'bandwidth', 'sinch'];

const loaders: Partial<Record<ProviderName, () => Promise<ProviderAdapter>>> = {
  twilio: async () => (await import('./twilio/adapter.js')).twilioAdapter,
  telnyx: async () => (await import('./telnyx/adapter.js')).telnyxAdapter,
  plivo: async () => (await import('./plivo/adapter.js')).plivoAdapter,
  vonage: async () => (await import('./vonage/adapter.js')).vonageAdapter,
  bandwidth: async () => (await import('./bandwidth/adapter.js')).bandwidthAdapter,
  sinch: async () => (await import('./sinch/adapter.js')).sinchAdapter,
};

/** True when `name` is a provider we know of. */
export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

/** Names of providers with a working adapter. */
export function availableProviders(): ProviderName[] {
  return PROVIDER_NAMES.filter((n) => loaders[n] !== undefined);
}

/** Loads the adapter for a provider name, or throws a ConfigError naming the choices. */
export async function getAdapter(name: string): Promise<ProviderAdapter> {
  const load = isProviderName(name) ? loaders[name] : undefined;
  if (!load) {
    throw new ConfigError(ErrorCode.PROVIDER_UNKNOWN, `Unknown or unsupported provider "${name}"`, {
      suggestion: `Use one of: ${availableProviders().join(', ')}`,
    });
  }
  return load();
}

/** A credential flag of `mms login`, declared statically so `--help` needs no adapter loaded. */
export interface LoginFlag {
  name: string;
  label: string;
  secret: boolean;
  providers: ProviderName[];
}

/** Every provider's login flags (kept in step with each adapter's credentialFields; a test checks it). */
export const LOGIN_FLAGS: LoginFlag[] = [
  { name: 'account-sid', label: 'Account SID', secret: false, providers: ['twilio'] },
  { name: 'auth-token', label: 'Auth Token', secret: true, providers: ['twilio', 'plivo'] },
  { name: 'api-key', label: 'API Key SID', secret: false, providers: ['twilio', 'vonage'] },
  { name: 'api-secret', label: 'API Key Secret', secret: true, providers: ['twilio', 'vonage'] },
  { name: 'api-key', label: 'API Key', secret: true, providers: ['telnyx'] },
  { name: 'public-key', label: 'Public Key (webhook verification)', secret: false, providers: ['telnyx'] },
  { name: 'auth-id', label: 'Auth ID', secret: false, providers: ['plivo'] },
  { name: 'application-id', label: 'Application ID', secret: false, providers: ['vonage', 'bandwidth'] },
  { name: 'private-key', label: 'Application private key (PEM or file path)', secret: true, providers: ['vonage'] },
  { name: 'signature-secret', label: 'Signature secret (signed webhooks)', secret: true, providers: ['vonage'] },
  { name: 'account-id', label: 'Account ID', secret: false, providers: ['bandwidth'] },
  { name: 'client-id', label: 'OAuth client ID', secret: false, providers: ['bandwidth'] },
  { name: 'client-secret', label: 'OAuth client secret', secret: true, providers: ['bandwidth'] },
  { name: 'token-url', label: 'OAuth token URL (override)', secret: false, providers: ['bandwidth'] },
  { name: 'callback-username', label: 'Callback user id', secret: false, providers: ['bandwidth'] },
  { name: 'callback-password', label: 'Callback password', secret: true, providers: ['bandwidth'] },
  { name: 'service-plan-id', label: 'Service plan ID', secret: false, providers: ['sinch'] },
  { name: 'api-token', label: 'API token', secret: true, providers: ['sinch'] },
  { name: 'region', label: 'Region (us, eu, br, ca, au)', secret: false, providers: ['sinch'] },
  { name: 'webhook-secret', label: 'Webhook signing secret', secret: true, providers: ['sinch'] },
];
