import { describe, expect, it } from 'vitest';
import { sinchAdapter } from '../../../../src/providers/sinch/adapter.js';
import { fakeHttp } from './helpers.js';

describe('Sinch configureInbound/restoreInbound', () => {
  it('makes no API call and returns an explicit manual, plan-wide state', async () => {
    const http = fakeHttp();
    const ctx = { credentials: { servicePlanId: 'abc123def456', apiToken: 't' }, baseUrl: 'https://us.sms.api.sinch.com', http };
    const state = await sinchAdapter.configureInbound!('+15551234567', 'https://t.example/sinch', ctx);
    expect(state.data).toEqual({ manual: true, servicePlanId: 'abc123def456', callbackUrl: 'https://t.example/sinch', scope: 'service-plan' });
    expect(state.description).toMatch(/no API.*dashboard.*every number of service plan abc123def456/s);
    await sinchAdapter.restoreInbound!(state, ctx);
    expect(http.calls).toHaveLength(0);
  });
});
