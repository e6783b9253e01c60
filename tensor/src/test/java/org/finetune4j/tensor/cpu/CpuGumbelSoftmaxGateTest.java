package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CpuGumbelSoftmaxGate against its composition from simple loops (add noise, divide by τ,
 * softmax, argmax), the small-τ limit, the straight-through gradient and finite differences.
 * Tolerances: forward atol 1e-6, rtol 1e-6; backward vs composition atol 1e-6, rtol 1e-5;
 * gradcheck eps 1e-3, atol 1e-3, rtol 1e-2.
 */
class CpuGumbelSoftmaxGateTest {
    /** {rows, k}: one choice, SpotTune's two choices, primes. */
    private static final int[][] SHAPES = {{1, 1}, {3, 2}, {7, 5}, {4, 13}};

    @Test
    void forwardMatchesCompositionOnOddShapes() {
        for (int[] s : SHAPES) {
            int rows = s[0], k = s[1];
            float[] logits = uniform(1, rows * k, -2, 2), noise = gumbel(2, rows * k);
            for (float tau : new float[] {0.5f, 1f, 3f}) {
                float[] soft = new float[rows * k], out = new float[rows * k];
                float[] hardSoft = new float[rows * k], hardOut = new float[rows * k];
                CpuGumbelSoftmaxGate.forward(logits, noise, soft, out, rows, k, tau, false);
                CpuGumbelSoftmaxGate.forward(logits, noise, hardSoft, hardOut, rows, k, tau, true);
                double[] expected = composedSoft(logits, noise, rows, k, tau);
                String what = Arrays.toString(s) + " tau " + tau;
                assertClose("soft " + what, expected, soft, 1e-6, 1e-6);
                assertArrayEquals(soft, out, "out = soft when !hard, " + what);
                assertArrayEquals(soft, hardSoft, "hard mode saves the same soft sample, " + what);
                assertArrayEquals(oneHotOfArgmax(soft, rows, k), hardOut, "hard one-hot, " + what);
            }
        }
    }

    @Test
    void handComputedTwoChoices() {
        // (logits + noise)/τ = ((0, 1) + (ln 3, −1))/1 = (ln 3, 0);
        // softmax(ln 3, 0) = (3, 1)/(3 + 1) = (0.75, 0.25); hard picks choice 0.
        float[] logits = {0f, 1f};
        float[] noise = {(float) Math.log(3), -1f};
        float[] soft = new float[2], out = new float[2];
        CpuGumbelSoftmaxGate.forward(logits, noise, soft, out, 1, 2, 1f, true);
        assertArrayEquals(new float[] {0.75f, 0.25f}, soft, 1e-6f);
        assertArrayEquals(new float[] {1f, 0f}, out);
    }

