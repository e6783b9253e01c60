package org.finetune4j.tensor.cpu;

/**
 * CPU twin of weighted_feature_distance.cu: the channel-weighted feature-map distance of DELTA
 * and L2T-ww. s, t: (n, c, hw); weights w: (n, c) when perSample, else (c) shared by all samples.
 *   out[i] = Σ_c w[i, c] · (1/hw) · Σ_p (s[i, c, p] − t[i, c, p])²
 * Fused: the difference map s − t is never materialised. Sums are taken in double in a fixed
 * order; a GPU twin that accumulates in float needs a parity tolerance for that.
 * Outputs are overwritten. Forward is parallel over samples, backward over channels.
 */
public final class CpuWeightedFeatureDistance {
    private CpuWeightedFeatureDistance() {}

    /** out[i] = Σ_c w[i, c] · mean_p (s − t)². out: (n). */
    public static void forward(float[] s, float[] t, float[] weights, boolean perSample,
                               float[] out, int n, int c, int hw) {
        check("forward", s, t, weights, perSample, n, c, hw);
        ArraySizes.require("weightedFeatureDistance.forward", "out", out, n);
        Parallel.forRange(0, n, i -> {
            double total = 0;
            for (int ch = 0; ch < c; ch++) {
                double w = weights[perSample ? i * c + ch : ch];
                total += w * sumSquaredDiff(s, t, (i * c + ch) * hw, hw);
            }
            out[i] = (float) (total / hw);
        });
    }

    /**
     * ds = dOut[i]·w[i, c]·(2/hw)·(s − t);  dt = −ds;
     * dWeights[i, c] = dOut[i]·(1/hw)·Σ_p (s − t)², summed over i into dWeights[c] when !perSample.
     * dOut: (n); ds, dt: (n, c, hw); dWeights: shaped like weights. Any of ds, dt, dWeights
     * may be null and is then skipped.
     */
    public static void backward(float[] dOut, float[] s, float[] t, float[] weights,
                                boolean perSample, float[] ds, float[] dt, float[] dWeights,
                                int n, int c, int hw) {
        check("backward", s, t, weights, perSample, n, c, hw);
        String kernel = "weightedFeatureDistance.backward";
        long size = (long) n * c * hw;
        ArraySizes.require(kernel, "dOut", dOut, n);
        ArraySizes.optional(kernel, "ds", ds, size);
        ArraySizes.optional(kernel, "dt", dt, size);
        ArraySizes.optional(kernel, "dWeights", dWeights, perSample ? (long) n * c : c);
        // Over channels, so the shared-weight gradient is summed over i by one thread in order.
        Parallel.forRange(0, c, ch -> {
            double dwShared = 0;
            for (int i = 0; i < n; i++) {
                int off = (i * c + ch) * hw;
                double w = weights[perSample ? i * c + ch : ch];
                float scale = (float) (dOut[i] * w * 2 / hw);
                if (ds != null) {
                    for (int p = off; p < off + hw; p++) ds[p] = scale * (s[p] - t[p]);
                }
                if (dt != null) {                                // exactly −ds: negation is exact
                    for (int p = off; p < off + hw; p++) dt[p] = -scale * (s[p] - t[p]);
                }
                if (dWeights != null) {
                    double dw = dOut[i] * sumSquaredDiff(s, t, off, hw) / hw;
                    if (perSample) {
                        dWeights[i * c + ch] = (float) dw;
                    } else {
                        dwShared += dw;
                    }
                }
            }
            if (dWeights != null && !perSample) dWeights[ch] = (float) dwShared;
        });
    }

    /** Σ_p (s[p] − t[p])² over [off, off + len), in double, in order. */
    private static double sumSquaredDiff(float[] s, float[] t, int off, int len) {
        double sum = 0;
        for (int p = off; p < off + len; p++) {          // plain loop: see CpuBatchNorm2d
            double d = (double) s[p] - t[p];
            sum += d * d;
        }
        return sum;
    }

    private static void check(String op, float[] s, float[] t, float[] weights, boolean perSample,
                              int n, int c, int hw) {
        String kernel = "weightedFeatureDistance." + op;
        ArraySizes.positive(kernel, n, c, hw);
        ArraySizes.require(kernel, "s", s, (long) n * c * hw);
        ArraySizes.require(kernel, "t", t, (long) n * c * hw);
        ArraySizes.require(kernel, "weights", weights, perSample ? (long) n * c : c);
    }
}
