// The debug console (/console) in a real browser: Debian's Chromium driven by playwright-core.
// The token gate, the live view of connections and channels fed by a pusher-js client, the event
// log fed by an HTTP API trigger, and the trigger form delivering an event to pusher-js.
//
// Needs HERALD_CONSOLE_TOKEN (the token the server was started with) besides the harness's HERALD_*
// variables, and Chromium at /usr/bin/chromium (or HERALD_CHROMIUM); without it the suite is
// skipped, saying so.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromiumContext, skipWithoutChromium, textBecomes } from './lib/chromium.mjs';
import { closeAll, connected, herald, nextEvent, pusherClient, serverSdk, subscribed } from './lib/harness.mjs';

const TOKEN = process.env.HERALD_CONSOLE_TOKEN;
const SKIP =
  skipWithoutChromium('console') ||
  (TOKEN ? false : 'HERALD_CONSOLE_TOKEN is not set: the console suite needs the token the server was started with');

/** How long the page may take to show something (it refreshes 250 ms after each live event). */
const PAGE_TIMEOUT_MS = 10000;
const CONSOLE_URL = `http://${herald.host}:${herald.port}/console`;
const SCREENSHOT = path.resolve('..', 'target', 'console.png');

describe('the debug console in Chromium', { skip: SKIP }, () => {
  let context;
  let userDataDir;

  before(async () => {
    userDataDir = mkdtempSync(path.join(tmpdir(), 'herald-console-chromium-'));
    context = await launchChromiumContext(userDataDir);
    context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  });
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await context?.close();
    if (userDataDir) {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  /** A new tab (its own sessionStorage, so no remembered token) on the console page. */
  async function consolePage() {
    const page = await context.newPage();
    const response = await page.goto(CONSOLE_URL);
    assert.equal(response.status(), 200, `GET ${CONSOLE_URL}`);
    return page;
  }

  async function logIn(page, token) {
    await page.fill('#token', token);
    await page.click('#connect');
  }

  /** Waits for a #log entry of `type` whose text contains every one of `parts`; returns its text. */
  async function logEntry(page, type, ...parts) {
    const handle = await page.waitForFunction(
      ([t, ps]) =>
        [...document.querySelectorAll(`#log .entry[data-type="${t}"]`)]
          .map((entry) => entry.textContent)
          .find((text) => ps.every((p) => text.includes(p))),
      [type, parts],
      { timeout: PAGE_TIMEOUT_MS },
    ).catch(async (error) => {
      const log = await page.locator('#log').textContent();
      throw new Error(`no #log entry ${type} with ${JSON.stringify(parts)}; #log:\n${log}\n${error.message}`);
    });
    return handle.jsonValue();
  }

  test('a wrong token is refused and the login form stays', async () => {
    const page = await consolePage();
    await logIn(page, `wrong-${TOKEN}`);
    await textBecomes(page, '#login-error', 'The token was refused');
    assert.equal(await page.isVisible('#login'), true, '#login visible');
    assert.equal(await page.isVisible('#console'), false, '#console hidden');
    await page.close();
  });

  test('the console shows a pusher-js connection and its channel, logs an API event, and its form triggers an event', async () => {
    const page = await consolePage();
    // No URL the page requests carries the token (URLs end up in proxy logs), and the page's
    // Content-Security-Policy blocks nothing the page itself needs.
    const urls = [];
    const violations = [];
    page.on('request', (request) => urls.push(request.url()));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    assert.equal(await page.isVisible('#console'), false, 'nothing shown before the token');
    await logIn(page, TOKEN);
    await page.waitForSelector('#console', { state: 'visible' });
    assert.equal(await page.isVisible('#login'), false, '#login hidden once in');
    await page.waitForSelector(`#apps [data-app="${herald.appId}"]`);

    const client = pusherClient();
    const socketId = await connected(client);
    const channel = await subscribed(client, 'orders.42');

    const app = `#apps [data-app="${herald.appId}"]`;
    await textBecomes(page, `${app} .connections`, '1 connection');
    await page.waitForSelector(`${app} [data-channel="orders.42"]`);
    await textBecomes(page, `${app} [data-channel="orders.42"] td:nth-child(2)`, '1');
    await logEntry(page, 'connection_opened', socketId);

    const shipped = nextEvent(channel, 'order.shipped');
    await serverSdk().trigger('orders.42', 'order.shipped', { id: 42 });
    assert.deepEqual(await shipped, { id: 42 });
    await logEntry(page, 'api_event', '"channel":"orders.42"', '"event":"order.shipped"');

    const fromConsole = nextEvent(channel, 'console.ping');
    await page.selectOption('#trigger-app', herald.appId);
    await page.fill('#trigger-channel', 'orders.42');
    await page.fill('#trigger-event', 'console.ping');
    await page.fill('#trigger-data', '{"from":"console","n":1}');
    await page.click('#trigger-send');
    await textBecomes(page, '#trigger-result', 'Sent');
    assert.deepEqual(await fromConsole, { from: 'console', n: 1 });

    assert.ok(urls.some((url) => url.includes('/api/events?ticket=')), `the stream opened with a ticket: ${urls}`);
    assert.deepEqual(urls.filter((url) => url.includes(TOKEN)), [], 'no URL carries the token');
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');

    // For humans reading the build output; not asserted.
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
