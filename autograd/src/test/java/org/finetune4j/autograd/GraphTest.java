package org.finetune4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Engine semantics (Graph, Function, Variable, NoGrad), following PyTorch's autograd rules. */
final class GraphTest {
    private static final float[] SIX_ONES = {1f, 1f, 1f, 1f, 1f, 1f};

    private static Variable x() {                                    // (2, 3)
        return Variable.param(Tensor.uniform(Rng.seeded(200), -1f, 1f, 2, 3));
    }

    private static Variable ones(int... dims) {
        return Variable.constant(Tensor.ones(dims));
    }

    private static float[] filled(float v) {
        float[] a = new float[6];
        Arrays.fill(a, v);
        return a;
    }

    // ---------------------------------------------------------------- accumulation

    @Test
    void fanOutSumsTheGradientsOfEveryUse() {
        Variable x = x();
        Variable y = x.mul(x).add(x.exp()).add(x.mul(3f)).sum();    // x used by three ops
        y.backward();
        float[] v = x.value().toArray();
        float[] g = x.gradValue().toArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(2 * v[i] + Math.exp(v[i]) + 3, g[i], 1e-5, "d/dx (x² + eˣ + 3x) at " + i);
        }
    }

    @Test
    void twoBackwardCallsAccumulateIntoTheLeafUntilZeroGrad() {
        Variable x = x();
        x.mul(2f).sum().backward();
        x.mul(3f).sum().backward();
        assertArrayEquals(filled(5f), x.gradValue().toArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.sum().backward();
        assertArrayEquals(SIX_ONES, x.gradValue().toArray());
    }

    @Test
    void retainGraphAllowsASecondBackwardThatAccumulates() {
        Variable x = x();
        Variable y = x.square().sum();
        y.backward(null, true, false);
        y.backward(null, false, false);
        float[] v = x.value().toArray();
        float[] g = x.gradValue().toArray();
        for (int i = 0; i < v.length; i++) assertEquals(4 * v[i], g[i], 1e-6, "2 · 2x at " + i);
    }

    @Test
    void nonLeafKeepsItsGradientOnlyWhenRetained() {
        Variable x = x();
        Variable h = x.mul(2f);
        Variable kept = x.mul(3f).retainGrad();
        h.add(kept).sum().backward();
        assertNull(h.grad(), "a non-leaf has no grad unless retainGrad()");
        assertArrayEquals(SIX_ONES, kept.gradValue().toArray());
        assertArrayEquals(filled(5f), x.gradValue().toArray());
    }

    @Test
    void constantsAndUnreachedInputsGetNoGradient() {
        Variable x = x();
        Variable c = ones(2, 3);
        Variable unused = Variable.param(Tensor.ones(4));
        x.mul(c).sum().backward();
        assertNull(c.grad());
        assertNull(unused.grad());
        List<Variable> g = Graph.grad(List.of(x.sum()), List.of(x, unused), null, false, false);
        assertArrayEquals(new float[4], g.get(1).value().toArray(), "zeros for an unreached input");
    }

    @Test
    void graphGradTouchesNoGradFieldAndSumsSeveralOutputs() {
        Variable x = x();
        Variable a = x.mul(2f);
        Variable b = x.square().sum();
        Variable seedA = Variable.constant(GradCheck.upstream(a.shape(), 1));
        List<Variable> seeds = Arrays.asList(seedA, null);          // null: b is one element
        Variable g = Graph.grad(List.of(a, b), List.of(x), seeds, false, false).get(0);
        assertNull(x.grad());
        float[] v = x.value().toArray();
        float[] s = seedA.value().toArray();
        float[] gv = g.value().toArray();
        for (int i = 0; i < v.length; i++) assertEquals(2 * s[i] + 2 * v[i], gv[i], 1e-6, "" + i);
    }

    // ---------------------------------------------------------------- hooks, NoGrad, detach

    @Test
    void hooksSeeAndMayReplaceTheGradient() {
        Variable x = x();
        Variable h = x.mul(2f);
        List<float[]> seen = new ArrayList<>();
        h.registerHook(g -> {
            seen.add(g.value().toArray());
            return g.mul(10f);
        });
        h.registerHook(g -> null);                                  // null keeps the gradient
        x.registerHook(g -> {
            seen.add(g.value().toArray());
            return null;
        });
        h.sum().backward();
        assertArrayEquals(SIX_ONES, seen.get(0), "the hook on h sees dL/dh");
        assertArrayEquals(filled(20f), seen.get(1), "x's hook sees the replaced one");
        assertArrayEquals(filled(20f), x.gradValue().toArray());
    }

    @Test
    void hooksRunOnceEvenThroughAFusedOpOnTheDoubleBackwardPath() {
        // A fused op's createGraph backward runs an inner Graph.grad; the hook must not run there.
        Variable s = Variable.param(Tensor.uniform(Rng.seeded(201), -1f, 1f, 1, 2, 2, 2));
        Variable t = Variable.constant(Tensor.zeros(1, 2, 2, 2));
        Variable w = ones(2);
        float[][] grads = new float[2][];
        for (int mode = 0; mode < 2; mode++) {
            Variable h = s.mul(1f);
            int[] calls = {0};
            h.registerHook(g -> {
                calls[0]++;
                return g.mul(2f);
            });
            Variable y = h.weightedFeatureDistance(t, w).sum();
            Variable g = Graph.grad(List.of(y), List.of(s), null, false, mode == 1).get(0);
            grads[mode] = g.value().toArray();
            assertEquals(1, calls[0], "hook calls with createGraph " + (mode == 1));
        }
        assertArrayEquals(grads[0], grads[1], 1e-6f);
    }

    @Test
    void noGradRecordsNothingAndNestedScopesRestoreTheOuterMode() {
        Variable x = x();
        assertTrue(GradMode.isEnabled());
        try (NoGrad outer = NoGrad.enter()) {
            assertFalse(x.exp().requiresGrad());
            try (NoGrad inner = NoGrad.enter()) {
                assertFalse(x.mul(x).requiresGrad());
            }
            assertFalse(GradMode.isEnabled(), "closing the inner scope keeps the outer one off");
            Variable y = x.exp().softmax(1).sum();
            assertFalse(y.requiresGrad());
            assertNull(y.creator());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.exp().requiresGrad());
    }

    @Test
    void detachCutsTheGraph() {
        Variable x = x();
        Variable d = x.mul(2f).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        x.mul(d).sum().backward();
        assertArrayEquals(d.value().toArray(), x.gradValue().toArray(), "d/dx (x·detach(2x)) = 2x");
    }

    // ---------------------------------------------------------------- depth and double backward

    /** Runs body on a thread with a 256 KiB stack: a recursive engine would overflow there. */
    private static void onSmallStack(String name, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name, 256 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError(name + " failed", failure.get());
    }

    @Test
    void aChainOf20000OpsBackpropagatesOnASmallStack() throws InterruptedException {
        float[] grad = new float[1];
        onSmallStack("deep-chain", () -> {
            Variable x = Variable.param(Tensor.scalar(1f));
            Variable y = x;
            for (int i = 0; i < 20_000; i++) y = y.add(0.5f).mul(1f);
            y.backward();
            grad[0] = x.gradValue().item();
        });
        assertEquals(1f, grad[0]);
    }

    @Test
    void aDeepChainDifferentiatesTwiceOnASmallStack() throws InterruptedException {
        // z = (cⁿ·x)², c = 1.0001, n = 10,000: dz/dx = 2c²ⁿ·x and d²z/dx² = 2c²ⁿ.
        float[] result = new float[2];
        onSmallStack("deep-double-backward", () -> {
            Variable x = Variable.param(Tensor.scalar(0.5f));
            Variable y = x;
            for (int i = 0; i < 10_000; i++) y = y.mul(1.0001f);
            Variable g = Graph.grad(List.of(y.square()), List.of(x), null, true, true).get(0);
            result[0] = g.item();
            result[1] = Graph.grad(List.of(g), List.of(x), null, false, false).get(0).item();
        });
        double c2n = Math.pow(1.0001, 20_000);
        assertEquals(2 * c2n * 0.5, result[0], 1e-2 * c2n, "first derivative");
        assertEquals(2 * c2n, result[1], 1e-2 * c2n, "second derivative");
    }

    @Test
    void gradientsCreatedWithAGraphDifferentiateAgain() {
        Variable x = x();
        Variable g = Graph.grad(List.of(x.pow(3f).sum()), List.of(x), null, true, true).get(0);
        Variable gg = Graph.grad(List.of(g.sum()), List.of(x), null, true, true).get(0);
        Variable ggg = Graph.grad(List.of(gg.sum()), List.of(x), null, false, false).get(0);
        float[] v = x.value().toArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(3 * v[i] * v[i], g.value().toArray()[i], 1e-6, "3x² at " + i);
            assertEquals(6 * v[i], gg.value().toArray()[i], 1e-5, "6x at " + i);
            assertEquals(6f, ggg.value().toArray()[i], 1e-5, "6 at " + i);
        }
        assertTrue(g.requiresGrad());
    }

    @Test
    void gradientsWithoutCreateGraphAreConstants() {
        Variable x = x();
        Variable g = Graph.grad(List.of(x.square().sum()), List.of(x), null, false, false).get(0);
        assertFalse(g.requiresGrad());
        x.square().sum().backward();
        assertFalse(x.grad().requiresGrad());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void secondBackwardWithoutRetainGraphSaysTheGraphWasReleased() {
        Variable x = x();
        Variable y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertContains(e, "already released", "retainGraph");
    }

    @Test
    void nonScalarOutputNeedsASeed() {
        Variable y = x().exp();
        assertRefused(y::backward, "non-scalar", "[2, 3]");
    }

    @Test
    void seedOfTheWrongShapeNamesBothShapes() {
        Variable y = x().exp();
        Tensor seed = Tensor.ones(3, 2);
        assertRefused(() -> y.backward(seed), "[3, 2]", "[2, 3]");
    }

    @Test
    void inPlaceChangeOfASavedInputIsDetectedAndNamesTheOp() {
        Variable x = x();
        Variable y = x.exp();
        x.value().addInPlace(1f, Tensor.ones(2, 3));
        Variable loss = y.sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertContains(e, "EXP", "modified in place");
    }

    @Test
    void inPlaceChangeOfASavedOutputIsDetected() {
        Variable x = x();
        Variable y = x.sigmoid();                                   // backward reads y: σ(1 − σ)
        y.value().fillInPlace(0f);
        Tensor seed = Tensor.ones(2, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.backward(seed));
        assertContains(e, "SIGMOID", "output", "modified in place");
    }

    @Test
    void outputWithoutGraphCannotBeDifferentiated() {
        Variable c = ones(1);
        Variable y = c.exp();
        assertRefused(y::backward, "does not require grad");
        Variable loss = x().sum();
        assertRefused(() -> Graph.grad(List.of(loss), List.of(c), null, false, false),
                "does not require grad");
    }

    @Test
    void shapeMismatchesNameTheOpAndBothShapes() {
        Variable a = x();
        Variable b = Variable.param(Tensor.ones(4));
        assertRefused(() -> a.add(b), "add", "[2, 3]", "[4]");
        assertRefused(() -> a.mul(b), "mul", "[2, 3]", "[4]");
        assertRefused(() -> a.matmul(ones(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        assertRefused(() -> a.reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
        assertRefused(() -> Variable.concat(0, a, b), "concat", "[2, 3]", "[4]");
        assertRefused(() -> a.sumToShape(Shape.of(4)), "sumToShape", "[2, 3]", "[4]");
        assertRefused(() -> a.crossEntropy(b, Reduction.MEAN), "crossEntropy", "[2, 3]", "[4]");
        assertRefused(() -> a.gumbelSoftmaxGate(Tensor.ones(2, 4), 1f, false), "gumbelSoftmaxGate",
                "[2, 3]", "[2, 4]");
        Variable image = Variable.param(Tensor.ones(1, 2, 4, 4));
        assertRefused(() -> image.conv2d(ones(3, 3, 3, 3), null, 1, 1, 1), "conv2d", "[1, 2, 4, 4]",
                "[3, 3, 3, 3]");
        assertRefused(() -> image.weightedFeatureDistance(ones(1, 2, 4, 3), ones(2)),
                "weightedFeatureDistance", "[1, 2, 4, 4]", "[1, 2, 4, 3]");
        assertRefused(() -> image.batchNorm(ones(3), ones(3), null, null, 0.1f, 1e-5f), "batchNorm",
                "[3]", "[1, 2, 4, 4]");
    }

    @Test
    void aNullInputNamesTheOp() {
        Variable a = x();
        assertRefused(() -> a.add((Variable) null), "Binary(ADD)", "null");
    }

    private static void assertRefused(Runnable op, String... parts) {
        assertContains(assertThrows(IllegalArgumentException.class, op::run), parts);
    }

    private static void assertContains(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing in: " + e.getMessage());
        }
    }
}
