package org.finetune4j.nn.resnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PruningTest {
    private static final double TOL = 1e-6;       // conv2 sums fewer terms: only rounding differs

    /** 1 for kept channels, 0 for removed ones. */
    private static Variable mask(int c, int... remove) {
        float[] m = new float[c];
        Arrays.fill(m, 1f);
        for (int j : remove) m[j] = 0f;
        return Variable.constant(Tensor.wrap(m, c));
    }

    /** Non-trivial BN state, so a channel mix-up cannot go unnoticed. */
    private static void randomiseBatchNorm(ResidualBlock block, long seed) {
        Rng rng = Rng.seeded(seed);
        for (Module m : block.module().namedModules().values()) {
            if (m instanceof BatchNorm2d bn) {
                int c = bn.channels();
                bn.weight().value().copyFrom(Tensor.uniform(rng, 0.5f, 1.5f, c));
                bn.bias().value().copyFrom(Tensor.uniform(rng, -0.3f, 0.3f, c));
                bn.runningMean().copyFrom(Tensor.uniform(rng, -0.2f, 0.2f, c));
                bn.runningVar().copyFrom(Tensor.uniform(rng, 0.5f, 1.5f, c));
            }
        }
    }

    private static void assertPrunedEqualsMasked(ResidualBlock block, boolean training,
                                                 int... remove) {
        randomiseBatchNorm(block, 3);
        block.module().train(training);
        ResidualBlock pruned = block.withoutInnerChannels(remove);
        assertEquals(block.innerChannels() - remove.length, pruned.innerChannels());
        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(4), -1, 1, 3,
                block.inChannels(), 6, 6));
        Variable masked = block.forwardScaled(x, mask(block.innerChannels(), remove));
        Golden.assertClose(masked.value(), pruned.forward(x).value(), TOL, 0,
                block.getClass().getSimpleName() + " pruned vs masked, training=" + training);
    }

    @Test
    void prunedBasicBlockComputesWhatTheMaskedOneDid() {
        for (boolean training : new boolean[] {false, true}) {
            assertPrunedEqualsMasked(new BasicBlock(6, 8, 2, Rng.seeded(1)), training, 0, 3, 7);
        }
    }

    @Test
    void prunedBottleneckComputesWhatTheMaskedOneDid() {
        for (boolean training : new boolean[] {false, true}) {
            assertPrunedEqualsMasked(new Bottleneck(8, 4, 1, Rng.seeded(2)), training, 1, 2);
        }
    }

    @Test
    void removesTheFilterTheBatchNormChannelAndTheConsumersInput() {
        BasicBlock block = new BasicBlock(4, 4, 1, Rng.seeded(5));
        BasicBlock pruned = block.withoutInnerChannels(2);
        assertEquals(Shape.of(3, 4, 3, 3), pruned.conv1().weight().value().shape());
        assertEquals(3, pruned.bn1().channels());
        assertEquals(Shape.of(4, 3, 3, 3), pruned.conv2().weight().value().shape());
        assertArrayEquals(block.conv1().weight().value().slice(0, 3, 4).toArray(),
                pruned.conv1().weight().value().slice(0, 2, 3).toArray(), "filter 3 moves to 2");
        assertThrows(IllegalArgumentException.class, () -> block.withoutInnerChannels(1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> block.withoutInnerChannels(4));
        assertThrows(IllegalArgumentException.class, () -> block.withoutInnerChannels(0, 1, 2, 3));
    }

    @Test
    void prunedResNetComputesWhatTheMaskedOneDidAndKeepsTheOriginal() {
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(6));
        for (ResidualBlock b : net.blocks()) randomiseBatchNorm(b, 7);
        net.eval();
        net.conv1().setTrainable(false);
        Map<String, Tensor> before = StateDicts.snapshot(net);
        List<int[]> remove = new ArrayList<>();
        Rng rng = Rng.seeded(8);
        for (ResidualBlock b : net.blocks()) {
            remove.add(Arrays.copyOf(rng.permutation(b.innerChannels()), 3));
        }
        remove.set(1, new int[0]);                               // a block left as it is
        ResNet pruned = Pruning.removeInnerChannels(net, remove);

        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(9), -1, 1, 2, 1, 10, 10));
        Variable h = net.stem(x);
        List<ResidualBlock> blocks = net.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            h = blocks.get(i).forwardScaled(h, mask(blocks.get(i).innerChannels(), remove.get(i)));
        }
        Golden.assertClose(net.head(h).value(), pruned.forward(x).value(), 1e-5, 0,
                "pruned ResNet vs masked");
        assertEquals(net.parameterCount() - pruneSaving(net), pruned.parameterCount());
        assertFalse(pruned.isTraining());
        assertFalse(pruned.conv1().weight().trainable());
        before.forEach((k, t) -> assertArrayEquals(t.toArray(), net.stateDict().get(k).toArray(),
                "pruning changed the original's '" + k + "'"));
    }

    /** Parameters freed by removing 3 inner channels from 5 of the 6 blocks. */
    private static long pruneSaving(ResNet net) {
        long saved = 0;
        List<ResidualBlock> blocks = net.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            if (i == 1) continue;
            BasicBlock b = (BasicBlock) blocks.get(i);
            saved += 3L * (b.inChannels() * 9 + 2 + b.outChannels() * 9);   // filter, γβ, inputs
        }
        return saved;
    }
}
