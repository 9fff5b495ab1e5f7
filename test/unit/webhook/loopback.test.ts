import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackUrl, isOfflineMode } from '../../../src/webhook/loopback.js';

describe('loopback checks', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (h) => {
    expect(isLoopbackAddress(h)).toBe(true);
  });
  it.each(['localhost', '0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '1.127.0.0', 'example.com', '', '127.0.0.1.nip.io', '::ffff:10.0.0.1'])(
    '%s is not loopback',
    (h) => {
      expect(isLoopbackAddress(h)).toBe(false);
    },
  );
  it('checks URLs', () => {
    expect(isLoopbackUrl('http://127.0.0.1:8080/x')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:8080/')).toBe(true);
    expect(isLoopbackUrl('https://localtunnel.me')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1@evil.example/')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
  it('reads MMS_TEST_OFFLINE', () => {
    expect(isOfflineMode({})).toBe(false);
    expect(isOfflineMode({ MMS_TEST_OFFLINE: '0' })).toBe(false);
    expect(isOfflineMode({ MMS_TEST_OFFLINE: 'false' })).toBe(false);
    expect(isOfflineMode({ MMS_TEST_OFFLINE: '1' })).toBe(true);
  });
});
