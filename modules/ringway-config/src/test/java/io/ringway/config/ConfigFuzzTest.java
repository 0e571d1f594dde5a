package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.testkit.fuzz.Fuzzer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutated YAML and JSON documents (seeds in {@code src/test/resources/fuzz/config/}: conf/ringway.yaml
 * and the documents the section tests use) through the path {@code validate} takes: a file read by
 * {@link ConfigLoader#load}. Any bytes give a config or errors with their paths, never an exception,
 * a stack overflow or a hang; the verdict is the same twice over; and a valid document rewritten as
 * JSON is the same config.
 */
class ConfigFuzzTest {

  @TempDir
  Path dir;

  private final ConfigLoader loader = TestCatalogs.loader();

  @Test
  void anyDocumentGivesAConfigOrErrorsWithPaths() {
    Path file = dir.resolve("ringway.yaml");
    Fuzzer.Report report = Fuzzer.target("config")
        .dictionary("\n", "\n  ", "\n- ", ": ", "- ", "{", "}", "[", "]", ",", "\"", "'", "#", "|\n  ", ">\n  ", "~", "null",
            "true", "0", "-1", "65536", "0x10", "0o17", "1e400", "9223372036854775808", ".nan", ".inf", "2001-12-14",
            "250ms", "5s", "2m", "1h", "&a ", "*a", "<<: *a", "!!binary AAAA", "!!str ", "!!int ", "!!float ", "? ",
            "%YAML 1.1\n---\n", "---\n", "...\n", "\t", "\u00ff", "\u0000",
            "name", "port", "host", "cluster", "clusters", "endpoints", "listeners", "routes", "match", "path", "prefix",
            "regex", "(((((((((", "a{1,99999}", "target", "tcp", "http", "tun", "verticles", "transport", "eventLoops",
            "weight", "healthCheck", "loadBalancer", "sendProxyProtocol", "acceptProxyProtocol", "trustedSources",
            "10.0.0.0/8", "::/0", "peers", "allowedPrefixes", "publicKey", "admin", "token", "tls", "certFile")
        .maxLength(8192)
        .perInputTimeout(Duration.ofSeconds(10))
        .run((input, random) -> check(file, input));
    System.out.println(report);
  }

  /**
   * Found by this target: SnakeYAML threw NumberFormatException, IllegalArgumentException and
   * ClassCastException out of {@code validate} for a node that does not fit its explicit tag.
   */
  @ParameterizedTest
  @ValueSource(strings = {"!!int erticle", "admin: {port: !!int 0x}", "eventLoops: !!float one", "x: !!timestamp yesterday",
      "transport: !!binary '%%%'", "a: !!bool maybe", "tun: {peers: [!!str {name: b}]}", "a: !!str [1, 2]",
      "a: !!int {b: c}", "a: !!map x", "a: !!seq x", "!!binary [a]"})
  void aValueThatDoesNotFitItsTagIsAnErrorNotAnException(String text) throws Exception {
    Path file = dir.resolve("tagged.yaml");
    Files.writeString(file, text);
    ConfigResult result = loader.load(file);
    assertThat(result.isValid()).isFalse();
    assertThat(result.errors()).allSatisfy(error -> assertThat(error.message()).isNotBlank());
  }

  /** Found by this target: a !!binary value or key was shown by its identity hash ("got [B@6d06d69c"). */
  @ParameterizedTest
  @ValueSource(strings = {"%YAML 1.1\n---\n!!binary ", "--- !!binary AAAA", "cluster:\n  !!binary AAAA: false\n",
      "admin: {? [!!binary AAAA]: 1}"})
  void binaryDataIsDescribedTheSameOnEveryRead(String text) throws Exception {
    Path file = dir.resolve("binary.yaml");
    Files.writeString(file, text);
    ConfigResult first = loader.load(file);
    assertThat(first.errors()).isNotEmpty().allSatisfy(error -> assertThat(error.toString()).doesNotContain("[B@"));
    assertThat(loader.load(file).errors()).isEqualTo(first.errors());
  }

  private String check(Path file, byte[] input) throws Exception {
    Files.write(file, input);
    ConfigResult result = loader.load(file);
    assertThat(result).isNotNull();
    for (ConfigError error : result.errors()) {
      assertThat(error.message()).as("message of %s", error).isNotBlank();
      // An error is for a person: no exception class names or stack frames leaking through.
      assertThat(error.message()).as("message of %s", error).doesNotContain("\tat ", "Exception:", "Error:");
    }
    ConfigResult again = loader.load(file);
    assertThat(again.errors()).as("the same document twice").isEqualTo(result.errors());
    assertThat(again.config()).isEqualTo(result.config());
    if (result.isValid()) {
      checkSameAsJson(result, new String(input, java.nio.charset.StandardCharsets.UTF_8));
      return "valid";
    }
    // The kinds of error seen: paths and messages without their values.
    List<String> kinds = new ArrayList<>();
    for (ConfigError error : result.errors()) {
      kinds.add(error.path().replaceAll("\\[\\d+]", "[]") + ": "
          + error.message().replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\d+", "#").replaceAll("(got|known:?) .*", "$1"));
    }
    return String.join("; ", kinds);
  }

  /** YAML includes JSON: the document's JSON form must validate to the same config. */
  private void checkSameAsJson(ConfigResult result, String text) throws Exception {
    List<ConfigError> parseErrors = new ArrayList<>();
    JsonObject document = ConfigLoader.parseDocument(text, parseErrors);
    assertThat(parseErrors).isEmpty();
    Path json = dir.resolve("ringway.json");
    Files.writeString(json, document.encode());
    ConfigResult fromJson = loader.load(json);
    assertThat(fromJson.errors()).as("as JSON: %s", document.encode()).isEmpty();
    assertThat(fromJson.config()).isEqualTo(result.config());
  }
}
