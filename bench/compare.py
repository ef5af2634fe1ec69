"""One table of medians and ratios from bench/run.sh's raw lines, with a Java column, ratio and met per JDK.

Input lines: <side>\t<metric>\t<value>\t<unit>\t<note>, side being python, or java:<JDK label> (java alone, in
files from before there were several JDKs). The JDK columns come in the order the labels first appear.
A ratio is always "how many times better Java is" (higher is better), so a target reads the same way for
throughputs (Java / Python) and for times (Python / Java).
"""
import statistics
import sys
from collections import defaultdict

PY_SPAWN_START = ("python", "Process[spawn] start+join p50")
PY_MAP = ("python", "Pool(2)[spawn] map default chunksize")
PY_POOL_LIFE = ("python", "Pool(2)[spawn] create+close+join")
RAW_SPAWN = ("java", "ProcessBuilder(/bin/true)+waitFor")

# label, Java metric, compared with: ("python", metric), ("java", metric) (the same JDK's figure) or a number
# (a fixed bound), better: "higher" | "lower", target ratio or None
ROWS = [
    ("Pool(2) applyAsync x20,000 [tasks/s]", "Pool(2) apply_async+get",
     ("python", "Pool(2)[spawn] apply_async+get"), "higher", 4.0),
    ("Pool(2) apply x5,000 [tasks/s]", "Pool(2) apply (blocking)",
     ("python", "Pool(2)[spawn] apply (blocking)"), "higher", 4.0),
    ("Pool(2) map 200,000, default chunks, 1st map of the JVM [items/s]", "Pool(2) map default chunksize",
     PY_MAP, "higher", None),
    ("Pool(2) map 200,000, default chunks, warm [items/s]", "Pool(2) map default chunksize, warm",
     PY_MAP, "higher", 1.5),
    ("Pool(2) map 200,000, chunk size 1 [items/s]", "Pool(2) map chunksize=1",
     ("python", "Pool(2)[spawn] map chunksize=1"), "higher", 3.0),
    ("child start -> result, standby off, p50 [ms] (Fork.call vs spawn Process)", "child start+result p50",
     PY_SPAWN_START, "lower", 1.0),
    ("loop of Fork.call(() -> 1).result() + join, p50 [ms] (vs spawn Process)", "fork loop p50",
     PY_SPAWN_START, "lower", 1.0),
    ("warm fork: Fork.call(() -> 1).result(), standby ready, p50 [ms] (vs fork Process)",
     "warm child start+result p50", ("python", "Process[fork] start+join p50"), "lower", None),
    ("warm fork: Fork.call(() -> 1).result() + join, standby ready, p50 [ms] (vs fork Process start+join)",
     "warm child start+join p50", ("python", "Process[fork] start+join p50"), "lower", 1.0),
    ("Pool(2) create -> 1st result [ms]", "Pool(2) create->1st apply result",
     ("python", "Pool(2)[spawn] create->1st apply result"), "lower", None),
    ("Pool(2) create + close + join [ms]", "Pool(2) create+close+join", PY_POOL_LIFE, "lower", 1.0),
    ("Pool(2) create -> 1st result -> close [ms] (vs create + close + join)", "Pool(2) create->1st result->close",
     PY_POOL_LIFE, "lower", 1.0),
    ("spawn /bin/true + wait [spawns/s] (Fork.exec vs subprocess.run)", "Fork.exec(/bin/true)+join",
     ("python", "subprocess.run(['/bin/true'])"), "higher", None),
    ("Fork.exec vs raw ProcessBuilder, same JVM [spawns/s]", "Fork.exec(/bin/true)+join", RAW_SPAWN, "higher", 1.0),
    ("Fork.command().start() vs raw ProcessBuilder, same JVM [spawns/s]", "Fork.command(/bin/true).start()+join",
     RAW_SPAWN, "higher", 1.0),
    ("idle worker RSS, Pool(2) [MiB] (vs the 36 MiB target)", "idle worker RSS", 36.0, "lower", 1.0),
    ("idle worker PSS, Pool(4) [MiB] (vs the 30 MiB target)", "idle worker PSS, Pool(4)", 30.0, "lower", 1.0),
    ("2 s CPU task: pool worker vs plain java [s]", "CPU-heavy task on a pool worker",
     ("java", "CPU-heavy task in plain java"), "lower", 1 / 1.10),
    ("ProcessQueue: child put -> parent take [items/s]", "ProcessQueue child put -> parent take",
     ("python", "Queue[spawn] child put -> parent get"), "higher", 2.0),
    ("ProcessQueue: 2 children put -> parent take [items/s]", "ProcessQueue 2 children put -> parent take",
     ("python", "Queue[spawn] 2 children put -> parent get"), "higher", None),
    ("Pipe round trip [us]", "Pipe round trip", ("python", "Pipe[spawn] round trip"), "lower", 2.0),
    ("Pipe round trip, 20,000 more after the first [us]", "Pipe round trip, warm",
     ("python", "Pipe[spawn] round trip"), "lower", None),
    ("Pipe one-way stream, child start included [msgs/s]", "Pipe one-way stream",
     ("python", "Pipe[spawn] one-way stream"), "higher", 2.0),
    ("+1 under ProcessLock from 2 children vs locked Value [ops/s]",
     "SharedLongArray 2 children x +1 under ProcessLock",
     ("python", "Value[spawn] 2 children x locked +1"), "higher", 2.0),
    ("own-slot getAndAdd from 2 children vs Array own slot +1 [ops/s]",
     "SharedLongArray 2 children x own slot getAndAdd",
     ("python", "Array[spawn] 2 children x own slot +1 (no lock)"), "higher", 3.0),
    ("ProcessEvent ping-pong round trip [us]", "ProcessEvent ping-pong round trip",
     ("python", "Event[spawn] ping-pong round trip"), "lower", 2.0),
    ("ProcessEvent ping-pong, 5,000 more after the first [us]", "ProcessEvent ping-pong round trip, warm",
     ("python", "Event[spawn] ping-pong round trip"), "lower", None),
    ("ProcessLock uncontended lock+unlock [ns]", "ProcessLock uncontended lock+unlock",
     ("python", "Lock[spawn] uncontended acquire+release"), "lower", 1.0),
    ("ProcessLock uncontended, 500,000 more after the first [ns]", "ProcessLock uncontended lock+unlock, warm",
     ("python", "Lock[spawn] uncontended acquire+release"), "lower", None),
]


