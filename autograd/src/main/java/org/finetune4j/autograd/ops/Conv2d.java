package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * 2-D convolution (cross-correlation, PyTorch's F.conv2d) and its two adjoints, which close
 * under differentiation:
 *   y  = conv(x, w) + b
 *   dx = convT(dy, w)          = BackwardInput(dy, w)
 *   dw = Σ_n dy ⋆ x            = BackwardWeight(x, dy)
 *   db = Σ_{n,h,w} dy
 * BackwardInput and BackwardWeight are bilinear; their own gradients are again conv, convT and
 * dw-style products, so conv2d supports any order of differentiation (L2T-ww needs the second).
 */
public final class Conv2d extends Function {
    private final Conv2dGeometry g;

    private Conv2d(Conv2dGeometry g) {
        this.g = g;
    }

    public static Variable apply(Variable x, Variable w, Variable bias, int strideH, int strideW,
                                 int padH, int padW, int dilH, int dilW, int groups) {
        if (x.shape().rank() != 4 || w.shape().rank() != 4) {
            throw new IllegalArgumentException("conv2d: input " + x.shape() + " and weight " + w.shape()
                    + " must both be rank 4 (n, c, h, w) and (out, in/groups, kh, kw)");
        }
        Conv2dGeometry g = new Conv2dGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2),
                w.dim(3), strideH, strideW, padH, padW, dilH, dilW, groups);
        return apply(x, w, bias, g);
    }

    public static Variable apply(Variable x, Variable w, Variable bias, Conv2dGeometry g) {
        return bias == null ? new Conv2d(g).apply(x, w) : new Conv2d(g).apply(x, w, bias);
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return in[0].backend().conv2dForward(in[0], in[1], in.length > 2 ? in[2] : null, g);
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable dx = needsGrad(0) ? new BackwardInput(g).apply(dy, input(1)) : null;
        Variable dw = needsGrad(1) ? new BackwardWeight(g).apply(input(0), dy) : null;
        if (inputCount() == 2) return grads(dx, dw);
        Variable db = needsGrad(2) ? dy.sum(false, 0, 2, 3) : null;
        return grads(dx, dw, db);
    }

    /** dx = convT(dy, w). Inputs (dy, w). */
    static final class BackwardInput extends Function {
        private final Conv2dGeometry g;

        BackwardInput(Conv2dGeometry g) {
            this.g = g;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().conv2dBackwardInput(in[0], in[1], g);
        }

        @Override
        protected Variable[] backward(Variable ddx) {
            // ⟨ddx, convT(dy, w)⟩ = ⟨conv(ddx, w), dy⟩ = ⟨Σ dy ⋆ ddx, w⟩
            Variable dDy = needsGrad(0) ? new Conv2d(g).apply(ddx, input(1)) : null;
            Variable dW = needsGrad(1) ? new BackwardWeight(g).apply(ddx, input(0)) : null;
            return grads(dDy, dW);
        }
    }

    /** dw = Σ_n dy ⋆ x. Inputs (x, dy). */
    static final class BackwardWeight extends Function {
        private final Conv2dGeometry g;

        BackwardWeight(Conv2dGeometry g) {
            this.g = g;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().conv2dBackwardWeight(in[0], in[1], g);
        }

        @Override
        protected Variable[] backward(Variable ddw) {
            // ⟨ddw, Σ dy ⋆ x⟩ = ⟨convT(dy, ddw), x⟩ = ⟨conv(x, ddw), dy⟩
            Variable dX = needsGrad(0) ? new BackwardInput(g).apply(input(1), ddw) : null;
            Variable dDy = needsGrad(1) ? new Conv2d(g).apply(input(0), ddw) : null;
            return grads(dX, dDy);
        }
    }
}
