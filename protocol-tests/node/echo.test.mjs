// Laravel Echo (reverb broadcaster, pusher-js underneath) against Herald, with a stand-in for
// Laravel's /broadcasting/auth and the `pusher` SDK playing Laravel's broadcaster.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  awaitSubscription,
  closeAll,
  connected,
  disconnectPusher,
  echoClient,
  herald,
  recorder,
  serverSdk,
  startAuthServer,
  wireLog,
} from './lib/harness.mjs';

const USERS = {
  'token-alice': { id: 1, info: { id: 1, name: 'Alice' } },
  'token-bob': { id: 2, info: { id: 2, name: 'Bob' } },
};

/** Resolves when Echo's channel reports subscription_succeeded; rejects on its .error(). */
function echoSubscribed(channel) {
  return awaitSubscription(channel.subscription);
}

async function connectedEcho(options) {
  const echo = echoClient(options);
  await connected(echo.connector.pusher);
  return echo;
}

describe('Laravel Echo against Herald', () => {
  let auth;
  const laravel = serverSdk();

  before(async () => {
    auth = await startAuthServer({ users: USERS, suiteScoped: true });
  });
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await auth?.close();
  });

  test('a public channel listener receives the exact payload the server SDK triggered', async () => {
    const echo = await connectedEcho();
    const shipped = recorder('.order.shipped on orders.42');
    const channel = echo.channel('orders.42').listen('.order.shipped', shipped);
    await echoSubscribed(channel);

    await laravel.trigger('orders.42', 'order.shipped', { id: 42 });

    assert.deepEqual(await shipped.next(), { id: 42 });
  });

  test('a private channel is authorised through the auth endpoint and then receives events', async () => {
    const echo = await connectedEcho({ authEndpoint: auth.url, bearerToken: 'token-alice' });
    const shipped = recorder('.order.shipped on private-orders.7');
    const channel = echo.private('orders.7').listen('.order.shipped', shipped);
    await echoSubscribed(channel);

    const request = auth.requests.find((r) => r.channelName === 'private-orders.7');
    assert.ok(request, 'Echo never called the auth endpoint');
    assert.equal(request.socketId, echo.socketId());
    assert.equal(request.contentType, 'application/x-www-form-urlencoded');
    assert.equal(request.status, 200);

    await laravel.trigger('private-orders.7', 'order.shipped', { id: 7, carrier: 'DHL' });

    assert.deepEqual(await shipped.next(), { id: 7, carrier: 'DHL' });
  });

  test('presence here lists both users, joining fires on the other client and leaving fires on disconnect', async () => {
    const alice = await connectedEcho({ authEndpoint: auth.url, bearerToken: 'token-alice' });
    const aliceFrames = wireLog(alice.connector.pusher);
    const aliceHere = recorder(() => `here() for Alice; frames:\n${aliceFrames}`);
    const aliceJoining = recorder(() => `joining() on Alice; frames:\n${aliceFrames}`);
    const aliceLeaving = recorder(() => `leaving() on Alice; frames:\n${aliceFrames}`);
    alice.join('chat.1').here(aliceHere).joining(aliceJoining).leaving(aliceLeaving);
    assert.deepEqual(await aliceHere.next(), [USERS['token-alice'].info]);

    const bob = await connectedEcho({ authEndpoint: auth.url, bearerToken: 'token-bob' });
    const bobFrames = wireLog(bob.connector.pusher);
    const bobHere = recorder(() => `here() for Bob; frames:\n${bobFrames}`);
    const bobJoining = recorder('joining() on Bob');
    bob.join('chat.1').here(bobHere).joining(bobJoining);

    const bobSees = await bobHere.next();
    assert.deepEqual(
      [...bobSees].sort((a, b) => a.id - b.id),
      [USERS['token-alice'].info, USERS['token-bob'].info],
    );
    assert.deepEqual(await aliceJoining.next(), USERS['token-bob'].info);

    await disconnectPusher(bob.connector.pusher);
    assert.deepEqual(await aliceLeaving.next(), USERS['token-bob'].info);
    assert.deepEqual(bobJoining.calls, [], 'the joiner must not be told about its own join');
    assert.equal(aliceJoining.calls.length, 1);
  });

  test('a whisper reaches the other client and is not echoed to the sender', async () => {
    const alice = await connectedEcho({ authEndpoint: auth.url, bearerToken: 'token-alice' });
    const bob = await connectedEcho({ authEndpoint: auth.url, bearerToken: 'token-bob' });
    const aliceFrames = wireLog(alice.connector.pusher);
    const bobFrames = wireLog(bob.connector.pusher);
    const aliceTyping = recorder('typing whisper on Alice');
    const aliceMarker = recorder('marker on Alice');
    const bobTyping = recorder(() => `typing whisper on Bob; Bob's frames:\n${bobFrames}`);
    const aliceChannel = alice.private('chat.1').listenForWhisper('typing', aliceTyping).listen('.marker', aliceMarker);
    const bobChannel = bob.private('chat.1').listenForWhisper('typing', bobTyping);
    await Promise.all([echoSubscribed(aliceChannel), echoSubscribed(bobChannel)]);

    aliceChannel.whisper('typing', { name: 'A' });

    assert.deepEqual(await bobTyping.next(), { name: 'A' });
    // Bob has the whisper, so Herald has already fanned it out; an event sent after it reaches
    // Alice after any echo would have.
    await laravel.trigger('private-chat.1', 'marker', { after: 'whisper' });
    await aliceMarker.next();
    assert.deepEqual(aliceTyping.calls, [], `the sender received its own whisper; frames:\n${aliceFrames}`);
  });

  test('toOthers excludes the socket that caused the broadcast and delivers to everyone else', async () => {
    const alice = await connectedEcho();
    const bob = await connectedEcho();
    const aliceFrames = wireLog(alice.connector.pusher);
    const aliceShipped = recorder('.order.shipped on Alice');
    const aliceMarker = recorder('marker on Alice');
    const bobShipped = recorder('.order.shipped on Bob');
    const aliceChannel = alice.channel('orders.99').listen('.order.shipped', aliceShipped).listen('.marker', aliceMarker);
    const bobChannel = bob.channel('orders.99').listen('.order.shipped', bobShipped);
    await Promise.all([echoSubscribed(aliceChannel), echoSubscribed(bobChannel)]);

    // What Laravel does for broadcast(...)->toOthers() with the X-Socket-ID header Echo adds.
    await laravel.trigger('orders.99', 'order.shipped', { id: 99 }, { socket_id: alice.socketId() });

    assert.deepEqual(await bobShipped.next(), { id: 99 });
    await laravel.trigger('orders.99', 'marker', {});
    await aliceMarker.next();
    assert.deepEqual(aliceShipped.calls, [], `the excluded socket received the event; frames:\n${aliceFrames}`);
  });

  test('error() reports an AuthError 401 from the server when the auth endpoint signs with a wrong secret', async () => {
    const forger = await startAuthServer({ users: USERS, secret: `${herald.secret}-wrong` });
    const echo = await connectedEcho({ authEndpoint: forger.url, bearerToken: 'token-alice' });
    const frames = wireLog(echo.connector.pusher);
    const errors = recorder(() => `error() on private-orders.13; frames:\n${frames}`);
    const shipped = recorder('.order.shipped on private-orders.13');
    echo.private('orders.13').listen('.order.shipped', shipped).error(errors);

    const error = await errors.next();
    assert.equal(forger.requests.length, 1);
    assert.equal(forger.requests[0].status, 200, 'the auth endpoint itself answered 200; the rejection must come from Herald');
    assert.equal(error.type, 'AuthError', `frames:\n${frames}`);
    assert.equal(error.status, 401, `frames:\n${frames}`);
    assert.equal(typeof error.error, 'string');
    const wire = frames.find((f) => f.event === 'pusher:subscription_error');
    assert.ok(wire, `no pusher:subscription_error frame from the server; frames:\n${frames}`);
    assert.equal(wire.channel, 'private-orders.13');

    // The socket stays usable: a public channel still works on it.
    const stillThere = recorder('.order.shipped on orders.13');
    const channel = echo.channel('orders.13').listen('.order.shipped', stillThere);
    await echoSubscribed(channel);
    assert.equal(echo.connectionStatus(), 'connected');
    // Private first: had Herald subscribed the socket anyway, that copy would arrive before this one.
    await laravel.trigger(['private-orders.13', 'orders.13'], 'order.shipped', { id: 13 });
    assert.deepEqual(await stillThere.next(), { id: 13 });
    assert.deepEqual(shipped.calls, [], 'an unauthorised private channel received an event');
  });
});
