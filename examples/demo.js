// The everyday Laravel Echo patterns on Herald, without a build step. In a Laravel app, the
// `new Echo(...)` part is resources/js/echo.js and the rest lives in your components; what each
// call maps to on the server is in docs/demo.md.
//
// Served by `java -jar herald.jar --dev` at /demo/, whose two dev-only endpoints stand in for the
// Laravel app: broadcasting/auth (Laravel's /broadcasting/auth with routes/channels.php) and
// api/trigger (your controllers calling broadcast(...) and $user->notify(...)).
'use strict';

const $ = (id) => document.getElementById(id);
const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Radia'];

/** How long a "typing" whisper keeps the indicator on without another one. */
const TYPING_SHOWN_MS = 3000;
/** At most one "typing" whisper per this long: whispers count against the client-event rate limit. */
const TYPING_EVERY_MS = 1000;

let echo;
let me;
let presence;
const online = new Map(); // user id -> {id, name}
const typing = new Map(); // user id -> {name, timer}

main().catch((error) => {
  $('connection').textContent = `could not start: ${error.message}`;
  $('connection').dataset.state = 'failed';
});

async function main() {
  const response = await fetch('config.json', { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`config.json answered ${response.status}`);
  }
  const config = await response.json();
  // Someone else in every tab unless chosen (fields filled before this point are kept).
  if ($('login-name').value === '') {
    $('login-name').value = NAMES[Math.floor(Math.random() * NAMES.length)];
  }
  if ($('login-id').value === '') {
    $('login-id').value = String(1 + Math.floor(Math.random() * 999));
  }
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(config, {
      id: $('login-id').value.trim(),
      name: $('login-name').value.trim(),
      order: $('login-order').value.trim(),
      room: $('login-room').value.trim(),
    });
  });
  $('login-submit').disabled = false;
}

function signIn(config, choice) {
  me = { id: choice.id, name: choice.name };
  $('login').hidden = true;
  $('app').hidden = false;
  $('me').textContent = `signed in as ${me.name} (#${me.id})`;

  echo = connect(config, me);
  echo.connector.onConnectionChange((status) => {
    $('connection').dataset.state = status;
    $('connection').textContent = status;
  });
  followOrder(choice.order);
  joinChat(choice.room);
  openInbox();
}

/** Laravel's resources/js/echo.js for Reverb, pointed at the server that served this page. */
function connect(config, user) {
  const tls = location.protocol === 'https:';
  const port = Number(location.port) || (tls ? 443 : 80);
  return new window.Echo.default({
    broadcaster: 'reverb',
    key: config.key, // Laravel: import.meta.env.VITE_REVERB_APP_KEY
    wsHost: location.hostname, // VITE_REVERB_HOST
    wsPort: port, // VITE_REVERB_PORT
    wssPort: port,
    wsPath: config.ws_path, // REVERB_SERVER_PATH, when Herald is mounted under a prefix
    forceTLS: tls, // VITE_REVERB_SCHEME === 'https'
    enabledTransports: ['ws', 'wss'],
    authEndpoint: 'broadcasting/auth', // Laravel: the default, /broadcasting/auth
    // Laravel: leave this out; the session cookie says who the user is, and Echo sends the
    // X-CSRF-TOKEN from <meta name="csrf-token">. The fake login sends the user along instead.
    auth: { headers: {}, params: { user_id: user.id, user_name: user.name } },
  });
}

// A public channel per record: everyone looking at the order sees it change.
function followOrder(orderId) {
  $('order-id').textContent = orderId;
  $('order-channel').textContent = `orders.${orderId}`;
  echo
    .channel(`orders.${orderId}`)
    .subscribed(() => ready('order', `subscribed to orders.${orderId}`))
    .error((error) => log(`orders.${orderId}: ${describe(error)}`))
    .listen('OrderShipped', (event) => {
      // Laravel: class OrderShipped implements ShouldBroadcast, public $order; broadcastOn()
      // returns new Channel('orders.'.$this->order->id).
      add('order-feed', `Shipped with ${event.order.carrier} by ${event.shipped_by.name}`);
      log(`OrderShipped on orders.${orderId}`);
    });

  $('ship').addEventListener('submit', (event) => {
    event.preventDefault();
    send('ship-result', `orders.${orderId}`, 'App\\Events\\OrderShipped', {
      order: { id: Number(orderId), status: 'shipped', carrier: $('ship-carrier').value.trim() },
      shipped_by: { id: me.id, name: me.name },
    }, $('ship-to-others').checked);
  });
}

