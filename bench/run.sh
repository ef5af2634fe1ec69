#!/usr/bin/env bash
# Side-by-side benchmarks: this library's workloads and Python's multiprocessing (shared/bench/python), run
# interleaved REPS times (rep 1 of everything, then rep 2, ...) so that the drift of a shared machine hits both
# alike, then one table of medians and ratios.  Each workload runs in a fresh JVM / a fresh interpreter.
#   bash bench/run.sh                 # REPS=3, the java of JAVA_HOME, else the one on PATH
#   JAVAS="17:/usr/lib/jvm/java-17-openjdk-amd64 25:/usr/lib/jvm/temurin-25-jdk-amd64" bash bench/run.sh
#                                     # every Java workload on each JDK (label:JDK home), a column each
#   REPS=5 PYTHON=python3.12 bash bench/run.sh
#   PYBENCH=/path/to/shared/bench/python bash bench/run.sh
#   ONLY=ipc bash bench/run.sh        # only queues, pipes, shared memory, events and locks
#   MVN="mvn -o" bash bench/run.sh    # Maven offline
#   SMOKE=1 bash bench/run.sh         # every size / 100 (at least 3), REPS=1: tries the harness, measures nothing
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then REPS=${REPS:-1}; else REPS=${REPS:-3}; fi
PY=${PYTHON:-python3}
PYBENCH=${PYBENCH:-../shared/bench/python}
RAW=${RAW:-$(mktemp /tmp/multiproc_bench.XXXXXX.tsv)}

# The JDKs: a label (the column's name; by default the major version) and a java binary each
major() { "$1" -version 2>&1 | head -1 | sed -E 's/^[^"]*"(1\.)?([0-9]+).*/\2/'; }
LABELS=()
BINS=()
add_jdk() { # label (may be empty) and java binary
  local label=${1:-$(major "$2")}
  if ! "$2" -version > /dev/null 2>&1; then
    echo "no working java at $2" >&2
    exit 1
  fi
  if [[ ! $label =~ ^[A-Za-z0-9._+-]+$ ]] || [[ " ${LABELS[*]} " == *" $label "* ]]; then
    echo "JDK label '$label' must be unique and of letters, digits and ._+- (JAVAS=\"label:home ...\")" >&2
    exit 1
  fi
  LABELS+=("$label")
  BINS+=("$2")
}
if [ -n "${JAVAS:-}" ]; then
  for entry in $JAVAS; do
    if [[ $entry == *:* ]]; then add_jdk "${entry%%:*}" "${entry#*:}/bin/java"; else add_jdk "" "$entry/bin/java"; fi
  done
else
  add_jdk "" "${JAVA_HOME:+$JAVA_HOME/bin/}java"
fi
: > "$RAW"

# One build (JDK 17 bytecode, whichever JDK Maven runs on) serves every JDK
${MVN:-mvn} -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >&2
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"

JAVA_CMDS=("apply_async 20000" "apply 5000" "map 200000" "fork 30" "fork_loop 15" "pool_lifecycle 5" "exec 1000"
           "idle_rss" "cpu 2000")
PY_CMDS=("b4_apply_async.py spawn 20000" "b5_apply.py spawn 5000" "b6_map.py spawn 200000"
         "b2_process_start.py spawn 30" "b2_process_start.py fork 30" "b3_pool_lifecycle.py spawn 5"
         "b9_subprocess.py 1000 5")
# the inter-process rows (b10-b13 and their Java workloads); ONLY=ipc runs just these
JAVA_IPC=("queue 100000" "pipe 20000" "shared 100000" "event 5000")
PY_IPC=("b10_queue.py spawn 100000" "b11_pipe.py spawn 20000" "b12_shared.py spawn 100000" "b13_event.py spawn 5000")
if [ "${ONLY:-}" = ipc ]; then
  JAVA_CMDS=("${JAVA_IPC[@]}")
  PY_CMDS=("${PY_IPC[@]}")
else
  JAVA_CMDS+=("${JAVA_IPC[@]}")
  PY_CMDS+=("${PY_IPC[@]}")
fi
if [ ! -d "$PYBENCH" ]; then
  echo "no Python comparator at $PYBENCH (set PYBENCH); Java figures only" >&2
  PY_CMDS=()
fi
if [ "$SMOKE" = 1 ]; then
  small() { # every number of a command / 100, at least 3
    local w out=()
    for w in $1; do
      if [[ $w =~ ^[0-9]+$ ]]; then w=$((w / 100 > 3 ? w / 100 : 3)); fi
      out+=("$w")
    done
    echo "${out[*]}"
  }
  for k in "${!JAVA_CMDS[@]}"; do JAVA_CMDS[k]=$(small "${JAVA_CMDS[k]}"); done
  for k in "${!PY_CMDS[@]}"; do PY_CMDS[k]=$(small "${PY_CMDS[k]}"); done
fi

# not measured: each JDK makes its children's class-data archive for this build now, if it is missing, rather than
# beside the first workloads (a training JVM is ended when its parent exits, so each short run would train again)
for k in "${!LABELS[@]}"; do
  echo "JDK ${LABELS[k]}: Workloads prepare" >&2
  "${BINS[k]}" -cp "$CP" io.github.multiproc.bench.Workloads prepare 2>/dev/null
done

for ((i = 1; i <= REPS; i++)); do
  # each workload on every JDK one after the other; the JDKs take turns going first, rep by rep
  order=()
  for ((k = 0; k < ${#LABELS[@]}; k++)); do order+=("$(((k + i - 1) % ${#LABELS[@]}))"); done
  for cmd in "${JAVA_CMDS[@]}"; do
    for k in "${order[@]}"; do
      echo "[$i/$REPS] JDK ${LABELS[k]}: Workloads $cmd" >&2
      # shellcheck disable=SC2086
      "${BINS[k]}" -cp "$CP" io.github.multiproc.bench.Workloads $cmd 2>/dev/null \
        | sed "s/^/java:${LABELS[k]}\t/" >> "$RAW"
    done
  done
  for cmd in "${PY_CMDS[@]}"; do
    echo "[$i/$REPS] $PY $cmd" >&2
    # shellcheck disable=SC2086
    (cd "$PYBENCH" && $PY $cmd) | sed "s/^/python\t/" >> "$RAW"
  done
done

for k in "${!LABELS[@]}"; do
  echo "# JDK ${LABELS[k]}: ${BINS[k]}: $("${BINS[k]}" -version 2>&1 | head -1)"
done
SIZES=$([ "$SMOKE" = 1 ] && echo ' | SMOKE=1: sizes / 100, not a measurement' || true)
echo "# $($PY -V 2>&1) | $(uname -srm) | $(nproc) CPUs | REPS=$REPS$SIZES"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')"
echo "# raw results: $RAW"
echo
$PY bench/compare.py "$RAW"
