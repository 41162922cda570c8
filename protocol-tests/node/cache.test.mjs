// Cache channels (cache-, private-cache-): the last event published through the HTTP API is
// handed to each new subscriber right after subscription_succeeded, or pusher:cache_miss when
// there is none; GET /channels/{name}?info=cache shows it. NodeInteropTest starts this suite's
// server with HERALD_APP_CACHE_TTL=60 and tells the suite with HERALD_CACHE_TTL=60; by hand against
// a server with the default cache_ttl, leave HERALD_CACHE_TTL unset (1800).

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  awaitSubscription,
  closeAll,
  connected,
  json,
  nextEvent,
  pusherClient,
  recorder,
  serverSdk,
  startAuthServer,
  subscribed,
  unique,
  wireLog,
} from './lib/harness.mjs';

const CACHE_TTL = Number(process.env.HERALD_CACHE_TTL ?? '1800');
const USERS = {
  'token-alice': { id: 1, info: { name: 'Alice' } },
  'token-bob': { id: 2, info: { name: 'Bob' } },
};

/** Resolves with the SDK's RequestError; fails if the call succeeded. */
async function rejection(promise) {
  let response;
  try {
    response = await promise;
  } catch (error) {
    return error;
  }
  assert.fail(`expected the SDK to reject, got ${response.status}: ${await response.text()}`);
}

