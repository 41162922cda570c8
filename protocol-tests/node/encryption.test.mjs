// End-to-end encrypted channels (private-encrypted-*): the `pusher` SDK holding the master key
// encrypts, Herald only relays, the Node build of pusher-js (PusherWithEncryption, tweetnacl)
// decrypts with the shared_secret the auth endpoint returned. Herald never sees the master key.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Pusher from 'pusher-js';
import {
  awaitSubscription,
  closeAll,
  connected,
  echoClient,
  nextEvent,
  pusherClient,
  recorder,
  serverSdk,
  startAuthServer,
  subscribed,
  unique,
  wireLog,
  withTimeout,
} from './lib/harness.mjs';

const MASTER_KEY = randomBytes(32).toString('base64');
const WRONG_MASTER_KEY = randomBytes(32).toString('base64');
const USERS = { 'token-alice': { id: 1, info: { name: 'Alice' } } };

/** The wire data of an encrypted event: exactly a nonce and a ciphertext, never the plaintext. */
function assertCiphertext(frame, frames) {
  assert.ok(frame, `no encrypted frame on the wire; frames:\n${frames}`);
  assert.deepEqual(Object.keys(frame.data).sort(), ['ciphertext', 'nonce'], `frames:\n${frames}`);
  assert.equal(Buffer.from(frame.data.nonce, 'base64').length, 24);
}

/**
 * Captures what pusher-js logs (it reports decryption failures only through its logger).
 * `Pusher.log` is process-wide; `restore()` puts the previous logger back.
 */
function captureLog() {
  const previous = Pusher.log;
  const lines = [];
  const waiters = [];
  Pusher.log = (message) => {
    lines.push(message);
    for (const waiter of waiters.splice(0)) {
      waiter();
    }
  };
  return {
    lines,
    /** Resolves once a logged line contains `text`. */
    until(text) {
      const found = () => lines.some((line) => line.includes(text));
      const reached = new Promise((resolve) => {
        const check = () => (found() ? resolve() : waiters.push(check));
        check();
      });
      return withTimeout(reached, () => `pusher-js to log '${text}'; logged:\n${lines.join('\n')}`);
    },
    restore() {
      Pusher.log = previous;
    },
  };
}

