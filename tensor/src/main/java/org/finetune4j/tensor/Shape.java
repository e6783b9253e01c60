package org.finetune4j.tensor;

import java.util.Arrays;

/**
 * An immutable list of dimensions, row-major (the last dimension varies fastest).
 * Broadcasting follows NumPy: shapes are aligned on the right; a dimension of 1 stretches.
 * All index arithmetic and broadcasting rules of the engine live here, in one place.
 */
public final class Shape {
    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than 2^31 elements");
            }
        }
        this.dims = dims;
        this.size = (int) n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public static final Shape SCALAR = new Shape(new int[0]);

    public int rank() {
        return dims.length;
    }

    /** Dimension i; negative i counts from the end (−1 is the last). */
    public int dim(int i) {
        return dims[axis(i)];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** Normalises a possibly negative axis and checks its range. */
    public int axis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    /** Product of the dimensions before `axis` (exclusive). */
    public int outer(int axis) {
        int p = 1;
        for (int i = 0; i < axis; i++) p *= dims[i];
        return p;
    }

    /** Product of the dimensions after `axis` (exclusive). */
    public int inner(int axis) {
        int p = 1;
        for (int i = axis + 1; i < dims.length; i++) p *= dims[i];
        return p;
    }

    /** Row-major strides in elements. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** The same shape with dimension `axis` replaced. */
    public Shape with(int axis, int value) {
        int[] d = dims.clone();
        d[axis(axis)] = value;
        return new Shape(d);
    }

    /**
     * Resolves a reshape target; one entry may be −1 (inferred). Throws when sizes differ.
     */
    public Shape reshape(int... target) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(target));
                infer = i;
            } else {
                known *= target[i];
            }
        }
        int[] d = target.clone();
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 to reshape " + this + " into "
                        + Arrays.toString(target));
            }
            d[infer] = (int) (size / known);
        }
        Shape s = new Shape(d);
        if (s.size != size) {
            throw new IllegalArgumentException("reshape: " + this + " (" + size + " elements) cannot become "
                    + Arrays.toString(target) + " (" + s.size + " elements)");
        }
        return s;
    }

    /** NumPy broadcast of two shapes; the error names both shapes and the op. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        if (a.equals(b)) return a;
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " cannot be broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** True when this shape can be broadcast to `target` (without changing target). */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) return false;
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) return false;
        }
        return true;
    }

    /**
     * Strides of this shape read as if broadcast to `target`: 0 along stretched or missing dimensions.
     */
    public int[] broadcastStrides(Shape target) {
        if (!broadcastsTo(target)) {
            throw new IllegalArgumentException("shape " + this + " cannot be broadcast to " + target);
        }
        int[] own = strides();
        int[] s = new int[target.rank()];
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            s[i + off] = dims[i] == 1 ? 0 : own[i];
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
