package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ReduceOp;

/**
 * Reductions over axes. Backward broadcasts dy back over the reduced axes:
 * sum → dy, mean → dy / count, max/min → dy shared equally among the tied extremes (PyTorch's amax).
 */
public final class Reduce extends Function {
    private final ReduceOp op;
    private final boolean keepDims;
    private final int[] axes;

    private Reduce(ReduceOp op, boolean keepDims, int[] axes) {
        this.op = op;
        this.keepDims = keepDims;
        this.axes = axes.clone();
    }

    public static Variable apply(ReduceOp op, boolean keepDims, int[] axes, Variable x) {
        return new Reduce(op, keepDims, axes).apply(x);
    }

    @Override
    public String name() {
        return "Reduce(" + op + ")";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].reduce(op, keepDims, axes);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable x = input(0);
        Shape kept = keptShape(x.shape());
        Variable g = dy.reshape(kept.dims()).broadcastTo(x.shape());
        return grads(switch (op) {
            case SUM -> g;
            case MEAN -> g.mul((float) kept.size() / x.value().size());
            case MAX, MIN -> {
                Tensor extreme = output().value().reshape(kept).broadcastTo(x.shape());
                Tensor hits = x.value().apply(BinaryOp.EQ, extreme);                  // 1 at each tied extreme
                Tensor count = hits.reduce(ReduceOp.SUM, true, axes).broadcastTo(x.shape());
                yield g.mul(Variable.constant(hits.div(count)));
            }
        });
    }

    /** The output shape with the reduced axes kept as size 1. */
    private Shape keptShape(Shape in) {
        Shape s = in;
        for (int a : axes) s = s.with(a, 1);
        return s;
    }
}
