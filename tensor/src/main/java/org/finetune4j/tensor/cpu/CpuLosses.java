package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.FusedKernels.GateResult;
import org.finetune4j.tensor.backend.GatedBlendShape;

/** Tensor-level entry points (shape checks, allocation) for the loss kernels and the fused ops. */
final class CpuLosses {
    private CpuLosses() {}

    private static void logits(String op, Tensor logits) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException(op + ": logits must be (n, k), got " + logits.shape());
        }
    }

    private static void labels(Tensor logits, int[] labels) {
        logits("crossEntropy", logits);
        if (labels.length != logits.dim(0)) {
            throw new IllegalArgumentException("crossEntropy: " + labels.length + " labels for logits "
                    + logits.shape());
        }
    }

    private static void targets(Tensor logits, Tensor targets) {
        logits("crossEntropySoft", logits);
        if (!targets.shape().equals(logits.shape())) {
            throw new IllegalArgumentException("crossEntropySoft: targets " + targets.shape()
                    + " must match logits " + logits.shape());
        }
    }

    static Tensor crossEntropy(Tensor logits, int[] labels) {
        labels(logits, labels);
        Tensor loss = Tensor.zeros(logits.dim(0));
        CpuCrossEntropy.forward(logits.data(), labels, loss.data(), logits.dim(0), logits.dim(1));
        return loss;
    }

    static Tensor crossEntropyBackward(Tensor logits, int[] labels, Tensor dLoss) {
        labels(logits, labels);
        Tensor d = Tensor.zeros(logits.shape());
        CpuCrossEntropy.backward(logits.data(), labels, dLoss.data(), d.data(), logits.dim(0), logits.dim(1));
        return d;
    }

    static Tensor crossEntropySoft(Tensor logits, Tensor targets) {
        targets(logits, targets);
        Tensor loss = Tensor.zeros(logits.dim(0));
        CpuCrossEntropy.forwardSoft(logits.data(), targets.data(), loss.data(), logits.dim(0), logits.dim(1));
        return loss;
    }

    static Tensor crossEntropySoftBackward(Tensor logits, Tensor targets, Tensor dLoss) {
        targets(logits, targets);
        Tensor d = Tensor.zeros(logits.shape());
        CpuCrossEntropy.backwardSoft(logits.data(), targets.data(), dLoss.data(), d.data(),
                logits.dim(0), logits.dim(1));
        return d;
    }

    static GateResult gumbelSoftmaxGateForward(Tensor logits, Tensor noise, float tau, boolean hard) {
        if (!noise.shape().equals(logits.shape()) || logits.rank() < 1) {
            throw new IllegalArgumentException("gumbelSoftmaxGate: noise " + noise.shape()
                    + " must match logits " + logits.shape());
        }
        if (!(tau > 0f)) throw new IllegalArgumentException("gumbelSoftmaxGate: tau must be > 0, got " + tau);
        int k = logits.dim(-1);
        int rows = logits.size() / Math.max(1, k);
        Tensor soft = Tensor.zeros(logits.shape());
        Tensor out = hard ? Tensor.zeros(logits.shape()) : soft;
        CpuGumbelSoftmaxGate.forward(logits.data(), noise.data(), soft.data(), out.data(), rows, k, tau, hard);
        return new GateResult(soft, out);
    }

    static Tensor gumbelSoftmaxGateBackward(Tensor dOut, Tensor soft, float tau) {
        int k = soft.dim(-1);
        Tensor d = Tensor.zeros(soft.shape());
        CpuGumbelSoftmaxGate.backward(dOut.data(), soft.data(), d.data(), soft.size() / Math.max(1, k), k, tau);
        return d;
    }

    /** Validates s, t (n, c, h, w) and weights (n, c) or (c); returns whether weights are per sample. */
    private static boolean checkDistance(Tensor s, Tensor t, Tensor w) {
        if (s.rank() != 4 || !s.shape().equals(t.shape())) {
            throw new IllegalArgumentException("weightedFeatureDistance: maps must both be (n, c, h, w), got "
                    + s.shape() + " and " + t.shape());
        }
        if (w.shape().equals(Shape.of(s.dim(0), s.dim(1)))) return true;
        if (w.shape().equals(Shape.of(s.dim(1)))) return false;
        throw new IllegalArgumentException("weightedFeatureDistance: weights " + w.shape() + " must be ["
                + s.dim(0) + ", " + s.dim(1) + "] or [" + s.dim(1) + "] for maps " + s.shape());
    }

    static Tensor weightedFeatureDistanceForward(Tensor s, Tensor t, Tensor w) {
        boolean perSample = checkDistance(s, t, w);
        Tensor out = Tensor.zeros(s.dim(0));
        CpuWeightedFeatureDistance.forward(s.data(), t.data(), w.data(), perSample, out.data(),
                s.dim(0), s.dim(1), s.dim(2) * s.dim(3));
        return out;
    }

    static Tensor[] weightedFeatureDistanceBackward(Tensor dOut, Tensor s, Tensor t, Tensor w,
                                                    boolean needS, boolean needT, boolean needW) {
        boolean perSample = checkDistance(s, t, w);
        Tensor ds = needS ? Tensor.zeros(s.shape()) : null;
        Tensor dt = needT ? Tensor.zeros(t.shape()) : null;
        Tensor dw = needW ? Tensor.zeros(w.shape()) : null;
        CpuWeightedFeatureDistance.backward(dOut.data(), s.data(), t.data(), w.data(), perSample,
                ds == null ? null : ds.data(), dt == null ? null : dt.data(), dw == null ? null : dw.data(),
                s.dim(0), s.dim(1), s.dim(2) * s.dim(3));
        return new Tensor[] {ds, dt, dw};
    }

    static Tensor gatedBlendForward(Tensor g, Tensor a, Tensor b) {
        GatedBlendShape s = GatedBlendShape.of("gatedBlend", g, a, b);
        Tensor y = Tensor.zeros(a.shape());
        CpuGatedBlend.forward(g.data(), a.data(), b.data(), y.data(), s.n(), s.c(), s.hw(),
                s.perChannel());
        return y;
    }

    static Tensor[] gatedBlendBackward(Tensor dy, Tensor g, Tensor a, Tensor b, boolean needG,
                                       boolean needA, boolean needB) {
        GatedBlendShape s = GatedBlendShape.ofBackward("gatedBlendBackward", dy, g, a, b);
        Tensor dg = needG ? Tensor.zeros(g.shape()) : null;
        Tensor da = needA ? Tensor.zeros(a.shape()) : null;
        Tensor db = needB ? Tensor.zeros(b.shape()) : null;
        CpuGatedBlend.backward(g.data(), a.data(), b.data(), dy.data(),
                dg == null ? null : dg.data(), da == null ? null : da.data(),
                db == null ? null : db.data(), s.n(), s.c(), s.hw(), s.perChannel());
        return new Tensor[] {dg, da, db};
    }
}
