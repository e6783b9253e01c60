package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * CpuWeightedFeatureDistance against its composition from simple loops (difference map, square,
 * mean over positions, weighted sum over channels), a hand-computed case, the uniform-weight
 * identity and finite differences, for per-sample and shared weights. Tolerances: forward
 * atol 1e-6, rtol 1e-6; backward vs composition atol 1e-6, rtol 1e-5; gradcheck eps 1e-3,
 * atol 1e-3, rtol 1e-2.
 */
class CpuWeightedFeatureDistanceTest {
    /** {n, c, hw}: size-1 dimensions and primes. */
    private static final int[][] SHAPES = {{1, 1, 1}, {2, 3, 5}, {3, 7, 2}, {5, 2, 13}};

    @Test
    void forwardMatchesCompositionOnOddShapes() {
        for (int[] s : SHAPES) {
            for (boolean perSample : new boolean[] {true, false}) {
                int n = s[0], c = s[1], hw = s[2];
                float[] src = uniform(1, n * c * hw, -2, 2), tgt = uniform(2, n * c * hw, -2, 2);
                float[] w = uniform(3, perSample ? n * c : c, 0, 2);
                float[] out = new float[n];
                CpuWeightedFeatureDistance.forward(src, tgt, w, perSample, out, n, c, hw);
                String what = Arrays.toString(s) + (perSample ? " per-sample" : " shared");
                double[] expected = composed(src, tgt, w, perSample, n, c, hw);
                assertClose("out " + what, expected, out, 1e-6, 1e-6);
            }
        }
    }

    @Test
    void handComputedOneSampleTwoChannels() {
        // s − t: channel 0 = (1, 2), channel 1 = (2, 3). Means of squares: (1 + 4)/2 = 2.5 and
        // (4 + 9)/2 = 6.5. Weighted: 1·2.5 + 0.5·6.5 = 5.75.
        float[] s = {1, 2, 3, 4}, t = {0, 0, 1, 1};
        float[] out = new float[1];
        CpuWeightedFeatureDistance.forward(s, t, new float[] {1f, 0.5f}, false, out, 1, 2, 2);
        assertArrayEquals(new float[] {5.75f}, out, 1e-6f);
    }

