package dev.herald.doctor;

/** The proxy settings a WebSocket needs, as printed in fixes. */
final class ProxyFix {
  static final String NGINX =
      "nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";"
          + " Apache 2.4.47+: ProxyPass ... upgrade=websocket; Caddy: reverse_proxy passes them by itself";

  private ProxyFix() {}
}
