package org.finetune4j.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.layers.Identity;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    // Logits per image (4 classes; class 3 has no images). Image i is a 1×1 pixel of value i.
    private static final float[][] LOGITS = {
        {2, 1, 0, -1},      // label 0 → 0 right
        {0, 3, 1, -1},      // label 0 → 1
        {1, 1, 0, -1},      // label 1 → 0 (a tie goes to the first maximum)
        {0, 0, 5, -1},      // label 2 → 2 right
        {0, 2, 1, -1},      // label 2 → 1
    };
    private static final int[] LABELS = {0, 0, 1, 2, 2};

    /** Looks up each image's logits by its pixel value; records the mode it ran in. */
    private static final class FixedLogits extends Module {
        final Identity inner = child("inner", new Identity());
        boolean sawTraining;
        boolean sawGrad;
        boolean fail;

        @Override
        public Variable forward(Variable x) {
            sawTraining |= isTraining();
            sawGrad |= GradMode.isEnabled();
            if (fail) throw new IllegalStateException("boom");
            float[] ids = x.value().toArray();
            float[] out = new float[ids.length * 4];                    // (n, 4)
            for (int i = 0; i < ids.length; i++) {
                System.arraycopy(LOGITS[(int) ids[i]], 0, out, 4 * i, 4);
            }
            return Variable.constant(Tensor.wrap(out, ids.length, 4));
        }
    }

    private static Dataset images() {
        float[] x = {0, 1, 2, 3, 4};                                    // (5, 1, 1, 1)
        return new Dataset(Tensor.wrap(x, 5, 1, 1, 1), LABELS, List.of("a", "b", "c", "d"));
    }

    @Test
    void matchesAHandComputedCase() {
        FixedLogits model = new FixedLogits();
        Evaluation ev = Evaluation.run(model, images(), null, 2);     // batches 2, 2, 1
        double loss = 0;
        for (int i = 0; i < 5; i++) {
            double z = 0;
            for (float v : LOGITS[i]) z += Math.exp(v);
            loss -= Math.log(Math.exp(LOGITS[i][LABELS[i]]) / z);
        }
        assertEquals(5, ev.count());
        assertEquals(loss / 5, ev.loss(), 1e-6);
        assertEquals(0.4, ev.accuracy(), 1e-15);
        double[] perClass = ev.perClassAccuracy();
        assertEquals(0.5, perClass[0], 1e-15);
        assertEquals(0.0, perClass[1], 1e-15);
        assertEquals(0.5, perClass[2], 1e-15);
        assertTrue(Double.isNaN(perClass[3]), "class without images: " + perClass[3]);
        long[][] expected = {{1, 1, 0, 0}, {1, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, 0, 0}};
        for (int y = 0; y < 4; y++) assertArrayEquals(expected[y], ev.confusion()[y], "row " + y);
    }

    @Test
    void runsInEvalModeWithoutAGraphAndRestoresEachModuleMode() {
        FixedLogits model = new FixedLogits();
        model.train();
        model.inner.eval();
        Evaluation.run(model, images(), null, 4);
        assertFalse(model.sawTraining, "forward saw training mode");
        assertFalse(model.sawGrad, "forward recorded a graph");
        assertTrue(model.isTraining());
        assertFalse(model.inner.isTraining());
        assertTrue(GradMode.isEnabled());

        model.fail = true;
        assertThrows(IllegalStateException.class, () -> Evaluation.run(model, images(), null, 4));
        assertTrue(model.isTraining(), "mode not restored after an exception");
        assertFalse(model.inner.isTraining());
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void rejectsLogitsOfTheWrongWidth() {
        Dataset threeClasses = new Dataset(Tensor.wrap(new float[] {0, 1}, 2, 1, 1, 1),
                new int[] {0, 1}, List.of("a", "b", "c"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluation.run(new FixedLogits(), threeClasses, null, 4));
        assertTrue(e.getMessage().contains("(2, 3)"), e.getMessage());
    }
}
