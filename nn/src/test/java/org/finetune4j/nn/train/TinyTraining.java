package org.finetune4j.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.BlockType;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.nn.resnet.Stem;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/** A tiny net (one BasicBlock stage of width 4, BN included) and tiny learnable data. */
final class TinyTraining {
    static final int CLASSES = 3;
    static final int SIDE = 8;

    private TinyTraining() {}

    static ResNet model(long seed) {
        ResNetConfig c = new ResNetConfig(BlockType.BASIC, List.of(1), List.of(4), 1, Stem.SMALL,
                1, CLASSES);
        return new ResNet(c, Rng.seeded(seed));
    }

    static Optimizer sgd(Module net) {
        return new Sgd(List.of(ParamGroup.of(net, 0.1, 5e-4)), Sgd.Options.momentum(0.9));
    }

    /** n images (n, 1, 8, 8): noise plus a bright row at 2·label, so the classes are learnable. */
    static Dataset data(int n, long seed) {
        Rng rng = Rng.seeded(seed);
        float[] x = new float[n * SIDE * SIDE];                         // (n, 1, 8, 8)
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % CLASSES;
            for (int p = 0; p < SIDE * SIDE; p++) x[i * SIDE * SIDE + p] = 0.3f * rng.nextFloat();
            for (int col = 0; col < SIDE; col++) x[i * SIDE * SIDE + 2 * y[i] * SIDE + col] += 1f;
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < CLASSES; k++) names.add("c" + k);
        return new Dataset(Tensor.wrap(x, n, 1, SIDE, SIDE), y, names);
    }

    /** Every parameter and buffer equal bit for bit, naming the first tensor that differs. */
    static void assertBitIdentical(Module expected, Module actual) {
        Map<String, Tensor> a = expected.stateDict();
        Map<String, Tensor> b = actual.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(bits(a.get(k)), bits(b.get(k)), "tensor '" + k + "' differs");
        }
    }

    static int[] bits(Tensor t) {
        float[] v = t.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }
}
