package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ScalarOp;

/**
 * y = a ∘ b with NumPy broadcasting, and where(mask, a, b). Each gradient is summed back to its
 * operand's shape (undo broadcasting). Comparisons give constant masks (no gradient).
 */
public final class Binary extends Function {
    private final BinaryOp op;

    private Binary(BinaryOp op) {
        this.op = op;
    }

    public static Variable apply(BinaryOp op, Variable a, Variable b) {
        if (op.isComparison()) return Variable.constant(a.value().apply(op, b.value()));
        return new Binary(op).apply(a, b);
    }

    public static Variable where(Tensor mask, Variable a, Variable b) {
        return new Where(mask).apply(a, b);
    }

    @Override
    public String name() {
        return "Binary(" + op + ")";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].apply(op, in[1]);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable a = input(0);
        Variable b = input(1);
        Variable da = null;
        Variable db = null;
        switch (op) {
            case ADD -> {
                da = dy;
                db = dy;
            }
            case SUB -> {
                da = dy;
                db = needsGrad(1) ? dy.neg() : null;
            }
            case MUL -> {
                da = needsGrad(0) ? dy.mul(b) : null;
                db = needsGrad(1) ? dy.mul(a) : null;
            }
            case DIV -> {                                            // d(a/b) = da/b − a·db/b²
                da = needsGrad(0) ? dy.div(b) : null;
                db = needsGrad(1) ? dy.mul(a).div(b.square()).neg() : null;
            }
            case MAX, MIN -> {                                       // ties split the gradient, as PyTorch
                Tensor av = a.value();
                Tensor bv = b.value();
                Tensor wins = av.apply(op == BinaryOp.MAX ? BinaryOp.GT : BinaryOp.LT, bv);
                Tensor ties = av.apply(BinaryOp.EQ, bv).mul(0.5f);
                Tensor share = wins.add(ties);
                da = needsGrad(0) ? dy.mul(Variable.constant(share)) : null;
                db = needsGrad(1) ? dy.mul(Variable.constant(share.apply(ScalarOp.RSUB, 1f))) : null;
            }
            default -> throw new AssertionError(op);
        }
        return grads(reduceTo(da, a.shape()), reduceTo(db, b.shape()));
    }

    static Variable reduceTo(Variable g, Shape s) {
        return g == null || g.shape().equals(s) ? g : g.sumToShape(s);
    }

    /** mask ≠ 0 ? a : b. */
    private static final class Where extends Function {
        private Tensor mask;

        Where(Tensor mask) {
            this.mask = mask;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().where(mask, in[0], in[1]);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            Variable zero = Variable.constant(dy.value().zerosLike());
            Variable da = needsGrad(0) ? dy.where(mask, zero) : null;
            Variable db = needsGrad(1) ? zero.where(mask, dy) : null;
            return grads(reduceTo(da, rawInput(0).shape()), reduceTo(db, rawInput(1).shape()));
        }

        @Override
        protected void releaseSaved() {
            mask = null;
        }
    }
}
