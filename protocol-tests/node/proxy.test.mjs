// Herald behind a real reverse proxy running a file shipped in config/nginx/ or config/caddy/, which
// ends TLS: pusher-js connects with wss:// to the proxy and the `pusher` SDK calls the HTTP API with
// https:// through it. NginxProxyTest and CaddyProxyTest start Herald and the proxy and run this
// suite once per shipped file, with HERALD_PORT set to the proxy's TLS port, HERALD_WS_PATH to the
// path prefix ("" or "/ws"), HERALD_PROXY to its name, and the proxy's self-signed certificate
// trusted for the whole node process through NODE_EXTRA_CA_CERTS (nothing here turns verification
// off). By hand, with a proxy on 8443 in front of a Herald started with REVERB_SERVER_PATH=/ws:
//   NODE_EXTRA_CA_CERTS=cert.pem HERALD_HOST=127.0.0.1 HERALD_PORT=8443 HERALD_WS_PATH=/ws \
//   HERALD_APP_ID=... HERALD_APP_KEY=... HERALD_APP_SECRET=... node --test proxy.test.mjs

import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeAll,
  connected,
  herald,
  json,
  nextEvent,
  pusherClient,
  serverSdk,
  startAuthServer,
  subscribed,
  unique,
  wireLog,
  withTimeout,
} from './lib/harness.mjs';

const PATH = process.env.HERALD_WS_PATH ?? '';
const PROXY = process.env.HERALD_PROXY ?? 'the proxy';

/** pusher-js as a Laravel app's echo.js sets it up behind a proxy: wss, port 443's stand-in, wsPath. */
function clientThroughProxy(options = {}) {
  return pusherClient({ forceTLS: true, wssPort: herald.port, wsPath: PATH, enabledTransports: ['ws'], ...options });
}

/**
 * The `pusher` SDK (pusher-http-node 5.3.4) calling the HTTP API through the proxy. It has no path
 * option (its base URL is scheme://host[:port]), so under a prefix the host carries the path; it
 * then signs /apps/{id}/... without the prefix and sends it to /ws/apps/{id}/..., which is exactly
 * what pusher-http-php does with 'path' => '/ws/'.
 */
function sdkThroughProxy() {
  if (PATH === '') {
    return serverSdk({ useTLS: true });
  }
  return serverSdk({ useTLS: true, host: `${herald.host}:${herald.port}${PATH}`, port: undefined });
}

describe(`through ${PROXY} over TLS${PATH === '' ? '' : ` under ${PATH}/`}`, () => {
  afterEach(closeAll);
  after(closeAll);

  test('pusher-js connects with wss at the prefixed path and receives an event the SDK triggered through the proxy', async () => {
    const client = clientThroughProxy();
    const socketId = await connected(client);
    assert.match(socketId, /^\d+\.\d+$/);
    const socket = client.connection.connection.transport.socket;
    assert.ok(
      socket.url.startsWith(`wss://${herald.host}:${herald.port}${PATH}/app/${herald.key}?`),
      `pusher-js connected to ${socket.url}`,
    );
    const name = `proxied-${unique()}`;
    const channel = await subscribed(client, name);
    const frames = wireLog(client);
    const event = nextEvent(channel, 'proxied', () => `'proxied' through ${PROXY}; frames:\n${frames}`);

    const response = await sdkThroughProxy().trigger(name, 'proxied', { via: PROXY });

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {});
    assert.deepEqual(await event, { via: PROXY });
  });

  test('a private channel authorised by the app subscribes through the proxy and the SDK sees it occupied', async () => {
    const auth = await startAuthServer({ users: { alice: { id: 1, info: { name: 'Alice' } } } });
    const client = clientThroughProxy({
      channelAuthorization: { endpoint: auth.url, transport: 'ajax', headers: { Authorization: 'Bearer alice' } },
    });
    await connected(client);
    const name = `private-proxied-${unique()}`;
    const channel = await subscribed(client, name);
    assert.equal(auth.requests.length, 1);
    assert.equal(auth.requests[0].status, 200);
    const sdk = sdkThroughProxy();

    // A signed GET with a query string, through the prefix.
    const listed = await sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-proxied-' } });
    assert.equal(listed.status, 200);
    assert.ok(name in (await json(listed)).channels, `${name} is not listed as occupied`);

    const event = nextEvent(channel, 'secret', `'secret' on ${name}`);
    const response = await sdk.trigger(name, 'secret', { for: 'alice' });
    assert.equal(response.status, 200);
    assert.deepEqual(await event, { for: 'alice' });
  });

  test('pusher:ping is answered with pusher:pong through the proxy', async () => {
    const client = clientThroughProxy();
    await connected(client);
    const pong = new Promise((resolve) => {
      client.connection.bind('message', (message) => message.event === 'pusher:pong' && resolve());
    });

    client.send_event('pusher:ping', {});

    await withTimeout(pong, `pusher:pong through ${PROXY}`);
  });
});
