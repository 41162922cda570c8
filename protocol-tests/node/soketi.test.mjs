// Herald started the way Soketi is (../shared/peers/soketi): only SOKETI_* variables, no Herald,
// Reverb or Pusher name. pusher-js and the `pusher` SDK must meet Soketi's behaviour: its app
// credentials, client events off unless enabled, 100 KB events, 2 KB presence members.
//
// HERALD_PORT is a server with the app's credentials only (Soketi's defaults for the rest);
// HERALD_SOKETI_PEER_PORT one with the peer's environment, which turns client events on.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeAll,
  connected,
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

const peerPort = Number(process.env.HERALD_SOKETI_PEER_PORT);

/** A string of `n` ASCII characters: its UTF-8 size is n bytes, as Soketi measures data. */
function text(n) {
  return 'x'.repeat(n);
}

const USERS = {
  'token-alice': { id: 1, info: { name: 'Alice' } },
  'token-bob': { id: 2, info: { name: 'Bob' } },
  // Soketi refuses a presence member whose user_info is over 2 KB (presence.maxMemberSizeInKb).
  'token-large': { id: 3, info: { bio: text(3000) } },
  'token-medium': { id: 4, info: { bio: text(1500) } },
};

describe("Herald configured with Soketi's variables", () => {
  let auth;
  const sdk = serverSdk();

  function clientAs(token, options = {}) {
    return pusherClient({
      channelAuthorization: { endpoint: auth.url, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
      ...options,
    });
  }

  /** The next pusher:error frame the client receives. */
  function nextError(client, frames) {
    let listener;
    const error = new Promise((resolve) => {
      listener = (message) => {
        if (message.event === 'pusher:error') {
          resolve(message.data);
        }
      };
      client.connection.bind('message', listener);
    });
    return withTimeout(error, () => `a pusher:error; frames:\n${frames}`).finally(() =>
      client.connection.unbind('message', listener),
    );
  }

  before(async () => {
    assert.ok(peerPort > 0, 'HERALD_SOKETI_PEER_PORT is not set');
    auth = await startAuthServer({ users: USERS, suiteScoped: true });
  });
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await auth?.close();
  });

  test("pusher-js connects with SOKETI_DEFAULT_APP_KEY and subscribes to a channel signed with the app's secret", async () => {
    const client = clientAs('token-alice');
    assert.match(await connected(client), /^\d+\.\d+$/);
    const name = `private-soketi-${unique()}`;
    const channel = await subscribed(client, name);
    const event = nextEvent(channel, 'hello');
    await sdk.trigger(name, 'hello', { from: 'sdk' });
    assert.deepEqual(await event, { from: 'sdk' });
  });

  test("client events are refused, as by Soketi without SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES, and reach no one", async () => {
    const name = `private-soketi-off-${unique()}`;
    const sender = clientAs('token-alice');
    const receiver = clientAs('token-bob');
    const senderChannel = await subscribed(sender, name);
    const receiverChannel = await subscribed(receiver, name);
    const received = recorder('client-typing on the receiver');
    receiverChannel.bind('client-typing', received);
    const frames = wireLog(sender);
    const error = nextError(sender, frames);

    senderChannel.trigger('client-typing', { typing: true });

    const data = await error;
    assert.match(data.message, /client (events|messag)/i, `frames:\n${frames}`);
    assert.equal(sender.connection.state, 'connected');
    const marker = nextEvent(receiverChannel, 'marker');
    await sdk.trigger(name, 'marker', {});
    await marker;
    assert.deepEqual(received.calls, [], 'a refused client event was relayed');
  });

  test('an event of 60 KB is delivered (Soketi allows 100 KB) and one over 100 KB is refused with 413', async () => {
    const client = pusherClient();
    await connected(client);
    const name = `soketi-size-${unique()}`;
    const channel = await subscribed(client, name);
    const big = { blob: text(60 * 1024) };
    const event = nextEvent(channel, 'big');

    await sdk.trigger(name, 'big', big);
    assert.deepEqual(await event, big);

    await assert.rejects(
      sdk.trigger(name, 'too-big', { blob: text(100 * 1024) }),
      (error) => error.status === 413,
      'a 100 KB + 12 bytes event was accepted',
    );
  });

  test('a presence member of 1.5 KB joins and one of 3 KB is refused (2 KB is the limit)', async () => {
    const name = `presence-soketi-${unique()}`;
    const medium = clientAs('token-medium');
    const channel = await subscribed(medium, name);
    assert.equal(channel.members.count, 1);

    const large = clientAs('token-large');
    await connected(large);
    const refused = nextEvent(large.subscribe(name), 'pusher:subscription_error');
    const error = await refused;
    assert.equal(error.status, 4301, JSON.stringify(error));
  });

  test('with the peer environment (client messages on) client events of 60 KB, 30 in a row, all reach the other member', async () => {
    const name = `private-soketi-on-${unique()}`;
    const options = { wsPort: peerPort };
    const sender = clientAs('token-alice', options);
    const receiver = clientAs('token-bob', options);
    const senderChannel = await subscribed(sender, name);
    const receiverChannel = await subscribed(receiver, name);
    const received = recorder('client-chunk on the receiver');
    receiverChannel.bind('client-chunk', received);

    // Herald's own defaults would refuse both: a 10 KB message limit and 10 client events/s.
    const sent = 30;
    for (let i = 0; i < sent; i++) {
      senderChannel.trigger('client-chunk', { i, blob: i === 0 ? text(60 * 1024) : '' });
    }
    for (let i = 0; i < sent; i++) {
      const data = await received.next();
      assert.equal(data.i, i);
    }
    assert.equal(received.calls[0].blob.length, 60 * 1024);
    assert.equal(sender.connection.state, 'connected');
  });
});
