import { describe, expect, it } from 'vitest';
import { webhookCredentialsOf } from '../../../src/services/listen/lease.js';

describe('webhookCredentialsOf', () => {
  it('takes the string values of data.webhookCredentials, nothing else', () => {
    const state = (data: Record<string, unknown>) => ({ provider: 'bandwidth' as const, number: '+15557770042', description: 'x', data });
    expect(webhookCredentialsOf(state({ webhookCredentials: { callbackUsername: 'u', callbackPassword: 'p', n: 1, empty: '' } }))).toEqual({
      callbackUsername: 'u',
      callbackPassword: 'p',
    });
    expect(webhookCredentialsOf(state({}))).toEqual({});
    expect(webhookCredentialsOf(state({ webhookCredentials: ['u', 'p'] }))).toEqual({});
  });
});
