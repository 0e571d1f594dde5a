package io.ringway.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The numbers of a run, and the files to fix from: one TSV row per case, one markdown summary by kind. */
final class FuzzReport {

  final List<FuzzVerdict> verdicts;
  final long millis;

  FuzzReport(List<FuzzVerdict> verdicts, long millis) {
    this.verdicts = verdicts;
    this.millis = millis;
  }

  long peersAgree() {
    return verdicts.stream().filter(v -> v.consensus() != null).count();
  }

  long ringwayAgrees() {
    return verdicts.stream().filter(FuzzVerdict::agrees).count();
  }

  long deliberate() {
    return verdicts.stream().filter(v -> v.deliberate() != null).count();
  }

  /** Agreement with the consensus where the peers have one, a listed deliberate difference counting as agreement. */
  double agreementPercent() {
    long base = peersAgree();
    return base == 0 ? 100.0 : 100.0 * (ringwayAgrees() + deliberate()) / base;
  }

  List<FuzzVerdict> forwardedWhatPeersRefused() {
    return verdicts.stream().filter(FuzzVerdict::forwardedWhatPeersRefused).toList();
  }

  List<FuzzVerdict> silentWherePeersAnswered() {
    return verdicts.stream().filter(FuzzVerdict::silentWherePeersAnswered).toList();
  }

  List<FuzzVerdict> forwardedMoreThanPeers() {
    return verdicts.stream().filter(FuzzVerdict::forwardedMoreThanPeers).toList();
  }

  int unhandled() {
    return verdicts.stream().mapToInt(v -> v.ringway().unhandled()).sum();
  }

  /** Disagreements by group, biggest first. */
  Map<String, List<FuzzVerdict>> groups() {
    Map<String, List<FuzzVerdict>> groups = new LinkedHashMap<>();
    verdicts.stream().filter(FuzzVerdict::disagrees)
        .forEach(v -> groups.computeIfAbsent(v.group(), k -> new ArrayList<>()).add(v));
    List<Map.Entry<String, List<FuzzVerdict>>> sorted = new ArrayList<>(groups.entrySet());
    sorted.sort((a, b) -> b.getValue().size() - a.getValue().size());
    Map<String, List<FuzzVerdict>> result = new LinkedHashMap<>();
    sorted.forEach(e -> result.put(e.getKey(), e.getValue()));
    return result;
  }

  String summary() {
    return String.format("%d cases in %.1f s; peers agree on %d; Ringway agrees with them on %d (%d deliberate): "
            + "%.2f %%; (a) forwarded what neither peer forwarded: %d; (b) closed/held where both peers answered: "
            + "%d; (c) unhandled exceptions: %d; more requests forwarded than by either peer: %d",
        verdicts.size(), millis / 1000.0, peersAgree(), ringwayAgrees(), deliberate(), agreementPercent(),
        forwardedWhatPeersRefused().size(), silentWherePeersAnswered().size(), unhandled(),
        forwardedMoreThanPeers().size());
  }

  void write(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    StringBuilder tsv = new StringBuilder(
        "id\tkind\tlabel\tbytes\tnginx\thaproxy\tringway\tconsensus\tagree\tringway answer\n");
    for (FuzzVerdict v : verdicts) {
      tsv.append(String.join("\t", v.fuzzCase().id(), v.fuzzCase().kind(), clean(v.fuzzCase().label()),
          v.fuzzCase().escaped(160), v.nginx().brief(), v.haproxy().brief(), v.ringway().brief(),
          String.valueOf(v.consensus()), v.consensus() == null ? "-" : v.agrees() ? "yes"
              : v.deliberate() != null ? "deliberate" : "NO", v.ringway().excerpt())).append('\n');
    }
    Files.writeString(dir.resolve(name + ".tsv"), tsv);
    StringBuilder md = new StringBuilder("# Differential fuzz: Ringway vs nginx and HAProxy\n\n")
        .append(summary()).append("\n\nAgreement is per class (FORWARDED, REFUSED, CLOSED, HELD, OTHER); any refusal ")
        .append("agrees with any refusal whatever the codes, which the rows show. Cases where nginx and HAProxy ")
        .append("differ have no consensus and do not count.\n\n## Disagreements by kind\n\n")
        .append("| group | cases | example id | example label | example bytes | nginx / haproxy / ringway |\n")
        .append("|---|---|---|---|---|---|\n");
    groups().forEach((group, list) -> {
      FuzzVerdict e = list.get(0);
      md.append("| ").append(cell(group)).append(" | ").append(list.size()).append(" | ").append(e.fuzzCase().id())
          .append(" | ").append(cell(e.fuzzCase().label())).append(" | `").append(cell(e.fuzzCase().escaped(100)))
          .append("` | ").append(e.nginx().brief()).append(" / ").append(e.haproxy().brief()).append(" / ")
          .append(e.ringway().brief()).append(" |\n");
    });
    section(md, "(a) Forwarded by Ringway, by neither peer", forwardedWhatPeersRefused());
    section(md, "(b) Closed or held by Ringway where both peers answered", silentWherePeersAnswered());
    section(md, "More requests forwarded by Ringway than by either peer (both forwarded)", forwardedMoreThanPeers());
    Files.writeString(dir.resolve(name + ".md"), md);
  }

  private static void section(StringBuilder md, String title, List<FuzzVerdict> list) {
    md.append("\n## ").append(title).append(" (").append(list.size()).append(")\n\n");
    for (FuzzVerdict v : list) {
      md.append("- ").append(v.fuzzCase().id()).append(" ").append(cell(v.fuzzCase().label())).append(": `")
          .append(cell(v.fuzzCase().escaped(100))).append("` → ").append(v.nginx().brief()).append(" / ")
          .append(v.haproxy().brief()).append(" / ").append(v.ringway().brief()).append('\n');
    }
  }

  private static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ');
  }

  private static String cell(String s) {
    return clean(s).replace("|", "\\|").replace("`", "'");
  }
}
