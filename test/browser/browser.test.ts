// The web phone's browser tests, in one file so that one Chromium serves them all: a launch costs
// about a second of CPU, and three files on three workers launched three. Each suite keeps its own
// sandbox and its own browser contexts (see chromium.ts). Skips, saying so, where Chromium is not
// installed (.ci/run installs it with apt-get).
import { afterAll, beforeAll, describe } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from './chromium.js';
import { layoutSuite } from './layout.suite.js';
import { optOutsAndFaultsSuite } from './opt-outs-and-faults.suite.js';
import { webPhoneSuite } from './web-phone.suite.js';

if (!HAS_CHROMIUM) console.warn(`test/browser: ${CHROMIUM} is missing; the web phone browser tests are skipped (apt-get install chromium)`);

describe.skipIf(!HAS_CHROMIUM)('the web phone in a real browser', () => {
  let browser: Browser | undefined;
  const shared = (): Browser => browser!;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  webPhoneSuite(shared);
  optOutsAndFaultsSuite(shared);
  layoutSuite(shared);
});
