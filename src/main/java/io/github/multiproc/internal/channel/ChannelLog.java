package io.github.multiproc.internal.channel;

/**
 * Where the parent's end of a channel reports what the parent's log should say. The channel package logs nothing
 * itself: a child JVM loads it and never loads SLF4J; the parent hands in a log that writes through SLF4J.
 *
 * <p>Thread safety: implementations must be safe for concurrent use.
 */
public interface ChannelLog {
    /**
     * Something the user must act on, such as a stranger that connected without the child's secret.
     *
     * @param format an SLF4J message pattern with {@code {}} placeholders
     * @param args its arguments
     */
    void warn(String format, Object... args);

    /**
     * A detail for whoever debugs the library.
     *
     * @param format an SLF4J message pattern with {@code {}} placeholders
     * @param args its arguments
     */
    void debug(String format, Object... args);
}
