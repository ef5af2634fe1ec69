/**
 * multiproc: Python's {@code os.fork}/{@code os.wait}, {@code multiprocessing.Process} and {@code Pool} for Java.
 * {@code io.github.multiproc} and, for pools on a Hazelcast cluster (which needs {@code com.hazelcast:hazelcast} on the
 * path: an optional dependency), {@code io.github.multiproc.cluster} are exported; the engine lives in
 * {@code io.github.multiproc.internal}.
 */
@SuppressWarnings("requires-automatic") // Hazelcast's jar has no module-info
module io.github.multiproc {
    requires org.slf4j;
    requires static com.hazelcast.core; // not transitive: a local user's module must compile without it

    exports io.github.multiproc;
    exports io.github.multiproc.cluster;
}
