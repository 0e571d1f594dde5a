package io.ringway.demo.impl;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.lang.System.Logger.Level;

/**
 * {@code GET /ws} with a WebSocket upgrade: each text message comes back as text, each binary message as
 * binary, whole (Vert.x reassembles fragmented messages up to its 256 KiB message limit). Reading pauses
 * while the client is slow to take the echoes.
 */
final class WebSocketEcho {

  private static final System.Logger LOG = System.getLogger(WebSocketEcho.class.getName());

  private WebSocketEcho() {
  }

  static void accept(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      // HTTP/2 requests land here too: WebSocket over h2 (RFC 8441) is not offered.
      request.response().setStatusCode(400).end("expected a WebSocket upgrade (HTTP/1.1 Upgrade: websocket)\n");
      return;
    }
    request.toWebSocket()
        .onSuccess(WebSocketEcho::echo)
        .onFailure(cause -> LOG.log(Level.DEBUG, "demo-upstream: WebSocket handshake failed", cause));
  }

  private static void echo(ServerWebSocket socket) {
    socket.drainHandler(ignored -> socket.resume());
    // Resets are how load generators often leave; Vert.x closes the socket after this.
    socket.exceptionHandler(cause -> LOG.log(Level.DEBUG, "demo-upstream: WebSocket echo failed", cause));
    socket.textMessageHandler(text -> {
      socket.writeTextMessage(text);
      pauseWhileFull(socket);
    });
    socket.binaryMessageHandler(bytes -> {
      socket.writeBinaryMessage(bytes);
      pauseWhileFull(socket);
    });
  }

  private static void pauseWhileFull(ServerWebSocket socket) {
    if (socket.writeQueueFull()) {
      socket.pause();
    }
  }
}
