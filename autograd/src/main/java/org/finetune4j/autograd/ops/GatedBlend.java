package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;

/**
 * Gated blend of a fine-tuned path a and a frozen path b (SpotTune per block, AdaFilter per
 * filter):
 *   y = g·a + (1 − g)·b,   a, b (n, c, h, w);  g (n) or (n, 1, 1, 1) per sample, (n, c) or
 *   (n, c, 1, 1) per sample and channel
 *   da = g·dy,  db = (1 − g)·dy,  dg = Σ over the gate's elements dy·(a − b)
 * The fused kernel never materialises the broadcast gate or g·a; with a graph to record the op is
 * rebuilt from primitives. Kernels: CpuGatedBlend / gumbel_softmax_gate.cu.
 */
public final class GatedBlend extends Function {
    private GatedBlend() {}

    public static Variable apply(Variable g, Variable a, Variable b) {
        // An array: three Variables would resolve to this static method (endless recursion).
        return new GatedBlend().apply(new Variable[] {g, a, b});
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].backend().gatedBlendForward(in[0], in[1], in[2]);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable g = input(0);
        Variable a = input(1);
        Variable b = input(2);
        if (!GradMode.isEnabled()) {
            Tensor[] d = g.value().backend().gatedBlendBackward(dy.value(), g.value(), a.value(),
                    b.value(), needsGrad(0), needsGrad(1), needsGrad(2));
            return grads(constant(d[0]), constant(d[1]), constant(d[2]));
        }
        return Composed.grads(in -> {
            Variable gate = in[0].reshape(broadcastDims(in[0], in[1]));   // (n, 1|c, 1, 1)
            return gate.mul(in[1]).add(gate.rsub(1f).mul(in[2]));
        }, dy, g, a, b);
    }

    /** The gate as (n, 1, 1, 1) or (n, c, 1, 1), so it broadcasts over the paths. */
    private static int[] broadcastDims(Variable g, Variable a) {
        int n = a.dim(0);
        return new int[] {n, g.value().size() == n ? 1 : a.dim(1), 1, 1};
    }

    private static Variable constant(Tensor t) {
        return t == null ? null : Variable.constant(t);
    }
}
