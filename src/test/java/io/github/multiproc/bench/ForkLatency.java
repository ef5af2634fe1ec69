package io.github.multiproc.bench;

import io.github.multiproc.Fork;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Median time of {@code Fork.call(() -> 1).result()} against a bare {@code java -version} from the same JVM,
 * interleaved so that the machine's drift hits both alike. Arguments: rounds (default 21).
 */
public final class ForkLatency {
    private ForkLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Fork.call(() -> 1).result(); // warm up the parent side
        double[] fork = new double[rounds];
        double[] version = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            Fork.call(() -> 1).result();
            fork[i] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            new ProcessBuilder(java, "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            version[i] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf("Fork.call(() -> 1).result(): median %.1f ms [%.1f-%.1f]%n", median(fork), min(fork),
                max(fork));
        System.out.printf("java -version:               median %.1f ms [%.1f-%.1f]%n", median(version),
                min(version), max(version));
        System.out.printf("ratio: %.2f%n", median(fork) / median(version));
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(0);
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(0);
    }
}
