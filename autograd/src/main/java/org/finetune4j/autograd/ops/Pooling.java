package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.PoolKernels.MaxPoolResult;

/**
 * Max pooling, average pooling and bilinear resizing. All three are linear in x once the max
 * positions are fixed, so each backward is another linear op whose own backward is the forward:
 *   max:    y = gather(x, argmax)   ↔  dx = scatter(dy, argmax)
 *   avg:    y = A·x                 ↔  dx = Aᵀ·dy
 *   resize: y = R·x                 ↔  dx = Rᵀ·dy        (align_corners = false)
 */
public final class Pooling {
    private Pooling() {}

    public static Variable max(Variable x, Pool2dGeometry g) {
        return new MaxPool2d(g).apply(x);
    }

    public static Variable avg(Variable x, Pool2dGeometry g) {
        return new AvgPool2d(g, false).apply(x);
    }

    public static Variable resize(Variable x, int outH, int outW) {
        if (x.shape().rank() != 4) throw new IllegalArgumentException("bilinearResize needs (n, c, h, w), got " + x.shape());
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("bilinearResize: size " + outH + "x" + outW);
        return new Resize(x.dim(2), x.dim(3), outH, outW, false).apply(x);
    }

    private static final class MaxPool2d extends Function {
        private final Pool2dGeometry g;
        private Tensor argmax;                                       // (n, c, outH, outW) plane indices

        MaxPool2d(Pool2dGeometry g) {
            this.g = g;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            MaxPoolResult r = in[0].backend().maxPool2dForward(in[0], g);
            argmax = r.argmax();
            return r.y();
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(new Scatter(g, argmax).apply(dy));
        }

        @Override
        protected void releaseSaved() {
            argmax = null;
        }
    }

    /** dx = scatter-add of dy at the max positions; its adjoint gathers. */
    private static final class Scatter extends Function {
        private final Pool2dGeometry g;
        private Tensor argmax;

        Scatter(Pool2dGeometry g, Tensor argmax) {
            this.g = g;
            this.argmax = argmax;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().maxPool2dBackward(in[0], argmax, g);
        }

        @Override
        protected Variable[] backward(Variable ddx) {
            return grads(new Gather(g, argmax).apply(ddx));
        }

        @Override
        protected void releaseSaved() {
            argmax = null;
        }
    }

    /** y = x at the stored max positions (the forward of max pooling with fixed positions). */
    private static final class Gather extends Function {
        private final Pool2dGeometry g;
        private Tensor argmax;

        Gather(Pool2dGeometry g, Tensor argmax) {
            this.g = g;
            this.argmax = argmax;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().gatherPlanes(in[0], argmax, Shape.of(g.n(), g.c(), g.outH(), g.outW()));
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(new Scatter(g, argmax).apply(dy));
        }

        @Override
        protected void releaseSaved() {
            argmax = null;
        }
    }

    /** Average pooling (adjoint = false) or its adjoint (adjoint = true): a linear pair. */
    private static final class AvgPool2d extends Function {
        private final Pool2dGeometry g;
        private final boolean adjoint;

        AvgPool2d(Pool2dGeometry g, boolean adjoint) {
            this.g = g;
            this.adjoint = adjoint;
        }

        @Override
        public String name() {
            return adjoint ? "AvgPool2dBackward" : "AvgPool2d";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return adjoint ? in[0].backend().avgPool2dBackward(in[0], g) : in[0].backend().avgPool2dForward(in[0], g);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(new AvgPool2d(g, !adjoint).apply(dy));
        }
    }

    /** Bilinear resize (in → out) or its adjoint (out → in): a linear pair. */
    private static final class Resize extends Function {
        private final int inH;
        private final int inW;
        private final int outH;
        private final int outW;
        private final boolean adjoint;

        Resize(int inH, int inW, int outH, int outW, boolean adjoint) {
            this.inH = inH;
            this.inW = inW;
            this.outH = outH;
            this.outW = outW;
            this.adjoint = adjoint;
        }

        @Override
        public String name() {
            return adjoint ? "BilinearResizeBackward" : "BilinearResize";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return adjoint ? in[0].backend().bilinearResizeBackward(in[0], inH, inW)
                    : in[0].backend().bilinearResizeForward(in[0], outH, outW);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(new Resize(inH, inW, outH, outW, !adjoint).apply(dy));
        }
    }
}
