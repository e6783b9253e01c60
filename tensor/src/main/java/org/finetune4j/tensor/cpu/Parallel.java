package org.finetune4j.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool of the CPU backend. Every parallel loop in finetune4j goes through here.
 *
 * <p>Contract: {@link #forRange} splits [start, end) into at most {@link #threads()} contiguous chunks
 * and runs them on a single {@link ForkJoinPool}. A call made from inside a pool worker runs inline
 * on the calling thread: nested parallelism never oversubscribes the cores (two pools fighting
 * over two cores cost PyTorch 3-5x on this machine, see ../shared/anchors).
 *
 * <p>The width is {@code -Dfinetune4j.threads=N} when given, else the number of available processors.
 * Chunking is static and deterministic, so a kernel that reduces per chunk in a fixed order gives
 * bit-identical results from run to run.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("finetune4j.threads",
            Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, THREADS),
            pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("finetune4j-cpu-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    private Parallel() {}

    /** Number of worker threads (and the maximum number of chunks of a parallel loop). */
    public static int threads() {
        return Math.max(1, THREADS);
    }

    /** True when called from one of our workers (then a nested loop runs inline). */
    public static boolean inWorker() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL;
    }

    /** Runs body(i) for every i in [start, end), in parallel chunks of contiguous indices. */
    public static void forRange(int start, int end, IntConsumer body) {
        forChunks(start, end, (lo, hi) -> {
            for (int i = lo; i < hi; i++) body.accept(i);
        });
    }

    /** A body that processes the half-open chunk [lo, hi). */
    @FunctionalInterface
    public interface Chunk {
        void run(int lo, int hi);
    }

    /**
     * Splits [start, end) into at most threads() contiguous chunks, balanced to within one index,
     * and runs body on each. Runs inline when there is a single chunk or when already in a worker.
     */
    public static void forChunks(int start, int end, Chunk body) {
        int n = end - start;
        if (n <= 0) return;
        int chunks = Math.min(n, threads());
        if (chunks == 1 || inWorker()) {
            body.run(start, end);
            return;
        }
        POOL.invoke(new Split(start, n, chunks, 0, chunks, body));
    }

    /** Number of chunks {@link #forChunks} uses for a range of n indices (for per-chunk scratch). */
    public static int chunkCount(int n) {
        return n <= 0 ? 0 : (inWorker() ? 1 : Math.min(n, threads()));
    }

    /** Lower bound of chunk k when [start, start+n) is split into `chunks` parts. */
    public static int chunkStart(int start, int n, int chunks, int k) {
        return start + (int) ((long) n * k / chunks);
    }

    private static final class Split extends RecursiveAction {
        private final int start, n, chunks, from, to;
        private final Chunk body;

        Split(int start, int n, int chunks, int from, int to, Chunk body) {
            this.start = start;
            this.n = n;
            this.chunks = chunks;
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.run(chunkStart(start, n, chunks, from), chunkStart(start, n, chunks, from + 1));
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Split(start, n, chunks, from, mid, body), new Split(start, n, chunks, mid, to, body));
        }
    }
}
