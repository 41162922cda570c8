// The demo page (/demo/, served with --dev) in a real browser: Debian's Chromium driven by
// playwright-core, two users in two browser contexts. They see each other join the presence
// channel, one types and the other sees the indicator, an order shipped from the form reaches both
// (and toOthers() leaves the sender out), a notification reaches only its user, and a user who
// closes the page leaves; names and messages other users type are shown as text, never as markup.
// Also pins the vendored browser builds in examples/vendor to the npm packages this suite pins.
//
// Needs a server started with --dev (the development app: HERALD_APP_KEY=herald-key) and Chromium
// at /usr/bin/chromium (or HERALD_CHROMIUM); without Chromium the browser test is skipped, saying so.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, skipWithoutChromium, textBecomes } from './lib/chromium.mjs';
import { herald, unique } from './lib/harness.mjs';

const SKIP = skipWithoutChromium('demo');

/** How long the page may take to show something another page did. */
const PAGE_TIMEOUT_MS = 10000;
const DEMO_URL = `http://${herald.host}:${herald.port}/demo/`;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLES = path.resolve(HERE, '..', '..', 'examples');
const SCREENSHOT = path.resolve(HERE, '..', 'target', 'demo.png');

test('examples/vendor holds the browser builds of the pinned pusher-js and laravel-echo, unchanged', () => {
  const pairs = [
    ['vendor/pusher-js/pusher.min.js', 'node_modules/pusher-js/dist/web/pusher.min.js'],
    ['vendor/pusher-js/pusher.min.js.LICENSE.txt', 'node_modules/pusher-js/dist/web/pusher.min.js.LICENSE.txt'],
    ['vendor/pusher-js/LICENCE', 'node_modules/pusher-js/LICENCE'],
    ['vendor/laravel-echo/echo.iife.js', 'node_modules/laravel-echo/dist/echo.iife.js'],
    ['vendor/laravel-echo/LICENSE.md', 'node_modules/laravel-echo/LICENSE.md'],
  ];
  for (const [vendored, pinned] of pairs) {
    assert.ok(
      readFileSync(path.join(EXAMPLES, vendored)).equals(readFileSync(path.join(HERE, pinned))),
      `examples/${vendored} differs from ${pinned}: copy it again after changing package.json`,
    );
  }
});

