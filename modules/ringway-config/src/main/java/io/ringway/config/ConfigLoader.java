package io.ringway.config;

import io.ringway.config.impl.ConfigOverlay;
import io.ringway.config.impl.ConfigValidator;
import io.ringway.config.impl.Hosts;
import io.ringway.config.impl.YamlDocuments;
import io.ringway.config.impl.YamlDocuments.InvalidDocumentException;
import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a config document, applies the environment and system-property overrides and validates it.
 * Overrides: {@code RINGWAY_ADMIN__PORT=9902} or {@code -Dringway.admin.port=9902} set {@code admin.port};
 * {@code __} (or {@code .}) separates levels, {@code _} within a level and letter case do not matter;
 * a property beats a variable, which beats the file ({@link ConfigOverlay} has the full rules). The same loader serves startup, the
 * {@code validate} command and every reload, so all three judge a document the same way.
 *
 * <p>Construct it before any event loop runs: finding the default {@code demoUpstream.node} may ask the
 * resolver for this host's name.
 */
public final class ConfigLoader {

  private final ConfigOverlay overlay;
  private final ConfigValidator validator;

  /**
   * @param catalog the plugins whose names config may use
   * @param env the environment ({@code System.getenv()}); {@code RINGWAY_*} entries override the document
   * @param sysprops the system properties; {@code ringway.*} entries override the document and the environment
   */
  public ConfigLoader(PluginCatalog catalog, Map<String, String> env, Map<String, String> sysprops) {
    this.overlay = ConfigOverlay.from(env, sysprops);
    this.validator = new ConfigValidator(catalog, Runtime.getRuntime().availableProcessors(), Hosts.localName(env));
  }

  /** Reads, overlays and validates a YAML file. Blocks on the file: not for an event loop. */
  public ConfigResult load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      return ConfigResult.invalid(List.of(YamlDocuments.unreadable(file.toString(), e)));
    }
    return parseText(text);
  }

  /** Like {@link #load(Path)} for a classpath resource, such as the jar's {@code conf/ringway.yaml}. */
  public ConfigResult loadResource(String name) {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader classLoader = context != null ? context : ConfigLoader.class.getClassLoader();
    String text;
    try (InputStream in = classLoader.getResourceAsStream(name)) {
      if (in == null) {
        return ConfigResult.invalid(List.of(new ConfigError("", "no resource " + name + " on the classpath")));
      }
      // strict decoding, as Files.readString does for a file
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in.readAllBytes())).toString();
    } catch (IOException e) {
      return ConfigResult.invalid(List.of(YamlDocuments.unreadable("resource " + name, e)));
    }
    return parseText(text);
  }

  /**
   * The raw document YAML (or JSON, which YAML includes) {@code text} holds, before any override, for
   * sending to other nodes that overlay it with their own; null after adding the error to {@code errors}
   * when the text is malformed or empty. Pure, safe on an event loop.
   */
  public static JsonObject parseDocument(String text, List<ConfigError> errors) {
    try {
      return YamlDocuments.parse(text);
    } catch (InvalidDocumentException e) {
      errors.add(e.error());
      return null;
    }
  }

  /**
   * Parses, overlays and validates a document given as text (YAML or JSON), as {@link #load} does for a
   * file; for {@code POST /config/validate}. Reads the files the document names: not for an event loop.
   */
  public ConfigResult check(String text) {
    return parseText(text);
  }

  /** Overlays and validates a document already parsed; pure, safe on an event loop. */
  public ConfigResult parse(JsonObject document) {
    return validator.validate(document, overlay);
  }

  /**
   * {@link #parse} for a document read from a file by someone else (the file watcher), refusing an
   * empty one as {@link #load} does.
   */
  ConfigResult parseRead(JsonObject document) {
    try {
      return parse(YamlDocuments.requireNotEmpty(document));
    } catch (InvalidDocumentException e) {
      return ConfigResult.invalid(List.of(e.error()));
    }
  }

  private ConfigResult parseText(String text) {
    try {
      return parse(YamlDocuments.parse(text));
    } catch (InvalidDocumentException e) {
      return ConfigResult.invalid(List.of(e.error()));
    }
  }
}
