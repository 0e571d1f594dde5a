package io.ringway.testkit.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A seeded mutation fuzzer for one target, in plain JUnit (Jazzer is not served here, and jqwik
 * 1.10 needs a newer JUnit Platform than the build's 5.12). It runs every seed of the committed
 * corpus, then mutates corpus entries until the {@link FuzzBudget} runs out. Guidance is by outcome,
 * not coverage: an input whose outcome (what the target returns, e.g. the kind of rejection) was not
 * seen before joins the corpus, so later mutations start from it.
 *
 * <p>Each input runs on one worker thread under a timeout. Anything the target throws (an
 * unexpected exception, a {@link StackOverflowError}, a failed property assertion) or a timeout
 * fails the run with the input printed as a Java literal and as hex, and saved under
 * {@code target/fuzz-findings/<target>/}.
 */
public final class Fuzzer {

  /** The code under test, given one input. */
  @FunctionalInterface
  public interface Target {
    /**
     * Runs {@code input}; throws when a property does not hold.
     *
     * @param random for the target's own choices (where to split the input into reads), seeded per input
     * @return the outcome's class, e.g. {@code "rejected: bad port"}; inputs with a new one join the corpus
     */
    String run(byte[] input, SplittableRandom random) throws Exception;
  }

  /** What a run did, for the test to assert on or print. */
  public record Report(String target, long inputs, int corpus, int outcomes, Duration took) {
    @Override
    public String toString() {
      return "fuzz " + target + ": " + inputs + " inputs in " + took.toMillis() + " ms, corpus " + corpus
          + ", " + outcomes + " distinct outcomes";
    }
  }

  private static final int MAX_CORPUS = 2048;
  private static final int MAX_OUTCOMES = 100_000;

  private final String name;
  private final List<byte[]> seeds = new ArrayList<>();
  private final List<byte[]> dictionary = new ArrayList<>();
  private int maxLength = 4096;
  private Duration perInput = Duration.ofSeconds(2);
  private long maxInputs = Long.MAX_VALUE;
  private FuzzBudget budget = FuzzBudget.fromSystemProperties(3);

  private Fuzzer(String name) {
    this.name = name;
  }

  /** A fuzzer for {@code target}, whose seed corpus is the classpath folder {@code fuzz/<target>/}. */
  public static Fuzzer target(String target) {
    Fuzzer fuzzer = new Fuzzer(target);
    fuzzer.seeds.addAll(corpus("fuzz/" + target));
    return fuzzer;
  }

  /** Seed inputs beside the committed corpus, e.g. made by an encoder. */
  public Fuzzer seed(byte[] input) {
    seeds.add(input.clone());
    return this;
  }

  /** Tokens the mutator inserts and overwrites with: the format's keywords and separators. */
  public Fuzzer dictionary(String... tokens) {
    for (String token : tokens) {
      dictionary.add(token.getBytes(StandardCharsets.ISO_8859_1));
    }
    return this;
  }

  public Fuzzer maxLength(int bytes) {
    this.maxLength = bytes;
    return this;
  }

  /** How long one input may take before it counts as a hang. */
  public Fuzzer perInputTimeout(Duration timeout) {
    this.perInput = timeout;
    return this;
  }

  /** A cap on inputs besides the time budget, for targets where each input is slow. */
  public Fuzzer maxInputs(long inputs) {
    this.maxInputs = inputs;
    return this;
  }

  public Fuzzer budget(FuzzBudget budget) {
    this.budget = budget;
    return this;
  }

  /** Runs the seeds, then mutations until the budget is spent; throws {@link AssertionError} on the first failure. */
  public Report run(Target target) {
    if (seeds.isEmpty()) {
      throw new IllegalStateException("no seeds for fuzz target " + name + " (src/test/resources/fuzz/" + name + "/)");
    }
    long seed = budget.seed() ^ name.hashCode() * 0x9E3779B97F4A7C15L;
    SplittableRandom random = new SplittableRandom(seed);
    Mutator mutator = new Mutator(random.split(), dictionary, maxLength);
    List<byte[]> corpus = new ArrayList<>(seeds);
    Set<String> outcomes = new HashSet<>();
    ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fuzz-" + name);
      thread.setDaemon(true);
      return thread;
    });
    long started = System.nanoTime();
    long deadline = started + budget.time().toNanos();
    long inputs = 0;
    try {
      for (byte[] input : seeds) {
        outcomes.add(runOne(worker, target, input, random.nextLong(), seed, inputs++));
      }
      while (System.nanoTime() < deadline && inputs < maxInputs) {
        byte[] input = mutator.mutate(corpus.get(random.nextInt(corpus.size())), corpus);
        String outcome = runOne(worker, target, input, random.nextLong(), seed, inputs++);
        if (outcomes.size() < MAX_OUTCOMES && outcomes.add(outcome) && corpus.size() < MAX_CORPUS) {
          corpus.add(input);
        }
      }
    } finally {
      worker.shutdownNow();
    }
    return new Report(name, inputs, corpus.size(), outcomes.size(), Duration.ofNanos(System.nanoTime() - started));
  }

  private String runOne(ExecutorService worker, Target target, byte[] input, long inputSeed, long runSeed, long index) {
    Future<String> result = worker.submit(() -> target.run(input.clone(), new SplittableRandom(inputSeed)));
    try {
      String outcome = result.get(perInput.toMillis(), TimeUnit.MILLISECONDS);
      return outcome == null ? "null" : outcome;
    } catch (TimeoutException e) {
      result.cancel(true);
      throw failure("hang: no outcome within " + perInput.toMillis() + " ms", input, inputSeed, runSeed, index, null);
    } catch (ExecutionException e) {
      throw failure("failed: " + e.getCause(), input, inputSeed, runSeed, index, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted", input, inputSeed, runSeed, index, e);
    }
  }

  private AssertionError failure(String what, byte[] input, long inputSeed, long runSeed, long index, Throwable cause) {
    Path saved = save(input);
    return new AssertionError("fuzz target " + name + " " + what + "\n  input #" + index + " (run seed " + runSeed
        + ", input seed " + inputSeed + "L), " + input.length + " bytes"
        + "\n  as ISO-8859-1 Java literal: " + Escape.javaLiteral(input)
        + "\n  as hex: " + Escape.hex(input)
        + (saved != null ? "\n  saved: " + saved : ""), cause);
  }

  private Path save(byte[] input) {
    try {
      Path dir = Path.of("target", "fuzz-findings", name);
      Files.createDirectories(dir);
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(input);
      Path file = dir.resolve("crash-" + Escape.hex(digest).substring(0, 16) + ".bin");
      Files.write(file, input);
      return file.toAbsolutePath();
    } catch (IOException | NoSuchAlgorithmException e) {
      // The printed input is what matters; a read-only tree only loses the convenience copy.
      return null;
    }
  }

  /** Every file of a classpath folder, in name order. */
  static List<byte[]> corpus(String folder) {
    URL url = Thread.currentThread().getContextClassLoader().getResource(folder);
    if (url == null) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      List<byte[]> inputs = new ArrayList<>();
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        inputs.add(Files.readAllBytes(file));
      }
      return inputs;
    } catch (IOException e) {
      throw new UncheckedIOException("reading fuzz corpus " + folder, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("fuzz corpus " + folder + " at " + url, e);
    }
  }
}
