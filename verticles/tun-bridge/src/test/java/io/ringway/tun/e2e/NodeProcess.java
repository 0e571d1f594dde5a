package io.ringway.tun.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link TunNode} child JVM inside a network namespace, driven line by line. */
final class NodeProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Writer commands;
  private final Path log;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("> ")) {
            answers.add(line.substring(2));
          }
        }
      } catch (IOException ignored) {
        // The process ended; the next call times out and shows the log.
      }
      answers.add("ERR process exited");
    }, "tun-node-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java ... TunNode config} in {@code netns} and waits until its bridge is deployed. */
  static NodeProcess start(String name, String netns, Path config, Path log, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), TunNode.class.getName(), config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
    builder.environment().putAll(env);
    NodeProcess node = new NodeProcess(name, builder.start(), log);
    node.expect("READY", Duration.ofSeconds(30));
    return node;
  }

  /** Runs one command; returns what follows {@code OK}, or fails the test with the node's log. */
  String call(String command, Duration timeout) {
    try {
      commands.write(command + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new AssertionError(name + ": cannot send \"" + command + "\": " + e + logTail());
    }
    String answer = next(timeout, command);
    if (!answer.startsWith("OK ")) {
      throw new AssertionError(name + ": \"" + abbreviate(command) + "\" answered " + answer + logTail());
    }
    return answer.substring(3);
  }

  private void expect(String wanted, Duration timeout) {
    String answer = next(timeout, "start");
    if (!answer.equals(wanted)) {
      throw new AssertionError(name + " did not start: " + answer + logTail());
    }
  }

  private String next(Duration timeout, String command) {
    try {
      String answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (answer == null) {
        throw new AssertionError(name + ": no answer to \"" + abbreviate(command) + "\" within " + timeout + logTail());
      }
      return answer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String abbreviate(String command) {
    return command.length() > 80 ? command.substring(0, 80) + "..." : command;
  }

  /** What the node logged so far (its stderr). */
  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new AssertionError(name + ": cannot read " + log + ": " + e, e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "\n--- " + name + " log (" + log + ") ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** Kills the JVM: its TUN fd closes, so the kernel removes the interface. */
  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
