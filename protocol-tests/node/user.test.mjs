// User authentication (pusher-js signin() through a stand-in user-auth endpoint signed by the
// `pusher` SDK's authenticateUser), server-to-user events (sendToUser), terminateUserConnections
// and watchlist online/offline events.

import { afterEach, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  awaitSubscription,
  closeAll,
  connected,
  disconnectPusher,
  herald,
  json,
  nextEvent,
  pusherClient,
  recorder,
  serverSdk,
  startAuthServer,
  unique,
  wireLog,
  withTimeout,
} from './lib/harness.mjs';

/**
 * User ids of one test, apart from every other test and run (a user's online state is
 * server-wide): userIds('u-7') is {u7: 'u-7-<random>'}.
 */
function userIds(...names) {
  const suffix = unique();
  return Object.fromEntries(names.map((name) => [name.replaceAll('-', ''), `${name}-${suffix}`]));
}

/** A connected pusher-js client whose signin() goes through `auth.userUrl` as the user of `token`. */
async function clientAs(auth, token) {
  const client = pusherClient({
    userAuthentication: { endpoint: auth.userUrl, transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
  });
  await connected(client);
  return client;
}

/**
 * Calls signin() and resolves with the signin_success user data once pusher-js's subscription to
 * `#server-to-user-{id}` has succeeded, so events for the user can be sent. Fails on a signin
 * error (endpoint or server) or a connection error.
 */
async function signIn(client, frames = wireLog(client)) {
  let onMessage;
  let onError;
  let onSigninError;
  const success = new Promise((resolve, reject) => {
    onMessage = (message) => message.event === 'pusher:signin_success' && resolve(message.data);
    onError = (error) => reject(new Error(`connection error during signin: ${JSON.stringify(error)}; frames:\n${frames}`));
    onSigninError = (error) => reject(new Error(`pusher:signin_error ${JSON.stringify(error)}; frames:\n${frames}`));
    client.connection.bind('message', onMessage);
    client.connection.bind('error', onError);
    client.user.bind('pusher:signin_error', onSigninError);
  });
  client.signin();
  try {
    const data = await withTimeout(success, () => `pusher:signin_success; frames:\n${frames}`);
    // pusher-js handles signin_success in its own 'message' handler, bound before ours, so the
    // server-to-user channel exists by now.
    const channel = client.user.serverToUserChannel;
    assert.ok(channel, `pusher-js did not accept the signin; user_data: ${JSON.stringify(data)}`);
    await awaitSubscription(channel).catch((error) => {
      throw new Error(`${error.message}; frames:\n${frames}`);
    });
    return data;
  } finally {
    client.connection.unbind('message', onMessage);
    client.connection.unbind('error', onError);
    client.user.unbind('pusher:signin_error', onSigninError);
  }
}

/** Records every state the connection enters and every 'error' it emits, for assertions and messages. */
function watchConnection(client) {
  const states = [];
  const errors = recorder('connection error');
  client.connection.bind('state_change', ({ current }) => states.push(current));
  client.connection.bind('error', errors);
  const reached = (state) => {
    if (client.connection.state === state) {
      return Promise.resolve();
    }
    let onChange;
    return withTimeout(
      new Promise((resolve) => {
        onChange = ({ current }) => current === state && resolve();
        client.connection.bind('state_change', onChange);
      }),
      () => `connection state '${state}' (states so far: ${states.join(' -> ') || 'none'})`,
    ).finally(() => client.connection.unbind('state_change', onChange));
  };
  return { states, errors, reached };
}

describe('user sign-in, server-to-user events, terminate and watchlist', () => {
  const sdk = serverSdk();

  afterEach(closeAll);
  after(closeAll);

  test('signin() sends the SDK-signed user_data and gets signin_success echoing it; pusher-js then subscribes #server-to-user-{id}', async () => {
    const { u7 } = userIds('u-7');
    const auth = await startAuthServer({ users: { seven: { userData: { id: u7, user_info: { name: 'Seven' } } } } });
    const client = await clientAs(auth, 'seven');
    const frames = wireLog(client);

    const data = await signIn(client, frames);


    const request = auth.requests.find((r) => r.url === '/broadcasting/user-auth');
    assert.equal(request?.status, 200);
    assert.equal(request.socketId, client.connection.socket_id);
    const sent = frames.find((f) => f.event === 'pusher:signin_success');
    assert.deepEqual(sent, { event: 'pusher:signin_success', data: { user_data: JSON.stringify({ id: u7, user_info: { name: 'Seven' } }) } });
    assert.deepEqual(data, sent.data);
    assert.deepEqual(client.user.user_data, { id: u7, user_info: { name: 'Seven' } });
    assert.ok(
      frames.some((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === `#server-to-user-${u7}`),
      `frames:\n${frames}`,
    );
  });

  test('a user-auth reply signed with a wrong secret gets pusher:error 4009 and the connection stays open', async () => {
    const { u7 } = userIds('u-7');
    const forger = await startAuthServer({ users: { seven: { userData: { id: u7 } } }, secret: 'not-the-secret' });
    const client = await clientAs(forger, 'seven');
    const frames = wireLog(client);
    const error = nextEvent(client.connection, 'error', () => `a connection error after a forged signin; frames:\n${frames}`);

    client.signin();

    const { type, data } = await error;
    assert.equal(type, 'PusherError');
    assert.equal(data.code, 4009, `frames:\n${frames}`);
    assert.equal(client.connection.state, 'connected');
    assert.equal(client.user.user_data, null);
    assert.ok(!frames.some((f) => f.event === 'pusher:signin_success'), `frames:\n${frames}`);
  });

  test('user_data whose id is not a string is refused with pusher:error 4009 even when correctly signed', async () => {
    // The SDK's authenticateUser refuses such user_data, so sign it the way the protocol says.
    const userData = JSON.stringify({ id: 7, user_info: { name: 'Numeric' } });
    const client = pusherClient({
      userAuthentication: {
        customHandler: ({ socketId }, callback) => {
          const signature = createHmac('sha256', herald.secret).update(`${socketId}::user::${userData}`).digest('hex');
          callback(null, { auth: `${herald.key}:${signature}`, user_data: userData });
        },
      },
    });
    await connected(client);
    const frames = wireLog(client);
    const error = nextEvent(client.connection, 'error', () => `a connection error after signin with a numeric id; frames:\n${frames}`);

    client.signin();

    const { type, data } = await error;
    assert.equal(type, 'PusherError');
    assert.equal(data.code, 4009, `frames:\n${frames}`);
    assert.equal(client.connection.state, 'connected');
    assert.ok(!frames.some((f) => f.event === 'pusher:signin_success'), `frames:\n${frames}`);
  });

  test("sendToUser reaches every connection signed in as that user and no one else's", async () => {
    const { u7, u8 } = userIds('u-7', 'u-8');
    const auth = await startAuthServer({ users: { seven: { userData: { id: u7 } }, eight: { userData: { id: u8 } } } });
    const first = await clientAs(auth, 'seven');
    const second = await clientAs(auth, 'seven');
    const other = await clientAs(auth, 'eight');
    const otherFrames = wireLog(other);
    await Promise.all([signIn(first), signIn(second), signIn(other)]);
    const onFirst = recorder('notice on the first u-7 connection');
    const onSecond = recorder('notice on the second u-7 connection');
    const onOther = recorder('notice on u-8');
    const otherMarker = recorder('marker on u-8');
    first.user.bind('notice', onFirst);
    second.user.bind('notice', onSecond);
    other.user.bind('notice', onOther);
    other.user.bind('marker', otherMarker);

    const response = await sdk.sendToUser(u7, 'notice', { text: 'hi' });

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {});
    assert.deepEqual(await onFirst.next(), { text: 'hi' });
    assert.deepEqual(await onSecond.next(), { text: 'hi' });
    await sdk.sendToUser(u8, 'marker', {});
    await otherMarker.next();
    assert.deepEqual(onOther.calls, [], `u-8 received u-7's notice; frames:\n${otherFrames}`);
  });

  test("a connection cannot subscribe to another user's #server-to-user- channel", async () => {
    const { u7, u8 } = userIds('u-7', 'u-8');
    const auth = await startAuthServer({ users: { eight: { userData: { id: u8 } } } });
    const intruder = await clientAs(auth, 'eight');
    const frames = wireLog(intruder);
    await signIn(intruder, frames);
    const channel = `#server-to-user-${u7}`;
    const refused = new Promise((resolve) => {
      intruder.connection.bind('message', (m) => m.channel === channel && resolve(m));
    });

    // pusher-js reserves '#' names (subscribe() throws), so send the frame it would send.
    assert.throws(() => intruder.subscribe(channel), /Cannot create a channel/);
    intruder.send_event('pusher:subscribe', { auth: '', channel });

    const reply = await withTimeout(refused, () => `a reply for ${channel}; frames:\n${frames}`);
    assert.equal(reply.event, 'pusher:subscription_error', `frames:\n${frames}`);
    assert.equal(reply.data.type, 'AuthError');
    assert.equal(reply.data.status, 401);
    assert.equal(intruder.connection.state, 'connected');
  });

  test("terminateUserConnections disconnects every connection of that user with 4009 and leaves another user's connected", async () => {
    const { u7, u8 } = userIds('u-7', 'u-8');
    const auth = await startAuthServer({ users: { seven: { userData: { id: u7 } }, eight: { userData: { id: u8 } } } });
    const first = await clientAs(auth, 'seven');
    const second = await clientAs(auth, 'seven');
    const other = await clientAs(auth, 'eight');
    const firstFrames = wireLog(first);
    await Promise.all([signIn(first, firstFrames), signIn(second), signIn(other)]);
    const watched = [first, second, other].map(watchConnection);

    const response = await sdk.terminateUserConnections(u7);

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {});
    for (const [index, client] of [first, second].entries()) {
      const { states, errors, reached } = watched[index];
      await reached('disconnected');
      // pusher-js emits the pusher:error frame as a PusherError, then the 4009 close as a WebSocketError.
      const codes = errors.calls.map((e) => (e.type === 'PusherError' ? `frame ${e.data?.code}` : `close ${e.error?.data?.code}`));
      assert.ok(codes.includes('close 4009'), `no 4009 close on u-7 connection ${index}: ${JSON.stringify(errors.calls)}`);
      assert.ok(codes.includes('frame 4009'), `no pusher:error 4009 on u-7 connection ${index}: ${JSON.stringify(errors.calls)}`);
      // 4000-4099 means "do not reconnect": pusher-js stays disconnected.
      assert.ok(!states.includes('connecting'), `u-7 connection ${index} reconnected: ${states.join(' -> ')}`);
      assert.equal(client.connection.state, 'disconnected');
    }
    const frame = firstFrames.find((f) => f.event === 'pusher:error');
    assert.equal(typeof frame?.data?.message, 'string', `frames:\n${firstFrames}`);
    assert.deepEqual(frame, { event: 'pusher:error', data: { code: 4009, message: frame.data.message } });

    const notice = recorder('notice on u-8 after the termination');
    other.user.bind('notice', notice);
    await sdk.sendToUser(u8, 'notice', { still: 'here' });
    assert.deepEqual(await notice.next(), { still: 'here' });
    assert.equal(other.connection.state, 'connected');
    assert.deepEqual(watched[2].errors.calls, []);
    assert.deepEqual(watched[2].states, []);
  });

  test('watchlist: the watcher is told u-8 is offline at sign-in, online when u-8 signs in and offline when it disconnects', async () => {
    const { u7, u8 } = userIds('u-7', 'u-8');
    const auth = await startAuthServer({
      users: { seven: { userData: { id: u7, watchlist: [u8] } }, eight: { userData: { id: u8 } } },
    });
    const watcher = await clientAs(auth, 'seven');
    const frames = wireLog(watcher);
    const online = recorder(() => `watchlist 'online'; watcher frames:\n${frames}`);
    const offline = recorder(() => `watchlist 'offline'; watcher frames:\n${frames}`);
    watcher.user.watchlist.bind('online', online);
    watcher.user.watchlist.bind('offline', offline);

    await signIn(watcher, frames);
    // pusher-js emits each entry of the events array under its name, with the entry as data.
    assert.deepEqual(await offline.next(), { name: 'offline', user_ids: [u8] });
    assert.deepEqual(online.calls, []);

    const watched = await clientAs(auth, 'eight');
    await signIn(watched);
    assert.deepEqual(await online.next(), { name: 'online', user_ids: [u8] });

    await disconnectPusher(watched);
    assert.deepEqual(await offline.next(), { name: 'offline', user_ids: [u8] });
    assert.deepEqual(
      frames.filter((f) => f.event === 'pusher_internal:watchlist_events'),
      [
        { event: 'pusher_internal:watchlist_events', data: { events: [{ name: 'offline', user_ids: [u8] }] } },
        { event: 'pusher_internal:watchlist_events', data: { events: [{ name: 'online', user_ids: [u8] }] } },
        { event: 'pusher_internal:watchlist_events', data: { events: [{ name: 'offline', user_ids: [u8] }] } },
      ],
    );
  });

  test('watchlist: a watched user already online is reported online at sign-in, and a second connection of it changes nothing', async () => {
    const { u7, u8 } = userIds('u-7', 'u-8');
    const auth = await startAuthServer({
      users: { seven: { userData: { id: u7, watchlist: [u8] } }, eight: { userData: { id: u8 } } },
    });
    const watchedFirst = await clientAs(auth, 'eight');
    await signIn(watchedFirst);
    const watcher = await clientAs(auth, 'seven');
    const frames = wireLog(watcher);
    const online = recorder(() => `watchlist 'online'; watcher frames:\n${frames}`);
    const offline = recorder(() => `watchlist 'offline'; watcher frames:\n${frames}`);
    watcher.user.watchlist.bind('online', online);
    watcher.user.watchlist.bind('offline', offline);

    await signIn(watcher, frames);
    assert.deepEqual(await online.next(), { name: 'online', user_ids: [u8] });

    // A second connection of u-8 is not a transition; closing the first one is not either.
    const watchedSecond = await clientAs(auth, 'eight');
    await signIn(watchedSecond);
    await disconnectPusher(watchedFirst);
    await disconnectPusher(watchedSecond);
    assert.deepEqual(await offline.next(), { name: 'offline', user_ids: [u8] });
    assert.equal(online.calls.length, 1, `frames:\n${frames}`);
    assert.equal(offline.calls.length, 1, `frames:\n${frames}`);
  });

  test('a watchlist over 100 ids still signs in, raises pusher:error 4302 and watches only the first 100', async () => {
    const suffix = unique();
    const watchlist = Array.from({ length: 101 }, (_, i) => `w-${i}-${suffix}`);
    const kept = watchlist[99];
    const dropped = watchlist[100];
    const auth = await startAuthServer({
      users: {
        watcher: { userData: { id: `u-7-${suffix}`, watchlist } },
        kept: { userData: { id: kept } },
        dropped: { userData: { id: dropped } },
      },
    });
    const watcher = await clientAs(auth, 'watcher');
    const frames = wireLog(watcher);
    const errors = recorder(() => `a connection error on the watcher; frames:\n${frames}`);
    watcher.connection.bind('error', errors);
    const online = recorder(() => `watchlist 'online'; watcher frames:\n${frames}`);
    const offline = recorder(() => `watchlist 'offline'; watcher frames:\n${frames}`);
    watcher.user.watchlist.bind('online', online);
    watcher.user.watchlist.bind('offline', offline);

    await signIn(watcher, frames).catch((error) => {
      // signIn fails on any connection error; the 4302 one is expected here.
      if (!errors.calls.some((e) => e.data?.code === 4302)) {
        throw error;
      }
      return awaitSubscription(watcher.user.serverToUserChannel);
    });
    const { type, data } = await errors.next();
    assert.equal(type, 'PusherError');
    assert.equal(data.code, 4302, `frames:\n${frames}`);
    assert.equal(watcher.connection.state, 'connected');
    assert.ok(frames.some((f) => f.event === 'pusher:signin_success'), `frames:\n${frames}`);
    const initial = await offline.next();
    assert.deepEqual([...initial.user_ids].sort(), watchlist.slice(0, 100).sort());

    // The dropped id signs in first; the kept id's online event, sent after it, shows it was ignored.
    const droppedClient = await clientAs(auth, 'dropped');
    await signIn(droppedClient);
    const keptClient = await clientAs(auth, 'kept');
    await signIn(keptClient);
    assert.deepEqual(await online.next(), { name: 'online', user_ids: [kept] });
    assert.deepEqual(online.calls, [{ name: 'online', user_ids: [kept] }], `frames:\n${frames}`);
  });
});
