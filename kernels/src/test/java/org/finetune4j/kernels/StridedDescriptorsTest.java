package org.finetune4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;
import org.finetune4j.tensor.backend.BinaryOp;
import org.junit.jupiter.api.Test;

/**
 * The Strided descriptors the launchers build, checked without a GPU: a Java port of
 * common.cuh's ft4j_strided_offset walks each descriptor, and the gathered values must equal
 * the CPU backend's broadcast, permute and slice results exactly.
 */
class StridedDescriptorsTest {

    /** common.cuh ft4j_strided_offset: i decomposed by shape, last dim fastest. */
    private static long offset(int[] d, long i) {
        long off = d[1];
        for (int k = d[0] - 1; k >= 0; k--) {
            int dim = d[2 + k];
            off += (i % dim) * (long) d[2 + StridedDescriptors.MAX_RANK + k];
            i /= dim;
        }
        return off;
    }

    private static float[] gather(float[] x, int[] d, int n) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = x[(int) offset(d, i)];
        return y;
    }

    private static Tensor random(long seed, int... dims) {
        return Tensor.wrap(Rng.seeded(seed).uniform(Shape.of(dims).size(), -1f, 1f), dims);
    }

    @Test
    void broadcastDescriptorsReproduceTheCpuBinaryOp() {
        int[][][] pairs = {{{2, 1, 7}, {3, 1}}, {{4, 3, 5, 6}, {1, 3, 1, 1}}, {{}, {5, 2}},
            {{2, 3, 2, 3, 2, 3, 2, 3, 7}, {3, 1, 1, 1, 1, 1, 1, 7}}, {{257}, {1}}};
        for (int[][] p : pairs) {
            Tensor a = random(1, p[0]);
            Tensor b = random(2, p[1]);
            Shape out = Shape.broadcast("add", a.shape(), b.shape());
            int[][] d = StridedDescriptors.broadcast("add", out, a.shape(), b.shape());
            assertEquals(d[0][0], d[1][0], "operands share the merged rank");
            float[] ga = gather(a.data(), d[0], out.size());
            float[] gb = gather(b.data(), d[1], out.size());
            float[] y = new float[out.size()];
            for (int i = 0; i < y.length; i++) y[i] = ga[i] + gb[i];
            assertArrayEquals(Backends.cpu().binary(BinaryOp.ADD, a, b).data(), y,
                    out + " from " + a.shape() + " and " + b.shape());
        }
    }

    @Test
    void aPerChannelBroadcastMergesToThreeDimensions() {
        int[][] d = StridedDescriptors.broadcast("add", Shape.of(4, 3, 5, 6), Shape.of(4, 3, 5, 6),
                Shape.of(1, 3, 1, 1));
        assertEquals(3, d[0][0]);
        assertArrayEquals(new int[] {4, 3, 30}, java.util.Arrays.copyOfRange(d[1], 2, 5));
        assertArrayEquals(new int[] {0, 1, 0}, java.util.Arrays.copyOfRange(d[1], 10, 13));
    }

    @Test
    void permuteAndSliceDescriptorsReproduceTheCpu() {
        Tensor x = random(3, 2, 5, 3, 4);
        int[] perm = {3, 1, 0, 2};
        Shape out = Backends.cpu().permute(x, perm).shape();
        int[] xs = x.shape().strides();
        int[] s = new int[perm.length];
        for (int k = 0; k < perm.length; k++) s[k] = xs[perm[k]];
        int[] d = StridedDescriptors.single("permute", out.dims(), s, 0);
        assertArrayEquals(Backends.cpu().permute(x, perm).data(), gather(x.data(), d, out.size()));
        Tensor sl = Backends.cpu().slice(x, 1, 2, 4);
        d = StridedDescriptors.single("slice", sl.dims(), xs, 2 * x.shape().inner(1));
        assertArrayEquals(sl.data(), gather(x.data(), d, sl.size()));
    }

    @Test
    void moreThanEightUnmergeableDimensionsAreRefusedNamingTheOp() {
        int[] dims = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] strides = {1, 2, 4, 8, 16, 32, 64, 128, 256};       // fully reversed: no merging
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> StridedDescriptors.single("permute", dims, strides, 0));
        assertEquals(true, e.getMessage().startsWith("permute: "), e.getMessage());
    }
}
