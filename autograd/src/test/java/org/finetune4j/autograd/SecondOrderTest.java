package org.finetune4j.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Second-order gradients through a whole network (TinyConvNet: conv, batch norm in training mode,
 * ReLU, max or average pooling, bilinear resize, conv, ReLU6, global pooling, linear,
 * cross-entropy, softmax-weighted feature distance from meta-parameters φ), as L2T-ww needs them.
 * Per-op second derivatives are gradgradchecked in each op's test (ops/*Test).
 *
 * <p>References are central differences of first-order gradients (Graph.grad without a graph, so
 * through the fused kernels) or of the whole procedure, in float32. Tolerances: an entry passes
 * within ATOL_REL of the largest |entry| plus RTOL of its own size. Measured worst errors are
 * below 5e-4 of the largest entry (float32 rounding of the gradients, ~1e-6 relative, amplified
 * by 1/ε), ten times inside ATOL_REL. Steps: ε = 1e-3 along a unit direction in θ, because a
 * larger step crosses ReLU kinks (the nearest ReLU inputs sit ~5e-3 from 0); ε = 1e-2 for single
 * φ entries, which move θ' only through lr·β and whose loss differences are ~1e-5 otherwise lost
 * in float32 rounding. Every probe asserts it stayed on the same linear piece of every ReLU,
 * ReLU6 and max-pooling window; the seeds are ones whose kinks the probes do not reach.
 */
final class SecondOrderTest {
    private static final double EPS = 1e-3;                         // along a unit direction in θ
    private static final double EPS_META = 1e-2;                    // of one φ entry
    private static final double RTOL = 2e-2;
    private static final double ATOL_REL = 5e-3;

    // ---------------------------------------------------------------- (1) gradient of ‖∂L/∂θ‖²

    @ParameterizedTest(name = "maxPool {0}")
    @ValueSource(booleans = {true, false})
    void gradientOfTheGradientNormMatchesFiniteDifferencesOfTheGradient(boolean maxPool) {
        TinyConvNet net = new TinyConvNet(maxPool ? 7 : 12, maxPool);
        List<Variable> g = Graph.grad(List.of(net.loss()), net.theta(), null, true, true);
        Variable norm = g.get(0).square().sum();
        for (int i = 1; i < g.size(); i++) norm = norm.add(g.get(i).square().sum());
        List<Variable> analytic = Graph.grad(List.of(norm), net.thetaAndPhi(), null, false, false);

        // ∇_θ‖g‖² = 2·H_θθ·g and ∇_φ‖g‖² = 2·H_φθ·g: twice the derivative of ∇L along g.
        List<Tensor> direction = new ArrayList<>();
        for (Variable gi : g) direction.add(gi.value().copy());
        double length = norm(direction);
        for (Tensor d : direction) d.scaleInPlace((float) (1 / length));
        double[] numeric = scale(derivativeOfGradientAlong(net, direction), 2 * length);
        assertClose("∇‖∂L/∂θ‖²", TinyConvNet.NAMES, analytic, numeric);
    }

    // ---------------------------------------------------------------- (2) Hessian-vector product

    @ParameterizedTest(name = "maxPool {0}")
    @ValueSource(booleans = {true, false})
    void hessianVectorProductMatchesFiniteDifferencesOfTheGradient(boolean maxPool) {
        TinyConvNet net = new TinyConvNet(8, maxPool);
        List<Tensor> v = randomUnitDirection(net.theta(), 9);
        List<Variable> g = Graph.grad(List.of(net.loss()), net.theta(), null, true, true);
        Variable gv = g.get(0).mul(Variable.constant(v.get(0))).sum();
        for (int i = 1; i < g.size(); i++) {
            gv = gv.add(g.get(i).mul(Variable.constant(v.get(i))).sum());
        }
        // (H_θθ·v, H_φθ·v)
        List<Variable> hv = Graph.grad(List.of(gv), net.thetaAndPhi(), null, false, false);
        assertClose("H·v", TinyConvNet.NAMES, hv, derivativeOfGradientAlong(net, v));
    }

    // ---------------------------------------------------------------- (3) L2T-ww's look-ahead step

    private static final float LR = 0.1f;
    private static final float MOMENTUM = 0.9f;

