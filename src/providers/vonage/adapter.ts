// Vonage adapter (Messages API v1, channel "mms").
// Send:      https://developer.vonage.com/en/api/messages  (POST /v1/messages → 202 {message_uuid})
// MMS:       https://developer.vonage.com/en/messages/concepts/mms  (US/CA only, public-URL media)
// Webhooks:  https://developer.vonage.com/en/messages/concepts/signed-webhooks
// Verify:    https://developer.vonage.com/en/api/application.v2  (GET /v2/applications, Basic auth)
// Wire facts: /work/shared/reference/providers-vonage-bandwidth-sinch-aws.md §1.
import { readFile } from 'node:fs/promises';
import { AuthError, ConfigError, ErrorCode } from '../../errors/errors.js';
import type { AccountInfo, Credentials, ProviderAdapter, ProviderCallContext } from '../types.js';
import { buildVonagePayload, vonageAuthHeader, vonageBasicAuth } from './payload.js';
import { adapterFacts, credentialField, envName, hasWebhookSecret, loginCommand, webhookSecretHint } from '../descriptor.js';
import { callClient } from '../http-client.js';
import { VONAGE_UUID, vonageDescriptor } from './descriptor.js';
import { parseVonageSend, vonageError } from './response.js';
import { parseVonageWebhook, verifyVonageWebhook } from './webhook.js';
import { configureVonageInbound, restoreVonageInbound } from './inbound.js';

/** The variable that names the private key's file (the name Vonage's code snippets use). */
const PRIVATE_KEY_PATH_ENV = credentialField(vonageDescriptor, 'privateKey').env[1] ?? 'VONAGE_PRIVATE_KEY';

/**
 * The private key may be given as PEM text (VONAGE_PRIVATE_KEY, possibly with literal "\n") or as a
 * path (VONAGE_APPLICATION_PRIVATE_KEY_PATH, the name Vonage's code snippets use).
 */
async function loadPrivateKey(value: string | undefined): Promise<string | undefined> {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return await readFile(value, 'utf8');
  } catch (err) {
    throw new ConfigError(ErrorCode.CONFIG_INVALID, `Cannot read the Vonage private key file "${value}"`, {
      cause: err,
      suggestion: `Set ${PRIVATE_KEY_PATH_ENV} to the private.key downloaded from the Vonage dashboard, or run \`${loginCommand(vonageDescriptor)}\` again`,
    });
  }
}

/** The Vonage adapter. */
export const vonageAdapter: ProviderAdapter = {
  ...adapterFacts(vonageDescriptor),
  checkCredentials(creds: Credentials): string[] {
    const problems: string[] = [];
    if (!creds.apiKey) problems.push('API key is missing');
    if (!creds.apiSecret) problems.push('API secret is missing');
    if (creds.applicationId && !VONAGE_UUID.test(creds.applicationId)) problems.push('Application ID must be a UUID');
    if (creds.privateKey && !creds.applicationId) problems.push('A private key is set but the Application ID is missing');
    if (creds.applicationId && !creds.privateKey) problems.push('An Application ID is set but its private key is missing');
    return problems;
  },
  checkSender(from: string) {
    // E.164 with or without "+", or a US short code; Vonage MMS has no alphanumeric senders.
    if (/^\+?[1-9]\d{6,14}$/.test(from) || /^\d{5,6}$/.test(from)) return undefined;
    return 'must be a US/CA number (+15551234567 or 15551234567), 10DLC, toll-free or short code from your Vonage account';
  },
  async verifyCredentials(ctx: ProviderCallContext): Promise<AccountInfo> {
    const { apiKey = '', apiSecret = '', applicationId } = ctx.credentials;
    // The Applications API takes Basic auth; asking for our own application also proves it exists.
    const url = applicationId ? `${ctx.baseUrl}/v2/applications/${encodeURIComponent(applicationId)}` : `${ctx.baseUrl}/v2/applications?page_size=1`;
    const res = await callClient(ctx).request({
      method: 'GET',
      url,
      headers: { Authorization: vonageBasicAuth(apiKey, apiSecret), Accept: 'application/json' },
      timeoutMs: 15_000,
    });
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(ErrorCode.AUTH_REJECTED, `Vonage rejected these credentials (${vonageError(res).message})`, {
        suggestion: `Copy the API key and secret from the Vonage dashboard and run \`${loginCommand(vonageDescriptor)}\` again`,
      });
    }
    if (res.status === 404 && applicationId) {
      throw new AuthError(ErrorCode.AUTH_REJECTED, `Vonage has no application ${applicationId} for API key ${apiKey}`, {
        suggestion: `Check ${envName(vonageDescriptor, 'applicationId')} against the Applications page of the Vonage dashboard`,
      });
    }
    if (res.status !== 200) throw vonageError(res);
    let name: string | undefined;
    try {
      name = (JSON.parse(res.text) as { name?: string }).name;
    } catch {
      name = undefined;
    }
    return { accountLabel: name ? `${apiKey} (application "${name}")` : apiKey };
  },
  async send(req, ctx) {
    const privateKey = await loadPrivateKey(ctx.credentials.privateKey);
    const res = await callClient(ctx).request({
      method: 'POST',
      url: `${ctx.baseUrl}/v1/messages`,
      headers: {
        Authorization: vonageAuthHeader(ctx.credentials, privateKey, Math.floor(Date.now() / 1000)),
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify(buildVonagePayload(req)),
    });
    return parseVonageSend(res);
  },
  // No getStatus: Messages v1 has no GET-message endpoint (only PATCH for read/revoke); the Reports
  // API is a separate, asynchronous product. Status arrives by webhook.
  // No findSent for the same reason: Messages v1 cannot list sent messages, and the Reports API
  // (GET /v2/reports/records, reference §1.4) looks records up by message id, which a lost answer
  // never gave us; a lost answer stays `unknown` (exit 7) and is not resent.
  webhookSecretProblem(creds) {
    // Optional for sending; without it the signed-webhook JWT cannot be checked.
    if (hasWebhookSecret(vonageDescriptor, creds)) return undefined;
    return {
      message: 'Vonage signs webhooks with your signature secret, and none is configured',
      suggestion: webhookSecretHint(vonageDescriptor),
    };
  },
  verifyWebhook(req, creds) {
    return verifyVonageWebhook(req, {
      ...(creds.signatureSecret !== undefined ? { signatureSecret: creds.signatureSecret } : {}),
      ...(creds.apiKey !== undefined ? { apiKey: creds.apiKey } : {}),
      ...(creds.applicationId !== undefined ? { applicationId: creds.applicationId } : {}),
      // Webhooks for the number `mms listen --number` linked to its temporary application carry that
      // application's id (see inbound.ts).
      ...(creds.listenApplicationId ? { otherApplicationIds: [creds.listenApplicationId] } : {}),
    });
  },
  parseWebhook(req) {
    return parseVonageWebhook(req);
  },
  // A temporary application linked to this number only; the previous link is restored after.
  configureInbound: configureVonageInbound,
  restoreInbound: restoreVonageInbound,
};
