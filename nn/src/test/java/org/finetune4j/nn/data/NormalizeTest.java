package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Per-channel (x − mean) / std; fit() measures mean and population std. */
class NormalizeTest {
    @Test
    void appliesMeanAndStdPerChannel() {
        float[] x = {0.5f, 1f, 0f, 0.25f};                              // (1, 2, 1, 2)
        Dataset d = new Dataset(Tensor.wrap(x, 1, 2, 1, 2), new int[] {0}, List.of("only"));
        Dataset n = new Normalize(new float[] {0.5f, 0.25f}, new float[] {0.5f, 2f}).apply(d);
        float[] y = n.images().data();
        assertEquals(0f, y[0]);
        assertEquals(1f, y[1]);
        assertEquals(-0.125f, y[2]);
        assertEquals(0f, y[3]);
        assertEquals(0.5f, d.images().data()[0], "the source dataset is untouched");
    }

    @Test
    void fitThenApplyGivesZeroMeanUnitStd() {
        float[] x = Rng.seeded(3).uniform(4 * 3 * 5 * 5, 0f, 1f);
        Dataset d = new Dataset(Tensor.wrap(x, 4, 3, 5, 5), new int[4], List.of("a"));
        Normalize fitted = Normalize.fit(d);
        Normalize again = Normalize.fit(fitted.apply(d));
        for (int c = 0; c < 3; c++) {
            assertEquals(0f, again.mean()[c], 1e-6f, "mean of channel " + c);
            assertEquals(1f, again.std()[c], 1e-5f, "std of channel " + c);
        }
    }

    @Test
    void rejectsAZeroStdAndAChannelMismatch() {
        float[] zero = {0};
        assertThrows(IllegalArgumentException.class, () -> new Normalize(zero, zero));
        float[] x = new float[12];                                      // (1, 3, 4)
        assertThrows(IllegalArgumentException.class,
                () -> Normalize.FASHION_MNIST.applyInPlace(x, 1, 3, 4));
    }
}
