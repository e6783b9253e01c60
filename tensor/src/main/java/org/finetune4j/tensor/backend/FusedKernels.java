package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/**
 * The fused ops of our transfer methods; CPU twins in tensor.cpu, CUDA kernels in module kernels.
 * Parameter order matches the .cu entry points.
 */
public interface FusedKernels {
    /** soft = softmax((logits + noise)/tau) per row; out = soft, or its one-hot argmax when hard. */
    record GateResult(Tensor soft, Tensor out) {}

    /** logits and noise (…, k): rows are every leading index, k the choices. */
    GateResult gumbelSoftmaxGateForward(Tensor logits, Tensor noise, float tau, boolean hard);

    /** Straight-through: the gradient of the soft sample, in both modes. */
    Tensor gumbelSoftmaxGateBackward(Tensor dOut, Tensor soft, float tau);

    /** out[i] = Σ_c w[i,c]·mean_hw (s − t)²; s, t (n, c, h, w); weights (n, c) or (c). */
    Tensor weightedFeatureDistanceForward(Tensor s, Tensor t, Tensor weights);

    /** {ds, dt, dWeights}; entries not asked for are null. */
    Tensor[] weightedFeatureDistanceBackward(Tensor dOut, Tensor s, Tensor t, Tensor weights,
                                             boolean needS, boolean needT, boolean needWeights);

    /**
     * y = g·a + (1 − g)·b; a, b (n, c, h, w); g (n) or (n, 1, 1, 1): one gate per sample (SpotTune,
     * per block), or (n, c) or (n, c, 1, 1): one per sample and channel (AdaFilter, per filter).
     * Shapes are validated by GatedBlendShape.
     */
    Tensor gatedBlendForward(Tensor g, Tensor a, Tensor b);

    /**
     * {dg, da, db}: dg = Σ over each gate's elements dy·(a − b), shaped like g; da = g·dy;
     * db = (1 − g)·dy; entries not asked for are null.
     */
    Tensor[] gatedBlendBackward(Tensor dy, Tensor g, Tensor a, Tensor b, boolean needG,
                                boolean needA, boolean needB);
}
