package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** CpuGatedBlend against a naive (i, ch, p) loop and against central finite differences. */
class CpuGatedBlendTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {2, 4, 33}};   // n, c, hw

    @Test
    void forwardMatchesNaiveLoopOnOddShapes() {
        for (boolean perChannel : new boolean[] {false, true}) {
            for (int[] s : SHAPES) {
                int n = s[0], c = s[1], hw = s[2], size = n * c * hw;
                float[] g = uniform(1, perChannel ? n * c : n, 0, 1);
                float[] a = uniform(2, size, -2, 2), b = uniform(3, size, -2, 2);
                float[] expected = new float[size];
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        float gv = g[perChannel ? i * c + ch : i];
                        for (int p = 0; p < hw; p++) {
                            int e = (i * c + ch) * hw + p;
                            expected[e] = gv * a[e] + (1f - gv) * b[e];
                        }
                    }
                }
                float[] y = new float[size];
                CpuGatedBlend.forward(g, a, b, y, n, c, hw, perChannel);
                assertBitIdentical("y perChannel=" + perChannel, expected, y);
            }
        }
    }

    @Test
    void backwardMatchesNaiveLoopOnOddShapes() {
        for (boolean perChannel : new boolean[] {false, true}) {
            for (int[] s : SHAPES) {
                int n = s[0], c = s[1], hw = s[2], size = n * c * hw;
                int gates = perChannel ? n * c : n;
                float[] g = uniform(4, gates, 0, 1);
                float[] a = uniform(5, size, -2, 2), b = uniform(6, size, -2, 2);
                float[] dy = uniform(7, size, -1, 1);
                float[] da = new float[size], db = new float[size];
                double[] dgExpected = new double[gates];
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        int q = perChannel ? i * c + ch : i;
                        for (int p = 0; p < hw; p++) {
                            int e = (i * c + ch) * hw + p;
                            da[e] = g[q] * dy[e];
                            db[e] = (1f - g[q]) * dy[e];
                            dgExpected[q] += (double) dy[e] * ((double) a[e] - b[e]);
                        }
                    }
                }
                float[] dg = new float[gates], daOut = new float[size], dbOut = new float[size];
                CpuGatedBlend.backward(g, a, b, dy, dg, daOut, dbOut, n, c, hw, perChannel);
                assertBitIdentical("da", da, daOut);
                assertBitIdentical("db", db, dbOut);
                assertClose("dg perChannel=" + perChannel, dgExpected, dg, 1e-7, 1e-6);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (boolean perChannel : new boolean[] {false, true}) {
            int n = 2, c = 3, hw = 5, size = n * c * hw, gates = perChannel ? n * c : n;
            float[] g = uniform(8, gates, 0.1, 0.9);
            float[] a = uniform(9, size, -1, 1), b = uniform(10, size, -1, 1);
            float[] r = uniform(11, size, -1, 1);              // L = Σ r·y, so dy = r
            float[] y = new float[size];
            java.util.function.DoubleSupplier loss = () -> {
                CpuGatedBlend.forward(g, a, b, y, n, c, hw, perChannel);
                return KernelTestKit.dot(r, y);
            };
            float[] dg = new float[gates], da = new float[size], db = new float[size];
            CpuGatedBlend.backward(g, a, b, r, dg, da, db, n, c, hw, perChannel);
            assertClose("dg vs numeric", numericGradient(g, 1e-2, loss), dg, 1e-3, 1e-2);
            assertClose("da vs numeric", numericGradient(a, 1e-2, loss), da, 1e-3, 1e-2);
            assertClose("db vs numeric", numericGradient(b, 1e-2, loss), db, 1e-3, 1e-2);
        }
    }

    @Test
    void nullOutputsAreSkippedAndRunsAreBitIdentical() {
        int n = 5, c = 64, hw = 49, size = n * c * hw;
        float[] g = uniform(12, n * c, 0, 1);
        float[] a = uniform(13, size, -1, 1), b = uniform(14, size, -1, 1);
        float[] dy = uniform(15, size, -1, 1);
        CpuGatedBlend.backward(g, a, b, dy, null, null, null, n, c, hw, true);
        assertRunsAreBitIdentical(() -> {
            float[] y = new float[size], dg = new float[n * c];
            CpuGatedBlend.forward(g, a, b, y, n, c, hw, true);
            CpuGatedBlend.backward(g, a, b, dy, dg, null, null, n, c, hw, true);
            return new float[][] {y, dg};
        }, "y", "dg");
    }

    @Test
    void rejectsShortGateArray() {
        float[] x = new float[24];
        assertThrows(IllegalArgumentException.class,
                () -> CpuGatedBlend.forward(new float[2], x, x, x, 2, 3, 4, true));
    }
}
