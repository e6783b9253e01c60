package org.finetune4j.methods.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.finetune4j.methods.Fixtures;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Channel attention of DELTA (spec delta.md §7, tests 1–3). */
class ChannelAttentionTest {

    @Test
    void knownScoresGiveTheSpecsSoftmaxValues() {
        // d = [0, 1] → z = [−1, 1] → softmax([−0.2, 0.2]) at temperature 5
        float[] a = ChannelAttention.fromScores(new double[] {0, 1}, 5);
        assertArrayEquals(new float[] {0.40131f, 0.59869f}, a, 1e-5f, "a for d = [0, 1]");
    }

    @Test
    void constantScoresGiveUniformAttentionInsteadOfNaN() {
        float[] a = ChannelAttention.fromScores(new double[] {0.3, 0.3, 0.3, 0.3}, 5);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, a, 0f, "a for std = 0");
    }

    @Test
    void attentionPerLayerIsNonNegativeAndSumsToOneAndRestoresTheWeightsExactly() {
        ResNet model = Fixtures.mini(3);
        model.train();
        Map<String, float[]> before = Fixtures.snapshot(model);
        List<Tensor> a = ChannelAttention.compute(model,
                List.of(Fixtures.batch(11), Fixtures.batch(12)), 5);
        int[] widths = {16, 32, 64};
        assertEquals(widths.length, a.size(), "hooked layers");
        for (int l = 0; l < a.size(); l++) {
            float[] v = a.get(l).toArray();
            assertEquals(widths[l], v.length, "channels of layer " + (l + 1));
            double sum = 0;
            for (int c = 0; c < v.length; c++) {
                assertTrue(v[c] >= 0, "a[" + (l + 1) + "][" + c + "] = " + v[c]);
                sum += v[c];
            }
            assertEquals(1.0, sum, 1e-6, "sum of a over layer " + (l + 1));
        }
        Map<String, float[]> after = Fixtures.snapshot(model);
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), 0f, "state " + k));
        assertTrue(model.isTraining(), "train mode restored");
    }

    @Test
    void hooksTheLastConvOfEachStage() {
        ResNet model = Fixtures.mini(1);
        assertEquals(model.namedParameters().get("layer3.1.conv2.weight"),
                ChannelAttention.hookedConvs(model).get(2).weight(), "layer3.1.conv2");
    }
}
