package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * The layout of a gated blend y = g·a + (1 − g)·b (FusedKernels.gatedBlendForward): a, b
 * (n, c, h, w) of one shape; g (n) or (n, 1, 1, 1) for one gate per sample (SpotTune, per block)
 * or (n, c) or (n, c, 1, 1) for one gate per sample and channel (AdaFilter, per filter). Every
 * backend validates through here, so shape errors read the same on each device.
 */
public record GatedBlendShape(int n, int c, int hw, boolean perChannel) {

    /** Validates g, a, b for op; messages name the op and all three shapes. */
    public static GatedBlendShape of(String op, Tensor g, Tensor a, Tensor b) {
        if (a.rank() != 4 || !a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": paths a " + a.shape() + " and b " + b.shape()
                    + " must both be (n, c, h, w) of one shape");
        }
        int n = a.dim(0);
        int c = a.dim(1);
        int hw = a.dim(2) * a.dim(3);
        Shape gs = g.shape();
        // Per sample is tested first: with c == 1 both layouts are the same blend anyway.
        if (gs.equals(Shape.of(n)) || gs.equals(Shape.of(n, 1, 1, 1))) {
            return new GatedBlendShape(n, c, hw, false);
        }
        if (gs.equals(Shape.of(n, c)) || gs.equals(Shape.of(n, c, 1, 1))) {
            return new GatedBlendShape(n, c, hw, true);
        }
        throw new IllegalArgumentException(op + ": gate " + gs + " must be [" + n + "] or [" + n
                + ", 1, 1, 1] (per sample) or [" + n + ", " + c + "] or [" + n + ", " + c
                + ", 1, 1] (per channel) for paths " + a.shape());
    }

    /** Backward also needs dy shaped like the paths. */
    public static GatedBlendShape ofBackward(String op, Tensor dy, Tensor g, Tensor a, Tensor b) {
        GatedBlendShape s = of(op, g, a, b);
        if (!dy.shape().equals(a.shape())) {
            throw new IllegalArgumentException(op + ": dy " + dy.shape() + " must match paths "
                    + a.shape());
        }
        return s;
    }
}
