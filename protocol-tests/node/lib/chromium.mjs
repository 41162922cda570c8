// Debian's Chromium for the browser suites (console, demo), driven by playwright-core: where it is,
// why a suite skips without it, and the one set of launch options both suites use. Kept apart from
// harness.mjs, which needs the HERALD_* variables at import.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** The Chromium executable: /usr/bin/chromium (Debian's package) unless HERALD_CHROMIUM names one. */
export const CHROMIUM = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';

/** `false` when Chromium is there, else why `suite` is skipped (a node:test `skip` value). */
export function skipWithoutChromium(suite) {
  return existsSync(CHROMIUM)
    ? false
    : `no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set HERALD_CHROMIUM to run the ${suite} suite`;
}

/**
 * Headless, without the sandbox (CI runs as root, where Chromium refuses it), and without the
 * background traffic a fresh profile would start (updates, sync, QUIC probes).
 */
function launchOptions() {
  return {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60000,
  };
}

/** A browser in which each user gets a context of their own (`browser.newContext()`). */
export function launchChromium() {
  return chromium.launch(launchOptions());
}

/** A browser of one context whose profile lives in `userDataDir`. */
export function launchChromiumContext(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, launchOptions());
}
