package io.github.multiproc.internal.spawn;

import io.github.multiproc.internal.channel.ChannelListener;
import io.github.multiproc.internal.channel.ChannelLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's log for its channel listeners: SLF4J, under the logger of {@link ChannelListener}.
 *
 * <p>Thread safety: stateless.
 */
final class ChannelLogs implements ChannelLog {
    static final ChannelLog SLF4J = new ChannelLogs();
    private static final Logger LOG = LoggerFactory.getLogger(ChannelListener.class);

    private ChannelLogs() {
    }

    @Override
    public void warn(String format, Object... args) {
        LOG.warn(format, args);
    }

    @Override
    public void debug(String format, Object... args) {
        LOG.debug(format, args);
    }
}
