package org.finetune4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Shape: NumPy broadcasting (right-aligned, 1 stretches), reshape with −1, row-major strides,
 * axis normalisation and the error messages, which must name the op and both shapes.
 */
class ShapeTest {

    private static Shape s(int... dims) {
        return Shape.of(dims);
    }

    private static void assertBroadcast(Shape expected, Shape a, Shape b) {
        assertEquals(expected, Shape.broadcast("add", a, b), a + " ∘ " + b);
        assertEquals(expected, Shape.broadcast("add", b, a), b + " ∘ " + a + " (swapped)");
    }

    @Test
    void broadcastAlignsOnTheRightAndStretchesOnes() {
        assertBroadcast(s(2, 3, 4), s(2, 3, 4), s(3, 1));
        assertBroadcast(s(2, 3, 4), s(2, 1, 4), s(1, 3, 1));
        assertBroadcast(s(3, 5), s(5), s(3, 5));
        assertBroadcast(s(2, 3), s(1), s(2, 3));
        assertBroadcast(s(2, 3, 5, 7), s(2, 3, 1, 1), s(2, 3, 5, 7));
        assertBroadcast(s(2, 3), Shape.SCALAR, s(2, 3));
        assertBroadcast(Shape.SCALAR, Shape.SCALAR, Shape.SCALAR);
        assertBroadcast(s(1, 1, 1), s(1), s(1, 1, 1));
        assertBroadcast(s(0, 4), s(0, 1), s(1, 4));               // a 1 stretches to 0 as well
    }

    @Test
    void broadcastErrorNamesTheOpAndBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shape.broadcast("mul", s(2, 3), s(4)));
        assertTrue(e.getMessage().contains("mul"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Shape.broadcast("add", s(2, 3, 4), s(3, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("add", s(0), s(2)));
    }

    @Test
    void broadcastsToIsOneWay() {
        assertTrue(s(3, 1).broadcastsTo(s(2, 3, 4)));
        assertTrue(Shape.SCALAR.broadcastsTo(s(2, 3)));
        assertTrue(s(2, 3).broadcastsTo(s(2, 3)));
        assertFalse(s(2, 3, 4).broadcastsTo(s(3, 1)));
        assertFalse(s(1, 2, 3).broadcastsTo(s(2, 3)));             // more dims than the target
        assertFalse(s(3).broadcastsTo(s(3, 4)));
    }

    @Test
    void broadcastStridesAreZeroWhereStretched() {
        assertArrayEquals(new int[] {0, 1, 0}, s(3, 1).broadcastStrides(s(2, 3, 4)));
        assertArrayEquals(new int[] {4, 0, 1}, s(2, 1, 4).broadcastStrides(s(2, 3, 4)));
        assertArrayEquals(new int[] {0, 0}, Shape.SCALAR.broadcastStrides(s(5, 6)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s(3).broadcastStrides(s(3, 4)));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[3, 4]"),
                e.getMessage());
    }

    @Test
    void stridesAreRowMajor() {
        assertArrayEquals(new int[] {105, 35, 7, 1}, s(2, 3, 5, 7).strides());
        assertArrayEquals(new int[] {1}, s(9).strides());
        assertArrayEquals(new int[0], Shape.SCALAR.strides());
        assertEquals(210, s(2, 3, 5, 7).size());
        assertEquals(1, Shape.SCALAR.size());
        assertEquals(0, s(4, 0, 3).size());
    }

    @Test
    void outerAndInnerAreProductsAroundAnAxis() {
        Shape x = s(2, 3, 5, 7);
        assertEquals(1, x.outer(0));
        assertEquals(6, x.outer(2));
        assertEquals(105, x.inner(0));
        assertEquals(7, x.inner(2));
        assertEquals(1, x.inner(3));
    }

    @Test
    void reshapeInfersOneMinusOne() {
        Shape x = s(2, 3, 4);
        assertEquals(s(6, 4), x.reshape(-1, 4));
        assertEquals(s(2, 12), x.reshape(2, -1));
        assertEquals(s(24), x.reshape(-1));
        assertEquals(s(2, 3, 2, 2), x.reshape(2, 3, -1, 2));
        assertEquals(s(1, 24, 1), x.reshape(1, -1, 1));
        assertEquals(Shape.SCALAR, s(1, 1).reshape());
        assertEquals(s(1), Shape.SCALAR.reshape(-1));
    }

    @Test
    void reshapeErrorsSayWhy() {
        Shape x = s(2, 3, 4);
        IllegalArgumentException twoInferred = assertThrows(IllegalArgumentException.class,
                () -> x.reshape(-1, -1));
        assertTrue(twoInferred.getMessage().contains("more than one -1"), twoInferred.getMessage());
        IllegalArgumentException notDivisible = assertThrows(IllegalArgumentException.class,
                () -> x.reshape(5, -1));
        assertTrue(notDivisible.getMessage().contains("[2, 3, 4]"), notDivisible.getMessage());
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> x.reshape(5, 5));
        assertTrue(sizes.getMessage().contains("24") && sizes.getMessage().contains("25"),
                sizes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.reshape(0, -1));
        assertThrows(IllegalArgumentException.class, () -> x.reshape(-2, -12));
    }

    @Test
    void axisNormalisesNegativeAxes() {
        Shape x = s(2, 3, 5, 7);
        for (int a = 0; a < 4; a++) {
            assertEquals(a, x.axis(a));
            assertEquals(a, x.axis(a - 4));
        }
        assertEquals(7, x.dim(-1));
        assertEquals(2, x.dim(-4));
        assertEquals(s(2, 3, 9, 7), x.with(-2, 9));
    }

    @Test
    void axisOutOfRangeNamesTheAxisAndShape() {
        Shape x = s(2, 3);
        for (int bad : new int[] {2, 3, -3, -100}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> x.axis(bad));
            assertTrue(e.getMessage().contains("axis " + bad) && e.getMessage().contains("[2, 3]"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Shape.SCALAR.axis(0));
        assertThrows(IllegalArgumentException.class, () -> x.dim(5));
    }

    @Test
    void sizeOverflowIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shape.of(65536, 65536));
        assertTrue(e.getMessage().contains("2^31"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1 << 20, 1 << 20, 1 << 20));
        assertEquals(1 << 30, Shape.of(1 << 15, 1 << 15).size());
    }

    @Test
    void negativeDimensionIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shape.of(3, -2));
        assertTrue(e.getMessage().contains("[3, -2]"), e.getMessage());
    }

    @Test
    void ofCopiesItsArgumentAndDimsReturnsACopy() {
        int[] d = {2, 3};
        Shape x = Shape.of(d);
        d[0] = 9;
        assertEquals(s(2, 3), x);
        x.dims()[1] = 9;
        assertEquals(s(2, 3), x);
    }

    @Test
    void equalityIsByDimensions() {
        assertEquals(s(2, 3), s(2, 3));
        assertEquals(s(2, 3).hashCode(), s(2, 3).hashCode());
        assertNotEquals(s(2, 3), s(3, 2));
        assertNotEquals(s(1, 6), s(6));
        assertEquals("[2, 3]", s(2, 3).toString());
        assertEquals("[]", Shape.SCALAR.toString());
    }
}
