package io.ringway.http.impl;

import io.ringway.spi.config.AccessLogConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded asynchronous appender, one per destination and queue size on the node, shared by the
 * router's instances: loops only {@link #offer} (never waits: a full queue refuses the line), and one
 * daemon thread formats, writes and flushes in batches. The file is opened on that thread too, so a
 * slow disk or a FIFO with no reader stalls the writer, never a loop.
 */
final class AccessLogWriter {

  private static final System.Logger LOG = System.getLogger(AccessLogWriter.class.getName());
  private static final int BATCH = 512;
  /** Open writers by destination and queue size; guarded by the class lock, taken only at config apply. */
  private static final Map<String, AccessLogWriter> OPEN = new HashMap<>();

  private final String key;
  private final String path;
  private final BlockingQueue<Line> queue;
  private final Thread thread;
  private int users;
  private volatile boolean closing;

  /** A line to write: the entry and the format of the instance that logged it. */
  private record Line(AccessLogEntry entry, AccessLogFormat format) {
  }

  private AccessLogWriter(String key, String path, int capacity) {
    this.key = key;
    this.path = path;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::run, "ringway-access-log");
    thread.setDaemon(true);
  }

  /** The shared writer for this destination and queue size, started on first use. */
  static synchronized AccessLogWriter acquire(AccessLogConfig config) {
    String key = config.queueSize() + ":" + config.path();
    AccessLogWriter writer = OPEN.get(key);
    if (writer == null) {
      writer = new AccessLogWriter(key, config.path(), config.queueSize());
      OPEN.put(key, writer);
      writer.thread.start();
    }
    writer.users++;
    return writer;
  }

  /** One user less; the last one stops the thread once it has written what is queued. */
  void release() {
    synchronized (AccessLogWriter.class) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(key);
    }
    closing = true;
    thread.interrupt();
  }

  /** Queues a line; false (and nothing written) when the queue is full. Never blocks. */
  boolean offer(AccessLogEntry entry, AccessLogFormat format) {
    return queue.offer(new Line(entry, format));
  }

  private void run() {
    OutputStream out = open();
    List<Line> batch = new ArrayList<>(BATCH);
    StringBuilder text = new StringBuilder(256 * BATCH);
    while (!closing || !queue.isEmpty()) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException stop) {
        continue;
      }
      queue.drainTo(batch, BATCH - 1);
      for (Line line : batch) {
        line.format().append(text, line.entry());
        text.append('\n');
      }
      out = write(out, text.toString().getBytes(StandardCharsets.UTF_8), batch.size());
      batch.clear();
      text.setLength(0);
    }
    if (out != null && out != System.out) {
      try {
        out.close();
      } catch (IOException ignored) {
        // Everything was flushed after each batch; nothing is lost by a failed close.
      }
    }
  }

  private OutputStream open() {
    if (AccessLogConfig.STDOUT.equals(path)) {
      return System.out;
    }
    try {
      // FileOutputStream, not a FileChannel stream: the interrupt that stops this thread must not close it.
      return new FileOutputStream(path, true);
    } catch (IOException e) {
      LOG.log(Level.ERROR, "access log: cannot open " + path + ": " + e.getMessage() + "; lines are dropped");
      return null;
    }
  }

  private OutputStream write(OutputStream out, byte[] bytes, int lines) {
    if (out == null) {
      return null;
    }
    try {
      out.write(bytes);
      out.flush();
      return out;
    } catch (IOException e) {
      LOG.log(Level.ERROR, "access log: cannot write " + path + ": " + e.getMessage() + "; this batch of "
          + lines + " lines and all later ones are dropped");
      return null;
    }
  }
}
