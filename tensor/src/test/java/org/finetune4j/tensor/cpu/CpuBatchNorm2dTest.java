package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * CpuBatchNorm2d against a two-pass per-channel loop in double, a hand-computed case, PyTorch's
 * running-statistics rule and finite differences. Tolerances: statistics rtol 1e-6; y atol 1e-5,
 * rtol 1e-5 (float (x − mean)·scale + beta); gradients atol 1e-5, rtol 1e-4 (the dx formula
 * cancels m·dy against two sums); gradcheck eps 1e-3, atol 1e-3, rtol 1e-2.
 */
class CpuBatchNorm2dTest {
    /** {n, c, hw}: size-1 dimensions, primes, and a resnet-mini sized layer. */
    private static final int[][] SHAPES = {
            {1, 1, 2}, {2, 1, 1}, {2, 3, 5}, {3, 2, 7}, {5, 7, 1}, {1, 3, 13}, {64, 16, 49}};

    @Test
    void forwardTrainMatchesNaiveLoopOnOddShapes() {
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2];
            float[] x = uniform(1, n * c * hw, -2, 3);
            float[] gamma = uniform(2, c, 0.5, 1.5), beta = uniform(3, c, -1, 1);
            float[] y = new float[x.length], mean = new float[c], rstd = new float[c];
            CpuBatchNorm2d.forwardTrain(x, gamma, beta, y, mean, rstd, null, null, n, c, hw,
                    0.1f, 1e-5f);
            Naive ref = new Naive(x, n, c, hw, 1e-5);
            String shape = java.util.Arrays.toString(s);
            assertClose("saveMean " + shape, ref.mean, mean, 1e-7, 1e-6);
            assertClose("saveRstd " + shape, ref.rstd, rstd, 0, 1e-6);
            assertClose("y " + shape, ref.y(gamma, beta), y, 1e-5, 1e-5);
        }
    }

    @Test
    void handComputedSingleChannel() {
        // x = 1, 2, 3, 4: mean 2.5, biased var (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25,
        // rstd = 1/√1.25 = 0.894427191; y = 1 + 2·(x − 2.5)·rstd with gamma 2, beta 1.
        float[] x = {1, 2, 3, 4};
        float[] y = new float[4], mean = new float[1], rstd = new float[1];
        float[] runningMean = {0f}, runningVar = {1f};
        CpuBatchNorm2d.forwardTrain(x, new float[] {2f}, new float[] {1f}, y, mean, rstd,
                runningMean, runningVar, 1, 1, 4, 0.1f, 0f);
        assertArrayEquals(new float[] {-1.683282f, 0.105573f, 1.894427f, 3.683282f}, y, 1e-5f);
        assertArrayEquals(new float[] {2.5f}, mean);
        assertArrayEquals(new float[] {0.894427191f}, rstd, 1e-7f);
        // running mean 0.9·0 + 0.1·2.5; running var 0.9·1 + 0.1·(1.25·4/3 = 1.6667), unbiased
        assertArrayEquals(new float[] {0.25f}, runningMean, 1e-7f);
        assertArrayEquals(new float[] {1.0666667f}, runningVar, 1e-6f);
    }

    @Test
    void runningStatisticsFollowPyTorchWithUnbiasedVariance() {
        int n = 3, c = 4, hw = 5, m = n * hw;
        float momentum = 0.25f;
        float[] x = uniform(4, n * c * hw, -1, 4);
        float[] runningMean = uniform(5, c, -1, 1), runningVar = uniform(6, c, 0.5, 2);
        float[] oldMean = runningMean.clone(), oldVar = runningVar.clone();
        CpuBatchNorm2d.forwardTrain(x, new float[c], new float[c], new float[x.length],
                new float[c], new float[c], runningMean, runningVar, n, c, hw, momentum, 1e-5f);
        Naive ref = new Naive(x, n, c, hw, 1e-5);
        double[] expectedMean = new double[c], expectedVar = new double[c];
        for (int ch = 0; ch < c; ch++) {
            expectedMean[ch] = (1 - momentum) * oldMean[ch] + momentum * ref.mean[ch];
            expectedVar[ch] = (1 - momentum) * oldVar[ch] + momentum * ref.var[ch] * m / (m - 1);
        }
        assertClose("runningMean", expectedMean, runningMean, 1e-7, 1e-6);
        assertClose("runningVar", expectedVar, runningVar, 1e-7, 1e-6);
    }

    @Test
    void statisticsStayAccurateWhenTheMeanDwarfsTheSpread() {
        int n = 8, c = 2, hw = 37;
        float[] x = uniform(7, n * c * hw, 999.5, 1000.5);       // mean/std ≈ 3500
        float[] mean = new float[c], rstd = new float[c];
        CpuBatchNorm2d.forwardTrain(x, new float[] {1, 1}, new float[2], new float[x.length], mean,
                rstd, null, null, n, c, hw, 0.1f, 0f);
        Naive ref = new Naive(x, n, c, hw, 0);
        assertClose("saveRstd", ref.rstd, rstd, 0, 1e-6);
    }

    @Test
    void forwardEvalMatchesNaiveLoop() {
        int n = 3, c = 5, hw = 7;
        float eps = 1e-3f;
        float[] x = uniform(8, n * c * hw, -2, 2);
        float[] gamma = uniform(9, c, 0.5, 1.5), beta = uniform(10, c, -1, 1);
        float[] runningMean = uniform(11, c, -1, 1), runningVar = uniform(12, c, 0.2, 3);
        float[] y = new float[x.length];
        CpuBatchNorm2d.forwardEval(x, gamma, beta, runningMean, runningVar, y, n, c, hw, eps);
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            double rstd = 1 / Math.sqrt(runningVar[ch] + (double) eps);
            expected[i] = (x[i] - (double) runningMean[ch]) * rstd * gamma[ch] + beta[ch];
        }
        assertClose("y eval", expected, y, 1e-6, 1e-5);
    }

    @Test
    void backwardMatchesNaiveFormulaOnOddShapes() {
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2];
            float[] x = uniform(13, n * c * hw, -2, 3), dy = uniform(14, n * c * hw, -1, 1);
            float[] gamma = uniform(15, c, 0.5, 1.5);
            float[] mean = new float[c], rstd = new float[c];
            CpuBatchNorm2d.forwardTrain(x, gamma, new float[c], new float[x.length], mean, rstd,
                    null, null, n, c, hw, 0.1f, 1e-5f);
            float[] dx = new float[x.length], dGamma = new float[c], dBeta = new float[c];
            CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, dx, dGamma, dBeta, n, c, hw);
            Naive ref = new Naive(x, n, c, hw, 1e-5);
            double[][] expected = ref.backward(dy, gamma);
            String shape = java.util.Arrays.toString(s);
            assertClose("dx " + shape, expected[0], dx, 1e-5, 1e-4);
            assertClose("dGamma " + shape, expected[1], dGamma, 1e-5, 1e-4);
            assertClose("dBeta " + shape, expected[2], dBeta, 1e-5, 1e-5);
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        int n = 2, c = 3, hw = 5;
        float[] x = uniform(16, n * c * hw, -2, 2), r = uniform(17, n * c * hw, -1, 1);
        float[] gamma = uniform(18, c, 0.5, 1.5), beta = uniform(19, c, -1, 1);
        float[] y = new float[x.length], mean = new float[c], rstd = new float[c];
        CpuBatchNorm2d.forwardTrain(x, gamma, beta, y, mean, rstd, null, null, n, c, hw,
                0.1f, 1e-5f);
        float[] dx = new float[x.length], dGamma = new float[c], dBeta = new float[c];
        CpuBatchNorm2d.backward(r, x, gamma, mean, rstd, dx, dGamma, dBeta, n, c, hw);
        java.util.function.DoubleSupplier loss = () -> {                  // L = Σ y·r
            CpuBatchNorm2d.forwardTrain(x, gamma, beta, y, new float[c], new float[c], null, null,
                    n, c, hw, 0.1f, 1e-5f);
            return dot(y, r);
        };
        assertClose("dx vs finite differences", numericGradient(x, 1e-3, loss), dx, 1e-3, 1e-2);
        assertClose("dGamma vs finite differences", numericGradient(gamma, 1e-3, loss), dGamma,
                1e-3, 1e-2);
        assertClose("dBeta vs finite differences", numericGradient(beta, 1e-3, loss), dBeta,
                1e-3, 1e-2);
    }

    @Test
    void nullGradientsAreSkippedAndTheOthersUnchanged() {
        int n = 4, c = 3, hw = 6;
        float[] x = uniform(20, n * c * hw, -2, 2), dy = uniform(21, n * c * hw, -1, 1);
        float[] gamma = uniform(22, c, 0.5, 1.5);
        float[] mean = new float[c], rstd = new float[c];
        CpuBatchNorm2d.forwardTrain(x, gamma, new float[c], new float[x.length], mean, rstd,
                null, null, n, c, hw, 0.1f, 1e-5f);
        float[] dx = new float[x.length], dGamma = new float[c], dBeta = new float[c];
        CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, dx, dGamma, dBeta, n, c, hw);
        float[] dGammaOnly = new float[c], dBetaOnly = new float[c], dxOnly = new float[x.length];
        CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, null, dGammaOnly, null, n, c, hw);
        CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, null, null, dBetaOnly, n, c, hw);
        CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, dxOnly, null, null, n, c, hw);
        CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, null, null, null, n, c, hw);
        assertArrayEquals(dGamma, dGammaOnly);
        assertArrayEquals(dBeta, dBetaOnly);
        assertArrayEquals(dx, dxOnly);
    }

    @Test
    void trainingOnOneValuePerChannelIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> CpuBatchNorm2d.forwardTrain(
                new float[2], new float[2], new float[2], new float[2], new float[2], new float[2],
                null, null, 1, 2, 1, 0.1f, 1e-5f));
        assertTrue(e.getMessage().contains("more than 1 value"), e.getMessage());
    }

    @Test
    void twoRunsAreBitIdentical() {
        int n = 16, c = 24, hw = 197;
        float[] x = uniform(23, n * c * hw, -2, 2), dy = uniform(24, n * c * hw, -1, 1);
        float[] gamma = uniform(25, c, 0.5, 1.5), beta = uniform(26, c, -1, 1);
        assertRunsAreBitIdentical(() -> {
            float[] y = new float[x.length], mean = new float[c], rstd = new float[c];
            float[] runningMean = new float[c], runningVar = new float[c];
            CpuBatchNorm2d.forwardTrain(x, gamma, beta, y, mean, rstd, runningMean, runningVar,
                    n, c, hw, 0.1f, 1e-5f);
            float[] dx = new float[x.length], dGamma = new float[c], dBeta = new float[c];
            CpuBatchNorm2d.backward(dy, x, gamma, mean, rstd, dx, dGamma, dBeta, n, c, hw);
            return new float[][] {y, mean, rstd, runningMean, runningVar, dx, dGamma, dBeta};
        }, "y", "saveMean", "saveRstd", "runningMean", "runningVar", "dx", "dGamma", "dBeta");
    }

    /** Two-pass statistics and the textbook formulas, all in double. */
    private static final class Naive {
        final float[] x;
        final int n, c, hw, m;
        final double[] mean, var, rstd;

        Naive(float[] x, int n, int c, int hw, double eps) {
            this.x = x;
            this.n = n;
            this.c = c;
            this.hw = hw;
            this.m = n * hw;
            mean = new double[c];
            var = new double[c];
            rstd = new double[c];
            for (int i = 0; i < x.length; i++) mean[channel(i)] += x[i] / (double) m;
            for (int i = 0; i < x.length; i++) {
                double d = x[i] - mean[channel(i)];
                var[channel(i)] += d * d / m;
            }
            for (int ch = 0; ch < c; ch++) rstd[ch] = 1 / Math.sqrt(var[ch] + eps);
        }

        int channel(int i) {
            return (i / hw) % c;
        }

        double xHat(int i) {
            return (x[i] - mean[channel(i)]) * rstd[channel(i)];
        }

        double[] y(float[] gamma, float[] beta) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = xHat(i) * gamma[channel(i)] + beta[channel(i)];
            }
            return y;
        }

        /** {dx, dGamma, dBeta} for upstream dy. */
        double[][] backward(float[] dy, float[] gamma) {
            double[] dx = new double[x.length], dGamma = new double[c], dBeta = new double[c];
            for (int i = 0; i < x.length; i++) {
                dBeta[channel(i)] += dy[i];
                dGamma[channel(i)] += dy[i] * xHat(i);
            }
            for (int i = 0; i < x.length; i++) {
                int ch = channel(i);
                dx[i] = gamma[ch] * rstd[ch] / m * (m * dy[i] - dBeta[ch] - xHat(i) * dGamma[ch]);
            }
            return new double[][] {dx, dGamma, dBeta};
        }
    }
}
