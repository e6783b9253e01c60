package org.finetune4j.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.finetune4j.autograd.ops.BatchNorm2d;
import org.finetune4j.autograd.ops.Binary;
import org.finetune4j.autograd.ops.Conv2d;
import org.finetune4j.autograd.ops.GatedBlend;
import org.finetune4j.autograd.ops.CrossEntropy;
import org.finetune4j.autograd.ops.GumbelSoftmaxGate;
import org.finetune4j.autograd.ops.MatMul;
import org.finetune4j.autograd.ops.Movement;
import org.finetune4j.autograd.ops.Pooling;
import org.finetune4j.autograd.ops.Reduce;
import org.finetune4j.autograd.ops.Softmax;
import org.finetune4j.autograd.ops.Unary;
import org.finetune4j.autograd.ops.WeightedFeatureDistance;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * A tensor value in the define-by-run graph: the value, whether it requires a gradient, the op
 * that created it (null for leaves) and, for leaves, the accumulated gradient.
 *
 * <p>Leaf/non-leaf rules follow PyTorch: {@link #backward()} accumulates into {@code grad} of leaves
 * that require grad; a non-leaf keeps its gradient only after {@link #retainGrad()}; hooks see (and
 * may replace) the gradient flowing into a variable. The fluent methods below are one line each;
 * each op's forward and backward live in its class under {@code ops}.
 */
public final class Variable {
    private final Tensor value;
    private final boolean requiresGrad;
    private final Function creator;
    private Variable grad;
    private boolean retainGrad;
    private List<UnaryOperator<Variable>> hooks = List.of();

    Variable(Tensor value, Function creator) {
        this.value = value;
        this.creator = creator;
        this.requiresGrad = true;
    }

    private Variable(Tensor value, boolean requiresGrad) {
        this.value = value;
        this.creator = null;
        this.requiresGrad = requiresGrad;
    }

    /** A leaf that requires a gradient (a parameter, or an input under study). */
    public static Variable param(Tensor value) {
        return new Variable(value, true);
    }

    /** A leaf without gradient (data, targets, frozen values). */
    public static Variable constant(Tensor value) {
        return new Variable(value, false);
    }

    public static Variable of(Tensor value, boolean requiresGrad) {
        return new Variable(value, requiresGrad);
    }

    // ---------------------------------------------------------------- state

    public Tensor value() {
        return value;
    }

    public Shape shape() {
        return value.shape();
    }

    public int dim(int i) {
        return value.dim(i);
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public boolean isLeaf() {
        return creator == null;
    }

    public Function creator() {
        return creator;
    }

    /** Accumulated gradient (a Variable: with createGraph it carries its own graph), or null. */
    public Variable grad() {
        return grad;
    }

    /** The gradient's value, or null. */
    public Tensor gradValue() {
        return grad == null ? null : grad.value;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** Keep this non-leaf's gradient in {@link #grad()} after backward. */
    public Variable retainGrad() {
        retainGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainGrad;
    }

    void accumulateGrad(Variable g) {
        grad = grad == null ? g : grad.add(g);
    }

    /** Runs hook(g) on the gradient flowing into this variable; a non-null result replaces it. */
    public Variable registerHook(UnaryOperator<Variable> hook) {
        if (hooks.isEmpty()) hooks = new ArrayList<>();
        hooks.add(hook);
        return this;
    }

    List<UnaryOperator<Variable>> hooks() {
        return hooks;
    }

    /** The same value, cut from the graph. */
    public Variable detach() {
        return constant(value);
    }

    public float item() {
        return value.item();
    }

    // ---------------------------------------------------------------- backward

    /** Backward from a one-element output. The graph is released afterwards. */
    public void backward() {
        Graph.backward(this, Graph.defaultSeed(this), false, false);
    }

    public void backward(Tensor seed) {
        Graph.backward(this, constant(seed), false, false);
    }

    public void backward(Variable seed, boolean retainGraph, boolean createGraph) {
        Graph.backward(this, seed == null ? Graph.defaultSeed(this) : seed, retainGraph, createGraph);
    }

    // ---------------------------------------------------------------- pointwise

    public Variable apply(UnaryOp op) {
        return Unary.apply(op, this);
    }

    public Variable neg() {
        return apply(UnaryOp.NEG);
    }

    public Variable exp() {
        return apply(UnaryOp.EXP);
    }

    public Variable log() {
        return apply(UnaryOp.LOG);
    }

    public Variable sqrt() {
        return apply(UnaryOp.SQRT);
    }

    public Variable abs() {
        return apply(UnaryOp.ABS);
    }

    public Variable square() {
        return apply(UnaryOp.SQUARE);
    }

    public Variable reciprocal() {
        return apply(UnaryOp.RECIPROCAL);
    }

    public Variable relu() {
        return apply(UnaryOp.RELU);
    }

    public Variable relu6() {
        return apply(UnaryOp.RELU6);
    }

    public Variable sigmoid() {
        return apply(UnaryOp.SIGMOID);
    }

    public Variable tanh() {
        return apply(UnaryOp.TANH);
    }

    public Variable apply(ScalarOp op, float s) {
        return Unary.scalar(op, s, this);
    }

    public Variable add(float s) {
        return apply(ScalarOp.ADD, s);
    }

    public Variable mul(float s) {
        return apply(ScalarOp.MUL, s);
    }

    /** s − this. */
    public Variable rsub(float s) {
        return apply(ScalarOp.RSUB, s);
    }

    public Variable pow(float p) {
        return apply(ScalarOp.POW, p);
    }

    public Variable clamp(float lo, float hi) {
        return Unary.clamp(lo, hi, this);
    }

    public Variable apply(BinaryOp op, Variable other) {
        return Binary.apply(op, this, other);
    }

    public Variable add(Variable o) {
        return apply(BinaryOp.ADD, o);
    }

    public Variable sub(Variable o) {
        return apply(BinaryOp.SUB, o);
    }

    public Variable mul(Variable o) {
        return apply(BinaryOp.MUL, o);
    }

    public Variable div(Variable o) {
        return apply(BinaryOp.DIV, o);
    }

    public Variable maximum(Variable o) {
        return apply(BinaryOp.MAX, o);
    }

    public Variable minimum(Variable o) {
        return apply(BinaryOp.MIN, o);
    }

    /** mask ≠ 0 ? this : other (mask is data, not differentiated). */
    public Variable where(Tensor mask, Variable other) {
        return Binary.where(mask, this, other);
    }

    // ---------------------------------------------------------------- reductions

    public Variable sum(boolean keepDims, int... axes) {
        return Reduce.apply(ReduceOp.SUM, keepDims, axes, this);
    }

    public Variable sum() {
        return sum(false, allAxes());
    }

    public Variable mean(boolean keepDims, int... axes) {
        return Reduce.apply(ReduceOp.MEAN, keepDims, axes, this);
    }

    public Variable mean() {
        return mean(false, allAxes());
    }

    /** Maximum over axes; ties share the gradient equally (PyTorch's amax). */
    public Variable max(boolean keepDims, int... axes) {
        return Reduce.apply(ReduceOp.MAX, keepDims, axes, this);
    }

    /** Biased (correction 0) or unbiased (correction 1) variance over axes, composed. */
    public Variable variance(boolean keepDims, int correction, int... axes) {
        Variable centred = sub(mean(true, axes));
        int count = value.size() / Math.max(1, value.reduce(ReduceOp.SUM, true, axes).size());
        return centred.square().sum(keepDims, axes).mul(1f / (count - correction));
    }

    public Variable softmax(int axis) {
        return Softmax.softmax(axis, this);
    }

    public Variable logSoftmax(int axis) {
        return Softmax.logSoftmax(axis, this);
    }

    /** Per-sample (n) cross-entropy of logits (n, k) against integer labels. */
    public Variable crossEntropy(int[] labels, Reduction reduction) {
        return reduction.reduce(CrossEntropy.hard(labels, this));
    }

    /** Cross-entropy against soft targets (n, k) (knowledge distillation); targets may require grad. */
    public Variable crossEntropy(Variable targets, Reduction reduction) {
        return reduction.reduce(CrossEntropy.soft(this, targets));
    }

    private int[] allAxes() {
        int[] a = new int[value.rank()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    // ---------------------------------------------------------------- movement

    public Variable reshape(int... dims) {
        return Movement.reshape(this, dims);
    }

    /** (n, …) → (n, rest). */
    public Variable flatten() {
        return reshape(value.dim(0), -1);
    }

    public Variable permute(int... perm) {
        return Movement.permute(this, perm);
    }

    public Variable transpose(int a, int b) {
        return Movement.transpose(this, a, b);
    }

    /** Transpose of a matrix (rank 2). */
    public Variable t() {
        return transpose(0, 1);
    }

    public Variable slice(int axis, int start, int end) {
        return Movement.slice(this, axis, start, end);
    }

    public static Variable concat(int axis, Variable... parts) {
        return Movement.concat(axis, parts);
    }

    public Variable indexSelect(int axis, int... index) {
        return Movement.indexSelect(this, axis, index);
    }

    public Variable broadcastTo(Shape target) {
        return Movement.broadcastTo(this, target);
    }

    public Variable sumToShape(Shape target) {
        return Movement.sumToShape(this, target);
    }

    // ---------------------------------------------------------------- networks

    public Variable matmul(Variable o) {
        return MatMul.apply(this, o, false, false);
    }

    public Variable matmul(Variable o, boolean transA, boolean transB) {
        return MatMul.apply(this, o, transA, transB);
    }

    /** y = x·Wᵀ + b for weight (out, in), bias (out) or null: PyTorch's F.linear. */
    public Variable linear(Variable weight, Variable bias) {
        Variable y = MatMul.apply(this, weight, false, true);
        return bias == null ? y : y.add(bias);
    }

    /** 2-D convolution, square kernel: stride, padding, groups; dilation 1. bias may be null. */
    public Variable conv2d(Variable weight, Variable bias, int stride, int padding, int groups) {
        return Conv2d.apply(this, weight, bias, stride, stride, padding, padding, 1, 1, groups);
    }

    public Variable conv2d(Variable weight, Variable bias, Conv2dGeometry g) {
        return Conv2d.apply(this, weight, bias, g);
    }

    /** Training-mode batch norm; running statistics (may be null) are updated in place. */
    public Variable batchNorm(Variable gamma, Variable beta, Tensor runningMean, Tensor runningVar,
                              float momentum, float eps) {
        return BatchNorm2d.train(this, gamma, beta, runningMean, runningVar, momentum, eps);
    }

    /** Evaluation-mode batch norm with running statistics. */
    public Variable batchNormEval(Variable gamma, Variable beta, Tensor runningMean, Tensor runningVar,
                                  float eps) {
        return BatchNorm2d.eval(this, gamma, beta, runningMean, runningVar, eps);
    }

    public Variable maxPool2d(int kernel, int stride, int padding) {
        return Pooling.max(this, geometry(kernel, stride, padding));
    }

    public Variable avgPool2d(int kernel, int stride, int padding) {
        return Pooling.avg(this, geometry(kernel, stride, padding));
    }

    /** (n, c, h, w) → (n, c): mean over the spatial axes. */
    public Variable globalAvgPool() {
        return mean(false, 2, 3);
    }

    /** Bilinear resize to (outH, outW), align_corners = false (PyTorch's F.interpolate). */
    public Variable bilinearResize(int outH, int outW) {
        return Pooling.resize(this, outH, outW);
    }

    private Pool2dGeometry geometry(int kernel, int stride, int padding) {
        if (value.rank() != 4) throw new IllegalArgumentException("pooling needs (n, c, h, w), got " + shape());
        return Pool2dGeometry.of(value.dim(0), value.dim(1), value.dim(2), value.dim(3), kernel, stride, padding);
    }

    // ---------------------------------------------------------------- fused ops of the methods

    /** Gumbel-softmax over the last axis with the given Gumbel noise; hard = straight-through one-hot. */
    public Variable gumbelSoftmaxGate(Tensor noise, float tau, boolean hard) {
        return GumbelSoftmaxGate.apply(this, noise, tau, hard);
    }

    /**
     * This gate blends a and b: this·a + (1 − this)·b with a, b (n, c, h, w) and this (n) or
     * (n, 1, 1, 1) per sample (SpotTune) or (n, c) or (n, c, 1, 1) per channel (AdaFilter).
     */
    public Variable gatedBlend(Variable a, Variable b) {
        return GatedBlend.apply(this, a, b);
    }

    /** Per-sample Σ_c w_c · mean_hw (this − teacher)², weights (n, c) or (c). */
    public Variable weightedFeatureDistance(Variable teacher, Variable weights) {
        return WeightedFeatureDistance.apply(this, teacher, weights);
    }

    @Override
    public String toString() {
        return "Variable(" + value + (requiresGrad ? ", requiresGrad" : "")
                + (creator != null ? ", " + creator.name() : "") + ")";
    }
}