def fmt(v):
    if v is None or v != v:
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def main(path):
    values = defaultdict(list)
    jdks = []  # labels, in the order of first appearance
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            side = parts[0]
            if side == "java" or side.startswith("java:"):
                jdk = side.partition(":")[2]
                if jdk not in jdks:
                    jdks.append(jdk)
            values[(side, parts[1])].append(float(parts[2]))
    med = {k: statistics.median(v) for k, v in values.items()}
    sides = {jdk: f"java:{jdk}" if jdk else "java" for jdk in jdks}
    names = {jdk: f"JDK {jdk}" if jdk else "Java" for jdk in jdks}
    print("| workload | Python | " + " | ".join(f"{names[j]} | ratio | met" for j in jdks) + " | target |")
    print("|---|---:|" + "---:|---:|:-:|" * len(jdks) + "---:|")
    left_out = 0
    for label, metric, other, better, target in ROWS:
        mine = {j: med.get((sides[j], metric)) for j in jdks}
        if all(v is None for v in mine.values()):
            left_out += 1
            continue
        same_jvm = not isinstance(other, float) and other[0] == "java"
        if isinstance(other, float):
            base = dict.fromkeys(jdks, other)
            shown = fmt(other)
        elif same_jvm:
            base = {j: med.get((sides[j], other[1])) for j in jdks}
            shown = ""
        else:
            base = dict.fromkeys(jdks, med.get(other))
            shown = fmt(base[jdks[0]])
        cells = []
        for j in jdks:
            a, b = mine[j], base[j]
            ratio = None
            if a and b:
                ratio = a / b if better == "higher" else b / a
            met = "" if target is None or ratio is None else ("yes" if ratio >= target else "no")
            figure = f"{fmt(a)} / {fmt(b)}" if same_jvm and a is not None else fmt(a)
            cells.append(f"{figure} | {fmt(ratio)} | {met}")
        tgt = "" if target is None else f">= {target:.2f}"
        print(f"| {label} | {shown} | " + " | ".join(cells) + f" | {tgt} |")
    print()
    n = max((len(v) for v in values.values()), default=0)
    print(f"Medians of {n} interleaved runs; each figure from a fresh JVM or interpreter.")
    print("In a \"same JVM\" row and the CPU row, a JDK's cell is its figure / the baseline on that JDK; in a"
          " \"vs the ... target\" row, the Python column is that bound.")
    if left_out:
        print(f"{left_out} rows without a Java figure (not run) are left out.")


if __name__ == "__main__":
    main(sys.argv[1])
