package io.ringway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A whole response, read inside the future chain so no body bytes can arrive before a handler is set. */
record Reply(int status, MultiMap headers, Buffer body, HttpVersion version) {

  /**
   * Sends from {@code context}: a client called from a plain thread gets a fresh context per call, and
   * its response can then race the body handler set in the chain.
   */
  static Reply send(Context context, HttpClient client, RequestOptions options, Buffer body) throws Exception {
    return sendAsync(context, client, options, body).get(20, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS);
  }

  /** As {@link #send}, without waiting for the reply: for requests that stay in flight while the test goes on. */
  static CompletableFuture<Future<Reply>> sendAsync(Context context, HttpClient client, RequestOptions options,
                                                    Buffer body) {
    CompletableFuture<Future<Reply>> sent = new CompletableFuture<>();
    context.runOnContext(v -> sent.complete(client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(b -> new Reply(response.statusCode(), response.headers(), b,
            response.version())))));
    return sent;
  }

  String header(String name) {
    return headers.get(name);
  }

  String text() {
    return body.toString();
  }
}
