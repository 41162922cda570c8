// The `pusher` server SDK (pusher-http-node 5.3.4) against Herald's HTTP API, with a pusher-js
// subscriber to see what the API calls put on the wire.

import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeAll,
  connected,
  herald,
  json,
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

/** Resolves with the SDK's RequestError; fails if the call succeeded. */
async function rejection(promise) {
  try {
    const response = await promise;
    assert.fail(`expected the SDK to reject, got ${response.status}: ${await response.text()}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) {
      throw error;
    }
    return error;
  }
}

describe('the pusher server SDK against the Herald HTTP API', () => {
  const sdk = serverSdk();

  afterEach(closeAll);
  after(closeAll);

  async function subscriber(...channels) {
    const client = pusherClient();
    await connected(client);
    const frames = wireLog(client);
    const subscriptions = await Promise.all(channels.map((name) => subscribed(client, name)));
    return { client, frames, channels: subscriptions };
  }

  test('trigger answers 200 {} and subscribers get the data string untouched', async () => {
    const name = `sdk-${unique()}`;
    const { frames, channels } = await subscriber(name);
    const objectEvent = nextEvent(channels[0], 'object-data');

    const response = await sdk.trigger(name, 'object-data', { id: 42, tags: ['a', 'b'], nested: { ok: true } });

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {});
    assert.deepEqual(await objectEvent, { id: 42, tags: ['a', 'b'], nested: { ok: true } });

    const stringEvent = nextEvent(channels[0], 'string-data');
    await sdk.trigger(name, 'string-data', 'plain text, not JSON');
    assert.equal(await stringEvent, 'plain text, not JSON');
    assert.deepEqual(
      frames.filter((f) => !f.event.startsWith('pusher')),
      [
        { event: 'object-data', channel: name, data: { id: 42, tags: ['a', 'b'], nested: { ok: true } } },
        { event: 'string-data', channel: name, data: 'plain text, not JSON' },
      ],
    );
  });

  test('trigger to several channels reaches each channel once', async () => {
    const first = `sdk-${unique()}`;
    const second = `sdk-${unique()}`;
    const { frames, channels } = await subscriber(first, second);
    const onFirst = nextEvent(channels[0], 'fanout');
    const onSecond = nextEvent(channels[1], 'fanout');

    await sdk.trigger([first, second], 'fanout', { n: 2 });

    assert.deepEqual(await onFirst, { n: 2 });
    assert.deepEqual(await onSecond, { n: 2 });
    assert.equal(frames.filter((f) => f.event === 'fanout').length, 2);
  });

  test('triggerBatch answers 200 {} and delivers every item to its channel in order', async () => {
    const first = `sdk-${unique()}`;
    const second = `sdk-${unique()}`;
    const { frames, channels } = await subscriber(first, second);
    const last = nextEvent(channels[1], 'three');

    const response = await sdk.triggerBatch([
      { channel: first, name: 'one', data: { n: 1 } },
      { channel: second, name: 'two', data: 'two as a string' },
      { channel: second, name: 'three', data: { n: 3 } },
    ]);

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {});
    await last;
    assert.deepEqual(
      frames.filter((f) => !f.event.startsWith('pusher')),
      [
        { event: 'one', channel: first, data: { n: 1 } },
        { event: 'two', channel: second, data: 'two as a string' },
        { event: 'three', channel: second, data: { n: 3 } },
      ],
    );
  });

  test('triggerBatch with info returns the attributes of each item in request order', async () => {
    const busy = `sdk-${unique()}`;
    const empty = `sdk-${unique()}`;
    await subscriber(busy);
    await subscriber(busy);

    const response = await sdk.triggerBatch([
      { channel: busy, name: 'counted', data: {}, info: 'subscription_count' },
      { channel: empty, name: 'uncounted', data: {} },
    ]);

    assert.deepEqual(await json(response), { batch: [{ subscription_count: 2 }, {}] });
  });

  test('a wrong secret is rejected with 401 and a JSON error body, and nothing is delivered', async () => {
    const name = `sdk-${unique()}`;
    const { channels } = await subscriber(name);
    const forged = recorder('forged event');
    channels[0].bind('forged', forged);
    const marker = nextEvent(channels[0], 'marker');

    const error = await rejection(serverSdk({ secret: `${herald.secret}-wrong` }).trigger(name, 'forged', { x: 1 }));

    assert.equal(error.status, 401, `unexpected error: ${error.message} ${error.body ?? ''}`);
    const body = JSON.parse(error.body);
    assert.equal(body.code, 401);
    assert.equal(typeof body.error, 'string');

    await sdk.trigger(name, 'marker', {});
    await marker;
    assert.deepEqual(forged.calls, []);
  });

  test('a wrong key is rejected with 401 and an unknown app id with 404', async () => {
    const wrongKey = await rejection(serverSdk({ key: `${herald.key}-wrong` }).trigger(`sdk-${unique()}`, 'e', {}));
    assert.equal(wrongKey.status, 401, `unexpected error: ${wrongKey.message} ${wrongKey.body ?? ''}`);

    const unknownApp = await rejection(serverSdk({ appId: `${herald.appId}999` }).trigger(`sdk-${unique()}`, 'e', {}));
    assert.equal(unknownApp.status, 404, `unexpected error: ${unknownApp.message} ${unknownApp.body ?? ''}`);
  });

  test('event data over 10240 bytes is rejected with 413', async () => {
    const error = await rejection(sdk.trigger(`sdk-${unique()}`, 'big', 'x'.repeat(10241)));
    assert.equal(error.status, 413, `unexpected error: ${error.message} ${error.body ?? ''}`);

    const atLimit = await sdk.trigger(`sdk-${unique()}`, 'big', 'x'.repeat(10240));
    assert.equal(atLimit.status, 200);
  });

  test('channel info reports occupation and subscription_count, and occupied:false for an empty channel', async () => {
    const name = `sdk-${unique()}`;
    await subscriber(name);
    await subscriber(name);

    const occupied = await sdk.get({ path: `/channels/${name}`, params: { info: 'subscription_count' } });
    assert.deepEqual(await json(occupied), { occupied: true, subscription_count: 2 });

    const plain = await sdk.get({ path: `/channels/${name}` });
    assert.deepEqual(await json(plain), { occupied: true });

    const vacant = await sdk.get({ path: `/channels/sdk-nobody-${unique()}` });
    assert.deepEqual(await json(vacant), { occupied: false });
  });

  test('presence channel info reports user_count, and user_count on a public channel is a 400', async () => {
    const auth = await startAuthServer({ users: { carol: { id: 'carol', info: { name: 'Carol' } } } });
    const client = pusherClient({
      channelAuthorization: { endpoint: auth.url, transport: 'ajax', headers: { Authorization: 'Bearer carol' } },
    });
    await connected(client);
    const presence = `presence-sdk-${unique()}`;
    await subscribed(client, presence);

    const info = await sdk.get({ path: `/channels/${presence}`, params: { info: 'user_count' } });
    assert.deepEqual(await json(info), { occupied: true, user_count: 1 });

    const error = await rejection(sdk.get({ path: `/channels/sdk-${unique()}`, params: { info: 'user_count' } }));
    assert.equal(error.status, 400, `unexpected error: ${error.message} ${error.body ?? ''}`);
  });

  test('GET /channels lists only occupied channels matching the prefix', async () => {
    const prefix = `sdk-list-${unique()}-`;
    const { client } = await subscriber(`${prefix}a`, `${prefix}b`, `${prefix}c`);
    client.unsubscribe(`${prefix}c`);
    // The unsubscribe has no reply; a ping round trip on the same socket orders it before the query.
    const pong = new Promise((resolve) => {
      client.connection.bind('message', (message) => message.event === 'pusher:pong' && resolve());
    });
    client.send_event('pusher:ping', {});
    await withTimeout(pong, 'pusher:pong');

    const response = await sdk.get({ path: '/channels', params: { filter_by_prefix: prefix } });

    assert.deepEqual(await json(response), { channels: { [`${prefix}a`]: {}, [`${prefix}b`]: {} } });
  });
});
