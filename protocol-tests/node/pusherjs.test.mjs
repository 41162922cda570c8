// Plain pusher-js (Node build) against Herald, plus the HTTP API views of what the clients did.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeAll,
  connected,
  disconnectPusher,
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

const USERS = {
  'token-alice': { id: 1, info: { name: 'Alice' } },
  'token-bob': { id: 2, info: { name: 'Bob' } },
};

describe('pusher-js against Herald', () => {
  let auth;
  const sdk = serverSdk();

  /** A connected client that authorises private/presence channels as the given user. */
  async function clientAs(token) {
    const client = pusherClient({
      channelAuthorization: { endpoint: auth.url, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
    });
    await connected(client);
    return client;
  }

  before(async () => {
    auth = await startAuthServer({ users: USERS, suiteScoped: true });
  });
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await auth?.close();
  });

  test('the connection goes from connecting to connected with a digits.digits socket id', async () => {
    const client = pusherClient();
    // The constructor starts connecting synchronously.
    assert.equal(client.connection.state, 'connecting');
    const states = [];
    client.connection.bind('state_change', ({ current }) => states.push(current));
    const socketId = await connected(client);
    const other = pusherClient();
    const otherSocketId = await connected(other);

    assert.deepEqual([...states], ['connected']);
    assert.match(socketId, /^\d+\.\d+$/);
    assert.match(otherSocketId, /^\d+\.\d+$/);
    assert.notEqual(socketId, otherSocketId);
  });

  test('a public subscription succeeds and receives the exact data of a triggered event', async () => {
    const client = pusherClient();
    await connected(client);
    const name = `pjs-public-${unique()}`;
    const channel = await subscribed(client, name);
    const frames = wireLog(client);
    const event = nextEvent(channel, 'greeting');

    await sdk.trigger(name, 'greeting', { text: 'hello', n: [1, 2, 3] });

    assert.deepEqual(await event, { text: 'hello', n: [1, 2, 3] });
    assert.deepEqual(frames.find((f) => f.event === 'greeting'), {
      event: 'greeting',
      channel: name,
      data: { text: 'hello', n: [1, 2, 3] },
    });
  });

  test('a private subscription is authorised through the endpoint and receives events', async () => {
    const client = await clientAs('token-alice');
    const name = `private-pjs-${unique()}`;
    const channel = await subscribed(client, name);
    const request = auth.requests.find((r) => r.channelName === name);
    assert.equal(request?.socketId, client.connection.socket_id);
    const event = nextEvent(channel, 'secret');

    await sdk.trigger(name, 'secret', { ok: true });

    assert.deepEqual(await event, { ok: true });
  });

  test('a private subscription without a valid auth string gets an AuthError and the socket stays connected', async () => {
    const client = pusherClient({
      channelAuthorization: { customHandler: (_params, callback) => callback(null, { auth: 'not-the-key:0000' }) },
    });
    await connected(client);
    const name = `private-pjs-${unique()}`;
    const channel = client.subscribe(name);

    const error = await nextEvent(channel, 'pusher:subscription_error');

    assert.equal(error.type, 'AuthError');
    assert.equal(error.status, 401);
    assert.equal(client.connection.state, 'connected');
    await subscribed(client, `pjs-after-error-${unique()}`);
  });

  test('presence members are per user: both users listed, member_added and member_removed reach the other', async () => {
    const name = `presence-pjs-${unique()}`;
    const alice = await clientAs('token-alice');
    const aliceChannel = await subscribed(alice, name);
    assert.equal(aliceChannel.members.count, 1);
    // pusher-js takes `me.id` from the auth response (a number here, as Laravel sends it), the
    // info from the server's presence hash.
    assert.deepEqual(aliceChannel.members.me, { id: 1, info: { name: 'Alice' } });

    const added = nextEvent(aliceChannel, 'pusher:member_added');
    const bob = await clientAs('token-bob');
    const bobChannel = await subscribed(bob, name);
    assert.deepEqual(await added, { id: '2', info: { name: 'Bob' } });

    const members = [];
    bobChannel.members.each((member) => members.push(member));
    assert.deepEqual(
      members.sort((a, b) => a.id.localeCompare(b.id)),
      [
        { id: '1', info: { name: 'Alice' } },
        { id: '2', info: { name: 'Bob' } },
      ],
    );
    assert.equal(bobChannel.members.count, 2);
    assert.deepEqual(bobChannel.members.me, { id: 2, info: { name: 'Bob' } });

    const removed = nextEvent(aliceChannel, 'pusher:member_removed');
    await disconnectPusher(bob);
    assert.deepEqual(await removed, { id: '2', info: { name: 'Bob' } });
    assert.equal(aliceChannel.members.count, 1);
  });

  test('exceeding the client event rate limit raises a 4301 error on the connection, which stays open', async () => {
    const name = `private-pjs-rate-${unique()}`;
    const sender = await clientAs('token-alice');
    const receiver = await clientAs('token-bob');
    const senderChannel = await subscribed(sender, name);
    const receiverChannel = await subscribed(receiver, name);
    const received = recorder('client-burst on the receiver');
    receiverChannel.bind('client-burst', received);
    const frames = wireLog(sender);
    const error = nextEvent(sender.connection, 'error', () => `a connection 'error' after the burst; sender's frames:\n${frames}`);

    const sent = 50;
    for (let i = 0; i < sent; i++) {
      senderChannel.trigger('client-burst', { i });
    }

    const { type, data } = await error;
    assert.equal(type, 'PusherError');
    assert.equal(data.code, 4301, `frames seen by the sender:\n${frames}`);
    assert.equal(typeof data.message, 'string');
    assert.equal(sender.connection.state, 'connected');

    const marker = nextEvent(receiverChannel, 'marker');
    await sdk.trigger(name, 'marker', {});
    await marker;
    assert.ok(received.calls.length >= 1, 'no client event got through before the limit');
    assert.ok(received.calls.length < sent, `all ${sent} client events were relayed despite the limit`);
    assert.deepEqual(received.calls[0], { i: 0 });
    assert.equal(sender.connection.state, 'connected');
  });

  test('trigger with info=subscription_count returns the count of every channel', async () => {
    const busy = `pjs-count-${unique()}`;
    const quiet = `pjs-count-${unique()}`;
    const a = pusherClient();
    const b = pusherClient();
    await Promise.all([connected(a), connected(b)]);
    await Promise.all([subscribed(a, busy), subscribed(b, busy), subscribed(b, quiet)]);

    const response = await sdk.trigger([busy, quiet], 'counted', { x: 1 }, { info: 'subscription_count' });

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {
      channels: { [busy]: { subscription_count: 2 }, [quiet]: { subscription_count: 1 } },
    });
  });

  test('GET /channels with a presence- prefix and info=user_count counts distinct users', async () => {
    const prefix = `presence-pjs-${unique()}-`;
    const room = `${prefix}room`;
    const lobby = `${prefix}lobby`;
    const alice1 = await clientAs('token-alice');
    const alice2 = await clientAs('token-alice');
    const bob = await clientAs('token-bob');
    await Promise.all([subscribed(alice1, room), subscribed(alice2, room), subscribed(bob, room), subscribed(bob, lobby)]);

    const response = await sdk.get({ path: '/channels', params: { filter_by_prefix: prefix, info: 'user_count' } });

    assert.deepEqual(await json(response), {
      channels: { [room]: { user_count: 2 }, [lobby]: { user_count: 1 } },
    });
  });

  test('GET /channels/{name}/users lists the distinct users and drops one who left', async () => {
    const name = `presence-pjs-${unique()}`;
    const alice = await clientAs('token-alice');
    const aliceAgain = await clientAs('token-alice');
    const bob = await clientAs('token-bob');
    const aliceChannel = await subscribed(alice, name);
    await Promise.all([subscribed(aliceAgain, name), subscribed(bob, name)]);

    const users = async () => {
      const body = await json(await sdk.get({ path: `/channels/${name}/users` }));
      return { users: [...body.users].sort((x, y) => x.id.localeCompare(y.id)) };
    };
    assert.deepEqual(await users(), { users: [{ id: '1' }, { id: '2' }] });

    const removed = nextEvent(aliceChannel, 'pusher:member_removed');
    await disconnectPusher(bob);
    await removed;
    assert.deepEqual(await users(), { users: [{ id: '1' }] });
  });
});
