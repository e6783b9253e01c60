package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * CpuBackend.gatedBlendForward / gatedBlendBackward: the four accepted gate layouts map onto
 * CpuGatedBlend's two (a gate of (n, 1, 1, 1) is the gate (n)), dg comes back in the gate's own
 * shape, gradients not asked for are null, and shape errors name the op and every shape.
 */
class CpuBackendGatedBlendTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    private static Tensor uniform(long seed, float lo, float hi, int... dims) {
        return Tensor.uniform(Rng.seeded(seed), lo, hi, dims);
    }

    private static void assertShapeError(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }

    @Test
    void everyGateLayoutMatchesTheKernelCalledDirectly() {
        int n = 3, c = 4, h = 2, w = 5, hw = h * w;
        Tensor a = uniform(1, -2f, 2f, n, c, h, w);
        Tensor b = uniform(2, -2f, 2f, n, c, h, w);
        Tensor dy = uniform(3, -1f, 1f, n, c, h, w);
        int[][] layouts = {{n}, {n, 1, 1, 1}, {n, c}, {n, c, 1, 1}};
        for (int[] dims : layouts) {
            boolean perChannel = Shape.of(dims).size() == n * c;
            Tensor g = uniform(4 + dims.length, 0f, 1f, dims);
            float[] y = new float[n * c * hw];
            CpuGatedBlend.forward(g.data(), a.data(), b.data(), y, n, c, hw, perChannel);
            Tensor got = CPU.gatedBlendForward(g, a, b);
            assertEquals(a.shape(), got.shape(), "y shape for gate " + g.shape());
            assertBitIdentical("y, gate " + g.shape(), y, got.data());

            float[] dg = new float[g.size()];
            float[] da = new float[y.length];
            float[] db = new float[y.length];
            CpuGatedBlend.backward(g.data(), a.data(), b.data(), dy.data(), dg, da, db, n, c, hw,
                    perChannel);
            Tensor[] d = CPU.gatedBlendBackward(dy, g, a, b, true, true, true);
            assertEquals(g.shape(), d[0].shape(), "dg takes the gate's shape " + g.shape());
            assertBitIdentical("dg, gate " + g.shape(), dg, d[0].data());
            assertBitIdentical("da, gate " + g.shape(), da, d[1].data());
            assertBitIdentical("db, gate " + g.shape(), db, d[2].data());
        }
    }

    @Test
    void gradientsNotAskedForAreNull() {
        Tensor a = uniform(5, -1f, 1f, 2, 3, 2, 2);
        Tensor g = uniform(6, 0f, 1f, 2, 3);
        Tensor[] onlyG = CPU.gatedBlendBackward(a, g, a, a, true, false, false);
        assertNull(onlyG[1], "da");
        assertNull(onlyG[2], "db");
        Tensor[] onlyB = CPU.gatedBlendBackward(a, g, a, a, false, false, true);
        assertNull(onlyB[0], "dg");
        assertNull(onlyB[1], "da");
        assertEquals(a.shape(), onlyB[2].shape(), "db shape");
    }

    @Test
    void mismatchedShapesNameTheOpAndEveryShape() {
        Tensor a = Tensor.zeros(2, 3, 4, 4);
        assertShapeError(() -> CPU.gatedBlendForward(Tensor.ones(2), a, Tensor.zeros(2, 3, 4, 5)),
                "gatedBlend", "[2, 3, 4, 4]", "[2, 3, 4, 5]", "(n, c, h, w)");
        assertShapeError(() -> CPU.gatedBlendForward(Tensor.ones(2), Tensor.zeros(6, 4),
                Tensor.zeros(6, 4)), "gatedBlend", "[6, 4]");
        assertShapeError(() -> CPU.gatedBlendForward(Tensor.ones(2, 4), a, a),
                "gatedBlend", "gate [2, 4]", "[2]", "[2, 1, 1, 1]", "[2, 3]", "[2, 3, 1, 1]",
                "[2, 3, 4, 4]");
        assertShapeError(() -> CPU.gatedBlendForward(Tensor.ones(3), a, a),
                "gatedBlend", "gate [3]");
        assertShapeError(() -> CPU.gatedBlendBackward(Tensor.zeros(2, 3, 4, 5), Tensor.ones(2),
                a, a, true, true, true), "gatedBlendBackward", "dy [2, 3, 4, 5]", "[2, 3, 4, 4]");
        assertShapeError(() -> CPU.gatedBlendBackward(a, Tensor.ones(2, 3, 4), a, a, true, true,
                true), "gatedBlendBackward", "gate [2, 3, 4]");
    }
}
