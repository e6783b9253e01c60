package org.finetune4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API sums for the statistics passes of batch norm. C2 does not vectorise a float → double
 * reduction, so the scalar twin runs at the latency of one double add per element; here 16 float
 * lanes accumulate one plane (h·w values, a few hundred) and the lane totals are added in double.
 * The order is fixed, so results are deterministic; they differ from the scalar twin only by
 * float rounding within a plane. Only loaded when {@link Simd#ENABLED}.
 */
final class SimdSums {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdSums() {}

    /** acc[0] += Σ (x − shift), acc[1] += Σ (x − shift)² over x[off, off + len). */
    static void shiftedMoments(float[] x, int off, int len, float shift, double[] acc) {
        FloatVector s = FloatVector.zero(S);
        FloatVector q = FloatVector.zero(S);
        FloatVector k = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(k);
            s = s.add(d);
            q = d.fma(d, q);
        }
        double sum = s.reduceLanes(VectorOperators.ADD);
        double sumSq = q.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double d = (double) x[off + i] - shift;
            sum += d;
            sumSq += d * d;
        }
        acc[0] += sum;
        acc[1] += sumSq;
    }

    /** acc[0] += Σ dy, acc[1] += Σ dy·(x − mean) over [off, off + len). */
    static void gradientMoments(float[] dy, float[] x, int off, int len, float mean, double[] acc) {
        FloatVector s = FloatVector.zero(S);
        FloatVector q = FloatVector.zero(S);
        FloatVector m = FloatVector.broadcast(S, mean);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, off + i);
            s = s.add(g);
            q = g.fma(FloatVector.fromArray(S, x, off + i).sub(m), q);
        }
        double sum = s.reduceLanes(VectorOperators.ADD);
        double dot = q.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += dy[off + i];
            dot += dy[off + i] * ((double) x[off + i] - mean);
        }
        acc[0] += sum;
        acc[1] += dot;
    }
}
