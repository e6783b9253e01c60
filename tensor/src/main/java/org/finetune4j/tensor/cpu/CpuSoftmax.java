package org.finetune4j.tensor.cpu;

/**
 * Softmax and log-softmax over one axis, float32. The tensor is viewed as (outer, axis, inner):
 * element (o, j, i) sits at (o·axis + j)·inner + i, and each of the outer·inner rows is normalised
 * over j. Inner = 1 is the contiguous last-axis case. Numerically stable: the row maximum is
 * subtracted before exp; sums are taken in double. Outputs are overwritten. Parallel over rows,
 * each row in a fixed order, so results are deterministic.
 */
public final class CpuSoftmax {
    private CpuSoftmax() {}

    /** y = exp(x − max) / Σ_j exp(x_j − max) along the axis. x, y: (outer, axis, inner). */
    public static void softmax(float[] x, float[] y, int outer, int axis, int inner) {
        checkSizes("softmax", outer, axis, inner, "x", x, "y", y);
        Parallel.forChunks(0, outer * inner, (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int off = rowStart(row, axis, inner), end = off + axis * inner;
                float max = max(x, off, axis, inner);
                double sum = 0;
                for (int p = off; p < end; p += inner) {
                    float e = (float) Math.exp(x[p] - max);
                    y[p] = e;
                    sum += e;
                }
                double inv = 1.0 / sum;                     // sum ≥ 1: the maximum contributes 1
                for (int p = off; p < end; p += inner) y[p] = (float) (y[p] * inv);
            }
        });
    }

    /** y = x − max − log Σ_j exp(x_j − max) along the axis. x, y: (outer, axis, inner). */
    public static void logSoftmax(float[] x, float[] y, int outer, int axis, int inner) {
        checkSizes("logSoftmax", outer, axis, inner, "x", x, "y", y);
        Parallel.forChunks(0, outer * inner, (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int off = rowStart(row, axis, inner), end = off + axis * inner;
                double lse = logSumExp(x, off, axis, inner);
                for (int p = off; p < end; p += inner) y[p] = (float) (x[p] - lse);
            }
        });
    }

    /** dx = y·(dy − Σ_j dy_j·y_j), with y the softmax output. All (outer, axis, inner). */
    public static void softmaxBackward(float[] dy, float[] y, float[] dx, int outer, int axis,
                                       int inner) {
        checkSizes("softmaxBackward", outer, axis, inner, "dy", dy, "y", y);
        ArraySizes.require("softmax.softmaxBackward", "dx", dx, (long) outer * axis * inner);
        Parallel.forChunks(0, outer * inner, (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int off = rowStart(row, axis, inner), end = off + axis * inner;
                double dot = 0;
                for (int p = off; p < end; p += inner) dot += (double) dy[p] * y[p];
                for (int p = off; p < end; p += inner) dx[p] = (float) (y[p] * (dy[p] - dot));
            }
        });
    }

    /** dx = dy − exp(y)·Σ_j dy_j, with y the log-softmax output. All (outer, axis, inner). */
    public static void logSoftmaxBackward(float[] dy, float[] y, float[] dx, int outer, int axis,
                                          int inner) {
        checkSizes("logSoftmaxBackward", outer, axis, inner, "dy", dy, "y", y);
        ArraySizes.require("softmax.logSoftmaxBackward", "dx", dx, (long) outer * axis * inner);
        Parallel.forChunks(0, outer * inner, (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int off = rowStart(row, axis, inner), end = off + axis * inner;
                double sum = 0;
                for (int p = off; p < end; p += inner) sum += dy[p];
                for (int p = off; p < end; p += inner) {
                    dx[p] = (float) (dy[p] - Math.exp(y[p]) * sum);
                }
            }
        });
    }

    /** max_j x[off + j·stride] for j < len; NaN if any element is NaN (so it propagates). */
    static float max(float[] x, int off, int len, int stride) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0, p = off; j < len; j++, p += stride) {
            float v = x[p];
            if (v > max || Float.isNaN(v)) max = v;
        }
        return max;
    }

    /**
     * log Σ_j exp(x[off + j·stride]) for j < len, computed as max + log Σ exp(x − max) in double.
     * A row of all −∞ gives −∞ (PyTorch gives the same, and NaN probabilities after it).
     */
    static double logSumExp(float[] x, int off, int len, int stride) {
        float max = max(x, off, len, stride);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (int j = 0, p = off; j < len; j++, p += stride) sum += Math.exp(x[p] - max);
        return max + Math.log(sum);
    }

    private static int rowStart(int row, int axis, int inner) {
        return (row / inner) * axis * inner + row % inner;       // row = o·inner + i
    }

    private static void checkSizes(String op, int outer, int axis, int inner,
                                   String aName, float[] a, String bName, float[] b) {
        ArraySizes.positive("softmax." + op, outer, axis, inner);
        long size = (long) outer * axis * inner;
        ArraySizes.require("softmax." + op, aName, a, size);
        ArraySizes.require("softmax." + op, bName, b, size);
    }
}
