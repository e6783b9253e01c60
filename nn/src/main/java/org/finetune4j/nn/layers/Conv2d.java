package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * PyTorch's nn.Conv2d with a square kernel and dilation 1: x (n, in, h, w) → (n, out, h', w').
 * Parameters "weight" (out, in/groups, k, k) and optionally "bias" (out), initialised as
 * PyTorch 1.13 does (kaiming_uniform_(a=√5), i.e. U(±1/√fan_in), and the bias likewise).
 */
public final class Conv2d extends Module {
    private final Parameter weight;                     // (out, in/groups, k, k)
    private final Parameter bias;                       // (out), or null
    private final int stride;
    private final int padding;
    private final int groups;

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        this(in, out, kernel, stride, padding, 1, bias, rng);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, int groups, boolean bias,
                  Rng rng) {
        this(initWeight(in, out, kernel, groups, rng),
                bias ? Init.biasUniform(rng, in / groups * kernel * kernel, out) : null,
                stride, padding, groups);
    }

    private static Tensor initWeight(int in, int out, int kernel, int groups, Rng rng) {
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in " + in + " and out " + out
                    + " must both be divisible by groups " + groups);
        }
        return Init.kaimingUniform(rng, out, in / groups, kernel, kernel);
    }

    /** Wraps the given tensors (not copied): weight (out, in/groups, k, k), bias (out) or null. */
    public static Conv2d of(Tensor weight, Tensor bias, int stride, int padding, int groups) {
        return new Conv2d(weight, bias, stride, padding, groups);
    }

    private Conv2d(Tensor weight, Tensor bias, int stride, int padding, int groups) {
        if (weight.rank() != 4 || weight.dim(2) != weight.dim(3)) {
            throw new IllegalArgumentException("Conv2d weight must be (out, in/groups, k, k), got "
                    + weight.shape());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("Conv2d bias " + bias.shape() + " does not match "
                    + weight.dim(0) + " output channels");
        }
        this.weight = param("weight", weight);
        this.bias = bias == null ? null : param("bias", bias);
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
    }

    @Override
    public Variable forward(Variable x) {
        return x.conv2d(weight.variable(), bias == null ? null : bias.variable(), stride, padding,
                groups);
    }

    @Override
    public Conv2d copy() {
        return (Conv2d) super.copy();
    }

    @Override
    protected Conv2d duplicate() {
        return new Conv2d(weight.value().copy(), bias == null ? null : bias.value().copy(), stride,
                padding, groups);
    }

    public Parameter weight() {
        return weight;
    }

    /** null when the layer has no bias. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() {
        return weight.value().dim(1) * groups;
    }

    public int outChannels() {
        return weight.value().dim(0);
    }

    public int kernel() {
        return weight.value().dim(2);
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public int groups() {
        return groups;
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels() + ", " + outChannels() + ", k=" + kernel() + ", s=" + stride
                + ", p=" + padding + (groups == 1 ? "" : ", groups=" + groups)
                + (bias == null ? ", bias=false" : "") + ")";
    }
}
