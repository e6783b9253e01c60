package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * CpuMovement through CpuBackend against naive index mappings: all 24 permutations of rank-4 odd
 * shapes, slice and 3-part concat along every axis, indexSelect/indexAdd values and adjointness,
 * oneHot and gatherPlanes. Movement copies values, so comparisons are exact; the adjoint identity
 * is checked in double to 1e-12 relative.
 */
class CpuMovementTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    private static int[] unravel(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = flat % dims[i];
            flat /= dims[i];
        }
        return idx;
    }

    private static int ravel(int[] idx, int[] dims) {
        int off = 0;
        for (int i = 0; i < dims.length; i++) off = off * dims[i] + idx[i];
        return off;
    }

    private static int size(int[] dims) {
        return Shape.of(dims).size();
    }

    /** Distinct values 0, 1, 2, … so any misplaced element shows. */
    private static Tensor iota(int... dims) {
        return Tensor.arange(size(dims)).reshape(dims);
    }

    private static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] prefix, boolean[] used, int k, List<int[]> out) {
        if (k == prefix.length) {
            out.add(prefix.clone());
            return;
        }
        for (int v = 0; v < prefix.length; v++) {
            if (used[v]) continue;
            used[v] = true;
            prefix[k] = v;
            permute(prefix, used, k + 1, out);
            used[v] = false;
        }
    }

    @Test
    void everyPermutationOfRankFourMatchesNaiveIndexMapping() {
        List<int[]> perms = permutations(4);
        assertEquals(24, perms.size());
        for (int[] dims : new int[][] {{2, 3, 5, 7}, {3, 1, 5, 2}}) {
            Tensor x = iota(dims);
            float[] xs = x.toArray();
            for (int[] perm : perms) {
                Tensor y = CPU.permute(x, perm);
                int[] yd = new int[4];
                for (int k = 0; k < 4; k++) yd[k] = dims[perm[k]];
                String what = "permute " + Arrays.toString(dims) + " by " + Arrays.toString(perm);
                assertArrayEquals(yd, y.dims(), what + " shape");
                float[] expected = new float[xs.length];
                for (int j = 0; j < expected.length; j++) {
                    int[] out = unravel(j, yd);
                    int[] in = new int[4];
                    for (int k = 0; k < 4; k++) in[perm[k]] = out[k];  // out dim k: in dim perm[k]
                    expected[j] = xs[ravel(in, dims)];
                }
                assertArrayEquals(expected, y.toArray(), what);
            }
        }
    }

    @Test
    void permuteHandlesLowRanksAndLargeTransposes() {
        assertEquals(7f, CPU.permute(Tensor.scalar(7f), new int[0]).item());
        assertArrayEquals(new float[] {0, 1, 2}, CPU.permute(iota(3), new int[] {0}).toArray());
        int rows = 201;
        int cols = 203;                                        // 40,803 elements
        float[] x = iota(rows, cols).toArray();
        float[] y = CPU.permute(Tensor.wrap(x, rows, cols), new int[] {1, 0}).toArray();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertEquals(x[i * cols + j], y[j * rows + i],
                        "transpose at (" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void permuteRejectsNonPermutations() {
        Tensor x = iota(2, 3, 4);
        for (int[] bad : new int[][] {{0, 1}, {0, 1, 1}, {0, 1, 3}, {-1, 0, 1}, {0, 1, 2, 3}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CPU.permute(x, bad));
            assertTrue(e.getMessage().contains("permute")
                    && e.getMessage().contains(Arrays.toString(bad)), e.getMessage());
        }
    }

    @Test
    void sliceAlongEveryAxisMatchesNaiveLoop() {
        int[] dims = {3, 4, 5};
        Tensor x = iota(dims);
        float[] xs = x.toArray();
        for (int axis = 0; axis < 3; axis++) {
            int len = dims[axis];
            int[][] ranges = {{0, len}, {1, len - 1}, {2, 2}, {len - 1, len}, {0, 1}};
            for (int[] r : ranges) {
                int start = r[0];
                int end = r[1];
                int[] yd = dims.clone();
                yd[axis] = end - start;
                float[] expected = new float[size(yd)];
                for (int j = 0; j < expected.length; j++) {
                    int[] idx = unravel(j, yd);
                    idx[axis] += start;
                    expected[j] = xs[ravel(idx, dims)];
                }
                String what = "slice axis " + axis + " [" + start + ", " + end + ")";
                Tensor y = CPU.slice(x, axis - (axis % 2) * 3, start, end);   // axis 1 given as −2
                assertArrayEquals(yd, y.dims(), what + " shape");
                assertArrayEquals(expected, y.toArray(), what);
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> CPU.slice(x, 0, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> CPU.slice(x, 2, 3, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> CPU.slice(x, 1, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> CPU.slice(x, 3, 0, 1));
    }

    @Test
    void concatOfThreePartsAlongEveryAxisMatchesNaiveLoop() {
        int[] base = {2, 3, 4};
        int[] partSizes = {1, 3, 2};
        for (int axis = 0; axis < 3; axis++) {
            List<Tensor> parts = new ArrayList<>();
            List<float[]> values = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int[] d = base.clone();
                d[axis] = partSizes[p];
                float[] v = uniform(10 * axis + p, size(d), -1, 1);
                values.add(v);
                parts.add(Tensor.wrap(v, d));
            }
            int[] yd = base.clone();
            yd[axis] = 6;
            float[] expected = new float[size(yd)];
            for (int j = 0; j < expected.length; j++) {
                int[] idx = unravel(j, yd);
                int p = 0;
                while (idx[axis] >= partSizes[p]) idx[axis] -= partSizes[p++];
                int[] d = base.clone();
                d[axis] = partSizes[p];
                expected[j] = values.get(p)[ravel(idx, d)];
            }
            for (int given : new int[] {axis, axis - 3}) {
                Tensor y = CPU.concat(parts, given);
                assertArrayEquals(yd, y.dims(), "concat axis " + given + " shape");
                assertArrayEquals(expected, y.toArray(), "concat axis " + given);
            }
        }
    }

    @Test
    void concatRejectsMismatchedParts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.concat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), 0));
        assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("[2, 3]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CPU.concat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 3, 1)), 1));
    }

    @Test
    void indexSelectAlongEveryAxisMatchesNaiveLoop() {
        int[] dims = {3, 5, 4};
        float[] xs = uniform(20, size(dims), -1, 1);
        Tensor x = Tensor.wrap(xs, dims);
        for (int axis = 0; axis < 3; axis++) {
            int[] index = repeatedIndex(dims[axis]);
            int[] yd = dims.clone();
            yd[axis] = index.length;
            float[] expected = new float[size(yd)];
            for (int j = 0; j < expected.length; j++) {
                int[] idx = unravel(j, yd);
                idx[axis] = index[idx[axis]];
                expected[j] = xs[ravel(idx, dims)];
            }
            Tensor y = CPU.indexSelect(x, axis, index);
            assertArrayEquals(yd, y.dims(), "indexSelect axis " + axis + " shape");
            assertArrayEquals(expected, y.toArray(), "indexSelect axis " + axis);
        }
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> CPU.indexSelect(x, 1, new int[] {0, 5}));
        assertTrue(e.getMessage().contains("index[1] = 5"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> CPU.indexSelect(x, 0, new int[] {-1}));
    }

    /** Repeats, skips and reorders: last, first, last again, a middle one. */
    private static int[] repeatedIndex(int len) {
        return new int[] {len - 1, 0, len - 1, len / 2, 1, 1};
    }

    @Test
    void indexAddIsTheAdjointOfIndexSelect() {
        int[] dims = {3, 5, 4};
        Shape shape = Shape.of(dims);
        Tensor x = Tensor.wrap(uniform(30, size(dims), -1, 1), dims);
        for (int axis = -3; axis < 3; axis++) {
            int[] index = repeatedIndex(shape.dim(axis));
            Tensor sel = CPU.indexSelect(x, axis, index);
            Tensor y = Tensor.wrap(uniform(31 + axis, sel.size(), -1, 1), sel.shape());
            Tensor added = CPU.indexAdd(shape, axis, index, y);
            assertEquals(shape, added.shape());
            double lhs = dot(sel.toArray(), y.toArray());          // <indexSelect(x), y>
            double rhs = dot(x.toArray(), added.toArray());        // <x, indexAdd(y)>
            assertEquals(lhs, rhs, 1e-6 * Math.max(1, Math.abs(lhs)),
                    "adjoint identity on axis " + axis);
        }
    }

    @Test
    void indexAddAccumulatesRepeatedIndices() {
        Tensor src = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        Tensor y = CPU.indexAdd(Shape.of(3, 2), 0, new int[] {2, 0, 2, 2}, src);
        // row 0 ← src row 1; row 2 ← rows 0 + 2 + 3; row 1 untouched
        assertArrayEquals(new float[] {3, 4, 0, 0, 1 + 5 + 7, 2 + 6 + 8}, y.toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.indexAdd(Shape.of(3, 2), 0, new int[] {0, 1}, src));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[3, 2]"),
                e.getMessage());
    }

    @Test
    void indexAddRejectsOutOfRangeIndices() {
        // index 3 of an axis of length 3 would otherwise land in the next outer block silently
        Tensor src = Tensor.ones(2, 1, 2);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> CPU.indexAdd(Shape.of(2, 3, 2), 1, new int[] {3}, src));
        assertTrue(e.getMessage().contains("indexAdd: index[0] = 3")
                && e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> CPU.indexAdd(Shape.of(2, 3, 2), 1, new int[] {-1}, src));
    }

    @Test
    void oneHotSetsOneEntryPerRow() {
        Tensor y = CPU.oneHot(new int[] {2, 0, 3, 2}, 4);
        assertEquals(Shape.of(4, 4), y.shape());
        assertArrayEquals(new float[] {0, 0, 1, 0,
                                       1, 0, 0, 0,
                                       0, 0, 0, 1,
                                       0, 0, 1, 0}, y.toArray());
        assertEquals(Shape.of(0, 3), CPU.oneHot(new int[0], 3).shape());
    }

    @Test
    void oneHotLabelOutOfRangeNamesTheSample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.oneHot(new int[] {0, 1, 5}, 5));
        assertTrue(e.getMessage().contains("label 5") && e.getMessage().contains("sample 2")
                && e.getMessage().contains("[0, 5)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CPU.oneHot(new int[] {-1}, 5));
    }

    @Test
    void gatherPlanesPicksPerPlaneIndices() {
        int[] xd = {2, 3, 4, 5};                              // 6 planes of 20
        int[] yd = {2, 3, 2, 3};                              // 6 planes of 6
        float[] xs = uniform(40, size(xd), -1, 1);
        float[] index = new float[size(yd)];
        for (int i = 0; i < index.length; i++) index[i] = (i * 7 + 3) % 20;
        Tensor y = CPU.gatherPlanes(Tensor.wrap(xs, xd), Tensor.wrap(index, yd), Shape.of(yd));
        assertArrayEquals(yd, y.dims());
        double[] expected = new double[index.length];
        for (int i = 0; i < index.length; i++) expected[i] = xs[(i / 6) * 20 + (int) index[i]];
        assertClose("gatherPlanes", expected, y.toArray(), 0, 0);
    }
}
