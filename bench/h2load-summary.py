"""One TSV line of figures from an h2load --log-file (one answered request a line: start us, status, duration us).

usage: python3 bench/h2load-summary.py LOG OUT SECS [STEADY_AFTER_S=2]
  LOG  h2load's --log-file; OUT  h2load's own output (for the requests started but never answered);
  SECS the measured seconds (2xx/s is 2xx answers / SECS).
prints: ok_per_s non_2xx unanswered p50_ms p99_ms p999_ms max_ms behind_until_s steady_p99_ms steady_p999_ms
  behind_until_s: when (from the first request) the last request slower than 100 ms was sent, 0 if none;
  steady_*: the requests sent STEADY_AFTER_S or more after the first (after a burst of connections opened at once).
Used by bench/fell-behind.sh and bench/overlimit.sh.
"""
import re
import sys

log, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
steady_after_us = float(sys.argv[4] if len(sys.argv) > 4 else 2) * 1e6
rows = [line.split() for line in open(log)]
ok = sum(1 for r in rows if r[1].startswith('2'))
first = min((int(r[0]) for r in rows), default=0)
every = sorted(int(r[2]) / 1000 for r in rows)
steady = sorted(int(r[2]) / 1000 for r in rows if int(r[0]) - first >= steady_after_us)
behind = max([(int(r[0]) - first) / 1e6 for r in rows if int(r[2]) > 100_000], default=0)


def pct(lat, p):
    return lat[min(len(lat) - 1, int(len(lat) * p))] if lat else 0


m = re.search(r'requests: (\d+) total, (\d+) started, (\d+) done', open(out).read())
unanswered = int(m.group(2)) - len(rows) if m else -1
print(f"{ok / secs:.0f}\t{len(rows) - ok}\t{unanswered}\t{pct(every, 0.5):.2f}\t{pct(every, 0.99):.1f}"
      f"\t{pct(every, 0.999):.1f}\t{every[-1] if every else 0:.1f}\t{behind:.1f}"
      f"\t{pct(steady, 0.99):.1f}\t{pct(steady, 0.999):.1f}")
