#!/usr/bin/env bash
# The cluster benchmark: three node JVMs and a one-node cluster on loopback (one worker each), then in one run,
# after the same warm-up rounds for each (at least -Dbench.warmRounds=10, until the cluster's last three are within
# 15%, at most 30), rounds alternating (-Dbench.rounds, 5): trivial
# tasks through ClusterPool, a local ProcessPool(3) and raw IExecutorService.submit;
# blocking apply latency; a map chunk-size sweep; 90 x sleep(100 ms) on 1 node vs 3. Prints the raw lines and a
# table of medians and ratios.
#   bash bench/cluster.sh            # N=20000 trivial tasks per round
#   N=40000 bash bench/cluster.sh
#   MVN="mvn -o" bash bench/cluster.sh   # Maven offline
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
RAW=${RAW:-$(mktemp /tmp/multiproc_cluster_bench.XXXXXX.tsv)}
${MVN:-mvn} -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$JAVA" -cp "$CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn io.github.multiproc.bench.ClusterBench "$N" \
    2>/dev/null | tee "$RAW"
echo
echo "# $("$JAVA" -version 2>&1 | head -1) | $(uname -srm) | $(nproc) CPUs | raw: $RAW"
python3 - "$RAW" <<'PY'
import statistics, sys
from collections import defaultdict
v = defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split("\t")
    if len(parts) >= 3:
        v[parts[0]].append(float(parts[1]))
m = {k: statistics.median(x) for k, x in v.items()}
def row(label, value, target=None):
    t = "" if target is None else f" (target {target})"
    print(f"| {label} | {value} |{t}")
c, l, r = m.get("cluster(3x1) applyAsync"), m.get("local ProcessPool(3) applyAsync"), \
    m.get("raw IExecutorService.submit (3 members)")
print("| measure | value |")
print("|---|---:|")
row("cluster applyAsync [tasks/s]", f"{c:,.0f}")
row("local ProcessPool(3) applyAsync [tasks/s]", f"{l:,.0f}")
row("raw IExecutorService.submit [tasks/s]", f"{r:,.0f}")
row("cluster / raw submit", f"{c / r:.2f}x", ">= 10x")
row("cluster / local pool", f"{c / l:.2f}x", ">= 0.25x")
if "cluster(3x1) applyAsync, first round" in m:
    row(f"first round (cold JVMs), then {m.get('warm-up rounds', 0):.0f} warm-up rounds: cluster / local [tasks/s]",
        f"{m['cluster(3x1) applyAsync, first round']:,.0f} / {m['local ProcessPool(3) applyAsync, first round']:,.0f}")
row("apply p50, cluster / local / raw submitToMember [us]",
    f"{m['cluster(3x1) apply p50']:.0f} / {m['local ProcessPool(3) apply p50']:.0f} / {m['raw submitToMember p50']:.0f}")
for k in sorted(k for k in m if k.startswith("cluster(3x1) map chunk")):
    row(k + " [items/s]", f"{m[k]:,.0f}")
row("scale-out 90 x 100 ms, 1 node -> 3 nodes", f"{m['scale-out 1 -> 3 nodes']:.2f}x", ">= 2.7x")
PY
