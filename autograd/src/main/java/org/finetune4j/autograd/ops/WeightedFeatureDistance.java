package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;

/**
 * Weighted feature-map distance (DELTA's behavioural regulariser, L2T-ww's matching loss):
 *   d_i = Σ_c w_ic · (1/HW) · Σ_hw (s_ichw − t_ichw)²,    s, t (n, c, h, w); w (n, c) or (c)
 *   ds = dd_i·w_ic·(2/HW)·(s − t),  dt = −ds,  dw_ic = dd_i·(1/HW)·Σ_hw (s − t)²  (summed over i for (c))
 * The fused kernel never materialises s − t; with a graph to record the op is rebuilt from
 * primitives. Kernels: CpuWeightedFeatureDistance / weighted_feature_distance.cu.
 */
public final class WeightedFeatureDistance extends Function {
    private WeightedFeatureDistance() {}

    public static Variable apply(Variable s, Variable t, Variable w) {
        // An array: three Variables would resolve to this static method (endless recursion).
        return new WeightedFeatureDistance().apply(new Variable[] {s, t, w});
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].backend().weightedFeatureDistanceForward(in[0], in[1], in[2]);
    }

    @Override
    protected Variable[] backward(Variable dd) {
        Variable s = input(0);
        Variable t = input(1);
        Variable w = input(2);
        if (!GradMode.isEnabled()) {
            Tensor[] g = s.value().backend().weightedFeatureDistanceBackward(dd.value(), s.value(), t.value(),
                    w.value(), needsGrad(0), needsGrad(1), needsGrad(2));
            return grads(constant(g[0]), constant(g[1]), constant(g[2]));
        }
        return Composed.grads(in -> {
            Variable perChannel = in[0].sub(in[1]).square().mean(false, 2, 3);   // (n, c)
            return perChannel.mul(in[2]).sum(false, 1);                   // (n); w broadcasts from (c)
        }, dd, s, t, w);
    }

    private static Variable constant(Tensor t) {
        return t == null ? null : Variable.constant(t);
    }
}
