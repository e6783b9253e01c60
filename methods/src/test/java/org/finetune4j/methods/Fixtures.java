package org.finetune4j.methods;

import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/** Tiny resnet-mini (3 classes) and a random (4, 1, 28, 28) batch shared by the method tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static ResNet mini(long seed) {
        return new ResNet(ResNetConfig.resnetMini(1, 3), Rng.seeded(seed));
    }

    public static Batch batch(long seed) {
        Tensor x = Tensor.normal(Rng.seeded(seed), 0f, 1f, 4, 1, 28, 28);
        return new Batch(x, new int[] {0, 1, 2, 1});
    }

    /** Deep copy of every parameter and buffer, for bit-identity checks. */
    public static Map<String, float[]> snapshot(ResNet model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> out.put(k, t.toArray().clone()));
        return out;
    }
}