    @Test
    void uniformWeightsGiveTheMeanSquaredDistanceTimesC() {
        int n = 3, c = 5, hw = 7;
        float[] s = uniform(4, n * c * hw, -1, 1), t = uniform(5, n * c * hw, -1, 1);
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        float[] out = new float[n];
        CpuWeightedFeatureDistance.forward(s, t, ones, false, out, n, c, hw);
        double[] expected = new double[n];                  // c · mean over (c, hw) of (s − t)²
        for (int i = 0; i < n * c * hw; i++) {
            double d = (double) s[i] - t[i];
            expected[i / (c * hw)] += c * d * d / (c * hw);
        }
        assertClose("out with w = 1", expected, out, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesCompositionOnOddShapes() {
        for (int[] shape : SHAPES) {
            for (boolean perSample : new boolean[] {true, false}) {
                int n = shape[0], c = shape[1], hw = shape[2];
                float[] s = uniform(6, n * c * hw, -2, 2), t = uniform(7, n * c * hw, -2, 2);
                float[] w = uniform(8, perSample ? n * c : c, 0, 2), dOut = uniform(9, n, -1, 1);
                float[] ds = new float[s.length], dt = new float[s.length];
                float[] dw = new float[w.length];
                CpuWeightedFeatureDistance.backward(dOut, s, t, w, perSample, ds, dt, dw, n, c, hw);
                double[] eds = new double[s.length], edt = new double[s.length];
                double[] edw = new double[w.length];
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        int wi = perSample ? i * c + ch : ch;
                        for (int p = 0; p < hw; p++) {
                            int at = (i * c + ch) * hw + p;
                            double d = (double) s[at] - t[at];
                            eds[at] = dOut[i] * w[wi] * 2.0 / hw * d;
                            edt[at] = -eds[at];
                            edw[wi] += dOut[i] * d * d / hw;     // += sums over i when shared
                        }
                    }
                }
                String what = Arrays.toString(shape) + (perSample ? " per-sample" : " shared");
                assertClose("ds " + what, eds, ds, 1e-6, 1e-5);
                assertClose("dt " + what, edt, dt, 1e-6, 1e-5);
                assertClose("dWeights " + what, edw, dw, 1e-6, 1e-5);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        for (boolean perSample : new boolean[] {true, false}) {
            int n = 2, c = 3, hw = 4;
            float[] s = uniform(10, n * c * hw, -1, 1), t = uniform(11, n * c * hw, -1, 1);
            float[] w = uniform(12, perSample ? n * c : c, 0.2, 2), r = uniform(13, n, -1, 1);
            float[] ds = new float[s.length], dt = new float[s.length], dw = new float[w.length];
            CpuWeightedFeatureDistance.backward(r, s, t, w, perSample, ds, dt, dw, n, c, hw);
            float[] out = new float[n];
            java.util.function.DoubleSupplier loss = () -> {               // L = Σ out·r
                CpuWeightedFeatureDistance.forward(s, t, w, perSample, out, n, c, hw);
                return dot(out, r);
            };
            String mode = perSample ? " per-sample" : " shared";
            assertClose("ds vs finite differences" + mode, numericGradient(s, 1e-3, loss), ds,
                    1e-3, 1e-2);
            assertClose("dt vs finite differences" + mode, numericGradient(t, 1e-3, loss), dt,
                    1e-3, 1e-2);
            assertClose("dWeights vs finite differences" + mode, numericGradient(w, 1e-3, loss), dw,
                    1e-3, 1e-2);
        }
    }

    @Test
    void nullGradientsAreSkippedAndTheOthersUnchanged() {
        int n = 3, c = 4, hw = 5;
        float[] s = uniform(14, n * c * hw, -1, 1), t = uniform(15, n * c * hw, -1, 1);
        float[] w = uniform(16, c, 0, 1), dOut = uniform(17, n, -1, 1);
        float[] ds = new float[s.length], dt = new float[s.length], dw = new float[c];
        CpuWeightedFeatureDistance.backward(dOut, s, t, w, false, ds, dt, dw, n, c, hw);
        float[] dsOnly = new float[s.length], dtOnly = new float[s.length], dwOnly = new float[c];
        CpuWeightedFeatureDistance.backward(dOut, s, t, w, false, dsOnly, null, null, n, c, hw);
        CpuWeightedFeatureDistance.backward(dOut, s, t, w, false, null, dtOnly, null, n, c, hw);
        CpuWeightedFeatureDistance.backward(dOut, s, t, w, false, null, null, dwOnly, n, c, hw);
        assertArrayEquals(ds, dsOnly);
        assertArrayEquals(dt, dtOnly);
        assertArrayEquals(dw, dwOnly);
    }

    @Test
    void twoRunsAreBitIdentical() {
        int n = 8, c = 64, hw = 49;                             // a DELTA layer-4 feature map
        float[] s = uniform(18, n * c * hw, -1, 1), t = uniform(19, n * c * hw, -1, 1);
        float[] w = uniform(20, n * c, 0, 1), dOut = uniform(21, n, -1, 1);
        assertRunsAreBitIdentical(() -> {
            float[] out = new float[n], ds = new float[s.length], dt = new float[s.length];
            float[] dw = new float[n * c], dwShared = new float[c];
            CpuWeightedFeatureDistance.forward(s, t, w, true, out, n, c, hw);
            CpuWeightedFeatureDistance.backward(dOut, s, t, w, true, ds, dt, dw, n, c, hw);
            CpuWeightedFeatureDistance.backward(dOut, s, t, w, false, null, null, dwShared,
                    n, c, hw);
            return new float[][] {out, ds, dt, dw, dwShared};
        }, "out", "ds", "dt", "dWeights", "dWeights shared");
    }

    /** The unfused definition: materialise s − t, square, mean over hw, weight, sum over c. */
    private static double[] composed(float[] s, float[] t, float[] w, boolean perSample,
                                     int n, int c, int hw) {
        double[] diff = new double[s.length];
        for (int i = 0; i < s.length; i++) diff[i] = (double) s[i] - t[i];
        double[] meanSq = new double[n * c];                     // (n, c)
        for (int i = 0; i < s.length; i++) meanSq[i / hw] += diff[i] * diff[i] / hw;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                out[i] += w[perSample ? i * c + ch : ch] * meanSq[i * c + ch];
            }
        }
        return out;
    }
}
