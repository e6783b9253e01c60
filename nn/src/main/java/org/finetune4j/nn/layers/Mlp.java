package org.finetune4j.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Sequential;
import org.finetune4j.tensor.Rng;

/**
 * Small multi-layer perceptrons as a {@link Sequential} of Linear, ReLU, …, Linear (no activation
 * after the last layer), so state-dict keys are PyTorch's for the same nn.Sequential
 * ("0.weight", "2.weight", …). Used for policy and gate heads of the transfer methods.
 */
public final class Mlp {
    private Mlp() {}

    /** widths = (in, hidden…, out), at least two entries; every Linear has a bias. */
    public static Sequential of(Rng rng, int... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least (in, out) widths, got "
                    + widths.length);
        }
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i + 1 < widths.length; i++) {
            if (i > 0) layers.add(new ReLU());
            layers.add(new Linear(widths[i], widths[i + 1], true, rng));
        }
        return new Sequential(layers);
    }
}
