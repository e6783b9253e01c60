package org.finetune4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tensor's host-side API on small hand-written examples: creation, element access, reshape as a
 * shared-storage view, the copying movement ops, in-place ops bumping the version, toString and
 * the errors. The kernels behind movement and arithmetic have their own naive-loop tests in cpu/.
 */
class TensorTest {

    /** 0, 1, …, n−1 reshaped to dims. */
    private static Tensor iota(int... dims) {
        return Tensor.arange(Shape.of(dims).size()).reshape(dims);
    }

    @Test
    void creationFillsTheExpectedValues() {
        assertArrayEquals(new float[6], Tensor.zeros(2, 3).toArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toArray());
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, Tensor.full(2.5f, 2, 2).toArray());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Tensor.arange(5).toArray());
        assertEquals(Shape.of(2, 3), Tensor.zeros(Shape.of(2, 3)).shape());
        assertEquals(Shape.of(0), Tensor.arange(0).shape());
        Tensor s = Tensor.scalar(4f);
        assertEquals(0, s.rank());
        assertEquals(1, s.size());
        assertEquals(4f, s.item());
        assertEquals(4f, s.get());
    }

    @Test
    void ofCopiesAndWrapShares() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor copied = Tensor.of(data, 2, 3);
        Tensor wrapped = Tensor.wrap(data, 2, 3);
        data[0] = 42f;
        assertEquals(1f, copied.get(0, 0));
        assertEquals(42f, wrapped.get(0, 0));
        assertSame(data, wrapped.data());
        assertNotSame(data, wrapped.toArray());
    }

    @Test
    void wrapRejectsAMismatchedLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("5"),
                e.getMessage());
    }

    @Test
    void getReadsRowMajorMultiIndices() {
        Tensor x = iota(2, 3, 4);
        assertEquals(0f, x.get(0, 0, 0));
        assertEquals(7f, x.get(0, 1, 3));
        assertEquals(13f, x.get(1, 0, 1));
        assertEquals(23f, x.get(1, 2, 3));
        assertEquals(3, x.rank());
        assertEquals(4, x.dim(-1));
        assertArrayEquals(new int[] {2, 3, 4}, x.dims());
        assertEquals(Device.CPU, x.device());
    }

    @Test
    void badIndicesAreErrorsNamingTheIndexAndShape() {
        Tensor x = iota(2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.get(1, 3));
        assertTrue(e.getMessage().contains("[1, 3]") && e.getMessage().contains("[2, 3]"),
                e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> x.get(-1, 0));
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> x.get(1));
        assertTrue(count.getMessage().contains("[2, 3]"), count.getMessage());
    }

    @Test
    void itemRejectsTensorsOfManyElements() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Tensor.zeros(2, 2).item());
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        assertEquals(3f, Tensor.full(3f, 1, 1, 1).item());
    }

    @Test
    void reshapeIsAViewSharingStorage() {
        Tensor x = iota(2, 3);
        Tensor y = x.reshape(3, -1);
        assertEquals(Shape.of(3, 2), y.shape());
        assertSame(x.storage(), y.storage());
        x.data()[4] = -1f;
        x.bumpVersion();
        assertEquals(-1f, y.get(2, 0));
        assertEquals(x.version(), y.version());
        assertEquals(Shape.of(6), x.reshape(Shape.of(6)).shape());
        assertThrows(IllegalArgumentException.class, () -> x.reshape(4, -1));
    }

    @Test
    void permuteAndTransposeMoveValues() {
        Tensor x = iota(2, 3);                                   // [[0 1 2] [3 4 5]]
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, x.transpose(0, 1).toArray());
        assertEquals(Shape.of(3, 2), x.transpose(-1, -2).shape());
        Tensor y = iota(2, 3, 4).permute(2, 0, 1);       // (4, 2, 3): y[k, i, j] = x[i, j, k]
        assertEquals(Shape.of(4, 2, 3), y.shape());
        assertEquals(1 * 12 + 2 * 4 + 3, y.get(3, 1, 2));
        assertEquals(0 * 12 + 1 * 4 + 2, y.get(2, 0, 1));
        assertArrayEquals(new float[] {0, 4, 8, 12, 16, 20}, y.slice(0, 0, 1).toArray());
    }

    @Test
    void sliceTakesAHalfOpenRange() {
        Tensor x = iota(3, 4);
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, x.slice(0, 1, 3).toArray());
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, x.slice(-1, 1, 3).toArray());
        assertEquals(Shape.of(3, 0), x.slice(1, 2, 2).shape());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.slice(1, 2, 5));
        assertTrue(e.getMessage().contains("[2, 5)") && e.getMessage().contains("[3, 4]"),
                e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> x.slice(0, 2, 1));
    }

    @Test
    void concatJoinsAlongAnAxis() {
        Tensor a = iota(2, 2);                                   // [[0 1] [2 3]]
        Tensor b = Tensor.full(9f, 2, 1);
        assertArrayEquals(new float[] {0, 1, 9, 2, 3, 9},
                Tensor.concat(List.of(a, b), 1).toArray());
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 1, 2, 3},
                Tensor.concat(List.of(a, a), 0).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.concat(List.of(a, b), 0));
        assertTrue(e.getMessage().contains("[2, 1]") && e.getMessage().contains("[2, 2]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(), 0));
    }

    @Test
    void indexSelectPicksAndRepeatsRows() {
        Tensor x = iota(3, 2);                                   // [[0 1] [2 3] [4 5]]
        assertArrayEquals(new float[] {4, 5, 0, 1, 4, 5}, x.indexSelect(0, 2, 0, 2).toArray());
        assertArrayEquals(new float[] {1, 3, 5}, x.indexSelect(1, 1).toArray());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.indexSelect(0, 3));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void arithmeticHelpersBroadcast() {
        Tensor x = iota(2, 3);
        Tensor row = Tensor.of(new float[] {10, 20, 30}, 3);
        assertArrayEquals(new float[] {10, 21, 32, 13, 24, 35}, x.add(row).toArray());
        assertArrayEquals(new float[] {-10, -19, -28, -7, -16, -25}, x.sub(row).toArray());
        assertArrayEquals(new float[] {0, 20, 60, 30, 80, 150}, x.mul(row).toArray());
        assertArrayEquals(new float[] {0, 0.05f, 2f / 30, 0.3f, 0.2f, 5f / 30},
                x.div(row).toArray(), 1e-7f);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x.add(1f).toArray());
        assertArrayEquals(new float[] {-0f, -1, -2, -3, -4, -5}, x.neg().toArray());  // IEEE −0
        assertArrayEquals(new float[] {0, 1, 4, 9, 16, 25}, x.square().toArray());
        assertEquals(15f, x.sum().item());
        assertEquals(2.5f, x.mean().item());
        assertEquals(0, x.sum().rank());
        assertEquals(5f, x.mul(-1f).maxAbs());
        assertArrayEquals(new float[] {3, 4, 5, 3, 4, 5}, Tensor.of(new float[] {3, 4, 5}, 3)
                .broadcastTo(Shape.of(2, 3)).toArray());
        assertArrayEquals(new float[] {3, 5, 7}, x.sumToShape(Shape.of(3)).toArray());
        assertSame(x, x.sumToShape(x.shape()));
    }

    @Test
    void matmulMultipliesSmallMatrices() {
        Tensor a = iota(2, 3);                                   // [[0 1 2] [3 4 5]]
        Tensor b = iota(3, 2);                                   // [[0 1] [2 3] [4 5]]
        assertArrayEquals(new float[] {10, 13, 28, 40}, a.matmul(b).toArray());
    }

    @Test
    void inPlaceOpsWriteAndBumpTheVersion() {
        Tensor y = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor view = y.reshape(1, 3);
        int v0 = y.version();
        y.addInPlace(2f, Tensor.ones(3));
        assertArrayEquals(new float[] {3, 4, 5}, y.toArray());
        assertEquals(v0 + 1, y.version());
        y.scaleInPlace(0.5f);
        assertArrayEquals(new float[] {1.5f, 2f, 2.5f}, y.toArray());
        assertEquals(v0 + 2, y.version());
        y.copyFrom(Tensor.arange(3));
        assertArrayEquals(new float[] {0, 1, 2}, y.toArray());
        assertEquals(v0 + 3, y.version());
        y.fillInPlace(7f);
        assertArrayEquals(new float[] {7, 7, 7}, y.toArray());
        assertEquals(v0 + 4, y.version());
        assertEquals(y.version(), view.version());               // a view shares the counter
        assertArrayEquals(new float[] {7, 7, 7}, view.toArray());
        assertThrows(IllegalArgumentException.class, () -> y.addInPlace(1f, Tensor.ones(4)));
        assertThrows(IllegalArgumentException.class, () -> y.copyFrom(Tensor.ones(1, 3)));
    }

    @Test
    void outOfPlaceOpsLeaveTheVersionAlone() {
        Tensor x = Tensor.arange(4);
        int v0 = x.version();
        x.add(1f);
        x.permute(0);
        x.reshape(2, 2);
        Tensor c = x.copy();
        assertEquals(v0, x.version());
        assertNotSame(x.storage(), c.storage());
        c.fillInPlace(0f);
        assertArrayEquals(new float[] {0, 1, 2, 3}, x.toArray());
    }

    @Test
    void likeConstructorsKeepTheShape() {
        Tensor x = Tensor.arange(6).reshape(2, 3);
        assertArrayEquals(new float[6], x.zerosLike().toArray());
        assertEquals(Shape.of(2, 3), x.fullLike(1f).shape());
        assertArrayEquals(new float[] {4, 4, 4, 4, 4, 4}, x.fullLike(4f).toArray());
        assertSame(x, x.to(Device.CPU));
    }

    @Test
    void randomConstructorsUseTheGivenRng() {
        assertArrayEquals(Rng.seeded(5).uniform(6, -1f, 1f),
                Tensor.uniform(Rng.seeded(5), -1f, 1f, 2, 3).toArray());
        assertArrayEquals(Rng.seeded(5).normal(6, 0f, 2f),
                Tensor.normal(Rng.seeded(5), 0f, 2f, 3, 2).toArray());
        assertArrayEquals(Rng.seeded(5).bernoulli(6, 0.3f),
                Tensor.bernoulli(Rng.seeded(5), 0.3f, 6).toArray());
        assertArrayEquals(Rng.seeded(5).gumbel(6), Tensor.gumbel(Rng.seeded(5), 1, 6).toArray());
    }

    @Test
    void devicesParseAndPrint() {
        assertEquals(Device.CPU, Device.parse(" CPU "));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(2), Device.parse("cuda:2"));
        assertEquals("cuda:2", Device.cuda(2).toString());
        assertEquals("cpu", Device.CPU.toString());
        for (String bad : new String[] {"gpu", "cuda:x", "cuda:"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Device.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
    }

    @Test
    void toStringShowsShapeDeviceAndTheFirstValues() {
        assertEquals("Tensor[2, 2]@cpu [0.0, 1.0, 2.0, 3.0]", iota(2, 2).toString());
        assertEquals("Tensor[]@cpu [1.5]", Tensor.scalar(1.5f).toString());
        assertEquals("Tensor[10]@cpu [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, …]",
                Tensor.arange(10).toString());
    }
}
