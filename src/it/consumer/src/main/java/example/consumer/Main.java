package example.consumer;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Fork;
import io.github.multiproc.ProcessPool;
import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Forks a task and maps on a pool, and prints what happened on lines the IT reads: {@code PARENT}, {@code CALL},
 * {@code CHILD}, {@code MAP}, {@code WORKERS}, {@code ACTIVE}. Throws (exit code 1) when a result is wrong.
 */
public final class Main {
    private Main() {
    }

    /** Where a task ran; a class of this module, so the parent must load it to read the child's answer. */
    record Where(String module, boolean child, long ppid) implements Serializable {
    }

    /**
     * Runs the checks.
     *
     * @param args none
     * @throws Exception if a check fails
     */
    public static void main(String[] args) throws Exception {
        long self = Fork.pid();
        System.out.println("PARENT " + self + " module=" + Main.class.getModule().getName());

        ChildProcess<Where> child = Fork.call(Main::where);
        Where where = child.result();
        if (!where.child() || where.ppid() != self) {
            throw new IllegalStateException("the task did not run in a child of " + self + ": " + where);
        }
        System.out.println("CALL module=" + where.module() + " child=" + where.child() + " ppid=" + where.ppid());
        System.out.println("CHILD " + child.pid() + " " + child.join());

        List<Integer> items = IntStream.rangeClosed(1, 10).boxed().collect(Collectors.toList());
        List<Integer> squares;
        List<Long> workers;
        try (ProcessPool pool = ProcessPool.create(2)) {
            squares = pool.map(Main::square, items);
            workers = pool.workerPids();
        }
        List<Integer> expected = items.stream().map(n -> n * n).collect(Collectors.toList());
        if (!squares.equals(expected)) {
            throw new IllegalStateException("pool.map returned " + squares + ", expected " + expected);
        }
        System.out.println("MAP " + squares);
        System.out.println("WORKERS " + workers.stream().map(String::valueOf).collect(Collectors.joining(" ")));
        System.out.println("ACTIVE " + Fork.activeChildren().size());
    }

    private static Where where() {
        return new Where(String.valueOf(Main.class.getModule().getName()), Fork.isChild(),
                Fork.ppid().orElse(-1));
    }

    private static Integer square(Integer n) {
        if (!Fork.isChild()) {
            throw new IllegalStateException("square ran in the parent");
        }
        return n * n;
    }
}
