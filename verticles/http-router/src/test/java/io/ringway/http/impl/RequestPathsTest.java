package io.ringway.http.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPathsTest {

  @ParameterizedTest
  @CsvSource(delimiter = ' ', nullValues = "null", value = {
      "/ /", "/a/b /a/b", "/a/./b /a/b", "/a/../b /b", "/a/.. /", "/a/b/.. /a/", "/a/. /a/", "/.. null", "/a/../.. null",
      "//a///b// /a/b/", "/%2e%2E/x null", "/a/%2e/b /a/b", "/%41%7e%5f%2D /A~_-", "/a%2fb /a%2fb", "/a%2F..%2Fb /a%2F..%2Fb",
      "/a%zz null", "/a% null", "/a%4 null", "/%6%31 null", "/a%2 null", "/x%20 /x%20", "/... /...", "/.a/..b /.a/..b", "/%252e /%252e"})
  void normalizesAsRfc3986AndMergesSlashes(String path, String normalized) {
    assertThat(RequestPaths.normalize(path, true)).isEqualTo(normalized);
  }

  /** Without merging, empty segments stay, and a dot-segment removes one as any other (RFC 3986 §5.2.4). */
  @ParameterizedTest
  @CsvSource(delimiter = ' ', value = {"//a//b/ //a//b/", "/p/https://x/./y /p/https://x/y", "/a//../b /a/b",
      "/%61//b /a//b"})
  void keepsEmptySegmentsWhenSlashesDoNotMerge(String path, String normalized) {
    assertThat(RequestPaths.normalize(path, false)).isEqualTo(normalized);
  }

  /** The byte-level path's test agrees with the decoding path's normalization, and normalizing twice changes nothing. */
  @Test
  void isNormalAgreesWithNormalizeOnRandomPaths() {
    Random random = new Random(17);
    String alphabet = "/./%2eE4f1a/";
    for (int n = 0; n < 200_000; n++) {
      StringBuilder path = new StringBuilder("/");
      for (int i = random.nextInt(12); i > 0; i--) {
        path.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      boolean merge = random.nextBoolean();
      String normalized = RequestPaths.normalize(path.toString(), merge);
      ByteBuf bytes = Unpooled.copiedBuffer(path, StandardCharsets.US_ASCII);
      try {
        assertThat(RequestPaths.isNormal(bytes, 0, bytes.readableBytes(), merge)).as(path + " merge " + merge)
            .isEqualTo(path.toString().equals(normalized));
      } finally {
        bytes.release();
      }
      if (normalized != null) {
        assertThat(RequestPaths.normalize(normalized, merge)).as("normalized twice: " + path).isEqualTo(normalized);
      }
    }
  }
}
