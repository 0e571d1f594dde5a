package io.ringway.http;

import static io.ringway.http.HeadMutations.esc;
import static io.ringway.http.Mutation.pick;

import java.util.List;
import java.util.Random;

/**
 * Grammar-aware edits of message framing (RFC 9112 §6 and §7): Content-Length and Transfer-Encoding values,
 * their conflicts, chunk sizes, chunk extensions, chunk line ends and trailers. A request without a body is
 * first made into the POST each edit needs.
 */
final class FramingMutations {

  private FramingMutations() {
  }

  static final List<String> LENGTHS = List.of("+5", "05", "5 ", " 5", "5,5", "5, 5", "5,6", "0x5", "-1",
      "99999999999999999999", "", "5.0", "1e1", "5\u0000", "\u00b5", "5;", "6", "4");
  static final List<String> CODINGS = List.of("chunked, chunked", "Chunked", "CHUNKED", " chunked", "chunked ",
      "chunked\t", "identity", "gzip, chunked", "chunked, gzip", "xchunked", "chunked;q=1", "chunk", ",chunked",
      "chunked,", "\u000bchunked", "chunked\u0000", "\"chunked\"");
  static final List<String> SIZES = List.of("0x5", "05", "000005", "5 ", "5\t", " 5", "+5", "-5", "5;", "5;ext",
      "5;ext=\"q\"", "5 ;ext=1", "5;ext=1;b=2", "5;e=\u0001", "fffffffffffffffff5", "5g", "", "A", "4", "6",
      "5;" + "e".repeat(300));
  static final List<String> CHUNK_ENDS = List.of("\n", "\r", "", "xx\r\n", "\r\r\n", " \r\n");
  static final List<String> LAST_CHUNKS = List.of("00\r\n\r\n", "0;ext=1\r\n\r\n", "0\n\n", "0\r\n\n",
      "0\r\nX-T: 1\r\n\r\n", "0\r\nContent-Length: 5\r\n\r\n", "0\r\nTransfer-Encoding: chunked\r\n\r\n",
      "0\r\n: x\r\n\r\n", "0\r\nbad header\r\n\r\n", "0\r\nX-T : 1\r\n\r\n", "0\r\nX-T: a\u0000b\r\n\r\n",
      "0 \r\n\r\n", "0\r\n\r\nGET /fuzz/smuggled HTTP/1.1\r\nHost: h\r\n\r\n");

  static final List<Mutation> ALL = List.of(
      new Mutation("content-length-value", (s, r) -> {
        withLength(s);
        String value = pick(LENGTHS, r);
        s.set("Content-Length", value);
        return "CL=" + esc(value);
      }),
      new Mutation("length-and-chunked", (s, r) -> {
        if (r.nextBoolean()) {
          withChunks(s);
          s.headers.add(r.nextInt(s.headers.size() + 1), "Content-Length: " + pick(List.of("5", "0", "15"), r));
          return "chunked+CL";
        }
        withLength(s);
        s.headers.add(r.nextInt(s.headers.size() + 1), "Transfer-Encoding: chunked");
        s.body = "5\r\nhello\r\n0\r\n\r\n";
        return "CL+chunked";
      }),
      new Mutation("transfer-coding", (s, r) -> {
        withChunks(s);
        String value = pick(CODINGS, r);
        s.set("Transfer-Encoding", value);
        return "TE=" + esc(value);
      }),
      new Mutation("chunked-http10", (s, r) -> {
        withChunks(s);
        s.version = "HTTP/1.0";
        return "HTTP/1.0+chunked";
      }),
      new Mutation("chunk-size", (s, r) -> {
        withChunks(s);
        String size = pick(SIZES, r);
        s.body = size + "\r\nhello\r\n0\r\n\r\n";
        return "size=" + HeadMutations.abbreviate(size);
      }),
      new Mutation("chunk-line-end", (s, r) -> {
        withChunks(s);
        String end = pick(CHUNK_ENDS, r);
        s.body = r.nextBoolean() ? "5" + end + "hello\r\n0\r\n\r\n" : "5\r\nhello" + end + "0\r\n\r\n";
        return "chunk-end=" + esc(end);
      }),
      new Mutation("last-chunk", (s, r) -> {
        withChunks(s);
        String last = pick(LAST_CHUNKS, r);
        s.body = "5\r\nhello\r\n" + last;
        return "last=" + HeadMutations.abbreviate(last);
      }),
      new Mutation("body-overrun", (s, r) -> {
        // More bytes than the framing says: the rest is the start of a next request, which must be parsed as one.
        if (r.nextBoolean()) {
          withLength(s);
          s.body = s.body + pick(List.of("X", "\r\n", "GET /fuzz/2 HTTP/1.1\r\nHost: h\r\n\r\n"), r);
        } else {
          withChunks(s);
          s.body = s.body + pick(List.of("X", "\r\n", "GET /fuzz/2 HTTP/1.1\r\nHost: h\r\n\r\n"), r);
        }
        return "overrun";
      }));

  /** Makes {@code s} a request with a 5-byte body framed by Content-Length, unless it has one already. */
  static void withLength(RequestShape s) {
    if (s.has("Content-Length") && !s.chunked()) {
      return;
    }
    s.remove("Transfer-Encoding");
    s.remove("Trailer");
    if (s.method.equals("GET") || s.method.equals("HEAD")) {
      s.method = "POST";
    }
    s.set("Content-Length", "5");
    s.body = FuzzCorpus.BODY;
  }

  /** Makes {@code s} a request with a chunked body, unless it has one already. */
  static void withChunks(RequestShape s) {
    if (s.chunked()) {
      return;
    }
    s.remove("Content-Length");
    if (s.method.equals("GET") || s.method.equals("HEAD")) {
      s.method = "POST";
    }
    s.set("Transfer-Encoding", "chunked");
    s.body = FuzzCorpus.CHUNKED_BODY;
  }
}
