package io.ringway.gatling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's samples as a CSV, a Markdown table and an SVG plot written by hand (no charting dependency): three
 * lines, heap after GC, fds and RSS, each divided by its value at the baseline sample, so one axis shows all
 * three and the 10 % bound is one dashed line.
 */
final class SoakReport {

  private static final int WIDTH = 720;
  private static final int HEIGHT = 360;
  private static final int LEFT = 60;
  private static final int RIGHT = 150;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private SoakReport() {
  }

  static String csv(List<ProcessSample> samples) {
    StringBuilder out = new StringBuilder("minute,heap_after_gc_mb,fds,rss_mb,threads\n");
    for (ProcessSample s : samples) {
      out.append(String.format(Locale.ROOT, "%.1f,%.1f,%d,%.1f,%d%n", s.minute(), s.heapMb(), s.fds(), s.rssMb(), s.threads()));
    }
    return out.toString();
  }

  static String markdown(List<ProcessSample> samples) {
    StringBuilder out = new StringBuilder("| minute | heap after GC (MB) | fds | RSS (MB) | threads |\n|---|---|---|---|---|\n");
    for (ProcessSample s : samples) {
      out.append(String.format(Locale.ROOT, "| %.0f | %.1f | %d | %.1f | %d |%n", s.minute(), s.heapMb(), s.fds(), s.rssMb(), s.threads()));
    }
    return out.toString();
  }

  /** {@code baseline} is the index of the sample the lines are normalised to; {@code bound} the ratio drawn dashed. */
  static String svg(List<ProcessSample> samples, int baseline, double bound, String title) {
    ProcessSample base = samples.get(baseline);
    double maxMinute = Math.max(1, samples.getLast().minute());
    double low = 0.5;
    double high = 1.3;
    for (ProcessSample s : samples) {
      for (double ratio : new double[] {s.heapMb() / base.heapMb(), (double) s.fds() / base.fds(), s.rssMb() / base.rssMb()}) {
        low = Math.min(low, Math.floor(ratio * 10) / 10);
        high = Math.max(high, Math.ceil(ratio * 10) / 10);
      }
    }
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    double yLow = low;
    double yHigh = high;
    ToDoubleFunction<Double> x = minute -> LEFT + minute / maxMinute * plotW;
    ToDoubleFunction<Double> y = ratio -> TOP + (yHigh - ratio) / (yHigh - yLow) * plotH;

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
    // axes
    out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
        LEFT, TOP, LEFT, HEIGHT - BOTTOM));
    out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
        LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
    for (int tenth = (int) Math.round(yLow * 10); tenth <= Math.round(yHigh * 10); tenth++) {
      double ratio = tenth / 10.0;
      double at = y.applyAsDouble(ratio);
      out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          LEFT, at, WIDTH - RIGHT, at));
      out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n",
          LEFT - 6, at + 4, ratio));
    }
    int step = maxMinute > 20 ? 5 : 1;
    for (int minute = 0; minute <= maxMinute; minute += step) {
      double at = x.applyAsDouble((double) minute);
      out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
          at, HEIGHT - BOTTOM + 16, minute));
    }
    out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">minute of load</text>%n",
        LEFT + plotW / 2, HEIGHT - 12));
    out.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">"
        + "value / value at minute %.0f</text>%n", TOP + plotH / 2, base.minute()));
    // the failure bound
    double boundY = y.applyAsDouble(bound);
    out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\" "
        + "stroke-dasharray=\"6 4\"/>%n", LEFT, boundY, WIDTH - RIGHT, boundY));
    out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#c00\">+%.0f %% bound (heap, fds)</text>%n",
        WIDTH - RIGHT + 6, boundY + 4, (bound - 1) * 100));
    line(out, samples, x, y, s -> s.heapMb() / base.heapMb(), "#1f77b4", "heap after GC", 0);
    line(out, samples, x, y, s -> (double) s.fds() / base.fds(), "#2ca02c", "open fds", 1);
    line(out, samples, x, y, s -> s.rssMb() / base.rssMb(), "#ff7f0e", "RSS", 2);
    out.append("</svg>\n");
    return out.toString();
  }

  private static void line(StringBuilder out, List<ProcessSample> samples, ToDoubleFunction<Double> x,
      ToDoubleFunction<Double> y, ToDoubleFunction<ProcessSample> ratio, String colour, String label, int row) {
    StringBuilder points = new StringBuilder();
    for (ProcessSample s : samples) {
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(s.minute()), y.applyAsDouble(ratio.applyAsDouble(s))));
    }
    out.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
        colour, points.toString().trim()));
    for (ProcessSample s : samples) {
      out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
          x.applyAsDouble(s.minute()), y.applyAsDouble(ratio.applyAsDouble(s)), colour));
    }
    int legendY = TOP + 40 + row * 18;
    out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
        WIDTH - RIGHT + 6, legendY, WIDTH - RIGHT + 26, legendY, colour));
    out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 30, legendY + 4, label));
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
