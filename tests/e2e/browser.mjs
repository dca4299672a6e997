// The one way the end-to-end tests and benchmarks start Chromium: Debian's system build through
// playwright-core (Playwright's own browser download cannot work on these machines).

import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Playwright's launch() already runs Chromium headless with a fresh temporary --user-data-dir. The
// other flags keep Chromium from reaching out to a network it cannot use, and let it run as root.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
