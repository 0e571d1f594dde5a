package io.ringway.http;

import static io.ringway.http.Mutation.ODD_BYTES;
import static io.ringway.http.Mutation.insertAnywhere;
import static io.ringway.http.Mutation.pick;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Grammar-aware edits of the request line and the header section (RFC 9112 §3 and §5). */
final class HeadMutations {

  private HeadMutations() {
  }

  static final List<String> VERSIONS = List.of("http/1.1", "HTTP/1.3", "HTTP/2.0", "HTUP/1.1", "HTTP/1.01",
      "HTTP/01.1", "HTTP/1", "HTTP/1.1.1", "HTTP/0.9", "HTTP/ 1.1", "HTTP/1.1\u0000", "HTTP/3.0", "HTTP/1.10",
      "HTTP/1.a", "HTTP /1.1", "");
  static final List<String> METHODS = List.of("get", "Get", "FOO", "G-ET", "GE T", "PRI", "TRACE", "CONNECT",
      "M".repeat(64), "GET/", "\"GET\"", "G\u00c9T", "OPTIONS", "PATCH", "BREW");
  static final List<String> PERCENT = List.of("%4g", "%", "%z", "%%", "%00", "%2", "%c0%af", "%FF", "%0d%0a", "%2f",
      "%u0041", "%%41");
  static final List<String> TARGETS = List.of("*", "http://h/fuzz", "HTTP://H/fuzz", "http://other/fuzz", "h:80",
      "//fuzz", "/../fuzz", "/fuzz/./a/../b", "fuzz", "", "/fuzz#frag", "/" + "a".repeat(3000), "https://h/fuzz",
      "http://h:99999/", "http://h", "http:/fuzz", "http://u@h/fuzz", "/fuzz?" + "q".repeat(200));
  static final List<String> SEPARATORS = List.of("  ", "\t", " \t", "\u000b", "\u000c", "\r", "");
  static final List<String> PREFIXES = List.of("\r\n", "\r\n\r\n", "\n", " ", "\t", "\u0000", "\u0001", "\u00ff",
      "x", "GET\r\n", "\u0016\u0003\u0001");
  static final List<String> FRAMING = List.of("Host", "Content-Length", "Transfer-Encoding");
  static final List<String> HOSTS = List.of("", "h h", "h@x", "h:99999", "h:", "[::1", "[::1]:80", "h/x", "h\u0000",
      "h,h", "h:80:80", "-h", "h_h", "h\t", "h.", "H", "1.2.3.4:80", "h:8o");

