// Shared plumbing for the interop tests: the target server from the environment, clients built the
// way an application builds them, a stand-in for Laravel's /broadcasting/auth, and promise helpers
// that wait for events with a deadline (never a sleep).

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import Echo from 'laravel-echo';

function required(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set (HERALD_HOST, HERALD_PORT, HERALD_APP_ID, HERALD_APP_KEY, HERALD_APP_SECRET are needed)`);
  }
  return value;
}

/** The Herald instance under test. */
export const herald = Object.freeze({
  host: required('HERALD_HOST'),
  port: Number(required('HERALD_PORT')),
  appId: required('HERALD_APP_ID'),
  key: required('HERALD_APP_KEY'),
  secret: required('HERALD_APP_SECRET'),
});

/*
 * pusher-js (Node build) closes its faye-websocket again after the server closed it with a code
 * in 4000-4099 (e.g. 4009 from terminate_connections): it handles the close action while the
 * transport is still attached. faye's close() on a CLOSED socket arms a 30 s CLOSE_TIMEOUT timer
 * that nothing clears, which keeps the node process alive 30 s after the tests. This makes that
 * second close() a no-op; nothing observable changes (the socket is already closed).
 */
const FayeClient = Pusher.Runtime.getWebSocketAPI();
class ClosingOnceClient extends FayeClient {
  close(...args) {
    if (this.readyState === 3 /* CLOSED */) {
      return;
    }
    super.close(...args);
  }
}
Pusher.Runtime.getWebSocketAPI = () => ClosingOnceClient;

/** How long any single awaited event may take before the test fails. */
export const EVENT_TIMEOUT_MS = 5000;

/** A suffix that keeps channel names of one run apart from any other run against the same server. */
export function unique() {
  return randomBytes(4).toString('hex');
}

/** Everything a test opened, closed by {@link closeAll} in an `after`/`afterEach` hook. */
const openResources = [];

export async function closeAll() {
  const resources = openResources.splice(0);
  for (const close of resources.reverse()) {
    await close();
  }
}

/** The `pusher` server SDK (pusher-http-node) pointed at Herald, as a Laravel app configures it. */
export function serverSdk(overrides = {}) {
  return new PusherServer({
    appId: herald.appId,
    key: herald.key,
    secret: herald.secret,
    host: herald.host,
    port: String(herald.port),
    useTLS: false,
    timeout: EVENT_TIMEOUT_MS,
    ...overrides,
  });
}

/**
 * A plain pusher-js client (the Node build: faye-websocket for the socket, a bundled
 * node-XMLHttpRequest for auth requests).
 */
export function pusherClient(options = {}) {
  const client = new Pusher(herald.key, {
    cluster: '',
    wsHost: herald.host,
    wsPort: herald.port,
    wssPort: herald.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...options,
  });
  openResources.push(async () => disconnectPusher(client));
  return client;
}

/**
 * A Laravel Echo client with the reverb broadcaster, the options of Laravel's `echo.js` stub.
 * `auth` gets its own object per instance: Echo's defaults are a shared object that `bearerToken`
 * would otherwise mutate for every Echo in the process.
 */
export function echoClient({ authEndpoint, bearerToken, ...options } = {}) {
  const echo = new Echo({
    broadcaster: 'reverb',
    key: herald.key,
    wsHost: herald.host,
    wsPort: herald.port,
    wssPort: herald.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    Pusher,
    authEndpoint,
    auth: { headers: bearerToken ? { Authorization: `Bearer ${bearerToken}` } : {} },
    ...options,
  });
  openResources.push(async () => disconnectPusher(echo.connector.pusher));
  return echo;
}

/** Disconnects and waits until pusher-js reports the socket closed. */
export async function disconnectPusher(client) {
  const state = client.connection.state;
  if (state === 'disconnected' || state === 'failed' || state === 'initialized') {
    client.disconnect();
    return;
  }
  const closed = new Promise((resolve) => {
    const onChange = ({ current }) => {
      if (current === 'disconnected' || current === 'failed') {
        client.connection.unbind('state_change', onChange);
        resolve();
      }
    };
    client.connection.bind('state_change', onChange);
  });
  client.disconnect();
  await withTimeout(closed, 'pusher-js to disconnect').catch(() => {});
}

/**
 * Rejects with a readable message when `promise` does not settle within the timeout. `what` may be
 * a function, called only on timeout, so the message can show the frames received by then.
 */
export function withTimeout(promise, what, timeoutMs = EVENT_TIMEOUT_MS) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const description = typeof what === 'function' ? what() : what;
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
    }, timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The next `event` on a pusher-js dispatcher (a channel, `connection`, or the client itself). */
export function nextEvent(dispatcher, event, what = event) {
  let handler;
  const received = new Promise((resolve) => {
    handler = (data, metadata) => resolve(data === undefined ? metadata : data);
    dispatcher.bind(event, handler);
  });
  return withTimeout(received, what).finally(() => dispatcher.unbind(event, handler));
}

/** Resolves with the socket id once the client is connected; fails on 'failed'/'unavailable'. */
export function connected(client) {
  const connection = client.connection;
  if (connection.state === 'connected') {
    return Promise.resolve(connection.socket_id);
  }
  let onChange;
  const reached = new Promise((resolve, reject) => {
    onChange = ({ current }) => {
      if (current === 'connected') {
        resolve(connection.socket_id);
      } else if (current === 'failed' || current === 'unavailable') {
        reject(new Error(`pusher-js connection went to '${current}' instead of 'connected'`));
      }
    };
    connection.bind('state_change', onChange);
  });
  return withTimeout(reached, "connection state 'connected'").finally(() => connection.unbind('state_change', onChange));
}

/**
 * A callback that records the first argument of every call in `calls`; `next()` waits for the
 * next one (or returns one that arrived earlier and was not consumed yet).
 */
export function recorder(what) {
  const calls = [];
  let consumed = 0;
  const waiters = [];
  // pusher-js passes (data, metadata); the data is what the application sees.
  const fn = (data) => {
    calls.push(data);
    const waiter = waiters.shift();
    if (waiter) {
      consumed++;
      waiter(calls[calls.length - 1]);
    }
  };
  fn.calls = calls;
  fn.next = () => {
    if (consumed < calls.length) {
      return Promise.resolve(calls[consumed++]);
    }
    return withTimeout(new Promise((resolve) => waiters.push(resolve)), what);
  };
  return fn;
}

/** Subscribes and resolves when subscription_succeeded arrives; rejects on subscription_error. */
export function subscribed(client, channelName) {
  const channel = client.subscribe(channelName);
  return awaitSubscription(channel).then(() => channel);
}

export function awaitSubscription(channel) {
  if (channel.subscribed) {
    return Promise.resolve();
  }
  let onOk;
  let onError;
  const outcome = new Promise((resolve, reject) => {
    onOk = () => resolve();
    onError = (error) => reject(new Error(`subscription to ${channel.name} failed: ${JSON.stringify(error)}`));
    channel.bind('pusher:subscription_succeeded', onOk);
    channel.bind('pusher:subscription_error', onError);
  });
  return withTimeout(outcome, `subscription_succeeded on ${channel.name}`).finally(() => {
    channel.unbind('pusher:subscription_succeeded', onOk);
    channel.unbind('pusher:subscription_error', onError);
  });
}

/**
 * Plays Laravel's `POST /broadcasting/auth` on 127.0.0.1 (port 0): reads `socket_id` and
 * `channel_name` from the form body, finds the user by the `Authorization: Bearer <token>`
 * header like a Sanctum guard, and answers with the `pusher` SDK's `authorizeChannel`, exactly
 * what Laravel's PusherBroadcaster returns. Guests get 403 as in Laravel. `secret` lets a test
 * sign with the wrong secret. With `encryptionMasterKeyBase64` the signer is an SDK holding that
 * master key, so `private-encrypted-*` replies carry `shared_secret` (a wrong key gives clients
 * a wrong `shared_secret`).
 *
 * It also plays the user-authentication endpoint pusher-js calls for `signin()`: `POST
 * /broadcasting/user-auth` (its URL is `userUrl`) answers with the SDK's
 * `authenticateUser(socket_id, user_data)`, where user_data is the user's `userData` or
 * `{id: String(id), user_info: info}`.
 *
 * Every request is recorded in `requests`. Closed by {@link closeAll} unless `suiteScoped`, in
 * which case the caller closes it (e.g. in `after`).
 */
export async function startAuthServer({ users = {}, secret = herald.secret, encryptionMasterKeyBase64, suiteScoped = false } = {}) {
  const signer = serverSdk(encryptionMasterKeyBase64 === undefined ? { secret } : { secret, encryptionMasterKeyBase64 });
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const socketId = form.get('socket_id');
      const channelName = form.get('channel_name');
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const user = token === undefined ? undefined : users[token];
      const record = { method: req.method, url: req.url, contentType: req.headers['content-type'], socketId, channelName, token, status: 0 };
      requests.push(record);
      const reply = (status, payload) => {
        record.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const route = req.method === 'POST' ? req.url : undefined;
      if (route !== '/broadcasting/auth' && route !== '/broadcasting/user-auth') {
        return reply(404, { message: 'Not Found' });
      }
      if (user === undefined) {
        return reply(403, { message: 'Unauthorized' });
      }
      if (route === '/broadcasting/user-auth') {
        try {
          return reply(200, signer.authenticateUser(socketId, user.userData ?? { id: String(user.id), user_info: user.info }));
        } catch (error) {
          record.error = String(error);
          return reply(500, { message: String(error) });
        }
      }
      try {
        const presenceData = channelName.startsWith('presence-') ? { user_id: user.id, user_info: user.info } : undefined;
        reply(200, signer.authorizeChannel(socketId, channelName, presenceData));
      } catch (error) {
        record.error = String(error);
        reply(500, { message: String(error) });
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  if (!suiteScoped) {
    openResources.push(close);
  }
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/broadcasting/auth`,
    userUrl: `http://127.0.0.1:${port}/broadcasting/user-auth`,
    requests,
    close,
  };
}

/** The JSON body of a `pusher` SDK response (a node-fetch Response). */
export async function json(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON body, got ${response.status}: ${text}`);
  }
}

/**
 * The frames pusher-js receives from now on (decoded, as the array's elements) and, for failure
 * messages, the exchange in both directions: `${log}` prints `<-`/`->` lines in order. pusher-js
 * decodes every frame to {event, channel, data, ...} with `undefined` for absent members; the
 * elements leave those out, so they compare equal to the frame as sent.
 */
export function wireLog(client) {
  const frames = [];
  const exchange = [];
  client.connection.bind('message', (message) => {
    frames.push(Object.fromEntries(Object.entries(message).filter(([, value]) => value !== undefined)));
    exchange.push(`<- ${JSON.stringify(message)}`);
  });
  const connection = client.connection;
  const send = connection.send_event.bind(connection);
  connection.send_event = (event, data, channel) => {
    exchange.push(`-> ${JSON.stringify(channel === undefined ? { event, data } : { event, data, channel })}`);
    return send(event, data, channel);
  };
  frames.toString = () => exchange.join('\n');
  return frames;
}
