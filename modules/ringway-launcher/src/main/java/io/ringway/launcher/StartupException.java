package io.ringway.launcher;

import java.util.List;

/** A reason Ringway cannot start, already worded for the user: printed as is, no stack trace. */
final class StartupException extends RuntimeException {

  private final List<String> lines;

  StartupException(String message) {
    this(List.of(message));
  }

  StartupException(List<String> lines) {
    super(String.join(System.lineSeparator(), lines));
    this.lines = List.copyOf(lines);
  }

  List<String> lines() {
    return lines;
  }
}
