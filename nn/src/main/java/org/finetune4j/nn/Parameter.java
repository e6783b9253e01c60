package org.finetune4j.nn;

import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;

/**
 * A trainable tensor of a module. Holds one leaf {@link Variable} that every forward pass reads,
 * so gradients accumulate on it across the graph; freezing swaps it for a constant leaf over the
 * same tensor (no gradient is computed for a frozen parameter, and optimisers skip it).
 *
 * <p>{@link Module#to} moves a parameter to another device by swapping its value (and leaf) for
 * a copy there; the Parameter object stays, so optimisers and parameter groups that hold it see
 * the moved tensor on their next step. Read value() and variable() afresh, do not cache them.
 */
public final class Parameter {
    private Tensor value;
    private Variable variable;

    public Parameter(Tensor value) {
        this.value = value;
        this.variable = Variable.param(value);
    }

    /** The leaf to use in forward passes. */
    public Variable variable() {
        return variable;
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient, or null when none reached this parameter. */
    public Tensor grad() {
        return variable.gradValue();
    }

    public void zeroGrad() {
        variable.zeroGrad();
    }

    public boolean trainable() {
        return variable.requiresGrad();
    }

    /** Frozen parameters get no gradient; the value tensor stays the same object. */
    public void setTrainable(boolean trainable) {
        if (trainable != variable.requiresGrad()) {
            variable = trainable ? Variable.param(value) : Variable.constant(value);
        }
    }

    /** Replaces the value by a copy on device (a no-op when it is there); drops the gradient. */
    void moveTo(Device device) {
        if (value.device().equals(device)) return;
        boolean trainable = trainable();
        value = value.to(device);
        variable = trainable ? Variable.param(value) : Variable.constant(value);
    }

    @Override
    public String toString() {
        return "Parameter" + value.shape() + (trainable() ? "" : " (frozen)");
    }
}
