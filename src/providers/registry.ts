// Provider name → descriptor (static facts, loaded eagerly: tiny modules) and adapter (loaded
// lazily, so a command only pays for the provider it uses). Adding a provider is two lines here:
// its descriptor import and its entry in PROVIDERS.
import { ConfigError, ErrorCode } from '../errors/errors.js';
import type { ProviderDescriptor } from './descriptor.js';
import type { ProviderAdapter } from './types.js';
import { twilioDescriptor } from './twilio/descriptor.js';
import { telnyxDescriptor } from './telnyx/descriptor.js';
import { plivoDescriptor } from './plivo/descriptor.js';
import { vonageDescriptor } from './vonage/descriptor.js';
import { bandwidthDescriptor } from './bandwidth/descriptor.js';
import { sinchDescriptor } from './sinch/descriptor.js';

/** Every provider, in the order shown to users. The key must equal the descriptor's name (a test checks it). */
const PROVIDERS = {
  twilio: { descriptor: twilioDescriptor, load: async () => (await import('./twilio/adapter.js')).twilioAdapter },
  telnyx: { descriptor: telnyxDescriptor, load: async () => (await import('./telnyx/adapter.js')).telnyxAdapter },
  plivo: { descriptor: plivoDescriptor, load: async () => (await import('./plivo/adapter.js')).plivoAdapter },
  vonage: { descriptor: vonageDescriptor, load: async () => (await import('./vonage/adapter.js')).vonageAdapter },
  bandwidth: { descriptor: bandwidthDescriptor, load: async () => (await import('./bandwidth/adapter.js')).bandwidthAdapter },
  sinch: { descriptor: sinchDescriptor, load: async () => (await import('./sinch/adapter.js')).sinchAdapter },
} satisfies Record<string, { descriptor: ProviderDescriptor; load: () => Promise<ProviderAdapter> }>;

/** Provider names we support. */
export type ProviderName = keyof typeof PROVIDERS;

/** Every provider name `mms` knows, in the order shown to users. */
export const PROVIDER_NAMES: readonly ProviderName[] = Object.keys(PROVIDERS) as ProviderName[];

/** True when `name` is a provider we know of. */
export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDERS, name);
}

/** Names of providers with a working adapter (all of them). */
export function availableProviders(): ProviderName[] {
  return [...PROVIDER_NAMES];
}

function unknownProvider(name: string): ConfigError {
  return new ConfigError(ErrorCode.PROVIDER_UNKNOWN, `Unknown or unsupported provider "${name}"`, {
    suggestion: `Use one of: ${PROVIDER_NAMES.join(', ')}`,
  });
}

/** The static facts of a provider, without loading its adapter; throws a ConfigError naming the choices. */
export function getDescriptor(name: string): ProviderDescriptor<ProviderName> {
  if (!isProviderName(name)) throw unknownProvider(name);
  return PROVIDERS[name].descriptor;
}

/** Every provider's descriptor, in the order shown to users. */
export function allDescriptors(): ProviderDescriptor<ProviderName>[] {
  return PROVIDER_NAMES.map((n) => PROVIDERS[n].descriptor);
}

/** Loads the adapter for a provider name, or throws a ConfigError naming the choices. */
export async function getAdapter(name: string): Promise<ProviderAdapter> {
  if (!isProviderName(name)) throw unknownProvider(name);
  return PROVIDERS[name].load();
}

/** A credential flag of `mms login`, shared by every provider whose fields use it. */
export interface LoginFlag {
  name: string;
  label: string;
  secret: boolean;
  providers: ProviderName[];
}

/**
 * Every provider's login flags, from the descriptors: one per flag name and kind (secrets are
 * `--<name>-stdin`), labelled by the first provider that uses it.
 */
export const LOGIN_FLAGS: LoginFlag[] = (() => {
  const flags = new Map<string, LoginFlag>();
  for (const d of allDescriptors()) {
    for (const f of d.credentialFields) {
      const id = `${f.flag}|${f.secret}`;
      const seen = flags.get(id);
      if (seen) seen.providers.push(d.name);
      else flags.set(id, { name: f.flag, label: f.label, secret: f.secret, providers: [d.name] });
    }
  }
  return [...flags.values()];
})();
