// The dialects the sandbox mounts, in the order `mms sandbox` prints them. A new provider's
// dialect is one folder beside these and one line here.
import type { SandboxDialect, SandboxServices } from '../types.js';
import { createTwilioDialect } from './twilio/index.js';
import { createTelnyxDialect } from './telnyx/index.js';
import { createPlivoDialect } from './plivo/index.js';
import { createVonageDialect } from './vonage/index.js';
import { createBandwidthDialect } from './bandwidth/index.js';
import { createSinchDialect } from './sinch/index.js';

/** One factory per dialect, in mount order. */
export const DIALECT_FACTORIES: ReadonlyArray<(svc: SandboxServices) => SandboxDialect> = [
  createTwilioDialect,
  createTelnyxDialect,
  createPlivoDialect,
  createVonageDialect,
  createBandwidthDialect,
  createSinchDialect,
];
