package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * The pure-Java backend: checks shapes, allocates outputs and delegates, about one line per
 * method, to the Cpu* kernel classes of this package. Shape errors name the op and the shapes.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return "cpu (" + Parallel.threads() + " threads, " + Simd.describe() + ")";
    }

    private static float[] a(Tensor t) {
        if (t.device().kind() != Device.Kind.CPU) {
            throw new IllegalArgumentException("CPU backend given a tensor on " + t.device());
        }
        return t.data();
    }

    private static Tensor out(Shape s) {
        return Tensor.wrap(new float[s.size()], s);
    }

    private static void sameShape(String op, Tensor x, Tensor y) {
        if (!x.shape().equals(y.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + x.shape() + " and " + y.shape() + " differ");
        }
    }

    private static void rank(String op, Tensor t, int r, String what) {
        if (t.rank() != r) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + r + ", got " + t.shape());
        }
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor zeros(Shape shape) {
        return out(shape);
    }

    @Override
    public Tensor full(Shape shape, float value) {
        Tensor t = out(shape);
        Arrays.fill(t.data(), value);
        return t;
    }

    @Override
    public Tensor upload(float[] data, Shape shape) {
        return Tensor.wrap(data.clone(), shape);
    }

    @Override
    public float[] download(Tensor t) {
        return a(t).clone();
    }

    @Override
    public Tensor copy(Tensor t) {
        return Tensor.wrap(a(t).clone(), t.shape());
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        sameShape("copyInto", dst, src);
        System.arraycopy(a(src), 0, a(dst), 0, src.size());
        dst.bumpVersion();
    }

    @Override
    public void axpyInPlace(Tensor y, float alpha, Tensor x) {
        sameShape("axpyInPlace", y, x);
        float[] ya = a(y);
        float[] xa = a(x);
        for (int i = 0, n = ya.length; i < n; i++) ya[i] += alpha * xa[i];
        y.bumpVersion();
    }

    @Override
    public void scaleInPlace(Tensor y, float s) {
        float[] ya = a(y);
        for (int i = 0, n = ya.length; i < n; i++) ya[i] *= s;
        y.bumpVersion();
    }

    @Override
    public void fillInPlace(Tensor y, float v) {
        Arrays.fill(a(y), v);
        y.bumpVersion();
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        Tensor y = out(x.shape());
        CpuElementwise.unary(op, a(x), y.data(), x.size());
        return y;
    }

    @Override
    public Tensor unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy) {
        sameShape("unaryBackward", x, dy);
        Tensor dx = out(x.shape());
        CpuElementwise.unaryBackward(op, a(x), a(y), a(dy), dx.data(), x.size());
        return dx;
    }

    @Override
    public Tensor scalar(ScalarOp op, Tensor x, float s) {
        Tensor y = out(x.shape());
        CpuElementwise.scalar(op, a(x), s, y.data(), x.size());
        return y;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor x, Tensor z) {
        Shape s = Shape.broadcast(op.name().toLowerCase(java.util.Locale.ROOT), x.shape(), z.shape());
        Tensor y = out(s);
        CpuElementwise.binary(op, a(x), x.shape(), a(z), z.shape(), y.data(), s);
        return y;
    }

    @Override
    public Tensor where(Tensor mask, Tensor x, Tensor z) {
        Shape s = Shape.broadcast("where", Shape.broadcast("where", mask.shape(), x.shape()), z.shape());
        Tensor y = out(s);
        CpuElementwise.where(a(mask), mask.shape(), a(x), x.shape(), a(z), z.shape(), y.data(), s);
        return y;
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        Tensor y = out(x.shape());
        CpuElementwise.clamp(a(x), lo, hi, y.data(), x.size());
        return y;
    }

    // ---------------------------------------------------------------- movement

    @Override
    public Tensor permute(Tensor x, int[] perm) {
        Tensor y = out(CpuMovement.permutedShape(x.shape(), perm));
        CpuMovement.permute(a(x), x.shape(), perm, y.data());
        return y;
    }

    @Override
    public Tensor broadcastTo(Tensor x, Shape target) {
        if (!x.shape().broadcastsTo(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + x.shape() + " cannot be broadcast to "
                    + target);
        }
        Tensor y = out(target);
        CpuElementwise.broadcast(a(x), x.shape(), y.data(), target);
        return y;
    }

    @Override
    public Tensor slice(Tensor x, int axis, int start, int end) {
        int ax = x.shape().axis(axis);
        int len = x.dim(ax);
        if (start < 0 || end > len || start > end) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + end + ") outside axis " + ax
                    + " of shape " + x.shape());
        }
        Tensor y = out(x.shape().with(ax, end - start));
        CpuMovement.slice(a(x), x.shape().outer(ax), len, x.shape().inner(ax), start, end, y.data());
        return y;
    }

    @Override
    public Tensor concat(List<Tensor> xs, int axis) {
        Shape first = xs.get(0).shape();
        int ax = first.axis(axis);
        int total = 0;
        for (Tensor t : xs) {
            if (t.rank() != first.rank() || !t.shape().with(ax, 1).equals(first.with(ax, 1))) {
                throw new IllegalArgumentException("concat along axis " + ax + ": shape " + t.shape()
                        + " does not match " + first);
            }
            total += t.dim(ax);
        }
        Tensor y = out(first.with(ax, total));
        int at = 0;
        for (Tensor t : xs) {
            CpuMovement.place(a(t), first.outer(ax), t.dim(ax), first.inner(ax), y.data(), total, at);
            at += t.dim(ax);
        }
        return y;
    }

    @Override
    public Tensor indexSelect(Tensor x, int axis, int[] index) {
        int ax = x.shape().axis(axis);
        Tensor y = out(x.shape().with(ax, index.length));
        CpuMovement.indexSelect(a(x), x.shape().outer(ax), x.dim(ax), x.shape().inner(ax), index, y.data());
        return y;
    }

    @Override
    public Tensor indexAdd(Shape shape, int axis, int[] index, Tensor src) {
        int ax = shape.axis(axis);
        if (!src.shape().equals(shape.with(ax, index.length))) {
            throw new IllegalArgumentException("indexAdd: source " + src.shape() + " does not fit " + shape
                    + " with " + index.length + " indices on axis " + ax);
        }
        Tensor y = out(shape);
        CpuMovement.indexAdd(a(src), shape.outer(ax), shape.dim(ax), shape.inner(ax), index, y.data());
        return y;
    }

    @Override
    public Tensor oneHot(int[] labels, int k) {
        Tensor y = out(Shape.of(labels.length, k));
        CpuMovement.oneHot(labels, k, y.data());
        return y;
    }

    @Override
    public Tensor gatherPlanes(Tensor x, Tensor index, Shape outShape) {
        int planes = x.shape().outer(x.rank() - 2);
        int inSize = x.dim(-2) * x.dim(-1);
        int outSize = outShape.dim(-2) * outShape.dim(-1);
        Tensor y = out(outShape);
        CpuMovement.gatherPlanes(a(x), a(index), y.data(), planes, inSize, outSize);
        return y;
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
        Tensor y = out(CpuReductions.reducedShape(x.shape(), axes, keepDims));
        CpuReductions.reduce(op, a(x), x.shape(), axes, y.data());
        return y;
    }

    @Override
    public Tensor argmax(Tensor x, int axis) {
        int ax = x.shape().axis(axis);
        Tensor y = out(CpuReductions.reducedShape(x.shape(), new int[] {ax}, false));
        CpuReductions.argmax(a(x), y.data(), x.shape().outer(ax), x.dim(ax), x.shape().inner(ax));
        return y;
    }

    @Override
    public Tensor sumToShape(Tensor x, Shape target) {
        if (!target.broadcastsTo(x.shape())) {
            throw new IllegalArgumentException("sumToShape: " + target + " does not broadcast to " + x.shape());
        }
        int lead = x.rank() - target.rank();
        int[] axes = new int[x.rank()];
        int k = 0;
        for (int i = 0; i < x.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && x.dim(i) != 1)) axes[k++] = i;
        }
        Tensor y = out(target);
        CpuReductions.reduce(ReduceOp.SUM, a(x), x.shape(), Arrays.copyOf(axes, k), y.data());
        return y;
    }

    @Override
    public Tensor variance(Tensor x, int[] axes, boolean keepDims, int correction) {
        Tensor mean = reduce(ReduceOp.MEAN, x, axes, true);
        Tensor centred = binary(BinaryOp.SUB, x, mean);
        Tensor sq = unary(UnaryOp.SQUARE, centred);
        Tensor sum = reduce(ReduceOp.SUM, sq, axes, keepDims);
        int count = x.size() / Math.max(1, mean.size());
        return scalar(ScalarOp.MUL, sum, 1f / (count - correction));
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        int ax = x.shape().axis(axis);
        Tensor y = out(x.shape());
        CpuSoftmax.softmax(a(x), y.data(), x.shape().outer(ax), x.dim(ax), x.shape().inner(ax));
        return y;
    }

    @Override
    public Tensor logSoftmax(Tensor x, int axis) {
        int ax = x.shape().axis(axis);
        Tensor y = out(x.shape());
        CpuSoftmax.logSoftmax(a(x), y.data(), x.shape().outer(ax), x.dim(ax), x.shape().inner(ax));
        return y;
    }

    @Override
    public Tensor softmaxBackward(Tensor dy, Tensor y, int axis) {
        sameShape("softmaxBackward", dy, y);
        int ax = y.shape().axis(axis);
        Tensor dx = out(y.shape());
        CpuSoftmax.softmaxBackward(a(dy), a(y), dx.data(), y.shape().outer(ax), y.dim(ax), y.shape().inner(ax));
        return dx;
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor dy, Tensor y, int axis) {
        sameShape("logSoftmaxBackward", dy, y);
        int ax = y.shape().axis(axis);
        Tensor dx = out(y.shape());
        CpuSoftmax.logSoftmaxBackward(a(dy), a(y), dx.data(), y.shape().outer(ax), y.dim(ax),
                y.shape().inner(ax));
        return dx;
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public Tensor matmul(Tensor x, Tensor z, boolean transA, boolean transB) {
        int batch = CpuLinalg.batch("matmul", x, z);
        int m = transA ? x.dim(-1) : x.dim(-2);
        int n = transB ? z.dim(-2) : z.dim(-1);
        Shape s = batch == 0 ? Shape.of(m, n) : Shape.of(batch, m, n);
        Tensor y = out(s);
        CpuLinalg.gemm("matmul", transA, transB, 1f, x, z, 0f, y);
        return y;
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor x, Tensor z, float beta, Tensor c) {
        CpuLinalg.batch("gemm", x, z);
        CpuLinalg.gemm("gemm", transA, transB, alpha, x, z, beta, c);
        c.bumpVersion();
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dGeometry g) {
        CpuLinalg.checkConv(x, w, g);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != g.cOut())) {
            throw new IllegalArgumentException("conv2d: bias " + bias.shape() + " must be [" + g.cOut() + "]");
        }
        Tensor y = out(Shape.of(g.n(), g.cOut(), g.outH(), g.outW()));
        CpuConv2d.forward(a(x), a(w), bias == null ? null : a(bias), y.data(), g);
        return y;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor dy, Tensor w, Conv2dGeometry g) {
        CpuLinalg.checkConvOutput(dy, g);
        Tensor dx = out(Shape.of(g.n(), g.cIn(), g.h(), g.w()));
        CpuConv2d.backwardInput(a(dy), a(w), dx.data(), g);
        return dx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor dy, Conv2dGeometry g) {
        CpuLinalg.checkConvOutput(dy, g);
        Tensor dw = out(Shape.of(g.cOut(), g.cInG(), g.kH(), g.kW()));
        CpuConv2d.backwardWeight(a(x), a(dy), dw.data(), g);
        return dw;
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor dy, Conv2dGeometry g) {
        CpuLinalg.checkConvOutput(dy, g);
        Tensor db = out(Shape.of(g.cOut()));
        CpuConv2d.backwardBias(a(dy), db.data(), g);
        return db;
    }

    // ---------------------------------------------------------------- pooling and resizing

    @Override
    public MaxPoolResult maxPool2dForward(Tensor x, Pool2dGeometry g) {
        rank("maxPool2d", x, 4, "input");
        Shape s = Shape.of(g.n(), g.c(), g.outH(), g.outW());
        Tensor y = out(s);
        int[] idx = new int[s.size()];
        CpuPool2d.maxForward(a(x), y.data(), idx, g);
        Tensor argmax = out(s);
        float[] am = argmax.data();
        for (int i = 0; i < idx.length; i++) am[i] = idx[i];      // plane indices < 2^24 are exact in float
        return new MaxPoolResult(y, argmax);
    }

    @Override
    public Tensor maxPool2dBackward(Tensor dy, Tensor argmax, Pool2dGeometry g) {
        float[] am = a(argmax);
        int[] idx = new int[am.length];
        for (int i = 0; i < idx.length; i++) idx[i] = (int) am[i];
        Tensor dx = out(Shape.of(g.n(), g.c(), g.h(), g.w()));
        CpuPool2d.maxBackward(a(dy), idx, dx.data(), g);
        return dx;
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dGeometry g) {
        rank("avgPool2d", x, 4, "input");
        Tensor y = out(Shape.of(g.n(), g.c(), g.outH(), g.outW()));
        CpuPool2d.avgForward(a(x), y.data(), g);
        return y;
    }

    @Override
    public Tensor avgPool2dBackward(Tensor dy, Pool2dGeometry g) {
        Tensor dx = out(Shape.of(g.n(), g.c(), g.h(), g.w()));
        CpuPool2d.avgBackward(a(dy), dx.data(), g);
        return dx;
    }

    @Override
    public Tensor bilinearResizeForward(Tensor x, int outH, int outW) {
        rank("bilinearResize", x, 4, "input");
        Tensor y = out(Shape.of(x.dim(0), x.dim(1), outH, outW));
        CpuBilinearResize.forward(a(x), y.data(), x.dim(0) * x.dim(1), x.dim(2), x.dim(3), outH, outW);
        return y;
    }

    @Override
    public Tensor bilinearResizeBackward(Tensor dy, int inH, int inW) {
        rank("bilinearResizeBackward", dy, 4, "gradient");
        Tensor dx = out(Shape.of(dy.dim(0), dy.dim(1), inH, inW));
        CpuBilinearResize.backward(a(dy), dx.data(), dy.dim(0) * dy.dim(1), inH, inW, dy.dim(2), dy.dim(3));
        return dx;
    }

    // ---------------------------------------------------------------- batch norm

    @Override
    public BatchNormResult batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                                 Tensor runningVar, float momentum, float eps) {
        int c = CpuLinalg.checkBatchNorm(x, gamma, beta);
        int n = x.dim(0);
        int hw = x.size() / Math.max(1, n * c);
        Tensor y = out(x.shape());
        Tensor mean = out(Shape.of(c));
        Tensor rstd = out(Shape.of(c));
        CpuBatchNorm2d.forwardTrain(a(x), a(gamma), a(beta), y.data(), mean.data(), rstd.data(),
                runningMean == null ? null : a(runningMean), runningVar == null ? null : a(runningVar),
                n, c, hw, momentum, eps);
        if (runningMean != null) runningMean.bumpVersion();
        if (runningVar != null) runningVar.bumpVersion();
        return new BatchNormResult(y, mean, rstd);
    }

    @Override
    public Tensor batchNormEvalForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                       Tensor runningVar, float eps) {
        int c = CpuLinalg.checkBatchNorm(x, gamma, beta);
        int n = x.dim(0);
        Tensor y = out(x.shape());
        CpuBatchNorm2d.forwardEval(a(x), a(gamma), a(beta), a(runningMean), a(runningVar), y.data(),
                n, c, x.size() / Math.max(1, n * c), eps);
        return y;
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd,
                                            boolean needX, boolean needGamma, boolean needBeta) {
        sameShape("batchNormBackward", dy, x);
        int c = x.dim(1);
        int n = x.dim(0);
        Tensor dx = needX ? out(x.shape()) : null;
        Tensor dGamma = needGamma ? out(Shape.of(c)) : null;
        Tensor dBeta = needBeta ? out(Shape.of(c)) : null;
        CpuBatchNorm2d.backward(a(dy), a(x), a(gamma), a(mean), a(rstd), dx == null ? null : dx.data(),
                dGamma == null ? null : dGamma.data(), dBeta == null ? null : dBeta.data(),
                n, c, x.size() / Math.max(1, n * c));
        return new BatchNormGrads(dx, dGamma, dBeta);
    }

    // ---------------------------------------------------------------- losses and fused ops

    @Override
    public Tensor crossEntropy(Tensor logits, int[] labels) {
        return CpuLosses.crossEntropy(logits, labels);
    }

    @Override
    public Tensor crossEntropyBackward(Tensor logits, int[] labels, Tensor dLoss) {
        return CpuLosses.crossEntropyBackward(logits, labels, dLoss);
    }

    @Override
    public Tensor crossEntropySoft(Tensor logits, Tensor targets) {
        return CpuLosses.crossEntropySoft(logits, targets);
    }

    @Override
    public Tensor crossEntropySoftBackward(Tensor logits, Tensor targets, Tensor dLoss) {
        return CpuLosses.crossEntropySoftBackward(logits, targets, dLoss);
    }

    @Override
    public GateResult gumbelSoftmaxGateForward(Tensor logits, Tensor noise, float tau, boolean hard) {
        return CpuLosses.gumbelSoftmaxGateForward(logits, noise, tau, hard);
    }

    @Override
    public Tensor gumbelSoftmaxGateBackward(Tensor dOut, Tensor soft, float tau) {
        return CpuLosses.gumbelSoftmaxGateBackward(dOut, soft, tau);
    }

    @Override
    public Tensor weightedFeatureDistanceForward(Tensor s, Tensor t, Tensor weights) {
        return CpuLosses.weightedFeatureDistanceForward(s, t, weights);
    }

    @Override
    public Tensor[] weightedFeatureDistanceBackward(Tensor dOut, Tensor s, Tensor t, Tensor weights,
                                                    boolean needS, boolean needT, boolean needWeights) {
        return CpuLosses.weightedFeatureDistanceBackward(dOut, s, t, weights, needS, needT, needWeights);
    }

    @Override
    public Tensor gatedBlendForward(Tensor g, Tensor a, Tensor b) {
        return CpuLosses.gatedBlendForward(g, a, b);
    }

    @Override
    public Tensor[] gatedBlendBackward(Tensor dy, Tensor g, Tensor a, Tensor b, boolean needG,
                                       boolean needA, boolean needB) {
        return CpuLosses.gatedBlendBackward(dy, g, a, b, needG, needA, needB);
    }

    // ---------------------------------------------------------------- optimizer steps

    @Override
    public void sgdUpdate(Tensor p, Tensor grad, Tensor buf, SgdStep step) {
        String op = "sgdUpdate";
        float[] b = step.momentum() == 0f ? null : a(sameSize(op, p, buf, "momentum buffer"));
        CpuOptimizerUpdates.sgdUpdate(a(p), a(sameSize(op, p, grad, "gradient")), b, p.size(),
                step);
        p.bumpVersion();
        if (b != null) buf.bumpVersion();
    }

    @Override
    public void adamUpdate(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor vMax, AdamStep step) {
        String op = "adamUpdate";
        CpuOptimizerUpdates.adamUpdate(a(p), a(sameSize(op, p, grad, "gradient")),
                a(sameSize(op, p, m, "exp_avg")), a(sameSize(op, p, v, "exp_avg_sq")),
                vMax == null ? null : a(sameSize(op, p, vMax, "max_exp_avg_sq")), p.size(), step);
        p.bumpVersion();
        m.bumpVersion();
        v.bumpVersion();
        if (vMax != null) vMax.bumpVersion();
    }

    /** t, once it is known to hold as many values as the parameter p. */
    private static Tensor sameSize(String op, Tensor p, Tensor t, String what) {
        if (t == null) throw new IllegalArgumentException(op + ": " + what + " is null");
        if (t.size() != p.size()) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.shape()
                    + " does not match the parameter " + p.shape());
        }
        return t;
    }
}
