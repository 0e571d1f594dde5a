package io.ringway.http;

import java.util.List;
import java.util.function.Supplier;

/** The valid requests every mutation starts from: each one is forwarded by nginx, HAProxy and a correct router. */
final class FuzzCorpus {

  /** A named valid request; {@link #make} builds a fresh, editable copy each time. */
  record Template(String name, Supplier<RequestShape> make) {
  }

  static final String BODY = "hello";
  static final String CHUNKED_BODY = "5\r\nhello\r\n0\r\n\r\n";

  static final List<Template> TEMPLATES = List.of(
      new Template("get", () -> new RequestShape("GET", "/fuzz", "Host: h", "User-Agent: fuzz")),
      new Template("get-query", () -> new RequestShape("GET", "/fuzz/a?b=1&c=%20d&e=", "Host: h")),
      new Template("head", () -> new RequestShape("HEAD", "/fuzz", "Host: h")),
      new Template("post-length", () -> new RequestShape("POST", "/fuzz", "Host: h", "Content-Length: 5")
          .body(BODY)),
      new Template("post-empty", () -> new RequestShape("POST", "/fuzz", "Host: h", "Content-Length: 0")),
      new Template("put-length", () -> new RequestShape("PUT", "/fuzz/p", "Host: h", "Content-Type: text/plain",
          "Content-Length: 5").body(BODY)),
      new Template("post-chunked", () -> new RequestShape("POST", "/fuzz", "Host: h",
          "Transfer-Encoding: chunked").body(CHUNKED_BODY)),
      new Template("post-chunk-ext", () -> new RequestShape("POST", "/fuzz", "Host: h",
          "Transfer-Encoding: chunked").body("5;ext=1\r\nhello\r\n0\r\n\r\n")),
      new Template("post-trailer", () -> new RequestShape("POST", "/fuzz", "Host: h",
          "Transfer-Encoding: chunked", "Trailer: X-T").body("5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n")),
      new Template("get-absolute", () -> new RequestShape("GET", "http://h/fuzz?q=1", "Host: h")),
      new Template("get-h2c-upgrade", () -> new RequestShape("GET", "/fuzz", "Host: h",
          "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA")),
      new Template("post-expect", () -> new RequestShape("POST", "/fuzz", "Host: h", "Expect: 100-continue",
          "Content-Length: 5").body(BODY)),
      new Template("get-http10", () -> {
        RequestShape shape = new RequestShape("GET", "/fuzz", "Host: h");
        shape.version = "HTTP/1.0";
        return shape;
      }),
      new Template("get-close", () -> new RequestShape("GET", "/fuzz", "Host: h", "Connection: close")),
      new Template("get-pipelined", () -> {
        RequestShape first = new RequestShape("GET", "/fuzz/1", "Host: h");
        first.next = new RequestShape("GET", "/fuzz/2", "Host: h");
        return first;
      }));

  private FuzzCorpus() {
  }
}
