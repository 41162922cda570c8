// TLS: Herald started with --tls-self-signed serves wss:// and https:// on its one port.
// NodeInteropTest passes the certificate it wrote as HERALD_CA_FILE and trusts it for the whole
// node process with NODE_EXTRA_CA_CERTS (read once at node start-up), as a developer would; nothing
// here disables verification. By hand:
//   HERALD_CA_FILE=cert.pem NODE_EXTRA_CA_CERTS=cert.pem HERALD_HOST=... node --test tls.test.mjs

import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
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

const CA_FILE = process.env.HERALD_CA_FILE;

/** pusher-js over wss:// only: forceTLS picks the wss scheme and wssPort. */
function tlsClient() {
  return pusherClient({ forceTLS: true, wssPort: herald.port, enabledTransports: ['ws'] });
}

/** Settles with the status and body of a plain GET, or with the transport error. */
function get(module, url, options = {}) {
  return withTimeout(
    new Promise((resolve) => {
      const request = module.get(url, options, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
        response.on('error', (error) => resolve({ error }));
      });
      request.on('error', (error) => resolve({ error }));
    }),
    `GET ${url}`,
  );
}

describe('TLS with a self-signed certificate', () => {
  afterEach(closeAll);
  after(closeAll);

  test('the certificate file the server wrote is a PEM certificate for 127.0.0.1 and localhost', () => {
    assert.ok(CA_FILE, 'HERALD_CA_FILE is not set');
    const certificate = new X509Certificate(readFileSync(CA_FILE));
    assert.ok(certificate.checkIP('127.0.0.1'), `no 127.0.0.1 in ${certificate.subjectAltName}`);
    assert.ok(certificate.checkHost('localhost'), `no localhost in ${certificate.subjectAltName}`);
  });

  test('GET /up answers over https, verified against the written certificate', async () => {
    const result = await get(https, `https://${herald.host}:${herald.port}/up`);

    assert.equal(result.error, undefined, `https GET failed: ${result.error}`);
    assert.equal(result.status, 200);
    assert.deepEqual(JSON.parse(result.body), { status: 'ok' });
  });

  test('the same port does not serve plain http', async () => {
    const result = await get(http, `http://${herald.host}:${herald.port}/up`);

    assert.ok(result.error !== undefined || result.status !== 200, `plain http answered ${result.status}: ${result.body}`);
  });

  test('pusher-js with forceTLS connects over wss and receives an event the SDK triggered over https', async () => {
    const client = tlsClient();
    const socketId = await connected(client);
    assert.match(socketId, /^\d+\.\d+$/);
    const name = `tls-${unique()}`;
    const channel = await subscribed(client, name);
    const frames = wireLog(client);
    const event = nextEvent(channel, 'secured', () => `'secured' over wss; frames:\n${frames}`);
    const sdk = serverSdk({ useTLS: true });
    assert.equal(sdk.config.scheme, 'https');

    const response = await sdk.trigger(name, 'secured', { over: 'tls' });

    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), {});
    assert.deepEqual(await event, { over: 'tls' });
    // The socket pusher-js holds is the TLS one.
    const socket = client.connection.connection.transport.socket;
    assert.match(socket.url, /^wss:\/\//);
  });

  test('a TLS handshake verified against the certificate succeeds for the host name localhost', async () => {
    const authorized = await withTimeout(
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: herald.host, port: herald.port, servername: 'localhost' }, () => {
          resolve(socket.authorized);
          socket.destroy();
        });
        socket.on('error', reject);
      }),
      'a TLS handshake',
    );

    assert.equal(authorized, true);
  });
});
