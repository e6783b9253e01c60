package org.finetune4j.nn.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * Everything besides the module's weights that a killed run needs to resume: position (epoch,
 * step), the training Rng's state, the optimiser's state as named tensors (e.g.
 * "conv1.weight.momentum_buffer") plus string scalars (e.g. "lr"), and free string metadata.
 * Optimiser-agnostic: an optimiser plugs in through its own stateDict()/loadStateDict(Map).
 */
public record TrainingState(long epoch, long step, long rngState, Map<String, Tensor> optimizer,
                            Map<String, String> optimizerScalars, Map<String, String> metadata) {
    public TrainingState {
        optimizer = frozenCopy(optimizer);
        optimizerScalars = frozenCopy(optimizerScalars);
        metadata = frozenCopy(metadata);
    }

    /** Position and generator only; add the rest with the with* methods. */
    public static TrainingState of(long epoch, long step, Rng rng) {
        return new TrainingState(epoch, step, rng.state(), Map.of(), Map.of(), Map.of());
    }

    public TrainingState withOptimizer(Map<String, Tensor> buffers, Map<String, String> scalars) {
        return new TrainingState(epoch, step, rngState, buffers, scalars, metadata);
    }

    public TrainingState withMetadata(Map<String, String> entries) {
        return new TrainingState(epoch, step, rngState, optimizer, optimizerScalars, entries);
    }

    /** A generator that continues exactly where the saved one stopped. */
    public Rng rng() {
        return Rng.fromState(rngState);
    }

    private static <V> Map<String, V> frozenCopy(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
