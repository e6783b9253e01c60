package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/**
 * One fused in-place optimizer step over a parameter tensor: nn/optim's Sgd, Adam and AdamW
 * (PyTorch 1.13 semantics) call these on the parameter's backend, so a step is one pass over the
 * arrays on the CPU and one kernel on CUDA. The scalars come already derived and rounded to
 * float ({@link SgdStep}, {@link AdamStep#of}), so every backend computes with the same factors
 * and a device step can equal the CPU's bit for bit. Every tensor holds p's number of values and
 * lives on p's device; each one written has its version bumped.
 */
public interface OptimizerKernels {
    /**
     * g ← ∇ + λw;  μ ≠ 0: b ← g on the first step, else μ·b + (1 − τ)·g;  g ← g + μ·b (Nesterov)
     * or b;  w ← w − γ·g. oneMinusDampening is 1 − τ rounded once from double, as torch does.
     */
    record SgdStep(float lr, float momentum, float oneMinusDampening, float weightDecay,
                   boolean nesterov, boolean first) {}

    /**
     * Adam's per-step scalars: w ← w·decay − stepSize · m / (√v / bc2Sqrt + eps) after
     * g ← ∇ + l2·w, m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g² (v̂ = max(v̂, v) in its place with
     * amsgrad). Adam: l2 = λ, decay = 1; AdamW: l2 = 0, decay = 1 − γλ.
     */
    record AdamStep(float stepSize, float bc2Sqrt, float beta1, float oneMinusBeta1, float beta2,
                    float oneMinusBeta2, float eps, float l2, float decay) {

        /** The scalars of step t ≥ 1, from the double hyper-parameters, each rounded once. */
        public static AdamStep of(double lr, double beta1, double beta2, double eps,
                                  double weightDecay, long t, boolean decoupled) {
            if (t < 1) throw new IllegalArgumentException("Adam step must be >= 1, got " + t);
            double stepSize = lr / (1 - Math.pow(beta1, t));
            double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            return new AdamStep((float) stepSize, (float) bc2Sqrt, (float) beta1,
                    (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) eps,
                    decoupled ? 0f : (float) weightDecay,
                    decoupled ? (float) (1 - lr * weightDecay) : 1f);
        }
    }

    /** buf may be null when momentum is 0. */
    void sgdUpdate(Tensor p, Tensor grad, Tensor buf, SgdStep step);

    /** vMax is the amsgrad state, null without amsgrad. */
    void adamUpdate(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor vMax, AdamStep step);
}
