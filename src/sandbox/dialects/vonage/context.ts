// The Vonage dialect's state and wire helpers, shared by its resource modules.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, SandboxServices } from '../../types.js';
import { json } from '../../types.js';

export const ERR = 'https://developer.vonage.com/api-errors/messages';

export interface VonageApp {
  id: string;
  name: string;
  inboundUrl?: string;
  statusUrl?: string;
  publicKey: string;
  /** The raw capabilities object as last PUT/POSTed, returned verbatim (PUT is a full replace). */
  capabilities: Record<string, unknown>;
}

export interface HostedMedia {
  bytes: Buffer;
  contentType: string;
}

export interface VonageContext {
  svc: SandboxServices;
  apiKey: string;
  apiSecret: string;
  /** Signs the webhooks' HS256 JWTs. */
  signatureSecret: string;
  ownNumbers: string[];
  apps: Map<string, VonageApp>;
  /** The sandbox application (linked to the own numbers; cannot be deleted). */
  defaultAppId: string;
  /** msisdn (no "+") → linked application id. */
  links: Map<string, string | undefined>;
  /** Inbound media re-hosted at /v3/media/<uuid>. */
  hosted: Map<string, HostedMedia>;
}

/** An RFC 7807-style problem body. */
export function problem(status: number, type: string, title: string, detail: string, extra: Record<string, unknown> = {}): SandboxResponse {
  return json(status, { type, title, detail, instance: randomUUID(), ...extra });
}

/** A 422 #1020 for one parameter. */
export function invalidParams(name: string, reason: string): SandboxResponse {
  return problem(422, `${ERR}#1020`, 'Invalid params', 'The value of one or more parameters is invalid.', { invalid_parameters: [{ name, reason }] });
}

/** Vonage's 401 problem body. */
export function unauthorized(): SandboxResponse {
  // "unathorized" (sic) as in Vonage's own 401 bodies (Java SDK test fixtures).
  return problem(401, 'https://developer.nexmo.com/api-errors/#unathorized', 'Unauthorized', 'You did not provide correct credentials.');
}

let defaultPair: { publicKey: string; privateKey: string } | undefined;

/**
 * The key pair of a new sandbox's default application: made once per process and reused by any
 * later sandbox the same process starts (a 2048-bit RSA pair costs 0.2–1 s of CPU; a test run
 * starts dozens of sandboxes in a few processes, `mms sandbox` one). A restarted sandbox keeps its
 * saved pair (persist-credentials.ts); `renew` (--reset-credentials) makes a new one, as do
 * applications created through the API.
 */
export function defaultKeyPair(renew = false): { publicKey: string; privateKey: string } {
  if (renew || !defaultPair) defaultPair = newKeyPair();
  return defaultPair;
}

/** A fresh RSA key pair for an application (PEM). */
export function newKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** The value when it is a string, else ''. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Vonage writes numbers without the "+". */
export function digits(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** The JSON object body, or undefined. */
export function parseBody(req: SandboxRequest): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
