package org.finetune4j.tensor.cpu;

/**
 * CPU twin of optimizer.cu: one pass of SGD or Adam/AdamW over a parameter array, PyTorch 1.13
 * semantics as nn/optim Sgd, Adam and AdamW (torch.optim.SGD, Adam, AdamW). p, g and every state
 * array: (n). Float32 per operation in PyTorch's order; the scalar factors (1 − τ, 1 − β, bias
 * corrections, 1 − γλ) in double from the float arguments, rounded once. Sequential, so
 * deterministic. The hyper-parameters are floats, as the kernel's, so a double β that is not a
 * float (0.9) gives factors that may differ by 1 ulp from nn/optim's, which round from double.
 */
public final class CpuOptimizerUpdates {
    private CpuOptimizerUpdates() {}

    /**
     * g ← ∇ + λw;  μ ≠ 0: b ← g when firstStep, else μ·b + (1 − τ)·g;  g ← g + μ·b (nesterov)
     * or b;  w ← w − γ·g. buf (n) may be null when momentum is 0.
     */
    public static void sgdUpdate(float[] p, float[] g, float[] buf, int n, float lr,
                                 float momentum, float dampening, float weightDecay,
                                 boolean nesterov, boolean firstStep) {
        String kernel = "optimizer.sgdUpdate";
        ArraySizes.require(kernel, "p", p, n);
        ArraySizes.require(kernel, "g", g, n);
        if (momentum != 0f) ArraySizes.require(kernel, "buf", buf, n);
        float oneMinusTau = (float) (1.0 - dampening);
        for (int i = 0; i < n; i++) {
            float wi = p[i];
            float gi = g[i] + weightDecay * wi;
            if (momentum != 0f) {
                float b = firstStep ? gi : momentum * buf[i] + oneMinusTau * gi;
                buf[i] = b;
                gi = nesterov ? gi + momentum * b : b;
            }
            p[i] = wi - lr * gi;
        }
    }

    /**
     * Adam (decoupled false): g ← ∇ + λw. AdamW (decoupled true): w ← (1 − γλ)·w instead.
     * m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  amsgrad: v̂ ← max(v̂, v) replaces v below;
     * w ← w − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).  step = t ≥ 1; vMax may be null unless
     * amsgrad.
     */
    public static void adamUpdate(float[] p, float[] g, float[] m, float[] v, float[] vMax, int n,
                                  float lr, float beta1, float beta2, float eps,
                                  float weightDecay, int step, boolean amsgrad,
                                  boolean decoupled) {
        String kernel = "optimizer.adamUpdate";
        ArraySizes.require(kernel, "p", p, n);
        ArraySizes.require(kernel, "g", g, n);
        ArraySizes.require(kernel, "m", m, n);
        ArraySizes.require(kernel, "v", v, n);
        if (amsgrad) ArraySizes.require(kernel, "vMax", vMax, n);
        if (step < 1) {
            throw new IllegalArgumentException(kernel + ": step must be >= 1, got " + step);
        }
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float oneMinusBeta1 = (float) (1.0 - beta1);
        float oneMinusBeta2 = (float) (1.0 - beta2);
        float l2 = decoupled ? 0f : weightDecay;
        float decay = decoupled ? (float) (1.0 - (double) lr * weightDecay) : 1f;
        for (int i = 0; i < n; i++) {
            float wi = p[i];
            float gi = g[i] + l2 * wi;
            float mi = beta1 * m[i] + oneMinusBeta1 * gi;
            float vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi);
            float vUse = vi;
            if (amsgrad) {
                vUse = Math.max(vMax[i], vi);                  // NaN-propagating, as torch.maximum
                vMax[i] = vUse;
            }
            float denom = (float) Math.sqrt(vUse) / bc2Sqrt + eps;
            m[i] = mi;
            v[i] = vi;
            p[i] = wi * decay - stepSize * (mi / denom);
        }
    }
}
