package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  private final ConfigLoader loader = TestCatalogs.loader();

  @Test
  void loadsAYamlFile() throws IOException {
    Path file = write("""
        transport: epoll
        eventLoops: 2
        transportOptions:
          io_uring: { ringSize: 256, cqSize: 512 }
        verticles: [demo-upstream, admin]
        admin:
          port: 9902
        """);

    ConfigResult result = loader.load(file);

    assertThat(result.errors()).isEmpty();
    assertThat(result.config()).isEqualTo(loader.parse(new JsonObject()
        .put("transport", "epoll")
        .put("eventLoops", 2)
        .put("transportOptions", new JsonObject().put("io_uring", new JsonObject().put("ringSize", 256).put("cqSize", 512)))
        .put("verticles", List.of("demo-upstream", "admin"))
        .put("admin", new JsonObject().put("port", 9902))).config());
  }

  @Test
  void reportsAYamlSyntaxErrorWithItsLineAndColumn() throws IOException {
    Path file = write("""
        transport: auto
        admin:
          port: 9901
         host: 127.0.0.1
        """);

    assertThat(messages(loader.load(file)))
        .singleElement().asString()
        .startsWith("YAML syntax error at line 4, column 2: ");
  }

  @Test
  void reportsAnUnreadableFileWithTheOsReason() throws IOException {
    Path missing = dir.resolve("absent.yaml");

    assertThat(messages(loader.load(missing)))
        .containsExactly("cannot read " + missing + ": no such file or directory");
    assertThat(messages(loader.load(dir)))
        .singleElement().asString().startsWith("cannot read " + dir + ": ");
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, "admin: { token: caf\u00e9 }".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(messages(loader.load(latin1)))
        .containsExactly("cannot read " + latin1 + ": not UTF-8 text");
  }

  @Test
  void refusesADocumentWithoutKeys() throws IOException {
    String expected = "the document is empty: expected a mapping of config keys (set at least one, e.g. transport: auto)";
    assertThat(messages(loader.load(write("")))).containsExactly(expected);
    assertThat(messages(loader.load(write("# only a comment\n")))).containsExactly(expected);
    assertThat(messages(loader.load(write("{}\n")))).containsExactly(expected);
    assertThat(messages(loader.load(write("- admin\n- demo-upstream\n"))))
        .containsExactly("expected a mapping of config keys at the top of the document, got a list");
  }

  @Test
  void validatesWhatItLoads() throws IOException {
    assertThat(loader.load(write("admin: { port: 0 }\n")).errors())
        .containsExactly(new ConfigError("admin.port", "expected an integer from 1 to 65535, got 0"));
  }

  @Test
  void loadsAClasspathResource() {
    ConfigResult result = loader.loadResource("conf/ringway-test.yaml");

    assertThat(result.errors()).isEmpty();
    assertThat(result.config().transport()).isEqualTo("nio");
    assertThat(result.config().admin().port()).isEqualTo(9911);
    assertThat(messages(loader.loadResource("conf/absent.yaml")))
        .containsExactly("no resource conf/absent.yaml on the classpath");
  }

  @Test
  void theShippedDefaultConfigIsValid() {
    Path shipped = Path.of("../../conf/ringway.yaml");
    assumeTrue(Files.isRegularFile(shipped), "conf/ringway.yaml is not beside this module");

    ConfigResult result = loader.load(shipped);

    assertThat(result.errors()).isEmpty();
    assertThat(result.config().admin().host()).isEqualTo("127.0.0.1");
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "ringway", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static List<String> messages(ConfigResult result) {
    assertThat(result.isValid()).isFalse();
    return result.errors().stream().map(ConfigError::toString).toList();
  }
}
