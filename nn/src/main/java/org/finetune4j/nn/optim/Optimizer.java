package org.finetune4j.nn.optim;

import java.util.List;
import java.util.Map;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Tensor;

/**
 * A first-order optimiser with PyTorch 1.13's semantics: {@link #step()} updates each trainable
 * parameter that has a gradient, in place, once; frozen parameters and parameters without a
 * gradient are skipped and their state does not advance. On the CPU, updates write the
 * parameters' arrays directly in one fused pass per parameter; on other devices they run the same
 * float32 operations as tensor ops in place (equal results, no host round trip). No graph is
 * recorded, so no NoGrad scope is needed, and each parameter's version is bumped, so a stale saved
 * tensor is still detected by autograd. State buffers live on their parameter's device and follow
 * it when the module moves (Module.to), also after the optimiser was built.
 *
 * <p>Resuming: save {@link #stateDict()} and {@link #scalarState()} in a
 * {@link org.finetune4j.nn.io.TrainingState}, and give them back to {@link #loadState} on a fresh
 * optimiser over the same parameters; the continuation is bit-identical. Key format:
 * {@link OptimizerState}.
 */
public interface Optimizer {
    void step();

    /** Groups, current learning rates and per-parameter buffers. */
    OptimizerState state();

    default List<ParamGroup> groups() {
        return state().groups();
    }

    /** A group's current learning rate: its base rate until a schedule or setLr changes it. */
    default double lr(int group) {
        return state().lr(group);
    }

    default void setLr(int group, double lr) {
        state().setLr(group, lr);
    }

    default void zeroGrad() {
        for (ParamGroup g : groups()) {
            for (Parameter p : g.params()) p.zeroGrad();
        }
    }

    /** Copies of the buffers, e.g. "layer1.0.conv1.weight.momentum_buffer". */
    default Map<String, Tensor> stateDict() {
        return state().tensors();
    }

    /** Per-parameter step counts, current learning rates and the optimiser's name. */
    default Map<String, String> scalarState() {
        return state().scalars();
    }

    /**
     * Restores what {@link #stateDict()} and {@link #scalarState()} gave; throws
     * IllegalArgumentException naming every missing, mis-shaped or unexpected entry, and changes
     * nothing in that case.
     */
    default void loadState(Map<String, Tensor> tensors, Map<String, String> scalars) {
        state().load(tensors, scalars);
    }
}
