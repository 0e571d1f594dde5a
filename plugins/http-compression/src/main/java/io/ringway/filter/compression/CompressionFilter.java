package io.ringway.filter.compression;

import io.ringway.spi.http.BodyTransform;
import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterResponse;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * gzip of upstream responses a client accepts it for (RFC 9110 12.5.3), by content type and declared size; a
 * response that is already encoded, partial, bodiless or marked {@code no-transform} passes as it is.
 */
final class CompressionFilter implements HttpFilter {

  private final CompressionConfig config;
  private final CompressionStats stats = new CompressionStats();

  CompressionFilter(CompressionConfig config) {
    this.config = config;
  }

  @Override
  public Future<FilterVerdict> onRequest(FilterRequest request) {
    return FilterVerdict.PROCEED;
  }

  @Override
  public BodyTransform onResponse(FilterRequest request, FilterResponse response) {
    if (!compressible(request, response)) {
      stats.skipped++;
      return null;
    }
    stats.compressed++;
    response.setHeader("content-encoding", "gzip");
    response.removeHeader("content-length");
    String vary = response.header("vary");
    if (vary == null) {
      response.setHeader("vary", "accept-encoding");
    } else if (!vary.trim().equals("*") && !listContains(vary, "accept-encoding")) {
      response.setHeader("vary", vary + ", accept-encoding");
    }
    String etag = response.header("etag");
    if (etag != null && etag.startsWith("\"")) {
      // Another representation: a strong validator of the identity bytes must not claim these (RFC 9110 8.8.3).
      response.setHeader("etag", "W/" + etag);
    }
    return new GzipTransform(config.level(), stats);
  }

  private boolean compressible(FilterRequest request, FilterResponse response) {
    int status = response.status();
    if (status < 200 || status == 204 || status == 206 || status == 304 || status >= 300 && status < 400
        || request.method().equals("HEAD") || !acceptsGzip(request.header("accept-encoding"))) {
      return false;
    }
    String encoding = response.header("content-encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      return false; // never compress twice
    }
    String cacheControl = response.header("cache-control");
    if (cacheControl != null && listContains(cacheControl, "no-transform")) {
      return false;
    }
    String length = response.header("content-length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) < config.minBytes()) {
          return false;
        }
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return typeMatches(response.header("content-type"));
  }

  private boolean typeMatches(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    for (String wanted : config.contentTypes()) {
      if (wanted.endsWith("/") ? type.startsWith(wanted) : type.equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code accept-encoding} allows gzip: listed (or {@code *}) with a q above 0, and not refused by name. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    Boolean gzip = null;
    Boolean any = null;
    for (String element : acceptEncoding.split(",")) {
      String[] parts = element.split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      boolean allowed = true;
      for (int i = 1; i < parts.length; i++) {
        String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
        if (parameter.startsWith("q=")) {
          try {
            allowed = Double.parseDouble(parameter.substring(2)) > 0;
          } catch (NumberFormatException e) {
            allowed = false;
          }
        }
      }
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        gzip = allowed;
      } else if (coding.equals("*")) {
        any = allowed;
      }
    }
    return gzip != null ? gzip : any != null && any;
  }

  private static boolean listContains(String list, String token) {
    for (String element : list.split(",")) {
      if (element.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public JsonObject stats() {
    return new JsonObject().put("compressed", stats.compressed).put("skipped", stats.skipped)
        .put("bytesIn", stats.bytesIn).put("bytesOut", stats.bytesOut);
  }
}
