package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;

/**
 * CPU twin of optimizer.cu and the CPU path of nn/optim Sgd, Adam and AdamW (through
 * CpuBackend): one pass over a parameter array, PyTorch 1.13 semantics (torch.optim.SGD, Adam,
 * AdamW), float32 per operation in PyTorch's order with the step's scalars as OptimizerKernels
 * derives them. Sequential, so deterministic. p, g and every state array: (n).
 */
public final class CpuOptimizerUpdates {
    private CpuOptimizerUpdates() {}

    /** OptimizerKernels.SgdStep's update; buf (n) may be null when momentum is 0. */
    public static void sgdUpdate(float[] p, float[] g, float[] buf, int n, SgdStep s) {
        String kernel = "optimizer.sgdUpdate";
        ArraySizes.require(kernel, "p", p, n);
        ArraySizes.require(kernel, "g", g, n);
        float mu = s.momentum(), oneMinusTau = s.oneMinusDampening(), lr = s.lr();
        float wd = s.weightDecay();
        boolean first = s.first(), nesterov = s.nesterov();
        if (mu == 0f) {
            for (int i = 0; i < n; i++) p[i] = p[i] - lr * (g[i] + wd * p[i]);
            return;
        }
        ArraySizes.require(kernel, "buf", buf, n);
        for (int i = 0; i < n; i++) {
            float wi = p[i];
            float gi = g[i] + wd * wi;
            float b = first ? gi : mu * buf[i] + oneMinusTau * gi;
            buf[i] = b;
            gi = nesterov ? gi + mu * b : b;
            p[i] = wi - lr * gi;                        // all loads before the stores: adam
        }
    }

    /** OptimizerKernels.AdamStep's update; vMax (n) is the amsgrad state, null without it. */
    public static void adamUpdate(float[] p, float[] g, float[] m, float[] v, float[] vMax, int n,
                                  AdamStep s) {
        String kernel = "optimizer.adamUpdate";
        ArraySizes.require(kernel, "p", p, n);
        ArraySizes.require(kernel, "g", g, n);
        ArraySizes.require(kernel, "m", m, n);
        ArraySizes.require(kernel, "v", v, n);
        if (vMax != null) {
            ArraySizes.require(kernel, "vMax", vMax, n);
            adamAmsgrad(p, g, m, v, vMax, n, s);
            return;
        }
        float beta1 = s.beta1(), oneMinusBeta1 = s.oneMinusBeta1();
        float beta2 = s.beta2(), oneMinusBeta2 = s.oneMinusBeta2();
        float l2 = s.l2(), decay = s.decay(), stepSize = s.stepSize(), bc2Sqrt = s.bc2Sqrt();
        float eps = s.eps();
        for (int i = 0; i < n; i++) {
            float wi = p[i];
            float gi = g[i] + l2 * wi;
            float mi = beta1 * m[i] + oneMinusBeta1 * gi;
            float vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi);
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            // All loads before the stores: interleaved, C2 must allow for the arrays aliasing and
            // stops vectorising (3.7 ms instead of 1.0 ms per step of 1M parameters).
            m[i] = mi;
            v[i] = vi;
            p[i] = wi * decay - stepSize * (mi / denom);
        }
    }

    /**
     * As adamUpdate, normalising by v̂ = max(v̂, v). A loop of its own: with an amsgrad branch
     * inside one loop, C2 stopped vectorising once both variants had run in a JVM (4.9 ms instead
     * of 0.85 ms per step of 1M parameters).
     */
    private static void adamAmsgrad(float[] p, float[] g, float[] m, float[] v, float[] vMax,
                                    int n, AdamStep s) {
        float beta1 = s.beta1(), oneMinusBeta1 = s.oneMinusBeta1();
        float beta2 = s.beta2(), oneMinusBeta2 = s.oneMinusBeta2();
        float l2 = s.l2(), decay = s.decay(), stepSize = s.stepSize(), bc2Sqrt = s.bc2Sqrt();
        float eps = s.eps();
        for (int i = 0; i < n; i++) {
            float wi = p[i];
            float gi = g[i] + l2 * wi;
            float mi = beta1 * m[i] + oneMinusBeta1 * gi;
            float vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi);
            float vHat = Math.max(vMax[i], vi);                 // NaN-propagating, as torch.maximum
            float denom = (float) Math.sqrt(vHat) / bc2Sqrt + eps;
            m[i] = mi;
            v[i] = vi;
            vMax[i] = vHat;
            p[i] = wi * decay - stepSize * (mi / denom);
        }
    }
}