    @Test
    void firstMaximumWinsOnTies() {
        float[] soft = new float[6], out = new float[6];
        CpuGumbelSoftmaxGate.forward(new float[6], new float[6], soft, out, 2, 3, 1f, true);
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 0}, out);
    }

    @Test
    void outMayBeSoftItselfWhenNotHard() {
        int rows = 5, k = 3;
        float[] logits = uniform(3, rows * k, -2, 2), noise = gumbel(4, rows * k);
        float[] soft = new float[rows * k], separate = new float[rows * k];
        float[] out = new float[rows * k];
        CpuGumbelSoftmaxGate.forward(logits, noise, separate, out, rows, k, 0.7f, false);
        CpuGumbelSoftmaxGate.forward(logits, noise, soft, soft, rows, k, 0.7f, false);
        assertArrayEquals(separate, soft);
        assertThrows(IllegalArgumentException.class, () ->
                CpuGumbelSoftmaxGate.forward(logits, noise, soft, soft, rows, k, 0.7f, true));
    }

    @Test
    void smallTemperatureMakesTheSoftGateNearlyOneHot() {
        int rows = 6, k = 4;
        float[] logits = KernelTestKit.distinct(5, rows * k, 0.5);   // row gaps ≥ 0.5
        float[] noise = new float[rows * k];
        float[] soft = new float[rows * k], hard = new float[rows * k];
        CpuGumbelSoftmaxGate.forward(logits, noise, soft, hard, rows, k, 0.01f, true);
        // the runner-up weighs at most exp(−0.5/0.01) = exp(−50) ≈ 2e-22 of the winner
        assertClose("soft at tau 0.01 vs its one-hot", hard, soft, 1e-6, 0);
    }

    @Test
    void backwardMatchesFiniteDifferencesOfTheSoftSample() {
        int rows = 4, k = 5;
        float tau = 0.7f;
        float[] logits = uniform(6, rows * k, -1, 1), noise = gumbel(7, rows * k);
        float[] r = uniform(8, rows * k, -1, 1);                 // L = Σ soft·r
        float[] soft = new float[rows * k], out = new float[rows * k];
        float[] dLogits = new float[rows * k];
        CpuGumbelSoftmaxGate.forward(logits, noise, soft, out, rows, k, tau, true);
        CpuGumbelSoftmaxGate.backward(r, soft, dLogits, rows, k, tau);
        double[] numeric = numericGradient(logits, 1e-3, () -> {
            CpuGumbelSoftmaxGate.forward(logits, noise, soft, out, rows, k, tau, true);
            return dot(soft, r);
        });
        assertClose("dLogits vs finite differences", numeric, dLogits, 1e-3, 1e-2);
    }

    @Test
    void backwardMatchesTheStraightThroughFormula() {
        int rows = 7, k = 3;
        float tau = 2.5f;
        float[] logits = uniform(9, rows * k, -2, 2), noise = gumbel(10, rows * k);
        float[] dOut = uniform(11, rows * k, -1, 1);
        float[] soft = new float[rows * k], dLogits = new float[rows * k];
        CpuGumbelSoftmaxGate.forward(logits, noise, soft, new float[rows * k], rows, k, tau, true);
        CpuGumbelSoftmaxGate.backward(dOut, soft, dLogits, rows, k, tau);
        double[] expected = new double[rows * k];                // soft·(dOut − Σ dOut·soft)/τ
        for (int r = 0; r < rows; r++) {
            double dotRow = 0;
            for (int j = 0; j < k; j++) dotRow += (double) dOut[r * k + j] * soft[r * k + j];
            for (int j = 0; j < k; j++) {
                expected[r * k + j] = soft[r * k + j] * (dOut[r * k + j] - dotRow) / tau;
            }
        }
        assertClose("dLogits vs composition", expected, dLogits, 1e-6, 1e-5);
    }

    @Test
    void nonPositiveTemperatureIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CpuGumbelSoftmaxGate.forward(
                new float[2], new float[2], new float[2], new float[2], 1, 2, 0f, false));
    }

    @Test
    void twoRunsAreBitIdentical() {
        int rows = 64 * 12, k = 2;                              // SpotTune: batch 64, 12 blocks
        float[] logits = uniform(12, rows * k, -3, 3), noise = gumbel(13, rows * k);
        float[] dOut = uniform(14, rows * k, -1, 1);
        assertRunsAreBitIdentical(() -> {
            float[] soft = new float[rows * k], out = new float[rows * k];
            float[] dLogits = new float[rows * k];
            CpuGumbelSoftmaxGate.forward(logits, noise, soft, out, rows, k, 0.5f, true);
            CpuGumbelSoftmaxGate.backward(dOut, soft, dLogits, rows, k, 0.5f);
            return new float[][] {soft, out, dLogits};
        }, "soft", "out", "dLogits");
    }

    /** Gumbel(0, 1) samples −log(−log u), u uniform in (0, 1). */
    private static float[] gumbel(long seed, int size) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] g = new float[size];
        for (int i = 0; i < size; i++) {
            double u = Math.max(rng.nextDouble(), 1e-12);
            g[i] = (float) -Math.log(-Math.log(u));
        }
        return g;
    }

    /** The gate written as its steps: z = (l + g)/τ, then softmax(z) per row, in double. */
    private static double[] composedSoft(float[] logits, float[] noise, int rows, int k,
                                         float tau) {
        double[] z = new double[rows * k];
        for (int i = 0; i < z.length; i++) z[i] = ((double) logits[i] + noise[i]) / tau;
        double[] soft = new double[rows * k];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, z[r * k + j]);
            for (int j = 0; j < k; j++) sum += Math.exp(z[r * k + j] - max);
            for (int j = 0; j < k; j++) soft[r * k + j] = Math.exp(z[r * k + j] - max) / sum;
        }
        return soft;
    }

    private static float[] oneHotOfArgmax(float[] soft, int rows, int k) {
        float[] out = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (soft[r * k + j] > soft[r * k + best]) best = j;
            out[r * k + best] = 1f;
        }
        assertEquals(rows, (int) dot(out, out), "one 1 per row");
        return out;
    }
}
