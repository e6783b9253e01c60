package org.finetune4j.tensor.cpu;

/**
 * CPU twin of gumbel_softmax_gate.cu: the Gumbel-softmax gate of SpotTune (one row per block)
 * and AdaFilter (one row per filter). logits, noise, soft, out: (rows, k), rows = N·G.
 *   soft = softmax((logits + noise)/τ) per row;  out = soft, or one-hot(argmax soft) when hard.
 * The Gumbel(0, 1) noise is an input, drawn by the caller, so CPU and GPU twins agree. The
 * backward is straight-through in both modes: the gradient of the soft sample. Sums in double,
 * parallel over rows, fixed order per row: deterministic. Outputs are overwritten.
 */
public final class CpuGumbelSoftmaxGate {
    private CpuGumbelSoftmaxGate() {}

    /**
     * soft[r] = softmax((logits[r] + noise[r])/tau), saved for backward. out[r] = soft[r], or,
     * when hard, the one-hot of the first maximum of soft[r]. out may be soft itself when !hard.
     */
    public static void forward(float[] logits, float[] noise, float[] soft, float[] out,
                               int rows, int k, float tau, boolean hard) {
        check("forward", rows, k, tau, "logits", logits, "soft", soft);
        long size = (long) rows * k;
        ArraySizes.require("gumbelSoftmaxGate.forward", "noise", noise, size);
        ArraySizes.require("gumbelSoftmaxGate.forward", "out", out, size);
        if (hard && out == soft) {
            throw new IllegalArgumentException("gumbelSoftmaxGate.forward: out must not be soft"
                    + " when hard (backward needs the soft sample)");
        }
        Parallel.forChunks(0, rows, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int off = r * k, end = off + k;
                float max = Float.NEGATIVE_INFINITY;
                for (int p = off; p < end; p++) max = Math.max(max, (logits[p] + noise[p]) / tau);
                double sum = 0;
                for (int p = off; p < end; p++) {
                    float e = (float) Math.exp((logits[p] + noise[p]) / tau - max);
                    soft[p] = e;
                    sum += e;
                }
                double inv = 1.0 / sum;
                for (int p = off; p < end; p++) soft[p] = (float) (soft[p] * inv);
                if (hard) {
                    oneHotOfArgmax(soft, out, off, k);
                } else if (out != soft) {
                    System.arraycopy(soft, off, out, off, k);
                }
            }
        });
    }

    /**
     * Straight-through gradient of the soft sample, the same for hard and soft forwards:
     *   dLogits = soft·(dOut − Σ_j dOut_j·soft_j)/τ.   dOut, soft, dLogits: (rows, k).
     */
    public static void backward(float[] dOut, float[] soft, float[] dLogits, int rows, int k,
                                float tau) {
        check("backward", rows, k, tau, "dOut", dOut, "soft", soft);
        ArraySizes.require("gumbelSoftmaxGate.backward", "dLogits", dLogits, (long) rows * k);
        Parallel.forChunks(0, rows, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int off = r * k, end = off + k;
                double dot = 0;
                for (int p = off; p < end; p++) dot += (double) dOut[p] * soft[p];
                for (int p = off; p < end; p++) {
                    dLogits[p] = (float) (soft[p] * (dOut[p] - dot) / tau);
                }
            }
        });
    }

    private static void oneHotOfArgmax(float[] soft, float[] out, int off, int k) {
        int best = off;
        for (int p = off + 1; p < off + k; p++) {
            if (soft[p] > soft[best]) best = p;                   // strict >: first max wins
        }
        for (int p = off; p < off + k; p++) out[p] = p == best ? 1f : 0f;
    }

    private static void check(String op, int rows, int k, float tau,
                              String aName, float[] a, String bName, float[] b) {
        String kernel = "gumbelSoftmaxGate." + op;
        ArraySizes.positive(kernel, rows, k);
        if (!(tau > 0f)) {
            throw new IllegalArgumentException(kernel + ": tau must be > 0, got " + tau);
        }
        ArraySizes.require(kernel, aName, a, (long) rows * k);
        ArraySizes.require(kernel, bName, b, (long) rows * k);
    }
}
