package io.ringway.http;

/**
 * One case judged: the three answers, the peers' consensus (null when nginx and HAProxy disagree, and the case
 * then says nothing about Ringway), and whether Ringway agrees with it or differs on purpose.
 */
record FuzzVerdict(FuzzCase fuzzCase, Answer nginx, Answer haproxy, Answer ringway,
                   DeliberateDifferences.Entry deliberate) {

  static FuzzVerdict judge(FuzzCase fuzzCase, Answer nginx, Answer haproxy, Answer ringway,
                           DeliberateDifferences allowlist) {
    boolean differs = nginx.agrees(haproxy) && !ringway.agrees(nginx);
    return new FuzzVerdict(fuzzCase, nginx, haproxy, ringway, differs ? allowlist.covering(fuzzCase, ringway) : null);
  }

  Answer.Kind consensus() {
    return nginx.agrees(haproxy) ? nginx.kind() : null;
  }

  boolean agrees() {
    return consensus() != null && ringway.agrees(nginx);
  }

  /** Differs from a consensus, and no allowlist entry covers it: a bug to fix or a difference to justify. */
  boolean disagrees() {
    return consensus() != null && !agrees() && deliberate == null;
  }

  /** Target (a): Ringway forwarded what neither peer did (both refused, closed or held it). */
  boolean forwardedWhatPeersRefused() {
    return deliberate == null && ringway.kind() == Answer.Kind.FORWARDED
        && nginx.kind() != Answer.Kind.FORWARDED && haproxy.kind() != Answer.Kind.FORWARDED;
  }

  /** Target (b): Ringway closed or held without a status line where both peers sent one. */
  boolean silentWherePeersAnswered() {
    return deliberate == null && (ringway.kind() == Answer.Kind.CLOSED || ringway.kind() == Answer.Kind.HELD)
        && nginx.answered() && haproxy.answered();
  }

  /**
   * Ringway's backend completed more requests than either peer's where both forwarded some: one request read as
   * two (a smuggled request), or a pipelined one forwarded after a refusal.
   */
  boolean forwardedMoreThanPeers() {
    int peers = Math.max(nginx.completed(), haproxy.completed());
    return peers > 0 && ringway.completed() > peers;
  }

  /** The disagreement group: the mutation kind and the two classes. */
  String group() {
    return fuzzCase.kind() + ": Ringway " + ringway.kind() + ", peers " + consensus();
  }
}
