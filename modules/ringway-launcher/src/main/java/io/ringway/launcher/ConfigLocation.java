package io.ringway.launcher;

import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the config comes from: {@code --conf FILE}, else {@code ./conf/ringway.yaml}, else the copy
 * inside the jar, so the jar also starts from any other directory.
 *
 * @param file the file, or null for the jar's copy
 */
record ConfigLocation(Path file) {

  static final String DEFAULT_FILE = "conf/ringway.yaml";

  static ConfigLocation resolve(Path given) {
    if (given != null) {
      return new ConfigLocation(given.toAbsolutePath());
    }
    Path local = Path.of(DEFAULT_FILE);
    return new ConfigLocation(Files.isRegularFile(local) ? local.toAbsolutePath() : null);
  }

  ConfigResult load(ConfigLoader loader) {
    return file == null ? loader.loadResource(DEFAULT_FILE) : loader.load(file);
  }

  String describe() {
    return file == null ? "jar:" + DEFAULT_FILE : file.toString();
  }
}
