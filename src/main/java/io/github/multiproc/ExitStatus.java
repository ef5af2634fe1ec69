package io.github.multiproc;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a child process ended: its exit code and, where known, the signal that ended it.
 *
 * <p>The JDK reports a process ended by signal N as exit code 128+N on Linux and macOS. {@link #signal()} is present
 * when this library sent the signal that ended the child ({@link ChildProcess#terminate()},
 * {@link ChildProcess#kill()}), and otherwise when the code is 129 to 159, read the way shells read {@code $?}. On
 * Windows there are no signals and {@link #signal()} is always empty.
 *
 * <p>Thread safety: an immutable value. Serializable, so that a {@link ChildCrashedException} can travel too.
 */
public final class ExitStatus implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final String[] SIGNAL_NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", null, "SIGFPE", "SIGKILL", null,
        "SIGSEGV", null, "SIGPIPE", "SIGALRM", "SIGTERM"
    };

    /** The exit code, 0 to 255. */
    private final int code;
    /** The signal that ended the process, or 0 when none is known. */
    private final int signal;

    private ExitStatus(int code, int signal) {
        this.code = code;
        this.signal = signal;
    }

    /**
     * Checks that a deserialized status is one the factories could have made.
     *
     * @param in the stream
     * @throws java.io.IOException if reading fails or the status is impossible
     * @throws ClassNotFoundException never for this class's own fields
     */
    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (signal < 0 || signal > 64 || (signal > 0 && code != 128 + signal)) {
            throw new java.io.InvalidObjectException("not an exit status: code " + code + ", signal " + signal);
        }
    }

    /**
     * Returns the status of a process that exited with {@code code}; a code of 129 to 159 is read as signal
     * {@code code - 128}, the shell's convention.
     *
     * @param code the exit code as {@link Process#exitValue()} reports it
     * @return the status
     */
    public static ExitStatus of(int code) {
        return new ExitStatus(code, code > 128 && code < 160 ? code - 128 : 0);
    }

    /**
     * Returns the status of a process that exited with {@code code}, with no signal inferred from it.
     *
     * @param code the exit code
     * @return the status, {@link #signal()} empty
     */
    public static ExitStatus ofCode(int code) {
        return new ExitStatus(code, 0);
    }

    /**
     * Returns the status of a process ended by signal {@code signal}: its code is 128 + {@code signal}.
     *
     * @param signal the signal number, 1 to 64
     * @return the status
     * @throws IllegalArgumentException if {@code signal} is not between 1 and 64
     */
    public static ExitStatus ofSignal(int signal) {
        if (signal < 1 || signal > 64) {
            throw new IllegalArgumentException("signal must be between 1 and 64, was " + signal);
        }
        return new ExitStatus(128 + signal, signal);
    }

    /**
     * Returns the exit code, 0 to 255 as the platform reports it (Linux and macOS: 128+N after signal N).
     *
     * @return the exit code
     */
    public int code() {
        return code;
    }

    /**
     * Returns whether the process exited with code 0.
     *
     * @return {@code code() == 0}
     */
    public boolean success() {
        return code == 0;
    }

    /**
     * Returns the signal that ended the process, when known.
     *
     * @return the signal number, or empty
     */
    public OptionalInt signal() {
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /**
     * Returns the POSIX wait status as Python's {@code os.wait()} returns it: {@code code() << 8} for a normal exit
     * (so exit code 1 gives the seed's {@code 256}), or the signal number when a signal ended the process.
     *
     * @return the wait status
     */
    public int waitStatus() {
        return signal != 0 ? signal : (code & 0xff) << 8;
    }

    /**
     * Returns the conventional name of a signal number where it is the same on Linux and macOS, such as
     * {@code "SIGTERM"}, else {@code "signal N"}.
     *
     * @param signal the signal number
     * @return its name
     */
    public static String signalName(int signal) {
        if (signal > 0 && signal < SIGNAL_NAMES.length && SIGNAL_NAMES[signal] != null) {
            return SIGNAL_NAMES[signal];
        }
        return "signal " + signal;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitStatus && ((ExitStatus) o).code == code && ((ExitStatus) o).signal == signal;
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, signal);
    }

    /** Returns, for example, {@code "exit code 1"} or {@code "exit code 143 (SIGTERM)"}. */
    @Override
    public String toString() {
        return signal == 0 ? "exit code " + code : "exit code " + code + " (" + signalName(signal) + ")";
    }
}
