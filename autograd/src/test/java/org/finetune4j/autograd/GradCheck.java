package org.finetune4j.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * Finite-difference gradient checks for float32 ops (STYLE.md 3.10), shipped in the autograd
 * test-jar for later modules. The scalar under study is L = Σ y ⊙ r with a seeded random upstream
 * gradient r (never a plain sum: a permutation or broadcasting bug cannot cancel), accumulated in
 * double. Numerical gradients are central differences through the real float32 forward; an entry
 * passes when |analytic − numeric| ≤ atol + rtol·|numeric| (numpy's allclose).
 *
 * <p>{@link #assertGradientsMatch} checks the backward twice: as the fast path runs it (no graph
 * recorded, fused kernels) and as recorded formulas (createGraph, the double-backward path).
 * {@link #secondOrder} builds PyTorch's gradgradcheck: the function (x, dy) ↦ ∂⟨y, dy⟩/∂x checked
 * the same way, dy included as an input.
 */
public final class GradCheck {
    /** The op under study; it may read only some of its inputs. */
    @FunctionalInterface
    public interface Fn {
        Variable apply(Variable[] in);
    }

    /** analytic: the evaluation that is differentiated (false: a finite-difference probe). */
    private interface Evaluator {
        Variable apply(Variable[] in, boolean analytic);
    }

    private static final int MAX_LISTED = 10;                       // llm.c stops after ~10

    private final Evaluator f;
    private final boolean bothBackwardPaths;
    private Variable[] inputs = new Variable[0];
    private String[] names;
    private double eps = 1e-3;                                      // float32 defaults (3.10)
    private double rtol = 1e-2;
    private double atol = 1e-3;
    private long seed = 17;

    private GradCheck(Evaluator f, boolean bothBackwardPaths) {
        this.f = f;
        this.bothBackwardPaths = bothBackwardPaths;
    }

    public static GradCheck of(Fn f) {
        return new GradCheck((in, analytic) -> f.apply(in), true);
    }

    /** The op's arguments; only those that require grad are checked (constants may be mixed in). */
    public GradCheck inputs(Variable... xs) {
        inputs = xs.clone();
        return this;
    }

    /** Names used in failure messages, one per input (default "input i"). */
    public GradCheck names(String... n) {
        names = n.clone();
        return this;
    }

    /** Step of the central difference, and the allclose tolerances. */
    public GradCheck tolerances(double eps, double rtol, double atol) {
        this.eps = eps;
        this.rtol = rtol;
        this.atol = atol;
        return this;
    }

    /** Seed of the random upstream gradient r. */
    public GradCheck seed(long s) {
        seed = s;
        return this;
    }

    /** Checks every input that requires grad; throws AssertionError listing the mismatches. */
    public void assertGradientsMatch() {
        List<Integer> checked = differentiable();
        Variable probe = f.apply(inputs, false);
        Tensor r = upstream(probe.shape(), seed);
        double[][] numeric = new double[inputs.length][];
        for (int i : checked) {
            Tensor x = inputs[i].value();
            numeric[i] = numericGradient(x, eps, () -> dot(f.apply(inputs, false).value(), r));
        }
        StringBuilder failures = new StringBuilder();
        boolean[] modes = bothBackwardPaths ? new boolean[] {false, true} : new boolean[] {false};
        for (boolean createGraph : modes) {
            List<Variable> g = analyticGradients(checked, r, createGraph);
            for (int k = 0; k < checked.size(); k++) {
                int i = checked.get(k);
                String header = name(i) + " " + inputs[i].shape() + ", backward with createGraph="
                        + createGraph;
                failures.append(mismatches(header, name(i), g.get(k).value(), numeric[i], rtol,
                        atol));
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError("gradcheck failed (eps " + eps + ", rtol " + rtol + ", atol "
                    + atol + "):\n" + failures);
        }
    }

    /**
     * PyTorch's gradgradcheck: a check of (inputs…, dy) ↦ concat_i ∂⟨f(inputs), dy⟩/∂input_i,
     * whose analytic gradient is a double backward. The probes use the fast backward (no graph),
     * so the recorded formulas are compared with finite differences of the kernels. dy is the
     * last input.
     */
    public GradCheck secondOrder() {
        List<Integer> checked = differentiable();
        int n = inputs.length;
        Shape outShape = f.apply(inputs, false).shape();
        Variable dy = Variable.param(upstream(outShape, seed + 1));
        Evaluator firstOrder = (in, analytic) -> {
            Variable[] xs = Arrays.copyOf(in, n);
            Variable y = f.apply(xs, analytic);
            List<Variable> wrt = new ArrayList<>();
            for (int i : checked) wrt.add(xs[i]);
            List<Variable> g = Graph.grad(List.of(y), wrt, List.of(in[n]), true, analytic);
            Variable[] flat = new Variable[g.size()];
            for (int k = 0; k < flat.length; k++) flat[k] = g.get(k).reshape(-1);
            return Variable.concat(0, flat);
        };
        Variable[] all = Arrays.copyOf(inputs, n + 1);
        all[n] = dy;
        String[] allNames = new String[n + 1];
        for (int i = 0; i < n; i++) allNames[i] = name(i);
        allNames[n] = "dy";
        return new GradCheck(firstOrder, false).inputs(all).names(allNames)
                .tolerances(eps, rtol, atol).seed(seed + 2);
    }

    /** {@link #secondOrder} checked with this check's tolerances. */
    public void assertSecondOrderMatches() {
        secondOrder().assertGradientsMatch();
    }

    /**
     * The fast backward (no graph: fused kernels) and the recorded one (createGraph: formulas of
     * Variable ops, for fused ops a composition of primitives) agree to within rtol, atol.
     */
    public void assertBackwardPathsAgree(double rtol, double atol) {
        List<Integer> checked = differentiable();
        Tensor r = upstream(f.apply(inputs, false).shape(), seed);
        List<Variable> fast = analyticGradients(checked, r, false);
        List<Variable> recorded = analyticGradients(checked, r, true);
        StringBuilder failures = new StringBuilder();
        for (int k = 0; k < checked.size(); k++) {
            int i = checked.get(k);
            float[] e = recorded.get(k).value().toArray();
            double[] expected = new double[e.length];
            for (int j = 0; j < e.length; j++) expected[j] = e[j];
            String header = name(i) + " " + inputs[i].shape()
                    + ": fast backward vs recorded (createGraph)";
            failures.append(mismatches(header, name(i), fast.get(k).value(), expected, rtol,
                    atol));
        }
        if (failures.length() > 0) throw new AssertionError(failures.toString());
    }

    // ---------------------------------------------------------------- helpers for other tests

    /**
     * Central differences of loss() with respect to every element of x, perturbing x in place
     * (and restoring it exactly). The step actually taken in float32 is the denominator.
     */
    public static double[] numericGradient(Tensor x, double eps, DoubleSupplier loss) {
        float[] d = x.data();
        double[] g = new double[d.length];
        for (int j = 0; j < d.length; j++) {
            float orig = d[j];
            float up = (float) (orig + eps);
            float down = (float) (orig - eps);
            d[j] = up;
            x.bumpVersion();
            double lossUp = loss.getAsDouble();
            d[j] = down;
            x.bumpVersion();
            double lossDown = loss.getAsDouble();
            d[j] = orig;
            x.bumpVersion();
            g[j] = (lossUp - lossDown) / ((double) up - down);
        }
        return g;
    }

    /** Σ y ⊙ r in double. */
    public static double dot(Tensor y, Tensor r) {
        if (!y.shape().equals(r.shape())) {
            throw new AssertionError("gradcheck: output shape changed from " + r.shape() + " to "
                    + y.shape());
        }
        float[] a = y.toArray();
        float[] b = r.toArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** The seeded random upstream gradient, uniform in [−1, 1). */
    public static Tensor upstream(Shape shape, long seed) {
        return Tensor.uniform(Rng.seeded(seed), -1f, 1f, shape.dims());
    }

    /** Throws unless actual ≈ expected elementwise (atol + rtol·|expected|), listing ≤ 10. */
    public static void assertAllClose(String what, Tensor actual, double[] expected, double rtol,
                                      double atol) {
        String m = mismatches(what + " " + actual.shape(), what, actual, expected, rtol, atol);
        if (!m.isEmpty()) throw new AssertionError(m);
    }

    public static void assertAllClose(String what, Tensor actual, Tensor expected, double rtol,
                                      double atol) {
        if (!actual.shape().equals(expected.shape())) {
            throw new AssertionError(what + ": shape " + actual.shape() + " but expected "
                    + expected.shape());
        }
        float[] e = expected.toArray();
        double[] ed = new double[e.length];
        for (int i = 0; i < e.length; i++) ed[i] = e[i];
        assertAllClose(what, actual, ed, rtol, atol);
    }

    /** Largest |value| of an array, for tolerances relative to a gradient's scale. */
    public static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    // ---------------------------------------------------------------- internals

    /** ∂⟨f(inputs), r⟩/∂input_i; zeros when the output has no graph (constant in the inputs). */
    private List<Variable> analyticGradients(List<Integer> checked, Tensor r, boolean createGraph) {
        Variable y = f.apply(inputs, true);
        List<Variable> wrt = new ArrayList<>();
        for (int i : checked) wrt.add(inputs[i]);
        if (y.requiresGrad()) {
            return Graph.grad(List.of(y), wrt, List.of(Variable.constant(r)), false, createGraph);
        }
        List<Variable> zeros = new ArrayList<>();
        for (Variable x : wrt) zeros.add(Variable.constant(x.value().zerosLike()));
        return zeros;
    }

    private List<Integer> differentiable() {
        List<Integer> checked = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad()) checked.add(i);
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("gradcheck: no input requires grad");
        }
        return checked;
    }

    private String name(int i) {
        return names != null && i < names.length ? names[i] : "input " + i;
    }

    private static String mismatches(String header, String what, Tensor analytic, double[] numeric,
                                     double rtol, double atol) {
        float[] a = analytic.toArray();
        if (a.length != numeric.length) {
            return header + ": analytic gradient has " + a.length + " entries, numeric "
                    + numeric.length + "\n";
        }
        int[] dims = analytic.dims();
        StringBuilder sb = new StringBuilder();
        int bad = 0;
        for (int j = 0; j < a.length; j++) {
            double diff = Math.abs(a[j] - numeric[j]);
            double tol = atol + rtol * Math.abs(numeric[j]);
            if (diff <= tol) continue;                              // NaN fails here too
            if (bad++ < MAX_LISTED) {
                String entry = what + index(j, dims);
                sb.append(String.format("  %s: analytic %.6g, numeric %.6g, |diff| %.3g > tol %.3g",
                        entry, a[j], numeric[j], diff, tol)).append('\n');
            }
        }
        if (bad > MAX_LISTED) sb.append("  … and ").append(bad - MAX_LISTED).append(" more\n");
        if (bad > 0) sb.insert(0, header + ": " + bad + " of " + a.length + " entries differ\n");
        return sb.toString();
    }

    private static String index(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % Math.max(1, dims[d]);
            flat /= Math.max(1, dims[d]);
        }
        return Arrays.toString(idx);
    }
}
