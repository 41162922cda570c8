// A drain seen by pusher-js: a TCP proxy sends new connections to server A until A is draining,
// then to server B (what a load balancer does with a failing readiness probe). SIGTERM to A closes
// the client with pusher:error 4200 + close 4200; pusher-js reconnects by itself through the proxy,
// lands on B, subscribes again and receives an event triggered on B.
//
// Needs HERALD_PORT_A, HERALD_PORT_B (two independent Herald servers with the same app) and
// HERALD_PID_A (the process to send SIGTERM to), besides the harness's HERALD_* variables.

import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import Pusher from 'pusher-js';
import {
  closeAll,
  connected,
  herald,
  json,
  nextEvent,
  pusherClient,
  serverSdk,
  subscribed,
  unique,
  wireLog,
  withTimeout,
} from './lib/harness.mjs';

function requiredNumber(name) {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`environment variable ${name} is not set (HERALD_PORT_A, HERALD_PORT_B, HERALD_PID_A are needed)`);
  }
  return value;
}

const portA = requiredNumber('HERALD_PORT_A');
const portB = requiredNumber('HERALD_PORT_B');
const pidA = requiredNumber('HERALD_PID_A');

/** A drain may take this long (the Java side starts A with a short HERALD_DRAIN_SECONDS). */
const DRAIN_TIMEOUT_MS = 15000;

// Every WebSocket close pusher-js sees, with its code: pusher-js itself only reports the action.
const closes = [];
const BaseWebSocket = Pusher.Runtime.getWebSocketAPI();
class RecordingWebSocket extends BaseWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('close', (event) => closes.push({ code: event.code, reason: event.reason }));
  }
}
Pusher.Runtime.getWebSocketAPI = () => RecordingWebSocket;

/** GET /ready on `port`: the status code, or 'refused' when nothing answers. */
function readyStatus(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: herald.host, port, path: '/ready', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve('refused'));
  });
}

function connectTo(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: herald.host, port });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * A TCP proxy on a free loopback port. Each new connection goes to A while A's /ready answers 200
 * and A accepts it; from the first time it does not, every connection goes to B. `routed` lists the
 * port each connection went to.
 */
async function startSwitchingProxy() {
  const routed = [];
  const sockets = new Set();
  let onB = false;
  const server = net.createServer(async (client) => {
    client.pause();
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let upstream;
    let target = portB;
    if (!onB) {
      try {
        const status = await readyStatus(portA);
        if (status !== 200) {
          throw new Error(`A /ready: ${status}`);
        }
        upstream = await connectTo(portA);
        target = portA;
      } catch {
        onB = true;
      }
    }
    try {
      upstream ??= await connectTo(portB);
    } catch {
      client.destroy();
      return;
    }
    routed.push(target);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.end();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, herald.host, resolve);
  });
  return {
    port: server.address().port,
    routed,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

describe('a draining server hands pusher-js over to another one', () => {
  let proxy;
  afterEach(closeAll);
  after(async () => {
    await closeAll();
    await proxy?.close();
  });

  test('pusher-js is closed with 4200 by A, reconnects through the proxy to B, resubscribes and gets an event from B', async () => {
    proxy = await startSwitchingProxy();
    const client = pusherClient({ wsHost: herald.host, wsPort: proxy.port, wssPort: proxy.port });
    const firstSocketId = await connected(client);
    assert.deepEqual(proxy.routed, [portA], 'the first connection goes to A');

    const name = `drain-${unique()}`;
    const channel = await subscribed(client, name);
    const frames = wireLog(client);
    const errors = [];
    client.connection.bind('error', (error) => errors.push(error));

    // Resolves on the next 'connected' with another socket id: the reconnection.
    const reconnected = new Promise((resolve) => {
      const onChange = ({ current }) => {
        if (current === 'connected' && client.connection.socket_id !== firstSocketId) {
          client.connection.unbind('state_change', onChange);
          resolve(client.connection.socket_id);
        }
      };
      client.connection.bind('state_change', onChange);
    });
    const resubscribed = nextEvent(channel, 'pusher:subscription_succeeded', `subscription_succeeded on ${name} again`);
    resubscribed.catch(() => {}); // awaited below, after the reconnection; not an unhandled rejection meanwhile

    process.kill(pidA, 'SIGTERM');

    const secondSocketId = await withTimeout(reconnected, () => `pusher-js to reconnect; closes ${JSON.stringify(closes)}, errors ${JSON.stringify(errors)}, exchange:\n${frames}`, DRAIN_TIMEOUT_MS);
    assert.notEqual(secondSocketId, firstSocketId);
    assert.deepEqual(
      frames.find((frame) => frame.event === 'pusher:error'),
      { event: 'pusher:error', data: { code: 4200, message: 'Server is shutting down; reconnect' } },
      `the drain notice; exchange:\n${frames}`,
    );
    assert.equal(closes[0]?.code, 4200, `the first close pusher-js saw: ${JSON.stringify(closes)}`);
    assert.ok(
      errors.some((error) => error.type === 'PusherError' && error.data?.code === 4200),
      `pusher-js reported the 4200: ${JSON.stringify(errors)}`,
    );
    assert.equal(proxy.routed.at(-1), portB, `the reconnection goes to B; routed ${JSON.stringify(proxy.routed)}`);
    assert.ok(!proxy.routed.slice(1).includes(portA), `nothing went to A after the drain began; routed ${JSON.stringify(proxy.routed)}`);

    await resubscribed;
    const sdkB = serverSdk({ port: String(portB) });
    const info = await json(await sdkB.get({ path: `/channels/${name}`, params: { info: 'subscription_count' } }));
    assert.deepEqual(info, { occupied: true, subscription_count: 1 });

    const event = nextEvent(channel, 'after-drain');
    await sdkB.trigger(name, 'after-drain', { served_by: 'B' });
    assert.deepEqual(await event, { served_by: 'B' });
  });
});
