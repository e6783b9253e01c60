package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gated_blend_forward / gated_blend_backward (gumbel_softmax_gate.cu) against CpuGatedBlend, with
 * the gate per sample ((n) and (n, 1, 1, 1)) and per channel ((n, c) and (n, c, 1, 1)).
 * Tolerances from the kernel header: y, da, db exact (__fmul_rn/__fadd_rn, no FMA); dg rtol 1e-6
 * (a double block tree instead of the twin's in-order double sum), plus atol 1e-9 for a sum that
 * cancels to about zero.
 */
class GatedBlendParityTest {
    private static final Tol DG = Tol.of(1e-9, 1e-6);

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static List<Arguments> cases() {
        // Per-gate lengths (c·hw per sample, hw per channel) and totals around the 256-thread
        // block: 1, odd, 255/256/257, several blocks, and SpotTune/AdaFilter's real size.
        int[][] shapes = {{1, 1, 1, 1}, {3, 5, 7, 1}, {2, 3, 5, 7}, {1, 1, 15, 17},
            {1, 1, 16, 16}, {1, 1, 1, 257}, {3, 1, 255, 1}, {5, 3, 16, 16}, {7, 2, 1, 257},
            {64, 64, 14, 14}};
        List<Arguments> c = new ArrayList<>();
        for (int[] s : shapes) {
            int n = s[0];
            int ch = s[1];
            for (int[] gate : new int[][] {{n}, {n, 1, 1, 1}, {n, ch}, {n, ch, 1, 1}}) {
                c.add(Arguments.of(s, gate));
            }
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardAndAllGradientsMatchTheCpu(int[] dims, int[] gateDims) {
        long seed = 31L * dims[0] + dims[1] * 7L + gateDims.length;
        Tensor g = uniform(seed, 0f, 1f, gateDims);
        Tensor a = uniform(seed + 1, -2f, 2f, dims);
        Tensor b = uniform(seed + 2, -2f, 2f, dims);
        Tensor dy = uniform(seed + 3, -1f, 1f, dims);
        Tensor gg = toGpu(g);
        Tensor ga = toGpu(a);
        Tensor gb = toGpu(b);
        String what = "gatedBlend gate " + g.shape();
        assertClose(what + " y", cpu().gatedBlendForward(g, a, b),
                gpu().gatedBlendForward(gg, ga, gb), Tol.EXACT);
        Tensor[] e = cpu().gatedBlendBackward(dy, g, a, b, true, true, true);
        Tensor[] d = gpu().gatedBlendBackward(toGpu(dy), gg, ga, gb, true, true, true);
        assertClose(what + " dg", e[0], d[0], DG);
        assertClose(what + " da", e[1], d[1], Tol.EXACT);
        assertClose(what + " db", e[2], d[2], Tol.EXACT);
    }

    @Test
    void gradientsNotAskedForAreNullAndTheOthersStillMatch() {
        int[] dims = {3, 4, 5, 5};
        Tensor g = uniform(40, 0f, 1f, 3, 4);
        Tensor a = uniform(41, -2f, 2f, dims);
        Tensor b = uniform(42, -2f, 2f, dims);
        Tensor dy = uniform(43, -1f, 1f, dims);
        Tensor[] e = cpu().gatedBlendBackward(dy, g, a, b, true, true, true);
        boolean[][] asks = {{true, false, false}, {false, true, false}, {false, false, true},
            {false, true, true}};
        for (boolean[] ask : asks) {
            Tensor[] d = gpu().gatedBlendBackward(toGpu(dy), toGpu(g), toGpu(a), toGpu(b), ask[0],
                    ask[1], ask[2]);
            Tol[] tols = {DG, Tol.EXACT, Tol.EXACT};
            String[] names = {"dg", "da", "db"};
            for (int k = 0; k < 3; k++) {
                if (ask[k]) {
                    assertClose("gatedBlend " + names[k] + " alone", e[k], d[k], tols[k]);
                } else {
                    assertNull(d[k], names[k] + " was not asked for");
                }
            }
        }
    }
}
