package org.finetune4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Sequential;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayersTest {
    /**
     * All values inside ±bound, and for large tensors spread over it as U(−bound, bound) is (max
     * near bound, mean near 0); a bias of 16 values is too small to say more than the range.
     */
    private static void assertUniformWithin(Tensor t, double bound, String what) {
        float[] v = t.toArray();
        if (v.length < 500) {
            for (float x : v) {
                assertTrue(Math.abs(x) < bound, what + ": " + x + " outside ±" + bound);
            }
            return;
        }
        double max = 0;
        double sum = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) < bound, what + ": " + x + " outside ±" + bound);
            max = Math.max(max, Math.abs(x));
            sum += x;
        }
        assertTrue(max > 0.95 * bound, what + ": max |value| " + max + " far below " + bound);
        assertTrue(Math.abs(sum / v.length) < 0.1 * bound, what + ": mean " + sum / v.length);
    }

    @Test
    void convAndLinearStartFromPyTorchDefaultRanges() {
        Conv2d conv = new Conv2d(8, 16, 3, 1, 1, 2, true, Rng.seeded(1));     // fan_in 4·3·3
        assertEquals(Shape.of(16, 4, 3, 3), conv.weight().value().shape());
        assertUniformWithin(conv.weight().value(), 1 / Math.sqrt(36), "conv weight");
        assertUniformWithin(conv.bias().value(), 1 / Math.sqrt(36), "conv bias");
        Linear fc = new Linear(50, 40, true, Rng.seeded(2));
        assertUniformWithin(fc.weight().value(), 1 / Math.sqrt(50), "linear weight");
        assertUniformWithin(fc.bias().value(), 1 / Math.sqrt(50), "linear bias");
        assertEquals(List.of("weight"), List.copyOf(
                new Conv2d(3, 4, 3, 1, 1, false, Rng.seeded(3)).stateDict().keySet()));
    }

    @Test
    void sameSeedSameWeights() {
        assertArrayEquals(new Linear(5, 6, true, Rng.seeded(4)).weight().value().toArray(),
                new Linear(5, 6, true, Rng.seeded(4)).weight().value().toArray());
    }

    @Test
    void batchNormHasPyTorchsStateDict() {
        BatchNorm2d bn = new BatchNorm2d(4);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var",
                "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
        assertEquals(Shape.SCALAR, bn.numBatchesTracked().shape());
        assertArrayEquals(new float[] {1, 1, 1, 1}, bn.weight().value().toArray());
        assertArrayEquals(new float[] {1, 1, 1, 1}, bn.runningVar().toArray());
        assertArrayEquals(new float[4], bn.bias().value().toArray());
    }

    @Test
    void batchNormTrainingUpdatesStatisticsAndCountsBatches() {
        BatchNorm2d bn = new BatchNorm2d(2);
        // channel 0 holds 1..4, channel 1 is constant 5: means 2.5 and 5, unbiased variances 5/3, 0
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 5, 5, 5}, 1, 2, 2, 2);
        bn.forward(Variable.constant(x));
        bn.forward(Variable.constant(x));
        assertEquals(2f, bn.numBatchesTracked().item());
        float m = 0.9f * 0.25f + 0.25f;                    // two momentum steps from 0 towards 2.5
        assertEquals(m, bn.runningMean().get(0), 1e-6, "running_mean[0]");
        float v = 0.81f + 0.19f * 5f / 3f;                 // from 1 towards 5/3
        assertEquals(v, bn.runningVar().get(0), 1e-6, "running_var[0]");
        assertEquals(0.81f, bn.runningVar().get(1), 1e-6, "running_var[1]");
    }

    @Test
    void batchNormInEvalModeLeavesEveryBufferBitIdentical() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(5), -1, 1, 2, 3, 4, 4));
        bn.forward(x);
        Map<String, Tensor> before = StateDicts.snapshot(bn);
        bn.eval();
        Variable y = bn.forward(x);
        before.forEach((k, t) -> assertArrayEquals(t.toArray(), bn.stateDict().get(k).toArray(),
                k + " changed in eval mode"));
        float expected = (float) ((x.value().get(0, 1, 2, 3) - bn.runningMean().get(1))
                / Math.sqrt(bn.runningVar().get(1) + 1e-5));
        assertEquals(expected, y.value().get(0, 1, 2, 3), 1e-6, "eval output (0, 1, 2, 3)");
    }

    @Test
    void dropoutZeroesAndRescalesInTrainingAndIsIdentityInEval() {
        Dropout d = new Dropout(0.25f, Rng.seeded(6));
        Variable x = Variable.constant(Tensor.ones(40, 50));
        float[] y = d.forward(x).value().toArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) {
                zeros++;
            } else {
                assertEquals(1f / 0.75f, v, 1e-6, "kept values are scaled by 1/(1 − p)");
            }
        }
        assertTrue(zeros > 400 && zeros < 600, zeros + " of 2000 zeroed at p = 0.25");
        assertArrayEquals(y, new Dropout(0.25f, Rng.seeded(6)).forward(x).value().toArray(),
                "same seed, same mask");
        d.eval();
        assertSame(x, d.forward(x));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f, Rng.seeded(1)));
    }

    @Test
    void dropoutCopyContinuesTheSameStreamIndependently() {
        Dropout d = new Dropout(0.5f, Rng.seeded(7));
        Dropout c = (Dropout) d.copy();
        Variable x = Variable.constant(Tensor.ones(64));
        float[] fromCopy = c.forward(x).value().toArray();
        assertArrayEquals(fromCopy, d.forward(x).value().toArray());
        assertNotEquals(List.of(fromCopy), List.of(c.forward(x).value().toArray()));
    }

    @Test
    void identityFlattenAndSequentialCompose() {
        Variable x = Variable.param(Tensor.uniform(Rng.seeded(8), -1, 1, 2, 3, 2, 2));
        assertSame(x, new Identity().forward(x));
        assertEquals(Shape.of(2, 12), new Flatten().forward(x).shape());
        Linear fc = new Linear(12, 5, true, Rng.seeded(9));
        Sequential s = new Sequential(new Identity(), new Flatten(), fc, new ReLU6());
        float[] expected = x.flatten().linear(fc.weight().variable(), fc.bias().variable())
                .relu6().value().toArray();
        assertArrayEquals(expected, s.forward(x).value().toArray());
        assertEquals(4, s.size());
        assertSame(fc, s.get(2));
    }

    @Test
    void mlpIsASequentialWithPyTorchsKeys() {
        Sequential mlp = Mlp.of(Rng.seeded(10), 6, 8, 3);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                List.copyOf(mlp.stateDict().keySet()));
        assertEquals(Shape.of(4, 3),
                mlp.forward(Variable.constant(Tensor.zeros(4, 6))).shape());
    }

    @Test
    void poolingLayersMatchTheirOps() {
        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(11), -1, 1, 1, 2, 6, 6));
        assertArrayEquals(x.maxPool2d(3, 2, 1).value().toArray(),
                new MaxPool2d(3, 2, 1).forward(x).value().toArray());
        assertArrayEquals(x.avgPool2d(2, 2, 0).value().toArray(),
                new AvgPool2d(2, 2, 0).forward(x).value().toArray());
        assertEquals(Shape.of(1, 2), new GlobalAvgPool().forward(x).shape());
    }

    @Test
    void convLayerBackwardMatchesFiniteDifferences() {
        Conv2d conv = new Conv2d(2, 3, 3, 2, 1, true, Rng.seeded(12));
        Variable x = Variable.param(Tensor.uniform(Rng.seeded(13), -1, 1, 1, 2, 5, 5));
        GradCheck.of(in -> conv.forward(in[0])).inputs(x).names("x").assertGradientsMatch();
    }
}