// A presence channel: who is here, who comes and goes, messages and a typing indicator.
function joinChat(room) {
  $('room-name').textContent = room;
  $('chat-channel').textContent = `presence-chat.${room}`;
  presence = echo
    .join(`chat.${room}`)
    .here((users) => {
      online.clear();
      users.forEach((user) => online.set(String(user.id), user));
      renderOnline();
      ready('chat', `joined presence-chat.${room} with ${users.length} here`);
    })
    .joining((user) => {
      online.set(String(user.id), user);
      renderOnline();
      log(`${user.name} joined`);
    })
    .leaving((user) => {
      online.delete(String(user.id));
      stopTyping(String(user.id));
      renderOnline();
      log(`${user.name} left`);
    })
    .error((error) => log(`presence-chat.${room}: ${describe(error)}`))
    .listen('MessageSent', (event) => {
      stopTyping(String(event.user.id));
      add('messages', `${event.user.name}: ${event.text}`);
    })
    .listenForWhisper('typing', (event) => {
      const id = String(event.id);
      if (event.typing) {
        startTyping(id, event.name);
      } else {
        stopTyping(id);
      }
    });

  let lastWhisper = 0;
  $('say-text').addEventListener('input', () => {
    const now = Date.now();
    if ($('say-text').value !== '' && now - lastWhisper >= TYPING_EVERY_MS) {
      lastWhisper = now;
      presence.whisper('typing', { id: me.id, name: me.name, typing: true });
    } else if ($('say-text').value === '' && lastWhisper !== 0) {
      lastWhisper = 0;
      presence.whisper('typing', { id: me.id, name: me.name, typing: false });
    }
  });
  $('say').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('say-text').value.trim();
    $('say-text').value = '';
    lastWhisper = 0;
    // Laravel: broadcast(new MessageSent($user, $text)) on new PresenceChannel('chat.'.$room).
    send('say-result', `presence-chat.${room}`, 'App\\Events\\MessageSent', {
      user: { id: me.id, name: me.name },
      text,
    });
  });
}

// A private channel per user: Laravel's broadcast notifications arrive only there.
function openInbox() {
  $('inbox-channel').textContent = `private-App.Models.User.${me.id}`;
  echo
    .private(`App.Models.User.${me.id}`)
    .subscribed(() => ready('inbox', `subscribed to private-App.Models.User.${me.id}`))
    .error((error) => log(`private-App.Models.User.${me.id}: ${describe(error)}`))
    .notification((notification) => {
      // Laravel's payload: the array from toBroadcast() plus the notification's id and type.
      add('notifications', `${notification.from.name}: ${notification.message}`);
      log(`notification ${notification.type} ${notification.id}`);
    });

  $('notify').addEventListener('submit', (event) => {
    event.preventDefault();
    // Laravel: $user->notify(new DirectMessage($from, $message)), a notification whose via()
    // includes 'broadcast'.
    send('notify-result', `private-App.Models.User.${$('notify-to').value}`,
      'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated', {
        id: uuid(),
        type: 'App\\Notifications\\DirectMessage',
        from: { id: me.id, name: me.name },
        message: $('notify-text').value.trim(),
      });
  });
}

/** Posts to the dev trigger endpoint, the stand-in for a Laravel controller that broadcasts. */
async function send(resultId, channel, event, data, toOthers = false) {
  const result = $(resultId);
  result.textContent = 'Sending…';
  delete result.dataset.error;
  const body = { channel, event, data };
  if (toOthers) {
    body.socket_id = echo.socketId(); // what Laravel reads from the X-Socket-ID header
  }
  try {
    const response = await fetch('api/trigger', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      throw new Error(answer.error || `HTTP ${response.status}`);
    }
    result.textContent = 'Sent';
  } catch (error) {
    result.textContent = error.message;
    result.dataset.error = 'true';
  }
}

function renderOnline() {
  const users = [...online.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('online-count').textContent = String(users.length);
  $('online').replaceChildren(...users.map((user) => {
    const item = document.createElement('li');
    item.dataset.userId = String(user.id);
    item.textContent = `${user.name} (#${user.id})`;
    if (String(user.id) === me.id) {
      item.dataset.me = 'true';
      item.textContent += ', you';
    }
    return item;
  }));
  const select = $('notify-to');
  const chosen = select.value;
  select.replaceChildren(...users.map((user) => new Option(`${user.name} (#${user.id})`, String(user.id))));
  if (online.has(chosen)) {
    select.value = chosen;
  }
}

function startTyping(id, name) {
  clearTimeout(typing.get(id)?.timer);
  typing.set(id, { name, timer: setTimeout(() => stopTyping(id), TYPING_SHOWN_MS) });
  renderTyping();
}

function stopTyping(id) {
  clearTimeout(typing.get(id)?.timer);
  if (typing.delete(id)) {
    renderTyping();
  }
}

function renderTyping() {
  const names = [...typing.values()].map((entry) => entry.name);
  $('typing').textContent =
    names.length === 0 ? '' : `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

function ready(sectionId, message) {
  $(sectionId).dataset.subscribed = 'true';
  log(message);
}

/** Appends a line of text (never HTML: it may hold what another user typed). */
function add(listId, text) {
  const item = document.createElement('li');
  item.textContent = text;
  $(listId).append(item);
}

function log(text) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('log').prepend(item);
}

function describe(error) {
  return error?.status ? `refused (${error.status}) ${error.error ?? ''}` : JSON.stringify(error);
}

/** A random UUID, also on plain http:// pages other than localhost (no crypto.randomUUID there). */
function uuid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
