package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;

/**
 * The path the router routes, filters and forwards: the request's, normalized as an edge proxy must before it matches
 * routes on it (Envoy's {@code normalize_path} and {@code merge_slashes}; nginx matches its locations so too). Percent-
 * encoded unreserved characters decoded and dot-segments removed (RFC 3986 §6.2.2.2 and §5.2.4: the same resource), and
 * runs of slashes made one unless the listener says not to (not RFC 3986, but Vert.x Web, nginx and most servers read
 * {@code //} as {@code /}). Without it, {@code /public/../internal} matched a {@code /public/} route and reached an upstream that normalizes (Vert.x Web,
 * nginx, most frameworks) as {@code /internal}, and {@code /%61dmin} or {@code //admin} missed an {@code /admin/} route
 * and its filters, then reached the same upstream as {@code /admin}. {@code %2F} stays as it is: it is no separator.
 */
final class RequestPaths {

  private final boolean mergeSlashes;
  private final ListenerStats stats;

  /** A listener's: {@code mergeSlashes} as configured ({@code HttpListenerConfig#mergeSlashes}). */
  RequestPaths(boolean mergeSlashes, ListenerStats stats) {
    this.mergeSlashes = mergeSlashes;
    this.stats = stats;
  }

  /**
   * An origin-form {@code target} (path and query) with its path normalized by {@link #normalize(String, boolean)} with
   * this listener's setting, the query as it came: {@code target} itself when nothing changed (a change is counted),
   * null when the path is refused ({@link #refusal}).
   */
  String normalizeTarget(String target) {
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    String normalized = normalize(path, mergeSlashes);
    if (normalized == null || normalized.equals(path)) {
      return normalized == null ? null : target;
    }
    stats.normalizedPaths++;
    return query < 0 ? normalized : normalized + target.substring(query);
  }

  /**
   * {@code path} (no query) normalized ({@code path} itself when nothing in it could change); null when it has a {@code %} not followed by
   * two hex digits (RFC 3986 §2.1), or dot-segments that climb above the root ({@code /../x}): nginx answers both 400.
   * Without the first rule, decoding {@code %6%31} made {@code %61}, an escape an upstream would decode once more.
   */
  static String normalize(String path, boolean mergeSlashes) {
    if (path.indexOf('%') < 0 && path.indexOf("/.") < 0 && (!mergeSlashes || path.indexOf("//") < 0)) {
      return path;
    }
    if (invalidEscape(path) >= 0) {
      return null;
    }
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      // One segment at a time: from a slash to the next one (or the end), its escapes of unreserved bytes decoded.
      int next = path.indexOf('/', i + 1);
      int end = next < 0 ? path.length() : next;
      String segment = decodeUnreserved(path, i + 1, end);
      boolean last = next < 0;
      if (segment.equals("..")) {
        int slash = out.lastIndexOf("/");
        if (slash < 0) {
          return null;
        }
        out.setLength(slash);
        if (last) {
          out.append('/');
        }
      } else if (segment.equals(".")) {
        if (last) {
          out.append('/');
        }
      } else if (!segment.isEmpty() || last || !mergeSlashes) {
        out.append('/').append(segment);
      }
      i = end;
    }
    return out.isEmpty() ? "/" : out.toString();
  }

  /** Why {@link #normalizeTarget} refused {@code target}. */
  static String refusal(String target) {
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    int escape = invalidEscape(path);
    return escape >= 0
        ? "invalid percent-encoding at byte " + escape + " of the path " + path + " (RFC 3986 §2.1: % and two hex digits)"
        : "the path " + path + " climbs above the root (RFC 3986 §5.2.4)";
  }

  /** The index of the first {@code %} not followed by two hex digits, or -1. */
  private static int invalidEscape(String path) {
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || (hex(path.charAt(i + 1)) | hex(path.charAt(i + 2))) > 0xF) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether the bytes of a path from {@code from} to {@code to} are a normalized one already: only valid escapes and
   * none of an unreserved byte, no dot-segment, no empty segment but a last one.
   */
  static boolean isNormal(ByteBuf b, int from, int to, boolean mergeSlashes) {
    for (int i = from; i < to; i++) {
      byte c = b.getByte(i);
      if (c == '%' && (i + 2 >= to || (hex(b.getByte(i + 1)) | hex(b.getByte(i + 2))) > 0xF
          || unreserved(hex(b.getByte(i + 1)) << 4 | hex(b.getByte(i + 2))))) {
        return false;
      }
      if (c == '/' && i + 1 < to) {
        int segment = i + 1;
        int dots = 0;
        while (segment + dots < to && b.getByte(segment + dots) == '.' && dots < 3) {
          dots++;
        }
        boolean ended = segment + dots == to || b.getByte(segment + dots) == '/';
        if (ended && (dots > 0 ? dots < 3 : mergeSlashes)) {
          // "/./" or "/../" (or one of them at the end), or "//" when slashes merge.
          return false;
        }
      }
    }
    return true;
  }

  private static String decodeUnreserved(String path, int from, int to) {
    int escape = path.indexOf('%', from);
    if (escape < 0 || escape >= to) {
      return path.substring(from, to);
    }
    StringBuilder segment = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char c = path.charAt(i);
      // Every escape is whole here (invalidEscape).
      int decoded = c == '%' ? hex(path.charAt(i + 1)) << 4 | hex(path.charAt(i + 2)) : -1;
      if (unreserved(decoded)) {
        segment.append((char) decoded);
        i += 2;
      } else {
        segment.append(c);
      }
    }
    return segment.toString();
  }

  /** A hex digit's value, or a value that makes any byte it is part of no unreserved one. */
  private static int hex(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
        : 0x1000;
  }

  /** RFC 3986 §2.3; false for anything outside a byte. */
  private static boolean unreserved(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
        || c == '~';
  }
}
