package io.ringway.launcher;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What {@link TrainingLoad}'s HTTP/1 clients send: request heads of the shapes real clients send, each client taking
 * its list in turn. Trained on a load tool's {@code Host} line alone, the JIT compiled the byte-level path's header scan
 * for that line only, and the first {@code User-Agent} a real client sent deoptimised it on a busy node: the loop fell
 * behind for seconds (docs/benchmarks.md, "A loop that fell behind"). So the lists hold a load tool's bare head,
 * h2load's lower-case names, a browser's navigation with cookies, curl, an API client behind another proxy
 * (X-Forwarded-For, Via, X-Request-Id, a bearer token), a conditional GET, a HEAD, HTTP/1.0, bodies with a length
 * and a chunked one (the decoding path's), and the routes' targets as they vary: query strings, other hosts.
 */
final class TrainingRequests {

  /** One request as sent, and whether its answer has a head only whatever the head says (an answer to HEAD). */
  record Request(byte[] bytes, boolean headOnly) {

    static Request of(String head) {
      return new Request(head.getBytes(StandardCharsets.US_ASCII), head.startsWith("HEAD "));
    }

    static Request of(String head, byte[] body) {
      byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
      byte[] bytes = new byte[headBytes.length + body.length];
      System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
      System.arraycopy(body, 0, bytes, headBytes.length, body.length);
      return new Request(bytes, false);
    }
  }

  private static final String BROWSER = """
      User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r
      Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r
      Accept-Language: en-US,en;q=0.5\r
      Accept-Encoding: gzip, deflate, br, zstd\r
      """;
  private static final String API_CLIENT = """
      Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0cmFpbiJ9.c2lnbmF0dXJl\r
      Accept: application/json\r
      X-Request-Id: 7f9c2ba4-e88f-11ec-8ea0-0242ac120002\r
      X-Forwarded-For: 203.0.113.7, 198.51.100.2\r
      X-Forwarded-Proto: https\r
      Via: 1.1 edge-proxy\r
      """;

  /** The keep-alive GET clients' requests. */
  static final List<Request> KEEP_ALIVE = List.of(
      Request.of("GET / HTTP/1.1\r\nHost: train\r\n\r\n"),
      Request.of("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nuser-agent: h2load nghttp2/1.52.0\r\n\r\n"),
      Request.of("GET /index.html HTTP/1.1\r\nHost: www.train.example\r\n" + BROWSER
          + "Connection: keep-alive\r\nCookie: session=5f2b7c1d9e; theme=dark\r\nUpgrade-Insecure-Requests: 1\r\n"
          + "Sec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Site: none\r\nPriority: u=0, i\r\n\r\n"),
      Request.of("GET /api/v1/items/42?fields=name,price HTTP/1.1\r\nHost: api.train.example\r\nUser-Agent: curl/8.5.0\r\n"
          + "Accept: */*\r\n\r\n"),
      Request.of("GET /api/v1/orders?page=3&limit=50 HTTP/1.1\r\nHost: api.train.example:443\r\n" + API_CLIENT
          + "Cache-Control: no-cache\r\n\r\n"),
      Request.of("GET /api/v1/items/42 HTTP/1.1\r\nHost: api.train.example\r\n" + API_CLIENT
          + "If-None-Match: \"v42\"\r\n\r\n"),
      Request.of("HEAD /index.html HTTP/1.1\r\nHost: www.train.example\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"),
      Request.of("GET /?q=ringway&lang=en HTTP/1.1\r\nHost: train\r\n" + BROWSER + "Referer: http://train/\r\n\r\n"));

  /** The client that opens a connection per request. */
  static final List<Request> ONE_PER_CONNECTION = List.of(
      Request.of("GET / HTTP/1.1\r\nHost: train\r\nConnection: close\r\n\r\n"),
      Request.of("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nuser-agent: h2load nghttp2/1.52.0\r\nconnection: close\r\n\r\n"),
      Request.of("GET /index.html HTTP/1.1\r\nHost: www.train.example\r\n" + BROWSER + "Connection: close\r\n\r\n"),
      Request.of("GET / HTTP/1.0\r\nHost: train\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n"));

  private static final byte[] BODY_4K = "a".repeat(4096).getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JSON = "{\"item\":42,\"quantity\":3,\"note\":\"train\"}".getBytes(StandardCharsets.US_ASCII);

  /** The client that sends bodies: on the byte-level path with a length, on the decoding path chunked. */
  static final List<Request> WITH_BODY = List.of(
      Request.of("POST /echo HTTP/1.1\r\nHost: train\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: 4096\r\n\r\n", BODY_4K),
      Request.of("POST /echo HTTP/1.1\r\nHost: api.train.example\r\n" + API_CLIENT + "Content-Type: application/json\r\n"
          + "Content-Length: " + JSON.length + "\r\n\r\n", JSON),
      Request.of("POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nuser-agent: h2load nghttp2/1.52.0\r\n"
          + "content-length: 4096\r\n\r\n", BODY_4K),
      Request.of("POST /echo HTTP/1.1\r\nHost: train\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(JSON.length) + "\r\n" + new String(JSON, StandardCharsets.US_ASCII) + "\r\n0\r\n\r\n"));

  private TrainingRequests() {
  }
}
