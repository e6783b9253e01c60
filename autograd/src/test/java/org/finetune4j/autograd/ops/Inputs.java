package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * Seeded test inputs for gradchecks (STYLE.md 3.10): small, and away from kinks and ties, so a
 * central difference of step eps never crosses a point where the op is not differentiable.
 */
final class Inputs {
    private Inputs() {}

    /** A parameter uniform in [lo, hi). */
    static Variable uniform(long seed, float lo, float hi, int... dims) {
        return Variable.param(Tensor.uniform(Rng.seeded(seed), lo, hi, dims));
    }

    /** Uniform in [lo, hi), redrawn where a value lies within margin of one of the kinks. */
    static Variable awayFrom(long seed, float lo, float hi, float margin, float[] kinks,
                             int... dims) {
        Rng rng = Rng.seeded(seed);
        float[] v = new float[Shape.of(dims).size()];
        for (int i = 0; i < v.length; i++) {
            do {
                v[i] = lo + (hi - lo) * rng.nextFloat();
            } while (nearAny(v[i], kinks, margin));
        }
        return Variable.param(Tensor.wrap(v, dims));
    }

    /**
     * Pairwise distinct values on a grid: a random permutation of offset + step·k, k = 0, 1, …,
     * with jitter below step/5. Any two values differ by more than step/2, so max and min have no
     * near-ties. Two tensors with offsets step/2 apart stay more than step/4 apart.
     */
    static Variable distinct(long seed, float offset, float step, int... dims) {
        Rng rng = Rng.seeded(seed);
        int n = Shape.of(dims).size();
        int[] perm = rng.permutation(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + step * perm[i] + step * 0.2f * (rng.nextFloat() - 0.5f);
        }
        return Variable.param(Tensor.wrap(v, dims));
    }

    static boolean nearAny(float x, float[] kinks, float margin) {
        for (float k : kinks) if (Math.abs(x - k) < margin) return true;
        return false;
    }
}
