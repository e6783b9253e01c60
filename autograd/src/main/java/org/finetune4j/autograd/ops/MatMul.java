package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;

/**
 * y = op(A)·op(B), rank 2 or batched rank 3; op transposes the last two axes when its flag is set.
 *   dA = dy·op(B)ᵀ            (stored transposed when transA: dA = op(B)·dyᵀ)
 *   dB = op(A)ᵀ·dy            (stored transposed when transB: dB = dyᵀ·op(A))
 * Each gradient is itself a MatMul, so the op differentiates any number of times.
 */
public final class MatMul extends Function {
    private final boolean transA;
    private final boolean transB;

    private MatMul(boolean transA, boolean transB) {
        this.transA = transA;
        this.transB = transB;
    }

    public static Variable apply(Variable a, Variable b, boolean transA, boolean transB) {
        return new MatMul(transA, transB).apply(a, b);
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].backend().matmul(in[0], in[1], transA, transB);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable a = input(0);
        Variable b = input(1);
        Variable da = null;
        Variable db = null;
        if (needsGrad(0)) {
            da = transA ? apply(b, dy, transB, true) : apply(dy, b, false, !transB);
        }
        if (needsGrad(1)) {
            db = transB ? apply(dy, a, true, transA) : apply(a, dy, !transA, false);
        }
        return grads(da, db);
    }
}
