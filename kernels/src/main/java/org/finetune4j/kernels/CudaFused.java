package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelLaunch;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.FusedKernels;
import org.finetune4j.tensor.backend.GatedBlendShape;

/**
 * FusedKernels on gumbel_softmax_gate.cu (the gate: one warp per gate row, 4 rows per 128-thread
 * block; the gated blend: grid-stride forward, one block per gate entry backward) and
 * weighted_feature_distance.cu (one block per (i, c) plane into a scratch of n*c doubles, then
 * one thread per sample). Twins: CpuGumbelSoftmaxGate, CpuGatedBlend, CpuWeightedFeatureDistance;
 * shape checks and messages as CpuLosses (the blend's through GatedBlendShape).
 */
final class CudaFused implements FusedKernels {
    private static final int GATE_BLOCK = 128;                 // 4 warps = 4 rows per block
    private static final int GATE_ROWS_PER_BLOCK = GATE_BLOCK / 32;
    private static final int MAX_GATE_GRID = 1 << 20;          // the kernels loop past the grid
    private final CudaContext ctx;

    CudaFused(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public GateResult gumbelSoftmaxGateForward(Tensor logits, Tensor noise, float tau,
                                               boolean hard) {
        if (!noise.shape().equals(logits.shape()) || logits.rank() < 1) {
            throw new IllegalArgumentException("gumbelSoftmaxGate: noise " + noise.shape()
                    + " must match logits " + logits.shape());
        }
        if (!(tau > 0f)) {
            throw new IllegalArgumentException("gumbelSoftmaxGate: tau must be > 0, got " + tau);
        }
        int k = logits.dim(-1);
        int rows = logits.size() / Math.max(1, k);
        Launches.positive("gumbelSoftmaxGate.forward", rows, k);
        String op = "gumbelSoftmaxGateForward";
        Tensor soft = CudaTensors.empty(ctx, logits.shape());
        Tensor out = hard ? CudaTensors.empty(ctx, logits.shape()) : soft;  // kernel allows alias
        gateLaunch(KernelSymbols.GUMBEL_SOFTMAX_GATE_FORWARD, rows, ptr(ctx, logits, op, "logits"),
                ptr(ctx, noise, op, "noise"), ptr(ctx, soft, op, "soft"), ptr(ctx, out, op, "out"),
                rows, k, tau, hard ? 1 : 0);
        return new GateResult(soft, out);
    }

    @Override
    public Tensor gumbelSoftmaxGateBackward(Tensor dOut, Tensor soft, float tau) {
        Launches.sameShape("gumbelSoftmaxGateBackward", dOut, soft);
        if (!(tau > 0f)) {
            throw new IllegalArgumentException("gumbelSoftmaxGate.backward: tau must be > 0, got "
                    + tau);
        }
        int k = soft.dim(-1);
        int rows = soft.size() / Math.max(1, k);
        Launches.positive("gumbelSoftmaxGate.backward", rows, k);
        String op = "gumbelSoftmaxGateBackward";
        Tensor d = CudaTensors.empty(ctx, soft.shape());
        gateLaunch(KernelSymbols.GUMBEL_SOFTMAX_GATE_BACKWARD, rows, ptr(ctx, dOut, op, "dOut"),
                ptr(ctx, soft, op, "soft"), ptr(ctx, d, op, "dLogits"), rows, k, tau);
        return d;
    }

    private void gateLaunch(String symbol, int rows, Object... args) {
        int grid = (int) Math.min((rows + GATE_ROWS_PER_BLOCK - 1L) / GATE_ROWS_PER_BLOCK,
                MAX_GATE_GRID);
        KernelLaunch.launch(ctx, PtxModule.GUMBEL_SOFTMAX_GATE, symbol, grid, GATE_BLOCK, 0, args);
    }

    @Override
    public Tensor gatedBlendForward(Tensor g, Tensor a, Tensor b) {
        String op = "gatedBlend";
        GatedBlendShape s = GatedBlendShape.of(op, g, a, b);
        Launches.positive("gatedBlend.forward", s.n(), s.c(), s.hw());
        Tensor y = CudaTensors.empty(ctx, a.shape());
        Launches.elementwise(ctx, PtxModule.GUMBEL_SOFTMAX_GATE, KernelSymbols.GATED_BLEND_FORWARD,
                a.size(), ptr(ctx, g, op, "g"), ptr(ctx, a, op, "a"), ptr(ctx, b, op, "b"),
                ptr(ctx, y, op, "y"), s.n(), s.c(), s.hw(), s.perChannel() ? 1 : 0);
        return y;
    }

    @Override
    public Tensor[] gatedBlendBackward(Tensor dy, Tensor g, Tensor a, Tensor b, boolean needG,
                                       boolean needA, boolean needB) {
        String op = "gatedBlendBackward";
        GatedBlendShape s = GatedBlendShape.ofBackward(op, dy, g, a, b);
        Launches.positive("gatedBlend.backward", s.n(), s.c(), s.hw());
        Tensor dg = needG ? CudaTensors.empty(ctx, g.shape()) : null;
        Tensor da = needA ? CudaTensors.empty(ctx, a.shape()) : null;
        Tensor db = needB ? CudaTensors.empty(ctx, b.shape()) : null;
        if (!needG && !needA && !needB) return new Tensor[] {null, null, null};
        // One 256-thread block per gate entry (its dg is a fixed block tree in double).
        Launches.rows(ctx, PtxModule.GUMBEL_SOFTMAX_GATE, KernelSymbols.GATED_BLEND_BACKWARD,
                g.size(), ptr(ctx, g, op, "g"), ptr(ctx, a, op, "a"), ptr(ctx, b, op, "b"),
                ptr(ctx, dy, op, "dy"), dg == null ? Launches.none() : ptr(ctx, dg, op, "dg"),
                da == null ? Launches.none() : ptr(ctx, da, op, "da"),
                db == null ? Launches.none() : ptr(ctx, db, op, "db"), s.n(), s.c(), s.hw(),
                s.perChannel() ? 1 : 0);
        return new Tensor[] {dg, da, db};
    }

    @Override
    public Tensor weightedFeatureDistanceForward(Tensor s, Tensor t, Tensor weights) {
        boolean perSample = checkDistance("forward", s, t, weights);
        int n = s.dim(0);
        int c = s.dim(1);
        int hw = s.dim(2) * s.dim(3);
        String op = "weightedFeatureDistanceForward";
        Tensor out = CudaTensors.empty(ctx, Shape.of(n));
        CudaStorage partial = partial(op, s, t, n, c, hw);
        Launches.elementwise(ctx, PtxModule.WEIGHTED_FEATURE_DISTANCE, KernelSymbols.WFD_COMBINE,
                n, partial, ptr(ctx, weights, op, "weights"), perSample ? 1 : 0,
                ptr(ctx, out, op, "out"), n, c, hw);
        partial.free();
        return out;
    }

    @Override
    public Tensor[] weightedFeatureDistanceBackward(Tensor dOut, Tensor s, Tensor t,
                                                    Tensor weights, boolean needS,
                                                    boolean needT, boolean needWeights) {
        boolean perSample = checkDistance("backward", s, t, weights);
        int n = s.dim(0);
        int c = s.dim(1);
        int hw = s.dim(2) * s.dim(3);
        String op = "weightedFeatureDistanceBackward";
        if (dOut.size() != n) {
            throw new IllegalArgumentException(op + ": dOut " + dOut.shape()
                    + " must hold one value per sample of " + s.shape());
        }
        Tensor ds = needS ? CudaTensors.empty(ctx, s.shape()) : null;
        Tensor dt = needT ? CudaTensors.empty(ctx, t.shape()) : null;
        Tensor dw = needWeights ? CudaTensors.empty(ctx, weights.shape()) : null;
        if (needS || needT) {
            Launches.elementwise(ctx, PtxModule.WEIGHTED_FEATURE_DISTANCE,
                    KernelSymbols.WFD_BACKWARD, s.size(), ptr(ctx, dOut, op, "dOut"),
                    ptr(ctx, s, op, "s"), ptr(ctx, t, op, "t"), ptr(ctx, weights, op, "weights"),
                    perSample ? 1 : 0, ds == null ? Launches.none() : ptr(ctx, ds, op, "ds"),
                    dt == null ? Launches.none() : ptr(ctx, dt, op, "dt"), n, c, hw,
                    needS ? 1 : 0, needT ? 1 : 0);
        }
        if (needWeights) {
            CudaStorage partial = partial(op, s, t, n, c, hw);
            Launches.elementwise(ctx, PtxModule.WEIGHTED_FEATURE_DISTANCE,
                    KernelSymbols.WFD_WEIGHT_GRAD, perSample ? (long) n * c : c, partial,
                    ptr(ctx, dOut, op, "dOut"), perSample ? 1 : 0, ptr(ctx, dw, op, "dw"), n, c,
                    hw);
            partial.free();
        }
        return new Tensor[] {ds, dt, dw};
    }

    /** partial[i*c + ch] = sum_p (s - t)^2 in double: n*c doubles held as 2*n*c floats. */
    private CudaStorage partial(String op, Tensor s, Tensor t, int n, int c, int hw) {
        CudaStorage partial = CudaStorage.allocate(ctx, Math.multiplyExact(2, n * c));
        Launches.rows(ctx, PtxModule.WEIGHTED_FEATURE_DISTANCE, KernelSymbols.WFD_PARTIAL,
                (long) n * c, ptr(ctx, s, op, "s"), ptr(ctx, t, op, "t"), partial, n, c, hw);
        return partial;
    }

    /** CpuLosses.checkDistance plus the twin's positive sizes; true when weights are (n, c). */
    private static boolean checkDistance(String kernel, Tensor s, Tensor t, Tensor w) {
        if (s.rank() != 4 || !s.shape().equals(t.shape())) {
            throw new IllegalArgumentException("weightedFeatureDistance: maps must both be"
                    + " (n, c, h, w), got " + s.shape() + " and " + t.shape());
        }
        boolean perSample;
        if (w.shape().equals(Shape.of(s.dim(0), s.dim(1)))) {
            perSample = true;
        } else if (w.shape().equals(Shape.of(s.dim(1)))) {
            perSample = false;
        } else {
            throw new IllegalArgumentException("weightedFeatureDistance: weights " + w.shape()
                    + " must be [" + s.dim(0) + ", " + s.dim(1) + "] or [" + s.dim(1)
                    + "] for maps " + s.shape());
        }
        Launches.positive("weightedFeatureDistance." + kernel, s.dim(0), s.dim(1),
                s.dim(2) * s.dim(3));
        return perSample;
    }
}
