package org.finetune4j.tensor;

import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Backends;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * A float32 n-d array on one device: a {@link Shape} over contiguous row-major {@link Storage}
 * (NCHW by convention for images). No gradients, no graph: that is autograd's Variable.
 *
 * <p>Storage is always contiguous. reshape() is a view that shares storage; every other layout
 * change (permute, slice, …) materialises a copy. This keeps every kernel a plain loop over
 * contiguous memory, which is what the CPU kernels and cuDNN want (tensor/README.md).
 *
 * <p>Values are immutable by convention: only the explicit *InPlace methods write, and they bump
 * the storage version so autograd can detect a modified saved tensor.
 */
public final class Tensor {
    private final Shape shape;
    private final Storage storage;

    public Tensor(Shape shape, Storage storage) {
        if (shape.size() != storage.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements but storage has " + storage.size());
        }
        this.shape = shape;
        this.storage = storage;
    }

    // ---------------------------------------------------------------- creation (CPU unless a device is given)

    /** Wraps a host array without copying. */
    public static Tensor wrap(float[] data, int... dims) {
        return new Tensor(Shape.of(dims), new CpuStorage(data));
    }

    public static Tensor wrap(float[] data, Shape shape) {
        return new Tensor(shape, new CpuStorage(data));
    }

    /** Copies a host array into a new CPU tensor. */
    public static Tensor of(float[] data, int... dims) {
        return wrap(data.clone(), dims);
    }

    public static Tensor scalar(float v) {
        return wrap(new float[] {v}, Shape.SCALAR);
    }

    public static Tensor zeros(int... dims) {
        return wrap(new float[Shape.of(dims).size()], dims);
    }

    public static Tensor zeros(Shape shape) {
        return wrap(new float[shape.size()], shape);
    }

    public static Tensor ones(int... dims) {
        return full(1f, dims);
    }

    public static Tensor full(float v, int... dims) {
        float[] a = new float[Shape.of(dims).size()];
        Arrays.fill(a, v);
        return wrap(a, dims);
    }

    /** 0, 1, …, n−1. */
    public static Tensor arange(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return wrap(a, n);
    }

    public static Tensor uniform(Rng rng, float lo, float hi, int... dims) {
        return wrap(rng.uniform(Shape.of(dims).size(), lo, hi), dims);
    }

    public static Tensor normal(Rng rng, float mean, float std, int... dims) {
        return wrap(rng.normal(Shape.of(dims).size(), mean, std), dims);
    }

    public static Tensor bernoulli(Rng rng, float p, int... dims) {
        return wrap(rng.bernoulli(Shape.of(dims).size(), p), dims);
    }

    public static Tensor gumbel(Rng rng, int... dims) {
        return wrap(rng.gumbel(Shape.of(dims).size()), dims);
    }

    public Tensor zerosLike() {
        return backend().zeros(shape);
    }

    public Tensor fullLike(float v) {
        return backend().full(shape, v);
    }

    // ---------------------------------------------------------------- metadata and access

    public Shape shape() {
        return shape;
    }

    public int[] dims() {
        return shape.dims();
    }

    public int rank() {
        return shape.rank();
    }

    public int size() {
        return shape.size();
    }

    public int dim(int i) {
        return shape.dim(i);
    }

    public Device device() {
        return storage.device();
    }

    public Storage storage() {
        return storage;
    }

    public Backend backend() {
        return Backends.of(storage.device());
    }

    public int version() {
        return storage.version();
    }

    /** The host array behind a CPU tensor (no copy). Writes through it must be followed by bumpVersion(). */
    public float[] data() {
        if (storage instanceof CpuStorage c) return c.data();
        throw new IllegalStateException("data(): tensor lives on " + device() + "; use toArray() or to(Device.CPU)");
    }

    /** A host copy of the values. */
    public float[] toArray() {
        return storage instanceof CpuStorage c ? c.data().clone() : backend().download(this);
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (size() != 1) throw new IllegalStateException("item(): tensor of shape " + shape + " is not one element");
        return storage instanceof CpuStorage c ? c.data()[0] : backend().download(this)[0];
    }

