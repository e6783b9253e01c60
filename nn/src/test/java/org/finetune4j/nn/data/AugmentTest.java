package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.finetune4j.tensor.Rng;
import org.junit.jupiter.api.Test;

/** Random crop with zero padding shifts by at most ±padding; flip mirrors rows; both seeded. */
class AugmentTest {
    private static final int H = 7;
    private static final int W = 9;

    /** n two-channel images, each with one lit pixel at (3, 3): 1 on channel 0, 2 on channel 1. */
    private static float[] dots(int n) {
        float[] x = new float[n * 2 * H * W];                          // (n, 2, H, W)
        for (int i = 0; i < n; i++) {
            x[(i * 2) * H * W + 3 * W + 3] = 1f;
            x[(i * 2 + 1) * H * W + 3 * W + 3] = 2f;
        }
        return x;
    }

    @Test
    void cropMovesContentByAtMostThePaddingAndTheSameWayOnEveryChannel() {
        int n = 400;
        float[] x = dots(n);
        new Augment(2, false).applyInPlace(x, n, 2, H, W, Rng.seeded(1));
        Set<String> shifts = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int at = -1;
            for (int p = 0; p < H * W; p++) {
                if (x[(i * 2) * H * W + p] != 0) at = p;
            }
            assertTrue(at >= 0, "a dot 3 pixels from the border survives a ±2 shift, image " + i);
            int dy = at / W - 3;
            int dx = at % W - 3;
            String shift = dy + "," + dx;
            assertTrue(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, "shift " + shift + " of image " + i);
            assertEquals(2f, x[(i * 2 + 1) * H * W + at], "channel 1 moves too, image " + i);
            shifts.add(shift);
        }
        assertEquals(25, shifts.size(), "every offset in [-2, 2]^2 occurs");
    }

    @Test
    void flipMirrorsRowsAboutHalfTheTime() {
        int n = 400;
        float[] x = dots(n);
        new Augment(0, true).applyInPlace(x, n, 2, H, W, Rng.seeded(2));
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            boolean mirrored = x[(i * 2) * H * W + 3 * W + (W - 1 - 3)] == 1f;
            boolean kept = x[(i * 2) * H * W + 3 * W + 3] == 1f;
            assertTrue(mirrored ^ kept, "image " + i + " is either flipped or not");
            if (mirrored) flipped++;
        }
        assertTrue(flipped > 150 && flipped < 250, "p = 0.5 flips " + flipped + " of " + n);
    }

    @Test
    void theSameRngStateGivesTheSameAugmentation() {
        float[] a = Rng.seeded(5).uniform(8 * 3 * H * W, 0f, 1f);
        float[] b = a.clone();
        Augment augment = new Augment(3, true);
        augment.applyInPlace(a, 8, 3, H, W, Rng.seeded(6));
        augment.applyInPlace(b, 8, 3, H, W, Rng.seeded(6));
        assertArrayEquals(a, b);
        float[] c = a.clone();
        Augment.NONE.applyInPlace(c, 8, 3, H, W, Rng.seeded(7));
        assertArrayEquals(a, c, "NONE leaves images alone");
    }
}
