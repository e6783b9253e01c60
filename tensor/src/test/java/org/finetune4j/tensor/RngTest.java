package org.finetune4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rng: reproducibility (same seed, split, state/fromState) and loose statistical checks. Every
 * test uses fixed seeds, so it is deterministic; the bounds are ≥ 5 standard errors wide, so a
 * correct generator passes for essentially any seed and a biased one still fails.
 */
class RngTest {
    private static final int N = 200_000;

    private static long[] longs(Rng rng, int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextLong();
        return a;
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s / a.length;
    }

    private static double variance(float[] a) {
        double m = mean(a);
        double s = 0;
        for (float v : a) s += (v - m) * (v - m);
        return s / (a.length - 1);
    }

    private static void assertWithin(String what, double expected, double actual, double tol) {
        assertTrue(Math.abs(actual - expected) <= tol,
                what + ": expected " + expected + " ± " + tol + ", got " + actual);
    }

    @Test
    void matchesTheSplitMix64ReferenceOutput() {
        // First output of SplitMix64 seeded with 0 (Vigna's splitmix64.c): pins the algorithm, so
        // a saved state() keeps meaning the same stream across versions.
        assertEquals(0xE220A8397B1DCDAFL, Rng.seeded(0).nextLong());
    }

    @Test
    void sameSeedGivesIdenticalStreams() {
        assertArrayEquals(longs(Rng.seeded(42), 1000), longs(Rng.seeded(42), 1000));
        assertArrayEquals(Rng.seeded(42).normal(100, 0f, 1f), Rng.seeded(42).normal(100, 0f, 1f));
        assertFalse(java.util.Arrays.equals(longs(Rng.seeded(42), 10), longs(Rng.seeded(43), 10)));
    }

    @Test
    void splitGivesAnIndependentReproducibleStream() {
        Rng parent = Rng.seeded(7);
        Rng child = parent.split();
        long[] childStream = longs(child, 1000);
        long[] parentStream = longs(parent, 1000);

        Rng parentAgain = Rng.seeded(7);
        assertArrayEquals(childStream, longs(parentAgain.split(), 1000), "child is reproducible");
        assertArrayEquals(parentStream, longs(parentAgain, 1000), "parent continues the same way");

        Set<Long> seen = new HashSet<>();
        for (long v : parentStream) seen.add(v);
        for (long v : childStream) assertFalse(seen.contains(v), "child repeats parent value " + v);

        Rng a = Rng.seeded(7);
        Rng b = a.split();
        float[] x = a.uniform(N, -1f, 1f);
        float[] y = b.uniform(N, -1f, 1f);
        double corr = 0;
        for (int i = 0; i < N; i++) corr += (double) x[i] * y[i];
        corr /= N * (1.0 / 3);                                   // Var(U(−1, 1)) = 1/3
        assertWithin("correlation of parent and child", 0, corr, 5 / Math.sqrt(N));
    }

    @Test
    void splitsOfSplitsDiffer() {
        Rng root = Rng.seeded(3);
        Rng first = root.split();
        Rng second = root.split();
        assertNotEquals(first.state(), second.state());
        assertNotEquals(first.nextLong(), second.nextLong());
    }

    @Test
    void stateAndFromStateResumeExactly() {
        Rng rng = Rng.seeded(11);
        rng.normal(17, 0f, 1f);                                  // Box-Muller keeps no cached value
        rng.nextInt(5);
        long saved = rng.state();
        float[] expected = rng.normal(50, 0f, 1f);
        double g = rng.nextGumbel();
        int[] perm = rng.permutation(20);

        Rng resumed = Rng.fromState(saved);
        assertArrayEquals(expected, resumed.normal(50, 0f, 1f));
        assertEquals(g, resumed.nextGumbel());
        assertArrayEquals(perm, resumed.permutation(20));
        assertEquals(rng.state(), resumed.state());
    }

