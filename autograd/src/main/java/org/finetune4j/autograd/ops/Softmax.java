package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;

/**
 * Softmax and log-softmax over one axis.
 *   softmax:     dx = y·(dy − Σ dy·y)
 *   log-softmax: dx = dy − exp(y)·Σ dy
 * The fused backward kernel runs when no graph is recorded; otherwise the same formula is written
 * with Variable ops in terms of the output y, so it can be differentiated again.
 */
public final class Softmax extends Function {
    private final int axis;
    private final boolean log;

    private Softmax(int axis, boolean log) {
        this.axis = axis;
        this.log = log;
    }

    public static Variable softmax(int axis, Variable x) {
        return new Softmax(x.shape().axis(axis), false).apply(x);
    }

    public static Variable logSoftmax(int axis, Variable x) {
        return new Softmax(x.shape().axis(axis), true).apply(x);
    }

    @Override
    public String name() {
        return log ? "LogSoftmax" : "Softmax";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return log ? in[0].backend().logSoftmax(in[0], axis) : in[0].backend().softmax(in[0], axis);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable y = output();
        if (!GradMode.isEnabled()) {
            Tensor d = log ? y.value().backend().logSoftmaxBackward(dy.value(), y.value(), axis)
                    : y.value().backend().softmaxBackward(dy.value(), y.value(), axis);
            return grads(Variable.constant(d));
        }
        if (log) return grads(dy.sub(y.exp().mul(dy.sum(true, axis))));
        return grads(y.mul(dy.sub(dy.mul(y).sum(true, axis))));
    }
}