describe('the demo page in Chromium', { skip: SKIP }, () => {
  let browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  /**
   * A user in a browser context of their own (own cookies and storage, as another person's browser
   * would be), signed in on the demo page. Every page error and console error is collected, so a
   * script error or a refused Content-Security-Policy fails the test.
   */
  async function signIn({ id, name, order, room }) {
    const context = await browser.newContext();
    context.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        errors.push(`console error: ${message.text()}`);
      }
    });
    const response = await page.goto(DEMO_URL);
    assert.equal(response.status(), 200, `GET ${DEMO_URL}`);
    await page.fill('#login-name', name);
    await page.fill('#login-id', id);
    await page.fill('#login-order', order);
    await page.fill('#login-room', room);
    await page.click('#login-submit');
    // Subscribed to all three channels: the order's, the chat's presence channel, the inbox.
    for (const section of ['#order', '#chat', '#inbox']) {
      await page.waitForSelector(`${section}[data-subscribed="true"]`).catch(async (error) => {
        throw new Error(`${name} never subscribed in ${section}; log:\n${await page.textContent('#log')}\n${errors.join('\n')}\n${error.message}`);
      });
    }
    await textBecomes(page, '#connection', 'connected');
    return { page, context, errors, name, id };
  }

  /** Waits until the items of list `selector` are exactly `expected`, in order. */
  async function itemsBecome(page, selector, expected) {
    try {
      await page.waitForFunction(
        ([s, e]) => JSON.stringify([...document.querySelectorAll(`${s} > li`)].map((li) => li.textContent.trim())) === JSON.stringify(e),
        [selector, expected],
        { timeout: PAGE_TIMEOUT_MS },
      );
    } catch (error) {
      const actual = await items(page, selector);
      throw new Error(`${selector} should list ${JSON.stringify(expected)} but lists ${JSON.stringify(actual)}: ${error.message}`);
    }
  }

  function items(page, selector) {
    return page.$$eval(`${selector} > li`, (lis) => lis.map((li) => li.textContent.trim()));
  }

  test('two users see each other join, type, ship an order, get only their own notifications, and leave', async () => {
    const run = unique();
    const order = String(Number.parseInt(run, 16) % 1000000000);
    const room = `room-${run}`;
    const ada = await signIn({ id: `ada-${run}`, name: 'Ada', order, room });
    await itemsBecome(ada.page, '#online', [`Ada (#${ada.id}), you`]);

    // Joining: the newcomer's here() lists both, the other page's joining() adds the newcomer.
    const grace = await signIn({ id: `grace-${run}`, name: 'Grace', order, room });
    await itemsBecome(grace.page, '#online', [`Ada (#${ada.id})`, `Grace (#${grace.id}), you`]);
    await itemsBecome(ada.page, '#online', [`Ada (#${ada.id}), you`, `Grace (#${grace.id})`]);
    await textBecomes(ada.page, '#online-count', '2');

    // Typing: Grace's whispers reach Ada; sending the message clears the indicator.
    await grace.page.locator('#say-text').pressSequentially('Hello Ada');
    await textBecomes(ada.page, '#typing', 'Grace is typing…');
    await textBecomes(grace.page, '#typing', '');
    await grace.page.click('#say-submit');
    await itemsBecome(ada.page, '#messages', ['Grace: Hello Ada']);
    await itemsBecome(grace.page, '#messages', ['Grace: Hello Ada']);
    await textBecomes(ada.page, '#typing', '');

    // An event from a form: both see the order ship...
    await ada.page.fill('#ship-carrier', 'UPS');
    await ada.page.click('#ship-submit');
    await textBecomes(ada.page, '#ship-result', 'Sent');
    await itemsBecome(ada.page, '#order-feed', ['Shipped with UPS by Ada']);
    await itemsBecome(grace.page, '#order-feed', ['Shipped with UPS by Ada']);
    // ...and with toOthers() only the other page does. The event after it, sent to everyone,
    // arrives at Ada behind it on the same socket: once Ada has that one, she would have the other.
    await ada.page.check('#ship-to-others');
    await ada.page.fill('#ship-carrier', 'FedEx');
    await ada.page.click('#ship-submit');
    await itemsBecome(grace.page, '#order-feed', ['Shipped with UPS by Ada', 'Shipped with FedEx by Ada']);
    await ada.page.uncheck('#ship-to-others');
    await ada.page.fill('#ship-carrier', 'DPD');
    await ada.page.click('#ship-submit');
    await itemsBecome(grace.page, '#order-feed', ['Shipped with UPS by Ada', 'Shipped with FedEx by Ada', 'Shipped with DPD by Ada']);
    await itemsBecome(ada.page, '#order-feed', ['Shipped with UPS by Ada', 'Shipped with DPD by Ada']);

    // A notification reaches only its user: Ada notifies Grace, then herself (the same ordering
    // argument: once Ada has her own, Grace's would have reached her had it been sent to her).
    await ada.page.selectOption('#notify-to', grace.id);
    await ada.page.fill('#notify-text', 'Your order has shipped');
    await ada.page.click('#notify-submit');
    await itemsBecome(grace.page, '#notifications', ['Ada: Your order has shipped']);
    await ada.page.selectOption('#notify-to', ada.id);
    await ada.page.fill('#notify-text', 'Note to self');
    await ada.page.click('#notify-submit');
    await itemsBecome(ada.page, '#notifications', ['Ada: Note to self']);
    await itemsBecome(grace.page, '#notifications', ['Ada: Your order has shipped']);

    // For humans reading the build output; not asserted.
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await ada.page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Leaving: Grace closes her page; Ada's leaving() removes her.
    assert.deepEqual(grace.errors, [], 'errors on Grace\'s page');
    await grace.context.close();
    await itemsBecome(ada.page, '#online', [`Ada (#${ada.id}), you`]);
    await textBecomes(ada.page, '#online-count', '1');
    assert.match(await ada.page.textContent('#log'), /Grace left/);
    assert.deepEqual(ada.errors, [], 'errors on Ada\'s page');
    await ada.context.close();
  });

  test('what other users type is shown as text, never run as markup', async () => {
    const run = unique();
    const room = `room-${run}`;
    const ada = await signIn({ id: `ada-${run}`, name: 'Ada', order: '7', room });
    const hostile = '<img src=x onerror="window.pwned=1">';
    const mallory = await signIn({ id: `mallory-${run}`, name: hostile, order: '7', room });
    await itemsBecome(ada.page, '#online', [`${hostile} (#${mallory.id})`, `Ada (#${ada.id}), you`]);
    await mallory.page.fill('#say-text', hostile);
    await mallory.page.click('#say-submit');
    await itemsBecome(ada.page, '#messages', [`${hostile}: ${hostile}`]);
    assert.equal(await ada.page.evaluate(() => document.querySelectorAll('main img').length), 0, 'no <img> in the page');
    assert.equal(await ada.page.evaluate(() => window.pwned), undefined, 'the handler never ran');
    await mallory.context.close();
    await ada.context.close();
  });

  test('the auth endpoint refuses to sign another user\'s notification channel', async () => {
    const run = unique();
    const ada = await signIn({ id: `ada-${run}`, name: 'Ada', order: '7', room: `room-${run}` });
    // What a page would get if it asked for someone else's private channel: Laravel's 403.
    const answer = await ada.page.evaluate(async (id) => {
      const response = await fetch('broadcasting/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          socket_id: '1234.5678',
          channel_name: `private-App.Models.User.not-${id}`,
          user_id: id,
          user_name: 'Ada',
        }),
      });
      return { status: response.status, body: await response.json() };
    }, ada.id);
    assert.deepEqual(answer, {
      status: 403,
      body: { error: `private-App.Models.User.not-${ada.id} belongs to user not-${ada.id}, not to user ${ada.id}`, code: 403 },
    });
    assert.deepEqual(ada.errors.filter((e) => !e.includes('403')), [], 'errors on the page');
    await ada.context.close();
  });
});
