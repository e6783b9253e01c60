package org.finetune4j.tensor;

/**
 * The only source of randomness in finetune4j: a seeded, splittable SplitMix64 generator.
 * There is no hidden global generator; every random draw names the Rng it came from, so a run is
 * reproducible from its seeds. The whole state is one long ({@link #state()}), so a training run's
 * generator can be checkpointed and resumed exactly.
 *
 * <p>SplitMix64: Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    private Rng(long state) {
        this.state = state;
    }

    public static Rng seeded(long seed) {
        return new Rng(seed);
    }

    /** Restores a generator saved with {@link #state()}. */
    public static Rng fromState(long state) {
        return new Rng(state);
    }

    public long state() {
        return state;
    }

    /** An independent generator derived from this one (advances this one by one draw). */
    public Rng split() {
        return new Rng(mix(nextLong()) ^ 0x5DEECE66DL);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits (every float32 value on that grid is reachable). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), without modulo bias (Lemire's method). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Standard normal by Box-Muller (one of the pair is used: simple and state-light). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();                       // (0, 1]: log is finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Standard Gumbel(0, 1): −log(−log u), u in (0, 1). */
    public double nextGumbel() {
        double u = nextDouble();
        while (u == 0.0) u = nextDouble();
        return -Math.log(-Math.log(u));
    }

    public float[] uniform(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) (lo + (double) (hi - lo) * nextDouble());
            a[i] = v < hi ? v : Math.nextDown(hi);                // rounding must not reach hi: [lo, hi)
        }
        return a;
    }

    public float[] normal(int n, float mean, float std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (mean + std * nextGaussian());
        return a;
    }

    public float[] bernoulli(int n, float p) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = nextFloat() < p ? 1f : 0f;
        return a;
    }

    public float[] gumbel(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) nextGumbel();
        return a;
    }

    /** A uniformly random permutation of 0..n−1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