    /** θ' = θ − lr·(μ·m + ∂L(θ, φ)/∂θ): one SGD-with-momentum step in Variable arithmetic. */
    private static List<Variable> lookAhead(TinyConvNet net, List<Tensor> buffers, boolean graph) {
        List<Variable> g = Graph.grad(List.of(net.loss()), net.theta(), null, graph, graph);
        List<Variable> next = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            Variable step = Variable.constant(buffers.get(i)).mul(MOMENTUM).add(g.get(i)).mul(LR);
            next.add(net.theta().get(i).sub(step));
        }
        return next;
    }

    @ParameterizedTest(name = "maxPool {0}")
    @ValueSource(booleans = {true, false})
    void metaGradientThroughALookAheadStepMatchesFiniteDifferencesOfTheProcedure(boolean maxPool) {
        TinyConvNet net = new TinyConvNet(10, maxPool);
        List<Tensor> buffers = new ArrayList<>();                   // momentum from earlier steps
        for (Variable p : net.theta()) {
            Rng rng = Rng.seeded(11 + buffers.size());
            buffers.add(Tensor.uniform(rng, -0.1f, 0.1f, p.value().dims()));
        }

        Variable target = net.classification(lookAhead(net, buffers, true));
        List<Variable> analytic = Graph.grad(List.of(target), net.phi(), null, false, false);
        String base = net.kinkSignature();

        Variable firstOrderTarget = net.classification(lookAhead(net, buffers, false));
        List<Variable> firstOrder =
                Graph.grad(List.of(firstOrderTarget), net.phi(), null, false, false);
        assertEquals(0.0, GradCheck.maxAbs(flatten(firstOrder)), "a detached step ignores φ");

        double[] numeric = new double[0];
        for (Variable p : net.phi()) {
            double[] part = GradCheck.numericGradient(p.value(), EPS_META, () -> {
                double loss = net.classification(lookAhead(net, buffers, false)).item();
                assertSamePiece(base, net);
                return loss;
            });
            numeric = concat(numeric, part);
        }
        double largest = GradCheck.maxAbs(numeric);
        assertTrue(largest > 1e-4, "the meta-gradient must be clearly nonzero, got " + largest);
        assertClose("∂L_target(θ'(φ))/∂φ", List.of("metaW", "metaB"), analytic, numeric);
    }

    // ---------------------------------------------------------------- finite differences

    /** d/dε ∇_{θ,φ} L(θ + ε·direction, φ) at ε = 0, central differences through fast kernels. */
    private static double[] derivativeOfGradientAlong(TinyConvNet net, List<Tensor> direction) {
        List<Variable> theta = net.theta();
        List<Tensor> saved = new ArrayList<>();
        for (Variable p : theta) saved.add(p.value().copy());
        firstOrderGradient(net);
        String base = net.kinkSignature();
        double[][] at = new double[2][];
        for (int side = 0; side < 2; side++) {
            float step = (float) (side == 0 ? EPS : -EPS);
            for (int i = 0; i < saved.size(); i++) {
                theta.get(i).value().addInPlace(step, direction.get(i));
            }
            at[side] = firstOrderGradient(net);
            assertSamePiece(base, net);
            for (int i = 0; i < saved.size(); i++) theta.get(i).value().copyFrom(saved.get(i));
        }
        double[] d = new double[at[0].length];
        for (int j = 0; j < d.length; j++) d[j] = (at[0][j] - at[1][j]) / (2 * EPS);
        return d;
    }

    private static double[] firstOrderGradient(TinyConvNet net) {
        return flatten(Graph.grad(List.of(net.loss()), net.thetaAndPhi(), null, false, false));
    }

    /** A central difference is only valid if both probes ran on the base point's linear piece. */
    private static void assertSamePiece(String base, TinyConvNet net) {
        String probe = net.kinkSignature();
        int flips = 0;
        for (int i = 0; i < base.length(); i++) if (base.charAt(i) != probe.charAt(i)) flips++;
        if (flips > 0) {
            throw new AssertionError("test setup: a finite-difference probe crossed " + flips
                    + " kink(s) of ReLU, ReLU6 or max pooling (" + net.kinkMargins()
                    + "); use a smaller step or another seed");
        }
    }

    // ---------------------------------------------------------------- comparison and helpers

    private static void assertClose(String what, List<String> names, List<Variable> analytic,
                                    double[] numeric) {
        double atol = ATOL_REL * GradCheck.maxAbs(numeric);
        StringBuilder failures = new StringBuilder();
        int at = 0;
        for (int i = 0; i < analytic.size(); i++) {
            Tensor a = analytic.get(i).value();
            double[] part = Arrays.copyOfRange(numeric, at, at + a.size());
            at += a.size();
            try {
                GradCheck.assertAllClose(what + " for " + names.get(i), a, part, RTOL, atol);
            } catch (AssertionError e) {
                failures.append(e.getMessage());
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError("eps " + EPS + ", rtol " + RTOL + ", atol " + atol + ":\n"
                    + failures);
        }
    }

    private static List<Tensor> randomUnitDirection(List<Variable> params, long seed) {
        List<Tensor> v = new ArrayList<>();
        for (Variable p : params) {
            v.add(Tensor.uniform(Rng.seeded(seed + v.size()), -1f, 1f, p.value().dims()));
        }
        double length = norm(v);
        for (Tensor t : v) t.scaleInPlace((float) (1 / length));
        return v;
    }

    private static double norm(List<Tensor> ts) {
        double s = 0;
        for (Tensor t : ts) for (float x : t.toArray()) s += (double) x * x;
        return Math.sqrt(s);
    }

    private static double[] flatten(List<Variable> vs) {
        double[] out = new double[0];
        for (Variable v : vs) {
            float[] f = v.value().toArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            out = concat(out, d);
        }
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double[] scale(double[] a, double s) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] * s;
        return out;
    }
}
