package org.finetune4j.autograd.ops;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * Layout ops and their adjoints, in pairs that differentiate into each other:
 * reshape ↔ reshape, permute ↔ inverse permute, broadcastTo ↔ sumToShape,
 * indexSelect ↔ indexAdd (slice is an indexSelect of a range), concat → slices.
 */
public final class Movement {
    private Movement() {}

    public static Variable reshape(Variable x, int... dims) {
        return new Reshape(x.shape().reshape(dims)).apply(x);
    }

    public static Variable permute(Variable x, int... perm) {
        return new Permute(perm).apply(x);
    }

    public static Variable transpose(Variable x, int a, int b) {
        int[] perm = new int[x.shape().rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int p = x.shape().axis(a);
        int q = x.shape().axis(b);
        perm[p] = q;
        perm[q] = p;
        return permute(x, perm);
    }

    public static Variable slice(Variable x, int axis, int start, int end) {
        int ax = x.shape().axis(axis);
        if (start < 0 || end > x.dim(ax) || start > end) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + end + ") outside axis " + ax
                    + " of shape " + x.shape());
        }
        int[] index = new int[end - start];
        for (int i = 0; i < index.length; i++) index[i] = start + i;
        return new IndexSelect(ax, index, true).apply(x);
    }

    public static Variable indexSelect(Variable x, int axis, int... index) {
        return new IndexSelect(x.shape().axis(axis), index.clone(), false).apply(x);
    }

    public static Variable concat(int axis, Variable... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat of no variables");
        return new Concat(parts[0].shape().axis(axis)).apply(parts);
    }

    public static Variable broadcastTo(Variable x, Shape target) {
        return x.shape().equals(target) ? x : new BroadcastTo(target).apply(x);
    }

    public static Variable sumToShape(Variable x, Shape target) {
        return x.shape().equals(target) ? x : new SumToShape(target).apply(x);
    }

    private static final class Reshape extends Function {
        private final Shape target;

        Reshape(Shape target) {
            this.target = target;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].reshape(target);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(dy.reshape(rawInput(0).shape().dims()));
        }
    }

    private static final class Permute extends Function {
        private final int[] perm;

        Permute(int[] perm) {
            this.perm = perm.clone();
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].permute(perm);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            int[] inverse = new int[perm.length];
            for (int k = 0; k < perm.length; k++) inverse[perm[k]] = k;
            return grads(dy.permute(inverse));
        }
    }

    /** y = x.index_select(axis, index); a slice when `slice` (only the name differs). */
    private static final class IndexSelect extends Function {
        private final int axis;
        private final int[] index;
        private final boolean slice;

        IndexSelect(int axis, int[] index, boolean slice) {
            this.axis = axis;
            this.index = index;
            this.slice = slice;
        }

        @Override
        public String name() {
            return slice ? "Slice" : "IndexSelect";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return slice ? in[0].slice(axis, index.length == 0 ? 0 : index[0], index.length == 0 ? 0
                    : index[index.length - 1] + 1) : in[0].indexSelect(axis, index);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(new IndexAdd(rawInput(0).shape(), axis, index).apply(dy));
        }
    }

    /** y = zeros(shape); y[…, index[j], …] += x[…, j, …]. The adjoint of IndexSelect. */
    private static final class IndexAdd extends Function {
        private final Shape shape;
        private final int axis;
        private final int[] index;

        IndexAdd(Shape shape, int axis, int[] index) {
            this.shape = shape;
            this.axis = axis;
            this.index = index;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().indexAdd(shape, axis, index, in[0]);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(new IndexSelect(axis, index, false).apply(dy));
        }
    }

    private static final class Concat extends Function {
        private final int axis;

        Concat(int axis) {
            this.axis = axis;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return Tensor.concat(List.of(in), axis);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            List<Variable> parts = new ArrayList<>();
            int at = 0;
            for (int i = 0; i < inputCount(); i++) {
                int len = rawInput(i).dim(axis);
                parts.add(needsGrad(i) ? dy.slice(axis, at, at + len) : null);
                at += len;
            }
            return parts.toArray(new Variable[0]);
        }
    }

    private static final class BroadcastTo extends Function {
        private final Shape target;

        BroadcastTo(Shape target) {
            this.target = target;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].broadcastTo(target);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(dy.sumToShape(rawInput(0).shape()));
        }
    }

    private static final class SumToShape extends Function {
        private final Shape target;

        SumToShape(Shape target) {
            this.target = target;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].sumToShape(target);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(dy.broadcastTo(rawInput(0).shape()));
        }
    }
}