    @Test
    void nextIntStaysInBounds() {
        Rng rng = Rng.seeded(5);
        for (int bound : new int[] {1, 2, 3, 7, 10, 1000, (1 << 30) + 1, Integer.MAX_VALUE}) {
            for (int i = 0; i < 2000; i++) {
                int v = rng.nextInt(bound);
                assertTrue(v >= 0 && v < bound, "nextInt(" + bound + ") gave " + v);
            }
        }
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rng.nextInt(bad));
            assertTrue(e.getMessage().contains(Integer.toString(bad)), e.getMessage());
        }
    }

    @Test
    void nextIntIsRoughlyUniform() {
        Rng rng = Rng.seeded(6);
        int k = 10;
        int[] counts = new int[k];
        for (int i = 0; i < N; i++) counts[rng.nextInt(k)]++;
        double expected = (double) N / k;
        double chi2 = 0;
        for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
        assertTrue(chi2 < 35, "chi² " + chi2 + " (9 degrees of freedom, p = 1e-4 at 33.7)");

        // a bound just above 2^31 / 3: modulo reduction would favour the low third by ~2x
        int bound = (1 << 30) + (1 << 29);
        int low = 0;
        for (int i = 0; i < N; i++) if (rng.nextInt(bound) < bound / 2) low++;
        assertWithin("fraction below bound/2", 0.5, (double) low / N, 5 * Math.sqrt(0.25 / N));
    }

    @Test
    void floatsAndDoublesLieInTheUnitInterval() {
        Rng rng = Rng.seeded(8);
        for (int i = 0; i < 10_000; i++) {
            float f = rng.nextFloat();
            double d = rng.nextDouble();
            assertTrue(f >= 0f && f < 1f, "nextFloat " + f);
            assertTrue(d >= 0.0 && d < 1.0, "nextDouble " + d);
        }
    }

    @Test
    void uniformHasTheRightMeanAndVariance() {
        float lo = -2f;
        float hi = 3f;
        float[] x = Rng.seeded(9).uniform(N, lo, hi);
        for (float v : x) {
            assertTrue(v >= lo && v < hi, "uniform value " + v + " outside [-2, 3)");
        }
        double var = (hi - lo) * (hi - lo) / 12.0;
        assertWithin("uniform mean", 0.5, mean(x), 5 * Math.sqrt(var / N));
        // Var(s²) ≈ σ⁴(κ − 1)/N with kurtosis κ = 1.8 for a uniform
        assertWithin("uniform variance", var, variance(x), 5 * var * Math.sqrt(0.8 / N));
    }

    @Test
    void normalHasTheRightMeanAndVariance() {
        float[] x = Rng.seeded(10).normal(N, 1.5f, 2f);
        assertWithin("normal mean", 1.5, mean(x), 5 * 2 / Math.sqrt(N));
        assertWithin("normal variance", 4.0, variance(x), 5 * 4 * Math.sqrt(2.0 / N));
        int beyond3 = 0;
        for (float v : x) if (Math.abs(v - 1.5f) > 6f) beyond3++;
        double p3 = 0.0027;                                      // P(|Z| > 3)
        assertWithin("fraction beyond 3σ", p3, (double) beyond3 / N, 5 * Math.sqrt(p3 / N));
    }

    @Test
    void bernoulliGivesZerosAndOnesWithProbabilityP() {
        for (float p : new float[] {0f, 0.1f, 0.5f, 0.9f, 1f}) {
            float[] x = Rng.seeded(12).bernoulli(N, p);
            for (float v : x) assertTrue(v == 0f || v == 1f, "bernoulli value " + v);
            double tol = 5 * Math.sqrt(p * (1 - p) / N) + 1e-12;
            assertWithin("bernoulli(" + p + ") mean", p, mean(x), tol);
        }
    }

    @Test
    void gumbelHasEulerMeanAndPiSquaredOverSixVariance() {
        float[] x = Rng.seeded(13).gumbel(N);
        double var = Math.PI * Math.PI / 6;
        for (float v : x) assertTrue(Float.isFinite(v), "gumbel value " + v);
        assertWithin("gumbel mean", 0.5772156649, mean(x), 5 * Math.sqrt(var / N));
        // Var(s²) ≈ σ⁴(κ − 1)/N with kurtosis κ = 5.4 for a Gumbel
        assertWithin("gumbel variance", var, variance(x), 5 * var * Math.sqrt(4.4 / N));
    }

    @Test
    void permutationIsAPermutation() {
        Rng rng = Rng.seeded(14);
        for (int n : new int[] {0, 1, 2, 10, 1000}) {
            int[] p = rng.permutation(n);
            boolean[] seen = new boolean[n];
            for (int v : p) {
                assertTrue(v >= 0 && v < n && !seen[v],
                        "permutation(" + n + ") repeats or misses " + v);
                seen[v] = true;
            }
            assertEquals(n, p.length);
        }
        int[] big = Rng.seeded(15).permutation(1000);
        int fixed = 0;
        for (int i = 0; i < big.length; i++) if (big[i] == i) fixed++;
        assertTrue(fixed < 10, fixed + " fixed points in a random permutation of 1000 (expect ~1)");
        assertArrayEquals(big, Rng.seeded(15).permutation(1000));
    }

    @Test
    void permutationPositionsAreRoughlyUniform() {
        Rng rng = Rng.seeded(16);
        int n = 5;
        int trials = 50_000;
        int[][] counts = new int[n][n];                          // counts[position][value]
        for (int t = 0; t < trials; t++) {
            int[] p = rng.permutation(n);
            for (int i = 0; i < n; i++) counts[i][p[i]]++;
        }
        double expected = (double) trials / n;
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < n; v++) {
                assertWithin("P(position " + i + " holds " + v + ")·trials", expected, counts[i][v],
                        5 * Math.sqrt(expected * (1 - 1.0 / n)));
            }
        }
    }
}