  static final List<Mutation> ALL = List.of(
      new Mutation("method-byte", (s, r) -> {
        String b = pick(ODD_BYTES, r);
        s.method = insertAnywhere(s.method, b, r);
        return "method+" + io.ringway.testkit.fuzz.Escape.readable(b.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      }),
      new Mutation("method-token", (s, r) -> {
        s.method = pick(METHODS, r);
        return "method=" + abbreviate(s.method);
      }),
      new Mutation("version", (s, r) -> {
        s.version = pick(VERSIONS, r);
        return "version=" + esc(s.version);
      }),
      new Mutation("target-percent", (s, r) -> {
        String escape = pick(PERCENT, r);
        s.target = s.target.contains("?") && r.nextBoolean() ? s.target + escape : "/fuzz/" + escape + "x";
        return "target~" + escape;
      }),
      new Mutation("target-byte", (s, r) -> {
        String b = pick(ODD_BYTES, r);
        s.target = s.target.charAt(0) + insertAnywhere(s.target.substring(1), b, r);
        return "target+" + esc(b);
      }),
      new Mutation("target-form", (s, r) -> {
        s.target = pick(TARGETS, r);
        return "target=" + abbreviate(s.target);
      }),
      new Mutation("request-line-ws", (s, r) -> {
        String ws = pick(SEPARATORS, r);
        switch (r.nextInt(3)) {
          case 0 -> s.beforeTarget = ws;
          case 1 -> s.beforeVersion = ws;
          default -> s.afterVersion = ws;
        }
        return "line-ws=" + esc(ws);
      }),
      new Mutation("leading-bytes", (s, r) -> {
        s.prefix = pick(PREFIXES, r);
        return "prefix=" + esc(s.prefix);
      }),
      new Mutation("header-dup", (s, r) -> {
        String name = pick(present(s), r);
        String line = s.headers.get(s.indexesOf(name).get(0));
        String copy = r.nextBoolean() ? line : name + ": " + different(name);
        s.headers.add(r.nextInt(s.headers.size() + 1), copy);
        return "dup " + esc(copy);
      }),
      new Mutation("header-remove", (s, r) -> {
        String name = pick(present(s), r);
        s.remove(name);
        return "no " + name;
      }),
      new Mutation("header-case", (s, r) -> {
        int i = s.indexesOf(pick(present(s), r)).get(0);
        String line = s.headers.get(i);
        String name = RequestShape.nameOf(line);
        String cased = r.nextBoolean() ? name.toUpperCase(Locale.ROOT) : name.toLowerCase(Locale.ROOT);
        String value = line.substring(name.length());
        if (r.nextBoolean()) {
          value = value.toUpperCase(Locale.ROOT);
        }
        s.headers.set(i, cased + value);
        return "case " + esc(s.headers.get(i));
      }),
      new Mutation("ws-before-colon", (s, r) -> {
        int i = r.nextInt(s.headers.size());
        String line = s.headers.get(i);
        String name = RequestShape.nameOf(line);
        String ws = r.nextBoolean() ? " " : "\t";
        s.headers.set(i, name + ws + line.substring(name.length()));
        return "ws-colon " + esc(name + ws + ":");
      }),
      new Mutation("obs-fold", (s, r) -> {
        int i = r.nextInt(s.headers.size());
        String fold = r.nextBoolean() ? " " : "\t";
        s.headers.set(i, s.headers.get(i) + "\r\n" + fold + "x");
        return "fold after " + RequestShape.nameOf(s.headers.get(i));
      }),
      new Mutation("first-header-ws", (s, r) -> {
        s.headers.set(0, (r.nextBoolean() ? " " : "\t") + s.headers.get(0));
        return "ws-first " + esc(s.headers.get(0));
      }),
      new Mutation("header-empty-name", (s, r) -> {
        s.headers.add(r.nextInt(s.headers.size() + 1), r.nextBoolean() ? ": b" : ":");
        return "empty-name";
      }),
      new Mutation("header-no-colon", (s, r) -> {
        s.headers.add(r.nextInt(s.headers.size() + 1), pick(List.of("X-A b", "X-A", "Host h", "X-A;b"), r));
        return "no-colon";
      }),
      new Mutation("header-name-byte", (s, r) -> {
        int i = r.nextInt(s.headers.size());
        String line = s.headers.get(i);
        String name = RequestShape.nameOf(line);
        String b = pick(ODD_BYTES, r);
        s.headers.set(i, insertAnywhere(name, b, r) + line.substring(name.length()));
        return "name+" + esc(b) + " in " + name;
      }),
      new Mutation("header-value-byte", (s, r) -> {
        int i = r.nextInt(s.headers.size());
        String b = pick(ODD_BYTES, r);
        String line = s.headers.get(i);
        int colon = Math.max(line.indexOf(':'), 0);
        int at = colon + 2 + r.nextInt(Math.max(1, line.length() - colon - 1));
        at = Math.min(at, line.length());
        s.headers.set(i, line.substring(0, at) + b + line.substring(at));
        return "value+" + esc(b) + " in " + RequestShape.nameOf(line);
      }),
      new Mutation("header-long", (s, r) -> {
        boolean name = r.nextInt(3) == 0;
        s.headers.add(name ? "X-" + "n".repeat(200) + ": v" : "X-Long: " + "v".repeat(4000));
        return name ? "long-name 200" : "long-value 4000";
      }),
      new Mutation("crlf-to-lf", (s, r) -> {
        int line = r.nextInt(s.headLines());
        s.lineEnd(line, "\n");
        return "LF ends line " + line;
      }),
      new Mutation("crlf-to-cr", (s, r) -> {
        int line = r.nextInt(s.headLines());
        s.lineEnd(line, "\r");
        return "CR ends line " + line;
      }),
      new Mutation("host-value", (s, r) -> {
        String host = pick(HOSTS, r);
        s.set("Host", host);
        return "host=" + esc(host);
      }),
      new Mutation("hop-by-hop", (s, r) -> {
        String value = pick(List.of("close, Transfer-Encoding", "keep-alive, Content-Length", "Host", "x-a, close",
            "Upgrade", "keep-alive, Expect", "\u0000"), r);
        s.set("Connection", value);
        return "connection=" + esc(value);
      }),
      new Mutation("expect-upgrade", (s, r) -> {
        String line = pick(List.of("Expect: 100-continue", "Expect: 101-continue", "Expect: foo",
            "Upgrade: h2c", "Upgrade: websocket", "Upgrade: foo/1, h2c"), r);
        s.headers.add(line);
        return "+" + line;
      }));

  /** The framing-relevant headers this request has (Host always, Content-Length or Transfer-Encoding if there). */
  private static List<String> present(RequestShape s) {
    List<String> names = FRAMING.stream().filter(s::has).toList();
    return names.isEmpty() ? List.of("Host") : names;
  }

  private static String different(String name) {
    return switch (name) {
      case "Host" -> "other";
      case "Content-Length" -> "6";
      default -> "identity";
    };
  }

  static String esc(String s) {
    return io.ringway.testkit.fuzz.Escape.readable(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  static String abbreviate(String s) {
    String e = esc(s);
    return e.length() > 24 ? e.substring(0, 20) + "…" + s.length() : e;
  }
}