describe('end-to-end encrypted channels', () => {
  let auth;
  const laravel = serverSdk({ encryptionMasterKeyBase64: MASTER_KEY });

  async function clientAs(token, authUrl = auth.url) {
    const client = pusherClient({
      channelAuthorization: { endpoint: authUrl, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
    });
    await connected(client);
    return client;
  }

  before(async () => {
    auth = await startAuthServer({ users: USERS, encryptionMasterKeyBase64: MASTER_KEY, suiteScoped: true });
  });
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await auth?.close();
  });

  test('pusher-js decrypts an event the SDK encrypted for private-encrypted-orders.1 back to the original object', async () => {
    const name = 'private-encrypted-orders.1';
    const client = await clientAs('token-alice');
    const frames = wireLog(client);
    const channel = await subscribed(client, name);
    const request = auth.requests.find((r) => r.channelName === name);
    assert.equal(request?.status, 200, 'the auth endpoint did not authorise the encrypted channel');
    const event = nextEvent(channel, 'order.paid', () => `decrypted order.paid; frames:\n${frames}`);
    const payload = { id: 1, total: 99.5, items: ['café', '☕'], nested: { ok: true } };

    const response = await laravel.trigger(name, 'order.paid', payload);

    assert.equal(response.status, 200);
    assert.deepEqual(await event, payload);
    const wire = frames.find((f) => f.event === 'order.paid');
    assertCiphertext(wire, frames);
    assert.equal(wire.channel, name);
    assert.ok(!JSON.stringify(wire).includes('café'), 'the plaintext went over the wire');
    // The auth reply carried shared_secret; pusher-js keeps it and subscribes with `auth` only.
    assert.ok(String(frames).includes('"event":"pusher:subscribe"'), `frames:\n${frames}`);
    assert.ok(!String(frames).includes('shared_secret'), `the shared secret went to the server; frames:\n${frames}`);
    assert.equal(client.connection.state, 'connected');
  });

  test('Laravel Echo encryptedPrivate(orders.1).listen receives the decrypted payload', async () => {
    const echo = echoClient({ authEndpoint: auth.url, bearerToken: 'token-alice' });
    await connected(echo.connector.pusher);
    const frames = wireLog(echo.connector.pusher);
    const shipped = recorder(() => `.order.shipped on private-encrypted-orders.1; frames:\n${frames}`);
    const channel = echo.encryptedPrivate('orders.1').listen('.order.shipped', shipped);
    await awaitSubscription(channel.subscription);

    await laravel.trigger('private-encrypted-orders.1', 'order.shipped', { id: 1, carrier: 'DHL' });

    assert.deepEqual(await shipped.next(), { id: 1, carrier: 'DHL' });
    assertCiphertext(
      frames.find((f) => f.event === 'order.shipped'),
      frames,
    );
  });

  test('batch events to an encrypted channel are relayed as ciphertext and decrypted', async () => {
    const name = `private-encrypted-batch-${unique()}`;
    const client = await clientAs('token-alice');
    const frames = wireLog(client);
    const channel = await subscribed(client, name);
    const first = recorder('first');
    const second = recorder('second');
    channel.bind('first', first);
    channel.bind('second', second);

    await laravel.triggerBatch([
      { channel: name, name: 'first', data: { n: 1 } },
      { channel: name, name: 'second', data: 'a plain string' },
    ]);

    assert.deepEqual(await first.next(), { n: 1 });
    assert.equal(await second.next(), 'a plain string');
    for (const f of frames.filter((f) => f.event === 'first' || f.event === 'second')) {
      assertCiphertext(f, frames);
    }
  });

  test('a shared_secret from a wrong master key makes pusher-js re-authorise once and drop the event; the connection survives', async () => {
    const forger = await startAuthServer({ users: USERS, encryptionMasterKeyBase64: WRONG_MASTER_KEY });
    const name = `private-encrypted-wrongkey-${unique()}`;
    const log = captureLog();
    try {
      const client = await clientAs('token-alice', forger.url);
      const frames = wireLog(client);
      const errors = recorder('connection error');
      client.connection.bind('error', errors);
      // The server cannot tell a wrong shared_secret: the channel auth signature is still valid.
      const channel = await subscribed(client, name);
      const secret = recorder('secret event (must not be emitted)');
      channel.bind('secret', secret);
      const marker = await subscribed(client, `enc-marker-${unique()}`);
      const markerEvent = nextEvent(marker, 'marker');

      await laravel.trigger(name, 'secret', { leaked: false });

      // pusher-js emits no event for this: it logs, fetches a new key once, fails again and drops it.
      await log.until('Failed to decrypt event with new key');
      assert.equal(forger.requests.filter((r) => r.channelName === name).length, 2, 'expected one re-authorisation');
      assertCiphertext(
        frames.find((f) => f.event === 'secret'),
        frames,
      );

      await laravel.trigger(marker.name, 'marker', {});
      await markerEvent;
      assert.deepEqual(secret.calls, []);
      assert.deepEqual(errors.calls, [], `frames:\n${frames}`);
      assert.equal(client.connection.state, 'connected');
    } finally {
      log.restore();
    }
  });

  test('Herald refuses client events on an encrypted channel with pusher:error (code null) and keeps the socket', async () => {
    const name = `private-encrypted-chat-${unique()}`;
    const sender = await clientAs('token-alice');
    const receiver = await clientAs('token-alice');
    const senderChannel = await subscribed(sender, name);
    const receiverChannel = await subscribed(receiver, name);
    const frames = wireLog(sender);
    const relayed = recorder('client-typing on the receiver');
    receiverChannel.bind('client-typing', relayed);
    const rawRelayed = [];
    receiver.connection.bind('message', (m) => m.event === 'client-typing' && rawRelayed.push(m));

    // pusher-js itself refuses before anything is sent ...
    assert.throws(() => senderChannel.trigger('client-typing', { on: true }), /not currently supported for encrypted channels/);
    // ... so send the frame the way a non-pusher-js client would.
    const error = nextEvent(sender.connection, 'error', () => `pusher:error for the client event; frames:\n${frames}`);
    sender.send_event('client-typing', { on: true }, name);

    const { type, data } = await error;
    assert.equal(type, 'PusherError');
    assert.equal(data.code, null, `frames:\n${frames}`);
    assert.equal(typeof data.message, 'string');
    assert.equal(sender.connection.state, 'connected');

    const marker = nextEvent(receiverChannel, 'marker');
    await laravel.trigger(name, 'marker', {});
    assert.deepEqual(await marker, {});
    assert.deepEqual(rawRelayed, [], 'the refused client event was relayed');
    assert.deepEqual(relayed.calls, []);
  });

  test('a private-encrypted-cache- channel hands a new subscriber the cached ciphertext, which it decrypts', async () => {
    const name = `private-encrypted-cache-${unique()}`;
    await laravel.trigger(name, 'price', { v: 42 });
    const client = await clientAs('token-alice');
    const frames = wireLog(client);
    const channel = client.subscribe(name);
    const price = recorder(() => `cached price on ${name}; frames:\n${frames}`);
    channel.bind('price', price);
    await awaitSubscription(channel);

    assert.deepEqual(await price.next(), { v: 42 });
    assertCiphertext(
      frames.find((f) => f.event === 'price'),
      frames,
    );
  });
});
