// Debian's Chromium for the browser suites (console, demo), driven by playwright-core: where it is,
// why a suite skips without it, the one set of launch options both suites use, and waiting for a
// page's text. Kept apart from harness.mjs, which needs the HERALD_* variables at import.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** The Chromium executable: /usr/bin/chromium (Debian's package) unless HERALD_CHROMIUM names one. */
export const CHROMIUM = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';

/**
 * `false` when Chromium is there, else why `suite` is skipped (a node:test `skip` value). With
 * HERALD_REQUIRE_ALL=true (the full test tier) a missing Chromium throws instead: CI must not pass
 * a browser suite it did not run.
 */
export function skipWithoutChromium(suite) {
  if (existsSync(CHROMIUM)) {
    return false;
  }
  const why = `no Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set HERALD_CHROMIUM to run the ${suite} suite`;
  if (process.env.HERALD_REQUIRE_ALL === 'true') {
    throw new Error(`${why} (HERALD_REQUIRE_ALL=true: the full tier runs every suite)`);
  }
  return why;
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

/**
 * Waits until the text of `selector` is exactly `expected`, for as long as the page's default
 * timeout (each suite sets it on its browser context); fails showing what the text was.
 */
export async function textBecomes(page, selector, expected) {
  try {
    await page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent?.trim() === e, [selector, expected]);
  } catch (error) {
    const actual = await page.locator(selector).first().textContent({ timeout: 100 }).catch(() => '(absent)');
    throw new Error(`${selector} should read ${JSON.stringify(expected)} but reads ${JSON.stringify(actual)}: ${error.message}`);
  }
}
