package org.finetune4j.tensor.cpu;

/**
 * CPU twin of gated_blend_forward / gated_blend_backward in gumbel_softmax_gate.cu: the blend of
 * a fine-tuned path a and a frozen path b by a gate g, per sample (SpotTune, one gate per sample
 * and block) or per sample and channel (AdaFilter, one gate per filter). a, b, y: (n, c, hw);
 * g: (n) when !perChannel, else (n, c).
 *   y = g·a + (1 − g)·b;   da = g·dy;   db = (1 − g)·dy;
 *   dg = Σ over the gate's elements dy·(a − b)
 * Float arithmetic per element; dg summed in double in element order. Parallel over gates, each
 * gate by one thread: deterministic. Outputs are overwritten.
 */
public final class CpuGatedBlend {
    private CpuGatedBlend() {}

    /** y[i, ch, p] = g·a + (1 − g)·b with g = g[i] or g[i·c + ch]. */
    public static void forward(float[] g, float[] a, float[] b, float[] y, int n, int c, int hw,
                               boolean perChannel) {
        String kernel = "gatedBlend.forward";
        check(kernel, g, a, b, n, c, hw, perChannel);
        ArraySizes.require(kernel, "y", y, (long) n * c * hw);
        int len = perChannel ? hw : c * hw;                   // elements sharing one gate
        Parallel.forRange(0, gates(n, c, perChannel), q -> {
            float gv = g[q];
            float gc = 1f - gv;
            for (int e = q * len, end = e + len; e < end; e++) y[e] = gv * a[e] + gc * b[e];
        });
    }

    /**
     * da = g·dy, db = (1 − g)·dy, dg[q] = Σ_e dy·(a − b) over gate q's elements, in double, in
     * order. dy, da, db: (n, c, hw); dg shaped like g. Any of dg, da, db may be null (skipped).
     */
    public static void backward(float[] g, float[] a, float[] b, float[] dy, float[] dg,
                                float[] da, float[] db, int n, int c, int hw,
                                boolean perChannel) {
        String kernel = "gatedBlend.backward";
        check(kernel, g, a, b, n, c, hw, perChannel);
        long size = (long) n * c * hw;
        ArraySizes.require(kernel, "dy", dy, size);
        ArraySizes.optional(kernel, "dg", dg, gates(n, c, perChannel));
        ArraySizes.optional(kernel, "da", da, size);
        ArraySizes.optional(kernel, "db", db, size);
        int len = perChannel ? hw : c * hw;
        Parallel.forRange(0, gates(n, c, perChannel), q -> {
            float gv = g[q];
            float gc = 1f - gv;
            int off = q * len, end = off + len;
            if (da != null) {
                for (int e = off; e < end; e++) da[e] = gv * dy[e];
            }
            if (db != null) {
                for (int e = off; e < end; e++) db[e] = gc * dy[e];
            }
            if (dg != null) {
                double acc = 0;
                for (int e = off; e < end; e++) acc += (double) dy[e] * ((double) a[e] - b[e]);
                dg[q] = (float) acc;
            }
        });
    }

    private static int gates(int n, int c, boolean perChannel) {
        return perChannel ? n * c : n;
    }

    private static void check(String kernel, float[] g, float[] a, float[] b, int n, int c,
                              int hw, boolean perChannel) {
        ArraySizes.positive(kernel, n, c, hw);
        long size = (long) n * c * hw;
        ArraySizes.require(kernel, "g", g, gates(n, c, perChannel));
        ArraySizes.require(kernel, "a", a, size);
        ArraySizes.require(kernel, "b", b, size);
    }
}
