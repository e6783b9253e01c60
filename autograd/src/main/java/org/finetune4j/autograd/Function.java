package org.finetune4j.autograd;

import org.finetune4j.tensor.Tensor;

/**
 * One differentiable op: forward on tensors, backward on variables (PyTorch's autograd.Function
 * contract, STYLE.md 3.3).
 *
 * <ul>
 *   <li>{@code forward} computes through Tensor/Backend calls only, so it runs on any device.</li>
 *   <li>{@code backward(dy)} returns one gradient per input, null where {@link #needsGrad} is false.
 *       It is written with Variable ops: the engine runs it with recording off (plain tensor speed)
 *       or, for {@code createGraph}, on (its result can be differentiated again: double backward).
 *       A Function may take a fused kernel path when {@link GradMode#isEnabled()} is false.</li>
 *   <li>The engine accumulates results; a Function never does.</li>
 *   <li>Saved inputs and the output are read through {@link #input} and {@link #output}, which
 *       refuse a released graph and a tensor modified in place since the forward.</li>
 *   <li>Non-differentiable arguments (indices, masks, noise, geometry) are constructor arguments.</li>
 * </ul>
 */
public abstract class Function {
    private Variable[] inputs;
    private int[] inputVersions;
    private Variable output;
    private int outputVersion;
    private boolean released;

    /** Computes the output value from the input values. */
    protected abstract Tensor forward(Tensor... in);

    /** Gradients with respect to each input given dL/dy. */
    protected abstract Variable[] backward(Variable dy);

    /** Drops tensors a subclass saved in fields (called once the backward has run). */
    protected void releaseSaved() {}

    public String name() {
        return getClass().getSimpleName();
    }

    /** Runs the op; records it in the graph when recording is on and an input requires grad. */
    public final Variable apply(Variable... in) {
        Tensor[] values = new Tensor[in.length];
        boolean record = false;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) throw new IllegalArgumentException(name() + ": input " + i + " is null");
            values[i] = in[i].value();
            record |= in[i].requiresGrad();
        }
        record &= GradMode.isEnabled();
        if (!record) {
            // Nothing to differentiate: compute and let this Function be collected.
            inputs = in;
            Tensor y = forward(values);
            inputs = null;
            return Variable.constant(y);
        }
        inputs = in.clone();
        inputVersions = new int[in.length];
        for (int i = 0; i < in.length; i++) inputVersions[i] = in[i].value().version();
        Tensor y = forward(values);
        output = new Variable(y, this);
        outputVersion = y.version();
        return output;
    }

    /** True when input i needs a gradient (asked by backward to skip work). */
    protected final boolean needsGrad(int i) {
        return inputs[i].requiresGrad();
    }

    /** Saved input i; throws if the graph was released or the tensor was modified in place. */
    protected final Variable input(int i) {
        checkLive();
        Variable v = inputs[i];
        if (v.value().version() != inputVersions[i]) {
            throw new IllegalStateException(name() + ": input " + i + " " + v.shape()
                    + " was modified in place after it was saved for backward");
        }
        return v;
    }

    /** The output of this op, for backward formulas written in terms of y. */
    protected final Variable output() {
        checkLive();
        if (output.value().version() != outputVersion) {
            throw new IllegalStateException(name() + ": its output " + output.shape()
                    + " was modified in place after it was saved for backward");
        }
        return output;
    }

    protected final int inputCount() {
        return inputs.length;
    }

    /** Input values during forward (no version check needed then). */
    protected final Variable rawInput(int i) {
        return inputs[i];
    }

    private void checkLive() {
        if (released) {
            throw new IllegalStateException("backward through a graph that was already released (op " + name()
                    + "); pass retainGraph = true to the first backward to run it twice");
        }
    }

    // ---------------------------------------------------------------- used by Graph

    final Variable[] inputs() {
        return inputs;
    }

    final boolean released() {
        return released;
    }

    final void release() {
        released = true;
        releaseSaved();
    }

    /** Helper for backward: packs gradients, one per input. */
    protected static Variable[] grads(Variable... g) {
        return g;
    }
}
