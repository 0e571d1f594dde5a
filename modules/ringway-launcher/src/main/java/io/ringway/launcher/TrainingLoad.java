package io.ringway.launcher;

import io.ringway.launcher.TrainingRequests.Request;
import io.ringway.spi.tls.PemFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The load of a training run ({@link Training}) and of a node's warm-up ({@link NodeWarmup}): blocking loopback
 * clients that drive the paths a production node runs hot — keep-alive GET, POST echo, a connection per GET (each
 * with the varied heads of {@link TrainingRequests}), an event-bus route, the TCP proxy — so the JVM records those
 * classes and method profiles (into the AOT cache) and compiles them. Not a benchmark: one thread per client, each
 * request waits for its answer.
 */
final class TrainingLoad {

  /** Each client's connect and read timeout. */
  static final int TIMEOUT_MILLIS = 5_000;
  private static final int TLS_GET_CLIENTS = 4;
  /**
   * How long after the deadline or {@link #stop} a client may take to end the request it is in: one read timeout and
   * a second. A client still in I/O after that has its socket closed under it, so {@link #run} ends in bounded time
   * whatever the server or the socket layer does.
   */
  private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS + 1_000);

  private final int httpPort;
  private final int tcpPort;
  private final int adminPort;
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final boolean eventBusRoute;
  private final int getClients;
  private int tlsPort;
  private String tlsTrust;
  /** Each client thread's latest TCP socket (for TLS, the one under the TLS layer), to close under a stuck client. */
  private final Map<Thread, Socket> sockets = new ConcurrentHashMap<>();
  private final List<String> abandoned = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();
  private final List<Client> clients = new ArrayList<>();
  private volatile boolean stopped;
  private volatile long stoppedAtNanos = Long.MAX_VALUE;

  /**
   * @param httpPort the router's listener, or 0 when no router runs
   * @param tcpPort the TCP proxy's listener, or 0 when no proxy runs
   * @param adminPort the admin API, or 0 when none runs
   * @param eventBusRoute whether the router has the event-bus route {@code /bus}
   * @param getClients how many keep-alive GET clients run at once
   */
  TrainingLoad(int httpPort, int tcpPort, int adminPort, boolean eventBusRoute, int getClients) {
    this.eventBusRoute = eventBusRoute;
    this.getClients = getClients;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
    this.adminPort = adminPort;
  }

  /**
   * Adds TLS clients: keep-alive GETs and a full handshake per request, on {@code port}, trusting the certificates in
   * {@code trustFile} (the listener's own chain: the load talks to its own node). Before {@link #run}.
   */
  TrainingLoad withTls(int port, String trustFile) {
    this.tlsPort = port;
    this.tlsTrust = trustFile;
    return this;
  }

  private record Client(String name, Step request) {
  }

  /**
   * Adds a client of the caller's own kind, on a thread named {@code train-<name>}, that makes {@code request} over and
   * over until the load ends; each one that returns counts as a request. Before {@link #run}.
   */
  TrainingLoad withClient(String name, Step request) {
    clients.add(new Client(name, request));
    return this;
  }

  long requests() {
    return requests.sum();
  }

  long failures() {
    return failures.sum();
  }

  /** The first request that failed: which client, and why; null when none did. */
  String firstFailure() {
    return firstFailure.get();
  }

  /**
   * The clients {@link #run} gave up on: each one's thread name and where it was stuck. Each is counted in
   * {@link #failures} too.
   */
  List<String> abandoned() {
    return List.copyOf(abandoned);
  }

  /** Ends {@link #run} early: each client stops after the request it is in. */
  void stop() {
    if (!stopped) {
      stoppedAtNanos = System.nanoTime();
      stopped = true;
    }
  }

  /**
   * Runs every kind of load on its own thread until {@code deadlineNanos} (System.nanoTime) or {@link #stop};
   * returns when all stopped, or when the grace after the deadline or stop passed, closing the sockets of the clients
   * still in I/O ({@link #abandoned}).
   */
  void run(long deadlineNanos) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    Connector plain = () -> connect(httpPort);
    if (httpPort != 0) {
      for (int i = 0; i < getClients; i++) {
        // Each client from another place in the list: every shape is in flight at once, as on a node.
        int first = i;
        threads.add(loop("train-get-" + i, deadlineNanos,
            () -> keepAlive(plain, deadlineNanos, TrainingRequests.KEEP_ALIVE, first)));
      }
      threads.add(loop("train-echo", deadlineNanos, () -> keepAlive(plain, deadlineNanos, TrainingRequests.WITH_BODY, 0)));
      threads.add(loop("train-close", deadlineNanos, () -> oneShots(plain, deadlineNanos, TrainingRequests.ONE_PER_CONNECTION)));
    }
    SSLSocketFactory tls = tlsPort == 0 ? null : tlsClients();
    if (tls != null) {
      Connector secure = () -> connectTls(tls, tlsPort);
      for (int i = 0; i < TLS_GET_CLIENTS; i++) {
        int first = i;
        threads.add(loop("train-tls-get-" + i, deadlineNanos,
            () -> keepAlive(secure, deadlineNanos, TrainingRequests.KEEP_ALIVE, first)));
      }
      threads.add(loop("train-tls-close", deadlineNanos,
          () -> oneShots(secure, deadlineNanos, TrainingRequests.ONE_PER_CONNECTION)));
    }
    for (Client client : clients) {
      threads.add(loop("train-" + client.name(), deadlineNanos, () -> {
        client.request().run();
        requests.increment();
      }));
    }
    threads.add(loop("train-misc", deadlineNanos, () -> {
      if (httpPort != 0) {
        if (eventBusRoute) {
          oneShot(plain, Request.of("GET /bus HTTP/1.1\r\nHost: train\r\nConnection: close\r\n\r\n"));
        }
        oneShot(plain, Request.of("GET /nowhere HTTP/1.1\r\nHost: train\r\nContent-Length: 1\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
      }
      if (adminPort != 0) {
        oneShot(() -> connect(adminPort), Request.of("GET /stats HTTP/1.1\r\nHost: train\r\nConnection: close\r\n\r\n"));
      }
      if (tcpPort != 0) {
        tcpEcho();
      }
    }));
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        long left = Math.min(deadlineNanos, stoppedAtNanos) + GRACE_NANOS - System.nanoTime();
        if (left <= 0) {
          abandon(threads);
          return;
        }
        thread.join(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))));
      }
    }
  }

  /** Closes the sockets of the clients still running, after noting where each was stuck; waits a moment for them. */
  private void abandon(List<Thread> threads) throws InterruptedException {
    stop();
    List<Thread> stuck = threads.stream().filter(Thread::isAlive).toList();
    for (Thread thread : stuck) {
      abandoned.add(thread.getName() + " " + whereStuck(thread.getStackTrace()));
      failures.increment();
      Socket socket = sockets.get(thread);
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing is all that is asked; the client sees its I/O fail
        }
      }
    }
    for (Thread thread : stuck) {
      thread.join(Duration.ofSeconds(1));
    }
  }

  private boolean running(long deadlineNanos) {
    return !stopped && System.nanoTime() < deadlineNanos;
  }

  /** One request and its answer, or a whole exchange; an IOException counts as a failure. */
  interface Step {
    void run() throws IOException;
  }

  private interface Connector {
    Socket connect() throws IOException;
  }

  /** A socket factory trusting the chain in {@link #tlsTrust}; null (and a failure counted) when it cannot be read. */
  private SSLSocketFactory tlsClients() {
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (X509Certificate certificate : PemFiles.bundle("certFile", tlsTrust)) {
        trusted.setCertificateEntry("warmup-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (PemFiles.BadFile | IOException | GeneralSecurityException e) {
      failures.increment();
      return null;
    }
  }

  /** The innermost frame (what it waits in) and the load's own innermost one (what it was doing). */
  private static String whereStuck(StackTraceElement[] stack) {
    if (stack.length == 0) {
      return "(no stack)";
    }
    String own = Arrays.stream(stack).filter(frame -> frame.getClassName().equals(TrainingLoad.class.getName()))
        .findFirst().map(frame -> ", called from " + frame).orElse("");
    return "in " + stack[0] + own;
  }

  private Thread loop(String name, long deadlineNanos, Step step) {
    return Thread.ofPlatform().name(name).daemon().start(() -> {
      while (running(deadlineNanos)) {
        try {
          step.run();
        } catch (IOException e) {
          failures.increment();
          firstFailure.compareAndSet(null, name + ": " + e);
        }
      }
    });
  }

  /**
   * One connection, the requests of {@code sequence} on it in turn from the one at {@code first}, until the deadline
   * or until the server closes it.
   */
  private void keepAlive(Connector connector, long deadlineNanos, List<Request> sequence, int first) throws IOException {
    try (Socket socket = connector.connect()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = first; running(deadlineNanos); i++) {
        Request request = sequence.get(i % sequence.size());
        out.write(request.bytes());
        out.flush();
        if (!readResponse(in, request.headOnly())) {
          return;
        }
        requests.increment();
      }
    }
  }

  /** The requests of {@code sequence} in turn, each on a connection of its own, until the deadline. */
  private void oneShots(Connector connector, long deadlineNanos, List<Request> sequence) throws IOException {
    for (int i = 0; i < sequence.size() && running(deadlineNanos); i++) {
      oneShot(connector, sequence.get(i));
    }
  }

  private void oneShot(Connector connector, Request request) throws IOException {
    try (Socket socket = connector.connect()) {
      socket.getOutputStream().write(request.bytes());
      readResponse(new BufferedInputStream(socket.getInputStream()), request.headOnly());
      requests.increment();
    }
  }

  /** Ten round trips of 512 bytes through the TCP proxy on one connection. */
  private void tcpEcho() throws IOException {
    try (Socket socket = connect(tcpPort)) {
      byte[] chunk = new byte[512];
      for (int i = 0; i < 10; i++) {
        socket.getOutputStream().write(chunk);
        socket.getInputStream().readNBytes(chunk.length);
      }
      requests.increment();
    }
  }

  /** A TLS connection, handshaken; no SNI and no hostname check: the load talks to its own node on loopback. */
  private Socket connectTls(SSLSocketFactory factory, int port) throws IOException {
    Socket plain = connect(port);
    SSLSocket socket = (SSLSocket) factory.createSocket(plain, null, port, true);
    socket.startHandshake();
    return socket;
  }

  private Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    sockets.put(Thread.currentThread(), socket);
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    socket.setTcpNoDelay(true);
    return socket;
  }

  /**
   * Reads one response (head, then a Content-Length, chunked or close-delimited body; none for an answer to HEAD, a 204
   * or a 304); false when the connection ended or the server asked to close it. Enough HTTP for the answers the load
   * gets through Ringway, not a general client.
   *
   * @param headOnly whether the request was a HEAD
   */
  static boolean readResponse(InputStream in, boolean headOnly) throws IOException {
    String status = line(in);
    if (status == null) {
      return false;
    }
    boolean bodyless = headOnly || status.startsWith(" 204", 8) || status.startsWith(" 304", 8);
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
      String lower = header.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (bodyless) {
      return !close;
    }
    if (chunked) {
      for (long size = Long.parseLong(line(in).strip(), 16); size > 0; size = Long.parseLong(line(in).strip(), 16)) {
        in.skipNBytes(size + 2);
      }
      line(in);
    } else if (length > 0) {
      in.skipNBytes(length);
    } else if (length < 0) {
      in.transferTo(OutputStream.nullOutputStream());
      return false;
    }
    return !close;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        return text.isEmpty() ? null : text.toString();
      }
      if (b != '\r') {
        text.append((char) b);
      }
    }
    return text.toString();
  }
}
