/**
 * multiproc: Python's {@code os.fork}/{@code os.wait}, {@code multiprocessing.Process} and {@code Pool} for Java.
 * Only {@code io.github.multiproc} is exported; the child side and wire protocol live in
 * {@code io.github.multiproc.internal}.
 */
module io.github.multiproc {
    requires org.slf4j;

    exports io.github.multiproc;
}
