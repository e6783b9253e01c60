package org.finetune4j.tensor.cpu;

/**
 * Per-thread scratch arrays of the convolution kernels, grown on demand and reused across calls,
 * so a training step allocates no im2col buffers. A buffer belongs to its thread until that
 * thread's next request of the same slot; contents are garbage (callers write before reading).
 */
final class Conv2dWorkspace {
    private static final ThreadLocal<float[]> COL = new ThreadLocal<>();
    private static final ThreadLocal<float[]> PARTIALS = new ThreadLocal<>();
    private static final ThreadLocal<float[]> WEIGHTS = new ThreadLocal<>();

    private Conv2dWorkspace() {}

    /** im2col-style scratch of at least size floats, for the calling worker. */
    static float[] col(int size) {
        return grow(COL, size);
    }

    /** Per-chunk partial sums, owned by the thread that splits the work, written by the chunks. */
    static float[] partials(int size) {
        return grow(PARTIALS, size);
    }

    /** Rearranged weights, prepared by the thread that splits the work, read by all chunks. */
    static float[] weights(int size) {
        return grow(WEIGHTS, size);
    }

    private static float[] grow(ThreadLocal<float[]> slot, int size) {
        float[] a = slot.get();
        if (a == null || a.length < size) {
            a = new float[size];
            slot.set(a);
        }
        return a;
    }
}