describe('cache channels', () => {
  let auth;
  const sdk = serverSdk();

  async function clientAs(token) {
    const client = pusherClient(
      token === undefined
        ? {}
        : { channelAuthorization: { endpoint: auth.url, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } } },
    );
    await connected(client);
    return client;
  }

  /**
   * Subscribes with `events` bound before the subscribe frame goes out (the cached event follows
   * subscription_succeeded immediately), and returns the channel, one recorder per event and the
   * wire log.
   */
  async function subscribeRecording(client, name, ...events) {
    const frames = wireLog(client);
    const channel = client.subscribe(name);
    const recorders = {};
    for (const event of events) {
      recorders[event] = recorder(() => `'${event}' on ${name}; frames:\n${frames}`);
      channel.bind(event, recorders[event]);
    }
    await awaitSubscription(channel);
    return { channel, recorders, frames };
  }

  /** The frames the server sent on `name`, in order. */
  function framesOn(frames, name) {
    return frames.filter((f) => f.channel === name);
  }

  before(async () => {
    auth = await startAuthServer({ users: USERS, suiteScoped: true });
  });
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await auth?.close();
  });

  test("subscribing to cache-prices after trigger('price', {v:1}) delivers that event right after subscription_succeeded", async () => {
    const name = 'cache-prices';
    await sdk.trigger(name, 'price', { v: 1 });
    const client = await clientAs();

    const { recorders, frames } = await subscribeRecording(client, name, 'price', 'pusher:cache_miss');

    assert.deepEqual(await recorders.price.next(), { v: 1 });
    assert.deepEqual(framesOn(frames, name), [
      { event: 'pusher_internal:subscription_succeeded', channel: name, data: {} },
      { event: 'price', channel: name, data: { v: 1 } },
    ]);
    assert.deepEqual(recorders['pusher:cache_miss'].calls, []);
  });

  test('only the last event is cached, and live events still flow after the cached one', async () => {
    const name = `cache-last-${unique()}`;
    await sdk.trigger(name, 'price', { v: 1 });
    await sdk.trigger(name, 'price', { v: 2 });
    const client = await clientAs();

    const { recorders, frames } = await subscribeRecording(client, name, 'price');

    assert.deepEqual(await recorders.price.next(), { v: 2 });
    await sdk.trigger(name, 'price', { v: 3 });
    assert.deepEqual(await recorders.price.next(), { v: 3 });
    assert.deepEqual(recorders.price.calls, [{ v: 2 }, { v: 3 }], `frames:\n${frames}`);
  });

  test('an event from batch_events is cached too', async () => {
    const name = `cache-batch-${unique()}`;
    await sdk.triggerBatch([
      { channel: name, name: 'price', data: { v: 'first' } },
      { channel: name, name: 'tick', data: { v: 'last' } },
    ]);
    const client = await clientAs();

    const { recorders, frames } = await subscribeRecording(client, name, 'price', 'tick');

    assert.deepEqual(await recorders.tick.next(), { v: 'last' });
    assert.deepEqual(framesOn(frames, name).slice(1), [{ event: 'tick', channel: name, data: { v: 'last' } }]);
  });

  test('subscribing to a cache channel with nothing cached emits pusher:cache_miss on the channel', async () => {
    const name = `cache-empty-${unique()}`;
    const client = await clientAs();

    const { recorders, frames } = await subscribeRecording(client, name, 'pusher:cache_miss');

    await recorders['pusher:cache_miss'].next();
    assert.deepEqual(framesOn(frames, name), [
      { event: 'pusher_internal:subscription_succeeded', channel: name, data: {} },
      { event: 'pusher:cache_miss', channel: name },
    ]);
  });

  test('a plain public channel gets neither a cached event nor a cache_miss', async () => {
    const name = `nocache-${unique()}`;
    await sdk.trigger(name, 'price', { v: 1 });
    const client = await clientAs();

    const { channel, recorders, frames } = await subscribeRecording(client, name, 'price', 'pusher:cache_miss');
    const marker = nextEvent(channel, 'marker');
    await sdk.trigger(name, 'marker', {});
    await marker;

    assert.deepEqual(recorders.price.calls, []);
    assert.deepEqual(recorders['pusher:cache_miss'].calls, []);
    assert.deepEqual(
      framesOn(frames, name).map((f) => f.event),
      ['pusher_internal:subscription_succeeded', 'marker'],
    );
  });

  test('private-cache- is authorised through the endpoint and delivers the cached HTTP event, never a cached client event', async () => {
    const name = `private-cache-${unique()}`;
    const alice = await clientAs('token-alice');
    const aliceChannel = await subscribed(alice, name);
    await sdk.trigger(name, 'price', { v: 'from-http' });
    // A client event after the HTTP one: it is relayed live but must not replace the cached event.
    const bobWitness = await clientAs('token-bob');
    const witnessChannel = await subscribed(bobWitness, name);
    const whisper = nextEvent(witnessChannel, 'client-price');
    aliceChannel.trigger('client-price', { v: 'from-client' });
    await whisper;

    const late = await clientAs('token-bob');
    const { recorders, frames } = await subscribeRecording(late, name, 'price', 'client-price', 'pusher:cache_miss');

    assert.deepEqual(await recorders.price.next(), { v: 'from-http' });
    const request = auth.requests.find((r) => r.channelName === name && r.socketId === late.connection.socket_id);
    assert.equal(request?.status, 200, 'the late subscriber was not authorised through the endpoint');
    assert.deepEqual(framesOn(frames, name), [
      { event: 'pusher_internal:subscription_succeeded', channel: name, data: {} },
      { event: 'price', channel: name, data: { v: 'from-http' } },
    ]);
  });

  test('private-cache- with nothing cached emits pusher:cache_miss after the authorised subscription', async () => {
    const name = `private-cache-empty-${unique()}`;
    const client = await clientAs('token-alice');

    const { recorders } = await subscribeRecording(client, name, 'pusher:cache_miss');

    await recorders['pusher:cache_miss'].next();
  });

  test('presence-cache- delivers the cached event after the presence subscription, with the member list intact', async () => {
    const name = `presence-cache-${unique()}`;
    await sdk.trigger(name, 'price', { v: 'presence' });
    const client = await clientAs('token-alice');

    const { channel, recorders, frames } = await subscribeRecording(client, name, 'price');

    assert.deepEqual(await recorders.price.next(), { v: 'presence' });
    assert.equal(channel.members.count, 1);
    assert.deepEqual(
      framesOn(frames, name).map((f) => f.event),
      ['pusher_internal:subscription_succeeded', 'price'],
    );
  });

  test("the SDK's get(/channels/cache-prices, info=cache) returns the cached event and its remaining ttl", async () => {
    const name = 'cache-prices';
    await sdk.trigger(name, 'price', { v: 1 });
    const client = await clientAs();
    await subscribed(client, name);

    const response = await sdk.get({ path: `/channels/${name}`, params: { info: 'cache' } });

    const body = await json(response);
    assert.equal(response.status, 200);
    assert.equal(typeof body.cache?.ttl, 'number', `body: ${JSON.stringify(body)}`);
    assert.ok(body.cache.ttl <= CACHE_TTL && body.cache.ttl >= CACHE_TTL - 5, `ttl ${body.cache.ttl} not near ${CACHE_TTL}`);
    assert.deepEqual(body, { occupied: true, cache: { event: 'price', data: '{"v":1}', ttl: body.cache.ttl } });
  });

  test('info=cache is null when nothing is cached, and a 400 on a channel that is not a cache channel', async () => {
    const empty = `cache-none-${unique()}`;
    const client = await clientAs();
    await subscribed(client, empty);

    const response = await sdk.get({ path: `/channels/${empty}`, params: { info: 'cache' } });
    assert.deepEqual(await json(response), { occupied: true, cache: null });

    const error = await rejection(sdk.get({ path: `/channels/plain-${unique()}`, params: { info: 'cache' } }));
    assert.equal(error.status, 400, `unexpected error: ${error.message} ${error.body ?? ''}`);
  });
});
