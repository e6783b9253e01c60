package org.finetune4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Shared helpers of the kernel tests: seeded inputs, a validate_result-style comparison (llm.c)
 * that names the tensor, index, both values and the tolerance, and central finite differences
 * through the real float32 forward with the scalar loss in double.
 */
final class KernelTestKit {
    private KernelTestKit() {}

    /** Seeded uniform values in [lo, hi). */
    static float[] uniform(long seed, int size, double lo, double hi) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return a;
    }

    /** A seeded permutation of (0, 1, .., size − 1)·spacing: distinct values, no ties. */
    static float[] distinct(long seed, int size, double spacing) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) (i * spacing);
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            float tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return a;
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return sum;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** |actual − expected| ≤ atol + rtol·|expected| everywhere; lists up to 10 mismatches. */
    static void assertClose(String what, double[] expected, float[] actual, double atol,
                            double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder report = new StringBuilder();
        int bad = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            double tol = atol + rtol * Math.abs(expected[i]);
            boolean ok = diff <= tol || (Double.isNaN(expected[i]) && Float.isNaN(actual[i]));
            if (!(diff <= maxDiff) && !Double.isNaN(diff)) maxDiff = diff;
            if (!ok && bad++ < 10) {
                report.append(String.format("%n  %s[%d]: expected %.9g, actual %.9g, |diff| %.3g"
                        + " > tol %.3g", what, i, expected[i], actual[i], diff, tol));
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements outside atol " + atol
                    + " + rtol " + rtol + "·|expected| (max |diff| " + maxDiff + ")" + report);
        }
    }

    static void assertClose(String what, float[] expected, float[] actual, double atol,
                            double rtol) {
        assertClose(what, toDouble(expected), actual, atol, rtol);
    }

    /** Bit-for-bit equality (NaN payloads included), naming the first differing index. */
    static void assertBitIdentical(String what, float[] first, float[] second) {
        for (int i = 0; i < first.length; i++) {
            if (Float.floatToRawIntBits(first[i]) != Float.floatToRawIntBits(second[i])) {
                fail(what + ": run 1 and run 2 differ at [" + i + "]: " + first[i] + " vs "
                        + second[i]);
            }
        }
    }

    /** Runs the kernels twice on the same inputs; each named output must match bitwise. */
    static void assertRunsAreBitIdentical(Supplier<float[][]> run, String... names) {
        float[][] first = run.get(), second = run.get();
        for (int i = 0; i < first.length; i++) assertBitIdentical(names[i], first[i], second[i]);
    }

    /**
     * dL/dx by central differences: x[i] ± eps through the float32 forward that loss() runs on
     * the current contents of x, divided by the step actually taken after rounding to float.
     */
    static double[] numericGradient(float[] x, double eps, DoubleSupplier loss) {
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            float plus = (float) (saved + eps), minus = (float) (saved - eps);
            x[i] = plus;
            double lossPlus = loss.getAsDouble();
            x[i] = minus;
            double lossMinus = loss.getAsDouble();
            x[i] = saved;
            grad[i] = (lossPlus - lossMinus) / ((double) plus - minus);
        }
        return grad;
    }
}
