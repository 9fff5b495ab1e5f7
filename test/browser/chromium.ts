// Debian's Chromium for the web phone's browser tests (playwright-core, headless, loopback only).
// One launch serves every suite: web-phone.test.ts starts it once for its three suites, each of which
// opens its pages in browser contexts of its own (browser.newPage makes one per page), so no
// cookie, storage or open event stream crosses from one suite to another.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

// Playwright's own --disable-features list (playwright-core 1.65, src/server/chromium/chromiumSwitches.ts):
// Chromium keeps only the last --disable-features on its command line, so adding to it means
// repeating these (several keep a headless browser from calling Google at start-up).
const PLAYWRIGHT_DISABLED = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'TcpPortRandomizationWin',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

// Headless Chromium 15x preloads the address bar's WebUI popups (chrome://omnibox-popup.top-chrome)
// in a renderer of their own: measured at about 1 s of CPU per launch, for a window nobody sees.
const UNUSED_UI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Launches headless Chromium with what the web phone tests need and nothing they do not. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI containers run as root, where Chromium's own sandbox cannot start.
    args: ['--no-sandbox', `--disable-features=${[...PLAYWRIGHT_DISABLED, ...UNUSED_UI].join(',')}`],
  });
}
