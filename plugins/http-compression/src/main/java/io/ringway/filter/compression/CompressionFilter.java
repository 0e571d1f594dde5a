package io.ringway.filter.compression;

import io.ringway.spi.http.BodyTransform;
import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterResponse;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * gzip or zstd of upstream responses, the coding the client weighs highest of those offered (RFC 9110 12.5.3), by
 * content type and declared size; a response that is already encoded, partial, bodiless or marked
 * {@code no-transform} passes as it is.
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
    String coding = choose(request.header("accept-encoding"), config.encodings());
    if (coding == null || !compressible(request, response)) {
      stats.skipped++;
      return null;
    }
    stats.compressed++;
    response.setHeader("content-encoding", coding);
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
    return coding.equals("zstd") ? new ZstdTransform(config.level(), stats) : new GzipTransform(config.level(), stats);
  }

  private boolean compressible(FilterRequest request, FilterResponse response) {
    int status = response.status();
    if (status < 200 || status == 204 || status == 206 || status == 304 || status >= 300 && status < 400
        || request.method().equals("HEAD")) {
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

  /**
   * The coding of {@code offered} that {@code acceptEncoding} weighs highest, above q=0 (a coding not named takes the
   * weight of {@code *}, else none; {@code x-gzip} is gzip); ties go to the earlier offered. Null: none acceptable.
   */
  static String choose(String acceptEncoding, List<String> offered) {
    if (acceptEncoding == null) {
      return null;
    }
    Map<String, Double> weights = new HashMap<>();
    for (String element : acceptEncoding.split(",")) {
      String[] parts = element.split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
        if (parameter.startsWith("q=")) {
          try {
            q = Double.parseDouble(parameter.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      weights.put(coding.equals("x-gzip") ? "gzip" : coding, q);
    }
    String best = null;
    double bestWeight = 0;
    for (String coding : offered) {
      double weight = weights.getOrDefault(coding, weights.getOrDefault("*", 0.0));
      if (weight > bestWeight) {
        best = coding;
        bestWeight = weight;
      }
    }
    return best;
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
