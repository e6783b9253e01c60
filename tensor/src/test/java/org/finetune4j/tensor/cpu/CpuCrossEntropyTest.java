package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CpuCrossEntropy against naive per-sample loops in double, hand-computed values, the label range
 * check and finite differences. Tolerances: loss atol 1e-6, rtol 1e-6; gradients vs formula
 * atol 1e-6, rtol 1e-5; gradcheck eps 1e-3, atol 1e-3, rtol 1e-2.
 */
class CpuCrossEntropyTest {
    /** {n, k}: one class (loss 0), two classes, primes, a CIFAR-like row. */
    private static final int[][] SHAPES = {{1, 1}, {5, 2}, {3, 7}, {13, 10}};

    @Test
    void hardLossAndGradientMatchNaiveLoopOnOddShapes() {
        for (int[] s : SHAPES) {
            int n = s[0], k = s[1];
            float[] logits = uniform(1, n * k, -4, 4), dLoss = uniform(2, n, -1, 1);
            int[] labels = labels(3, n, k);
            float[] loss = new float[n], dLogits = new float[n * k];
            CpuCrossEntropy.forward(logits, labels, loss, n, k);
            CpuCrossEntropy.backward(logits, labels, dLoss, dLogits, n, k);
            double[] expectedLoss = new double[n], expectedGrad = new double[n * k];
            for (int i = 0; i < n; i++) {
                double lse = naiveLogSumExp(logits, i * k, k);
                expectedLoss[i] = lse - logits[i * k + labels[i]];
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(logits[i * k + j] - lse);
                    expectedGrad[i * k + j] = (p - (j == labels[i] ? 1 : 0)) * dLoss[i];
                }
            }
            String shape = java.util.Arrays.toString(s);
            assertClose("loss " + shape, expectedLoss, loss, 1e-6, 1e-6);
            assertClose("dLogits " + shape, expectedGrad, dLogits, 1e-6, 1e-5);
        }
    }

    @Test
    void handComputedTwoClasses() {
        // softmax(0, ln 3) = (0.25, 0.75): label 1 costs −ln 0.75 = 0.2876821,
        // label 0 costs −ln 0.25 = 1.3862944.
        float[] logits = {0f, (float) Math.log(3), 0f, (float) Math.log(3)};
        float[] loss = new float[2];
        CpuCrossEntropy.forward(logits, new int[] {1, 0}, loss, 2, 2);
        assertArrayEquals(new float[] {0.2876821f, 1.3862944f}, loss, 1e-6f);
        float[] dLogits = new float[4];
        CpuCrossEntropy.backward(logits, new int[] {1, 0}, new float[] {1f, 2f}, dLogits, 2, 2);
        // (0.25 − 0, 0.75 − 1)·1 and (0.25 − 1, 0.75 − 0)·2
        assertArrayEquals(new float[] {0.25f, -0.25f, -1.5f, 1.5f}, dLogits, 1e-6f);
    }

    @Test
    void labelOutsideTheClassRangeIsRejectedWithItsIndexAndValue() {
        float[] logits = new float[9];
        var high = assertThrows(IllegalArgumentException.class, () ->
                CpuCrossEntropy.forward(logits, new int[] {0, 3, 1}, new float[3], 3, 3));
        assertTrue(high.getMessage().contains("labels[1] = 3"), high.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () ->
                CpuCrossEntropy.backward(logits, new int[] {0, 2, -1}, new float[3], new float[9],
                        3, 3));
        assertTrue(negative.getMessage().contains("labels[2] = -1"), negative.getMessage());
    }

    @Test
    void hugeLogitsStayFinite() {
        float[] logits = {1000f, 1000f + (float) Math.log(3), -1000f, -1000f + (float) Math.log(3)};
        float[] loss = new float[2];
        CpuCrossEntropy.forward(logits, new int[] {1, 1}, loss, 2, 2);
        assertArrayEquals(new float[] {0.2876821f, 0.2876821f}, loss, 1e-4f);   // float ulp at 1000
    }

    @Test
    void hardBackwardMatchesFiniteDifferences() {
        int n = 4, k = 5;
        float[] logits = uniform(4, n * k, -2, 2), r = uniform(5, n, -1, 1);   // L = Σ loss·r
        int[] labels = labels(6, n, k);
        float[] loss = new float[n], dLogits = new float[n * k];
        CpuCrossEntropy.backward(logits, labels, r, dLogits, n, k);
        double[] numeric = numericGradient(logits, 1e-3, () -> {
            CpuCrossEntropy.forward(logits, labels, loss, n, k);
            return dot(loss, r);
        });
        assertClose("dLogits vs finite differences", numeric, dLogits, 1e-3, 1e-2);
    }

    @Test
    void softTargetsMatchNaiveLoop() {
        int n = 6, k = 7;
        float[] logits = uniform(7, n * k, -3, 3), targets = uniform(8, n * k, 0, 1);
        float[] dLoss = uniform(9, n, -1, 1);
        float[] loss = new float[n], dLogits = new float[n * k];
        CpuCrossEntropy.forwardSoft(logits, targets, loss, n, k);
        CpuCrossEntropy.backwardSoft(logits, targets, dLoss, dLogits, n, k);
        double[] expectedLoss = new double[n], expectedGrad = new double[n * k];
        for (int i = 0; i < n; i++) {
            double lse = naiveLogSumExp(logits, i * k, k), targetSum = 0;
            for (int j = 0; j < k; j++) {
                expectedLoss[i] -= targets[i * k + j] * (logits[i * k + j] - lse);   // −Σ t·log p
                targetSum += targets[i * k + j];
            }
            for (int j = 0; j < k; j++) {
                double p = Math.exp(logits[i * k + j] - lse);
                expectedGrad[i * k + j] = (p * targetSum - targets[i * k + j]) * dLoss[i];
            }
        }
        assertClose("soft loss", expectedLoss, loss, 1e-6, 1e-6);
        assertClose("soft dLogits", expectedGrad, dLogits, 1e-6, 1e-5);
    }

    @Test
    void oneHotSoftTargetsEqualHardLabels() {
        int n = 5, k = 4;
        float[] logits = uniform(10, n * k, -3, 3), dLoss = uniform(11, n, -1, 1);
        int[] labels = labels(12, n, k);
        float[] oneHot = new float[n * k];
        for (int i = 0; i < n; i++) oneHot[i * k + labels[i]] = 1f;
        float[] hard = new float[n], soft = new float[n];
        CpuCrossEntropy.forward(logits, labels, hard, n, k);
        CpuCrossEntropy.forwardSoft(logits, oneHot, soft, n, k);
        assertClose("soft vs hard loss", hard, soft, 1e-6, 1e-6);
        float[] hardGrad = new float[n * k], softGrad = new float[n * k];
        CpuCrossEntropy.backward(logits, labels, dLoss, hardGrad, n, k);
        CpuCrossEntropy.backwardSoft(logits, oneHot, dLoss, softGrad, n, k);
        assertClose("soft vs hard dLogits", hardGrad, softGrad, 1e-7, 1e-6);
    }

    @Test
    void softBackwardMatchesFiniteDifferences() {
        int n = 3, k = 6;
        float[] logits = uniform(13, n * k, -2, 2), r = uniform(14, n, -1, 1);
        float[] targets = uniform(15, n * k, 0, 0.5);            // rows sum to ≈ 1.5, not 1
        float[] loss = new float[n], dLogits = new float[n * k];
        CpuCrossEntropy.backwardSoft(logits, targets, r, dLogits, n, k);
        double[] numeric = numericGradient(logits, 1e-3, () -> {
            CpuCrossEntropy.forwardSoft(logits, targets, loss, n, k);
            return dot(loss, r);
        });
        assertClose("soft dLogits vs finite differences", numeric, dLogits, 1e-3, 1e-2);
    }

    @Test
    void twoRunsAreBitIdentical() {
        int n = 257, k = 101;
        float[] logits = uniform(16, n * k, -6, 6), targets = uniform(17, n * k, 0, 1);
        float[] dLoss = uniform(18, n, -1, 1);
        int[] labels = labels(19, n, k);
        assertRunsAreBitIdentical(() -> {
            float[] loss = new float[n], softLoss = new float[n];
            float[] dLogits = new float[n * k], dSoft = new float[n * k];
            CpuCrossEntropy.forward(logits, labels, loss, n, k);
            CpuCrossEntropy.backward(logits, labels, dLoss, dLogits, n, k);
            CpuCrossEntropy.forwardSoft(logits, targets, softLoss, n, k);
            CpuCrossEntropy.backwardSoft(logits, targets, dLoss, dSoft, n, k);
            return new float[][] {loss, dLogits, softLoss, dSoft};
        }, "loss", "dLogits", "softLoss", "dSoftLogits");
    }

    private static int[] labels(long seed, int n, int k) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rng.nextInt(k);
        return labels;
    }

    private static double naiveLogSumExp(float[] x, int off, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, x[off + j]);
        for (int j = 0; j < k; j++) sum += Math.exp(x[off + j] - max);
        return max + Math.log(sum);
    }
}