    /** Value at a multi-index (for tests and printing; slow). */
    public float get(int... index) {
        if (index.length != rank()) {
            throw new IllegalArgumentException("get: " + index.length + " indices for shape " + shape);
        }
        int[] st = shape.strides();
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + shape);
            }
            off += index[i] * st[i];
        }
        return storage instanceof CpuStorage c ? c.data()[off] : toArray()[off];
    }

    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        float[] host = toArray();
        return Backends.of(device).upload(host, shape);
    }

    // ---------------------------------------------------------------- views and movement

    /** A view with another shape over the same storage; one dimension may be −1. */
    public Tensor reshape(int... dims) {
        return new Tensor(shape.reshape(dims), storage);
    }

    public Tensor reshape(Shape target) {
        return new Tensor(shape.reshape(target.dims()), storage);
    }

    public Tensor permute(int... perm) {
        return backend().permute(this, perm);
    }

    /** Swaps two axes (a copy). */
    public Tensor transpose(int a, int b) {
        int[] perm = new int[rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int x = shape.axis(a);
        int y = shape.axis(b);
        perm[x] = y;
        perm[y] = x;
        return permute(perm);
    }

    public Tensor slice(int axis, int start, int end) {
        return backend().slice(this, axis, start, end);
    }

    public static Tensor concat(List<Tensor> xs, int axis) {
        if (xs.isEmpty()) throw new IllegalArgumentException("concat of no tensors");
        return xs.get(0).backend().concat(xs, axis);
    }

    public Tensor indexSelect(int axis, int... index) {
        return backend().indexSelect(this, axis, index);
    }

    public Tensor broadcastTo(Shape target) {
        return backend().broadcastTo(this, target);
    }

    public Tensor sumToShape(Shape target) {
        return shape.equals(target) ? this : backend().sumToShape(this, target);
    }

    // ---------------------------------------------------------------- arithmetic (new tensors)

    public Tensor map(UnaryOp op) {
        return backend().unary(op, this);
    }

    public Tensor apply(ScalarOp op, float s) {
        return backend().scalar(op, this, s);
    }

    public Tensor apply(BinaryOp op, Tensor other) {
        return backend().binary(op, this, other);
    }

    public Tensor add(Tensor o) {
        return apply(BinaryOp.ADD, o);
    }

    public Tensor sub(Tensor o) {
        return apply(BinaryOp.SUB, o);
    }

    public Tensor mul(Tensor o) {
        return apply(BinaryOp.MUL, o);
    }

    public Tensor div(Tensor o) {
        return apply(BinaryOp.DIV, o);
    }

    public Tensor add(float s) {
        return apply(ScalarOp.ADD, s);
    }

    public Tensor mul(float s) {
        return apply(ScalarOp.MUL, s);
    }

    public Tensor neg() {
        return map(UnaryOp.NEG);
    }

    public Tensor sqrt() {
        return map(UnaryOp.SQRT);
    }

    public Tensor square() {
        return map(UnaryOp.SQUARE);
    }

    public Tensor matmul(Tensor o) {
        return backend().matmul(this, o, false, false);
    }

    public Tensor reduce(ReduceOp op, boolean keepDims, int... axes) {
        return backend().reduce(op, this, axes, keepDims);
    }

    /** Sum of all elements, as a scalar tensor. */
    public Tensor sum() {
        return reduce(ReduceOp.SUM, false, allAxes());
    }

    public Tensor mean() {
        return reduce(ReduceOp.MEAN, false, allAxes());
    }

    public float maxAbs() {
        float m = 0f;
        for (float v : toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    private int[] allAxes() {
        int[] a = new int[rank()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    // ---------------------------------------------------------------- in place (optimisers, running statistics)

    /** this ← this + alpha·x. */
    public Tensor addInPlace(float alpha, Tensor x) {
        backend().axpyInPlace(this, alpha, x);
        return this;
    }

    public Tensor scaleInPlace(float s) {
        backend().scaleInPlace(this, s);
        return this;
    }

    public Tensor copyFrom(Tensor src) {
        backend().copyInto(this, src);
        return this;
    }

    public Tensor fillInPlace(float v) {
        backend().fillInPlace(this, v);
        return this;
    }

    /** A fresh copy with its own storage. */
    public Tensor copy() {
        return backend().copy(this);
    }

    /** Call after writing through {@link #data()}. */
    public void bumpVersion() {
        storage.bumpVersion();
    }

    @Override
    public String toString() {
        float[] v = size() <= 8 ? toArray() : Arrays.copyOf(toArray(), 8);
        String body = Arrays.toString(v);
        if (size() > 8) body = body.substring(0, body.length() - 1) + ", …]";
        return "Tensor" + shape + "@" + device() + " " + body;
    }
}
