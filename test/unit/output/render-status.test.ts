// `mms status`: every provider's date text becomes ISO 8601 UTC; the raw text is kept beside it.
import { describe, expect, it } from 'vitest';
import { renderStatus, statusJson, toIsoUtc } from '../../../src/output/render-status.js';
import { memoryIO } from '../../helpers/memory-io.js';

describe('toIsoUtc', () => {
  it.each([
    ['Twilio, RFC 2822', 'Tue, 01 Dec 2026 04:50:02 +0000', '2026-12-01T04:50:02.000Z'],
    ['RFC 2822 with an offset', 'Tue, 01 Dec 2026 04:50:02 -0500', '2026-12-01T09:50:02.000Z'],
    ['Plivo, space and +00:00', '2026-12-01 04:50:02+00:00', '2026-12-01T04:50:02.000Z'],
    ['Plivo, +05:30 and microseconds', '2026-03-01 10:00:09.123456+05:30', '2026-03-01T04:30:09.123Z'],
    ['no zone: UTC', '2026-12-01 04:50:02', '2026-12-01T04:50:02.000Z'],
    ['ISO with Z', '2026-12-01T04:50:02.5Z', '2026-12-01T04:50:02.500Z'],
    ['ISO with +0100', '2026-12-01T04:50:02+0100', '2026-12-01T03:50:02.000Z'],
  ])('%s', (_name, raw, iso) => {
    expect(toIsoUtc(raw)).toBe(iso);
  });

  it.each([undefined, '', 'yesterday', '12/01/2026', '2026-13-45 99:99'])('%j cannot be read: null', (raw) => {
    expect(toIsoUtc(raw)).toBeNull();
  });
});

describe('statusJson', () => {
  it('has every key, null where the provider says nothing, and the raw dates', () => {
    expect(statusJson({ id: 'x', status: 'sent', providerStatus: 'sent', dateCreated: '2026-12-01 04:50:02+00:00' })).toEqual({
      id: 'x',
      status: 'sent',
      providerStatus: 'sent',
      to: null,
      from: null,
      body: null,
      numMedia: null,
      errorCode: null,
      errorMessage: null,
      dateCreated: '2026-12-01T04:50:02.000Z',
      dateUpdated: null,
      providerDateCreated: '2026-12-01 04:50:02+00:00',
      providerDateUpdated: null,
    });
  });
});

describe('renderStatus', () => {
  it('prints dates in ISO 8601 UTC (tab-separated when piped); unreadable dates as the provider wrote them', () => {
    const { io, stdout } = memoryIO();
    renderStatus(io, { id: 'SM1', status: 'delivered', providerStatus: 'delivered', dateCreated: 'Tue, 01 Dec 2026 04:50:02 +0000', dateUpdated: 'soon' });
    expect(stdout()).toBe('id\tSM1\nstatus\tdelivered\ncreated\t2026-12-01T04:50:02.000Z\nupdated\tsoon\n');
  });
});
