package io.ringway.config.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the config file's watcher compares between scans instead of the file's text: its identity (on Linux device
 * and inode, new when an editor or Kubernetes renames a new file over it), its modification time and its size. A
 * scan that finds the same stamp reads nothing more, where reading and parsing the YAML every second took the
 * proxy's one core for milliseconds (with the JIT compiling the parser) under load, in the p99 of every request
 * sent meanwhile.
 *
 * <p>A file changed twice within its file system's timestamp granularity, at the same size, keeps its stamp: a stamp
 * taken within {@link #RACY} of its modification time is not {@linkplain #settled settled}, and the watcher reads
 * the file again at its next scan (git's "racily clean" rule).
 *
 * @param key the file system's identity of the file ({@link BasicFileAttributes#fileKey()}; null where it has none)
 */
public record FileStamp(Object key, FileTime modified, long size, Instant taken) {

  /** Longer than the coarsest modification-time granularity of a file system a node's config sits on (FAT: 2 s). */
  static final Duration RACY = Duration.ofSeconds(3);

  /** The file's stamp now, following symbolic links (Kubernetes mounts a ConfigMap's files as links). Blocks. */
  public static FileStamp of(Path file) throws IOException {
    Instant now = Instant.now();
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    return new FileStamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), now);
  }

  /** Whether the file was modified long enough before the stamp was taken for the stamp to say it did not change. */
  public boolean settled() {
    return modified.toInstant().plus(RACY).isBefore(taken);
  }

  /** Whether {@code later} shows the same file, unchanged: same identity, modification time and size. */
  public boolean sameFileAs(FileStamp later) {
    return later != null && Objects.equals(key, later.key) && modified.equals(later.modified)
        && size == later.size;
  }
}
