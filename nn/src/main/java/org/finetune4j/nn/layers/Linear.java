package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * PyTorch's nn.Linear: x (n, in) → y = x·Wᵀ + b (n, out). Parameters "weight" (out, in) and
 * optionally "bias" (out), both U(±1/√in) as PyTorch 1.13 initialises them.
 */
public final class Linear extends Module {
    private final Parameter weight;                     // (out, in)
    private final Parameter bias;                       // (out), or null

    public Linear(int in, int out, boolean bias, Rng rng) {
        this(Init.kaimingUniform(rng, out, in), bias ? Init.biasUniform(rng, in, out) : null);
    }

    /** Wraps the given tensors (not copied): weight (out, in), bias (out) or null. */
    public static Linear of(Tensor weight, Tensor bias) {
        return new Linear(weight, bias);
    }

    private Linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("Linear weight must be (out, in), got "
                    + weight.shape());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("Linear bias " + bias.shape() + " does not match "
                    + weight.dim(0) + " outputs");
        }
        this.weight = param("weight", weight);
        this.bias = bias == null ? null : param("bias", bias);
    }

    @Override
    public Variable forward(Variable x) {
        return x.linear(weight.variable(), bias == null ? null : bias.variable());
    }

    @Override
    public Linear copy() {
        return (Linear) super.copy();
    }

    @Override
    protected Linear duplicate() {
        return new Linear(weight.value().copy(), bias == null ? null : bias.value().copy());
    }

    public Parameter weight() {
        return weight;
    }

    /** null when the layer has no bias. */
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return weight.value().dim(1);
    }

    public int outFeatures() {
        return weight.value().dim(0);
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures() + ", " + outFeatures()
                + (bias == null ? ", bias=false" : "") + ")";
    }
}
