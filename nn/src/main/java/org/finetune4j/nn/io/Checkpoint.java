package org.finetune4j.nn.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.nn.Module;
import org.finetune4j.tensor.Tensor;

/**
 * A resumable training checkpoint in one safetensors file, written atomically. Tensors: the
 * module's state dict under its own (PyTorch) names, and the optimiser's tensors under "optim.";
 * __metadata__: the format tag, epoch, step, rng_state, optimiser scalars under "optim." and
 * user metadata under "meta.". PyTorch reads the weights after dropping the "optim." keys.
 *
 * <p>Loading is all or nothing: the file is read and validated, the metadata parsed and the
 * module's keys checked strictly before the first value is copied into the module.
 */
public final class Checkpoint {
    static final String FORMAT_KEY = "finetune4j.format";
    static final String FORMAT = "checkpoint-1";
    static final String OPTIM = "optim.";
    static final String META = "meta.";

    private Checkpoint() {}

    public static void save(Path file, Module module, TrainingState state) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(module.stateDict());
        for (String k : tensors.keySet()) {
            if (k.startsWith(OPTIM)) {
                throw new IllegalArgumentException("module key '" + k
                        + "' collides with the optimiser prefix '" + OPTIM + "'");
            }
        }
        state.optimizer().forEach((k, t) -> tensors.put(OPTIM + k, t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put("epoch", Long.toString(state.epoch()));
        meta.put("step", Long.toString(state.step()));
        meta.put("rng_state", Long.toString(state.rngState()));
        state.optimizerScalars().forEach((k, v) -> meta.put(OPTIM + k, v));
        state.metadata().forEach((k, v) -> meta.put(META + k, v));
        Safetensors.write(file, tensors, meta);
    }

    /** Loads the weights into module (strictly) and returns the rest of the training state. */
    public static TrainingState load(Path file, Module module) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        TrainingState state;
        try {
            state = parseState(c);
        } catch (SafetensorsException e) {
            throw new SafetensorsException(file + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> {
            if (!k.startsWith(OPTIM)) weights.put(k, t);
        });
        StateDicts.load(module, weights, true);
        return state;
    }

    private static TrainingState parseState(Safetensors.Contents c) throws SafetensorsException {
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get(FORMAT_KEY))) {
            throw new SafetensorsException("not a finetune4j checkpoint: __metadata__ has "
                    + FORMAT_KEY + " = " + meta.get(FORMAT_KEY) + ", expected " + FORMAT
                    + " (for a plain weights file use"
                    + " StateDicts.load(module, Safetensors.read(file).tensors(), strict))");
        }
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> {
            if (k.startsWith(OPTIM)) optimizer.put(k.substring(OPTIM.length()), t);
        });
        Map<String, String> scalars = new LinkedHashMap<>();
        Map<String, String> user = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(OPTIM)) scalars.put(k.substring(OPTIM.length()), v);
            if (k.startsWith(META)) user.put(k.substring(META.length()), v);
        });
        return new TrainingState(longEntry(meta, "epoch"), longEntry(meta, "step"),
                longEntry(meta, "rng_state"), optimizer, scalars, user);
    }

    private static long longEntry(Map<String, String> meta, String key)
            throws SafetensorsException {
        String v = meta.get(key);
        if (v == null) {
            throw new SafetensorsException("checkpoint __metadata__ lacks '" + key + "'");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new SafetensorsException("checkpoint __metadata__ '" + key + "' = " + Json.show(v)
                    + " is not an integer", e);
        }
    }
}
