package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * Pointwise ops y = f(x) and y = x ∘ s. The derivative table is one exhaustive switch per family:
 * a new UnaryOp or ScalarOp without its derivative does not compile (the backend's fused
 * unaryBackward, used when no graph is recorded, mirrors the table below; tests compare them). Derivatives are written in
 * terms of x and y as Variables, so they can be differentiated again (double backward); masks of
 * piecewise ops are constants (their derivative is zero almost everywhere).
 */
public final class Unary extends Function {
    private final UnaryOp op;

    private Unary(UnaryOp op) {
        this.op = op;
    }

    public static Variable apply(UnaryOp op, Variable x) {
        return new Unary(op).apply(x);
    }

    public static Variable scalar(ScalarOp op, float s, Variable x) {
        return switch (op) {
            case GT, GE, LT, LE, EQ -> Variable.constant(x.value().apply(op, s));   // masks: no gradient
            default -> new Scalar(op, s).apply(x);
        };
    }

    public static Variable clamp(float lo, float hi, Variable x) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: lo " + lo + " > hi " + hi);
        return new Clamp(lo, hi).apply(x);
    }

    @Override
    public String name() {
        return "Unary(" + op + ")";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].map(op);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable x = input(0);
        Tensor xv = x.value();
        if (!GradMode.isEnabled()) {                                 // one fused pass, same formulas
            return grads(Variable.constant(xv.backend().unaryBackward(op, xv, output().value(), dy.value())));
        }
        Variable dx = switch (op) {                                  // dL/dx = dy · f'(x)
            case NEG -> dy.neg();
            case EXP -> dy.mul(output());                            // (eˣ)' = eˣ
            case LOG -> dy.div(x);                                   // (ln x)' = 1/x
            case SQRT -> dy.div(output()).mul(0.5f);                 // (√x)' = 1/(2√x)
            case ABS -> dy.mul(Variable.constant(xv.map(UnaryOp.SIGN)));   // sign(0) = 0, as PyTorch
            case SQUARE -> dy.mul(x).mul(2f);
            case RECIPROCAL -> dy.mul(output().square()).neg();     // (1/x)' = −1/x²
            case SIGN -> Variable.constant(xv.zerosLike());
            case RELU -> dy.mul(Variable.constant(xv.apply(ScalarOp.GT, 0f)));   // 0 at the kink, as PyTorch
            case RELU6 -> dy.mul(Variable.constant(
                    xv.apply(ScalarOp.GT, 0f).mul(xv.apply(ScalarOp.LT, 6f))));  // 0 at both kinks
            case SIGMOID -> dy.mul(output().mul(output().rsub(1f))); // σ(1 − σ)
            case TANH -> dy.mul(output().square().rsub(1f));         // 1 − tanh²
        };
        return grads(dx);
    }

    /** y = x ∘ s. */
    private static final class Scalar extends Function {
        private final ScalarOp op;
        private final float s;

        Scalar(ScalarOp op, float s) {
            this.op = op;
            this.s = s;
        }

        @Override
        public String name() {
            return "Scalar(" + op + " " + s + ")";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].apply(op, s);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            Variable x = input(0);
            Tensor xv = x.value();
            Variable dx = switch (op) {
                case ADD -> dy;
                case MUL -> dy.mul(s);
                case RSUB -> dy.neg();
                case POW -> s == 2f ? dy.mul(x).mul(2f) : dy.mul(x.pow(s - 1f)).mul(s);   // s·x^(s−1)
                case MAX -> dy.mul(Variable.constant(xv.apply(ScalarOp.GE, s)));          // clamp_min, as PyTorch
                case MIN -> dy.mul(Variable.constant(xv.apply(ScalarOp.LE, s)));
                case GT, GE, LT, LE, EQ -> throw new AssertionError("comparisons are not differentiated");
            };
            return grads(dx);
        }
    }

    /** y = min(max(x, lo), hi); gradient 1 on [lo, hi] as PyTorch's clamp. */
    private static final class Clamp extends Function {
        private final float lo;
        private final float hi;

        Clamp(float lo, float hi) {
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().clamp(in[0], lo, hi);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            Tensor x = input(0).value();
            Tensor inside = x.apply(ScalarOp.GE, lo).apply(BinaryOp.MUL, x.apply(ScalarOp.LE, hi));
            return grads(dy.mul(Variable.constant(inside)));
        }
    }
}
