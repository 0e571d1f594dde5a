package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) on a
 * real node carrying real HTTP and TCP traffic. Skips without Chromium, fails without it under {@code CI=true}.
 * Leaves {@code target/dashboard.png}; {@code -Dringway.dashboard.docs=true} also rewrites the README's
 * {@code docs/dashboard.png}.
 */
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final int adminPort = Ports.freeTcpPort();
  private final int httpPort = Ports.freeTcpPort();
  private final int tcpPort = Ports.freeTcpPort();
  private final int demoHttp = Ports.freeTcpPort();
  private final int demoTcp = Ports.freeTcpPort();
  private final AtomicBoolean loading = new AtomicBoolean(true);
  private final List<Thread> load = new ArrayList<>();
  private LiveNode node;
  private HttpServer doomed;
  private ChromeDriver browser;

  @BeforeEach
  void requireChromium() {
    Capabilities.require("chromium", Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no " + CHROMIUM + " or " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
  }

  @AfterEach
  void stop() throws Exception {
    loading.set(false);
    for (Thread thread : load) {
      thread.join(5000);
    }
    if (browser != null) {
      browser.quit();
    }
    if (doomed != null) {
      doomed.stop(0);
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void showsTheNodeLiveUnderLoadAndItsButtonsWork() throws Exception {
    doomed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    doomed.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, 2);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write("ok".getBytes());
      }
    });
    doomed.start();
    String doomedEndpoint = "127.0.0.1:" + doomed.getAddress().getPort();
    node = LiveNode.start(config(doomed.getAddress().getPort()));
    startLoad();
    browser = chromium(1400, 1700);

    browser.get(node.admin() + "/");
    await(5, "phase READY", () -> text("phase").equals("READY"));
    long before = Long.parseLong(text("total-requests"));
    await(5, "the request counter moves", () -> Long.parseLong(text("total-requests")) > before);
    await(5, "the doomed endpoint shows healthy", () -> "up".equals(health("web/" + doomedEndpoint)));
    assertThat(health("web/127.0.0.1:" + demoHttp)).isEqualTo("up");

    long killed = System.nanoTime();
    doomed.stop(0);
    await(3, "the killed endpoint turns red within 3 s", () -> "down".equals(health("web/" + doomedEndpoint)));
    System.out.printf("dashboard: killed endpoint shown down after %d ms%n", Duration.ofNanos(System.nanoTime() - killed).toMillis());
    Thread.sleep(2500); // a few seconds of rates and sparklines for the picture
    screenshot();

    browser.findElement(By.id("config-text")).sendKeys("admin: {port: 99999, prot: 1}\nverticles: [admin, tcp]\n");
    browser.findElement(By.id("check")).click();
    await(5, "the check's errors by path", () -> !browser.findElements(By.cssSelector("#check-errors li")).isEmpty());
    assertThat(browser.findElements(By.cssSelector("#check-errors li")).stream().map(li -> li.getDomAttribute("data-path")))
        .containsExactly("verticles[1]", "admin.port", "admin.prot");
    assertThat(text("check-result")).isEqualTo("3 errors");
    browser.findElement(By.id("config-text")).clear();
    browser.findElement(By.id("config-text")).sendKeys("admin: {port: 9901}\n");
    browser.findElement(By.id("check")).click();
    await(5, "a valid document says so", () -> text("check-result").equals("valid"));

    browser.manage().window().setSize(new Dimension(420, 900));
    await(3, "no sideways scrolling in a narrow window", () -> (Boolean) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth <= window.innerWidth"));

    WebElement drain = browser.findElement(By.id("drain"));
    drain.click();
    assertThat(drain.getText()).as("one click only arms it").isEqualTo("Confirm drain");
    Thread.sleep(1200);
    assertThat(text("phase")).isEqualTo("READY");
    drain.click();
    await(3, "drain flips the phase", () -> text("phase").equals("DRAINING"));
    assertThat(node.get("/info")).contains("\"phase\":\"DRAINING\"");

    assertThat(consoleErrors()).as("console errors").isEmpty();
    // and the check above could see one: an error logged now must come through the same channel
    ((JavascriptExecutor) browser).executeScript("console.error('ringway-probe')");
    assertThat(consoleErrors()).anySatisfy(entry -> assertThat(entry).contains("ringway-probe"));
  }

  @Test
  void staysUsableWithAHundredRoutesAndAThousandEndpoints() throws Exception {
    JsonObject config = config(null);
    JsonArray endpoints = new JsonArray();
    for (int i = 0; i < 1000; i++) { // nothing listens there; without a health check they stay as configured
      endpoints.add(new JsonObject().put("host", "127.0.0." + (2 + i / 250)).put("port", 20000 + i));
    }
    config.getJsonArray("clusters").add(new JsonObject().put("name", "big").put("endpoints", endpoints));
    JsonArray routes = config.getJsonObject("http").getJsonArray("routes");
    for (int i = 0; i < 100; i++) { // before the catch-all route, which would shadow them
      routes.add(1 + i, new JsonObject().put("name", "r" + i).put("match", new JsonObject().put("path", new JsonObject()
          .put("prefix", "/r" + i + "/"))).put("target", "web"));
    }
    node = LiveNode.start(config);
    browser = chromium(1400, 1000);

    browser.get(node.admin() + "/");
    await(5, "phase READY", () -> text("phase").equals("READY"));
    await(5, "the routes, a page at a time", () -> browser.findElements(By.cssSelector("#routes tbody tr")).size() == 25);
    assertThat(text("route-pager")).contains("1–25 of 102");
    WebElement big = browser.findElement(By.cssSelector("details[data-cluster='big']"));
    assertThat(big.getDomProperty("open")).as("a big cluster starts collapsed").isEqualTo("false");
    await(3, "the summary counts them", () -> big.findElement(By.tagName("summary")).getText().contains("1000/1000 healthy"));
    assertThat(browser.findElements(By.cssSelector("tr[data-endpoint]"))).as("nothing built for collapsed clusters").isEmpty();
    big.findElement(By.tagName("summary")).click();
    await(3, "an open cluster shows a page of endpoints",
        () -> big.findElements(By.cssSelector("tr[data-endpoint]")).size() == 50);
    // the card re-renders on every refresh, so its pager is read again until it is found whole
    await(3, "the pager counts all of them", () -> big.findElement(By.className("pager")).getText().contains("1–50 of 1000"));
    browser.findElement(By.id("endpoint-filter")).sendKeys("127.0.0.5:");
    await(3, "the filter narrows them", () -> big.findElements(By.cssSelector("tr[data-endpoint]")).size() == 50
        && big.findElement(By.className("pager")).getText().contains("of 250"));
    Object renderMs = ((JavascriptExecutor) browser).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const start = performance.now();
        requestAnimationFrame(() => done(performance.now() - start));""");
    assertThat(((Number) renderMs).doubleValue()).as("a frame while the page is live (ms)").isLessThan(500);
    assertThat(consoleErrors()).as("console errors").isEmpty();
  }

  /** Two upstream clusters: {@code web} (the demo's HTTP server, and one the test may kill) and {@code echo}. */
  private JsonObject config(Integer doomedPort) {
    JsonArray web = new JsonArray().add(new JsonObject().put("host", "127.0.0.1").put("port", demoHttp));
    if (doomedPort != null) {
      web.add(new JsonObject().put("host", "127.0.0.1").put("port", doomedPort));
    }
    return new JsonObject()
        .put("transport", "auto")
        .put("eventLoops", 2)
        .put("verticles", new JsonArray().add("admin").add("demo-upstream").add("tcp-proxy").add("http-router"))
        .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", adminPort))
        .put("demoUpstream", new JsonObject().put("host", "127.0.0.1").put("httpPort", demoHttp).put("tcpPort", demoTcp))
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("name", "web").put("loadBalancer", "round_robin")
                .put("endpoints", web)
                .put("healthCheck", new JsonObject().put("interval", "300ms").put("timeout", "250ms")
                    .put("unhealthyThreshold", 1).put("healthyThreshold", 1)))
            .add(new JsonObject().put("name", "echo").put("endpoints", new JsonArray()
                .add(new JsonObject().put("host", "127.0.0.1").put("port", demoTcp)))))
        .put("tcp", new JsonObject().put("listeners", new JsonArray().add(new JsonObject()
            .put("name", "echo").put("host", "127.0.0.1").put("port", tcpPort).put("cluster", "echo"))))
        .put("http", new JsonObject()
            .put("listeners", new JsonArray().add(new JsonObject().put("name", "web").put("host", "127.0.0.1").put("port", httpPort)))
            .put("routes", new JsonArray().add(new JsonObject().put("name", "api").put("match", new JsonObject()
                    .put("path", new JsonObject().put("prefix", "/api/"))).put("target", "web"))
                .add(new JsonObject().put("name", "site").put("target", "web"))));
  }

  /** HTTP requests on three threads and a TCP echo stream, until the test ends. */
  private void startLoad() {
    for (int i = 0; i < 3; i++) {
      String path = i == 0 ? "/api/items" : "/";
      load.add(Thread.ofPlatform().daemon().name("load-http-" + i).start(() -> {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
          HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
              .timeout(Duration.ofSeconds(2)).build();
          while (loading.get()) {
            try {
              client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (Exception refusedWhileDraining) {
              sleep(50);
            }
          }
        }
      }));
    }
    load.add(Thread.ofPlatform().daemon().name("load-tcp").start(() -> {
      byte[] chunk = new byte[16 * 1024];
      while (loading.get()) {
        try (Socket socket = new Socket("127.0.0.1", tcpPort)) {
          socket.setSoTimeout(2000);
          OutputStream out = socket.getOutputStream();
          InputStream in = socket.getInputStream();
          for (int i = 0; i < 64 && loading.get(); i++) {
            out.write(chunk);
            in.readNBytes(chunk.length);
          }
        } catch (Exception refusedWhileDraining) {
          sleep(50);
        }
      }
    }));
  }

  private ChromeDriver chromium(int width, int height) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: the tests run as root in CI, where Chromium refuses its sandbox
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=" + width + "," + height, "--hide-scrollbars");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }

  private void screenshot() throws Exception {
    Path shot = Path.of("target", "dashboard.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
    if (Boolean.getBoolean("ringway.dashboard.docs")) {
      Files.copy(shot, Path.of("..", "..", "docs", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private List<String> consoleErrors() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::toString).toList();
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private String health(String endpoint) {
    List<WebElement> rows = browser.findElements(By.cssSelector("tr[data-endpoint='" + endpoint + "']"));
    return rows.isEmpty() ? null : rows.getFirst().getDomAttribute("data-health");
  }

  private void await(int seconds, String what, java.util.function.Supplier<Boolean> condition) {
    new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(50)).withMessage(what)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(driver -> condition.get());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
