package io.ringway.testkit;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Hands every record one java.util.logging logger (and the loggers below it) publishes to a test, until closed.
 * It holds the logger: JUL keeps loggers only weakly, and a collected logger would drop the handler with it.
 */
public final class LogWatch implements AutoCloseable {

  private final Logger logger;
  private final Handler handler;

  private LogWatch(Logger logger, Consumer<LogRecord> each) {
    this.logger = logger;
    this.handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        each.accept(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(handler);
  }

  /** Starts watching {@code loggerName} ({@code ""}: the root, so every logger that passes records up). */
  public static LogWatch on(String loggerName, Consumer<LogRecord> each) {
    return new LogWatch(Logger.getLogger(loggerName), Objects.requireNonNull(each, "each"));
  }

  /** The logger watched. */
  public Logger logger() {
    return logger;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
