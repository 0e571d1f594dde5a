package io.ringway.config.impl;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Turns config text into a JSON document, and read failures into one {@link ConfigError} a person can
 * act on (the file and the OS reason; the YAML problem with its line and column), never a stack trace.
 */
public final class YamlDocuments {

  /** A document that could not be read or parsed; carries the one error that says why. */
  public static final class InvalidDocumentException extends Exception {

    private final transient ConfigError error;

    InvalidDocumentException(ConfigError error) {
      super(error.toString(), null, false, false);
      this.error = error;
    }

    /** What is wrong, ready to show. */
    public ConfigError error() {
      return error;
    }
  }

  private YamlDocuments() {
  }

  /**
   * Parses YAML into the JSON form Vert.x Config's {@code yaml} format gives (same loader settings, keys
   * as strings, dates as instants), so a file checked here and the same file seen by the file watcher
   * compare equal.
   *
   * @throws InvalidDocumentException on a syntax error, or when the top level is not a mapping or is empty
   */
  public static JsonObject parse(String text) throws InvalidDocumentException {
    Object document;
    try {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (MarkedYAMLException e) {
      throw new InvalidDocumentException(new ConfigError("", syntaxError(e)));
    } catch (YAMLException e) {
      throw new InvalidDocumentException(new ConfigError("", "invalid YAML: " + e.getMessage()));
    } catch (RuntimeException e) {
      // SnakeYAML's SafeConstructor lets a node that does not fit its explicit tag out unwrapped, not as
      // a YAMLException with a position: "!!int x" throws NumberFormatException, "!!str {a: b}"
      // ClassCastException.
      String detail = e instanceof IllegalArgumentException && e.getMessage() != null
          ? " (" + e.getMessage() + ")" : "";
      throw new InvalidDocumentException(new ConfigError("",
          "invalid YAML: a value does not fit its explicit tag" + detail));
    }
    if (document == null) {
      throw empty();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new InvalidDocumentException(new ConfigError("",
          "expected a mapping of config keys at the top of the document, got " + ConfigReader.describe(jsonValue(document))));
    }
    JsonObject json = jsonObject(map);
    return requireNotEmpty(json);
  }

  /**
   * Refuses a document without a single key. A file caught between truncation and rewrite reads
   * empty, and taking every default then would reconfigure a running node to the defaults.
   */
  public static JsonObject requireNotEmpty(JsonObject document) throws InvalidDocumentException {
    if (document.isEmpty()) {
      throw empty();
    }
    return document;
  }

  /** The error for a file or resource that could not be read: {@code cannot read /etc/ringway.yaml: permission denied}. */
  public static ConfigError unreadable(String name, IOException e) {
    return new ConfigError("", "cannot read " + name + ": " + reason(e));
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static InvalidDocumentException empty() {
    return new InvalidDocumentException(new ConfigError("",
        "the document is empty: expected a mapping of config keys (set at least one, e.g. transport: auto)"));
  }

  private static String syntaxError(MarkedYAMLException e) {
    StringBuilder message = new StringBuilder("YAML syntax error");
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    if (mark != null) {
      message.append(" at ").append(position(mark));
    }
    message.append(": ").append(e.getProblem() != null ? e.getProblem() : e.getContext());
    if (e.getProblem() != null && e.getContext() != null) {
      message.append(" (").append(e.getContext());
      if (e.getContextMark() != null && e.getContextMark() != mark) {
        message.append(" at ").append(position(e.getContextMark()));
      }
      message.append(")");
    }
    return message.toString();
  }

  private static String position(Mark mark) {
    // SnakeYAML counts from 0; editors count from 1
    return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  private static JsonObject jsonObject(Map<?, ?> map) {
    JsonObject json = new JsonObject();
    map.forEach((key, value) -> json.put(keyText(key), jsonValue(value)));
    return json;
  }

  /**
   * A key as text the same on every read: a {@code !!binary} key (or one inside a complex key) would
   * otherwise show as an array's identity hash in "unknown key" errors.
   */
  private static String keyText(Object key) {
    Object json = jsonValue(key);
    if (json instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (json instanceof JsonObject object) {
      return object.encode();
    }
    if (json instanceof JsonArray array) {
      return array.encode();
    }
    return String.valueOf(json);
  }

  private static Object jsonValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return jsonObject(map);
    }
    if (value instanceof List<?> list) {
      List<Object> items = new ArrayList<>(list.size());
      list.forEach(item -> items.add(jsonValue(item)));
      return new JsonArray(items);
    }
    if (value instanceof Date date) {
      return date.toInstant();
    }
    return value;
  }
}
