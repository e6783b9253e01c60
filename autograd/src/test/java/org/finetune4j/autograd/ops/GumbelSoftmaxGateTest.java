package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Gumbel-softmax gate over the last axis, logits (2, 3, 4) (ops/GumbelSoftmaxGate.java).
 * Soft mode is smooth and gradchecked. Hard mode's forward is piecewise constant, so finite
 * differences do not apply; its contract is instead "one-hot forward, soft gradient"
 * (straight-through, Jang et al. 2017), checked exactly against soft mode.
 */
final class GumbelSoftmaxGateTest {
    private static final Tensor NOISE = Tensor.gumbel(Rng.seeded(150), 2, 3, 4);

    private static Variable logits() {
        return Inputs.uniform(151, -2f, 2f, 2, 3, 4);
    }

    private static GradCheck gate(float tau, boolean hard) {
        return GradCheck.of(in -> in[0].gumbelSoftmaxGate(NOISE, tau, hard)).inputs(logits())
                .names("logits");
    }

    @ParameterizedTest(name = "tau {0}")
    @ValueSource(floats = {0.5f, 1f, 2f})
    void softGateMatchesFiniteDifferences(float tau) {
        gate(tau, false).assertGradientsMatch();
        gate(tau, false).assertSecondOrderMatches();
    }

    @ParameterizedTest(name = "tau {0}")
    @ValueSource(floats = {0.5f, 1f})
    void fusedBackwardEqualsComposedBackwardInBothModes(float tau) {
        gate(tau, false).assertBackwardPathsAgree(1e-4, 1e-6);
        gate(tau, true).assertBackwardPathsAgree(1e-4, 1e-6);
    }

    @Test
    void softForwardEqualsSoftmaxOfShiftedScaledLogits() {
        Variable z = logits();
        Variable expected = z.add(Variable.constant(NOISE)).mul(1f / 0.7f).softmax(-1);
        Variable gate = z.gumbelSoftmaxGate(NOISE, 0.7f, false);
        GradCheck.assertAllClose("gate(z)", gate.value(), expected.value(), 1e-5, 1e-7);
    }

    @Test
    void hardForwardIsTheOneHotOfTheSoftArgmax() {
        Variable z = logits();
        float[] soft = z.gumbelSoftmaxGate(NOISE, 0.7f, false).value().toArray();
        float[] hard = z.gumbelSoftmaxGate(NOISE, 0.7f, true).value().toArray();
        for (int row = 0; row < 6; row++) {
            int best = row * 4;
            for (int p = row * 4 + 1; p < row * 4 + 4; p++) if (soft[p] > soft[best]) best = p;
            for (int p = row * 4; p < row * 4 + 4; p++) {
                assertEquals(p == best ? 1f : 0f, hard[p], "row " + row + ", entry " + p % 4);
            }
        }
    }

    @Test
    void hardGradientEqualsSoftGradientInBothBackwardPaths() {
        Variable z = logits();
        Variable dy = Variable.constant(GradCheck.upstream(z.shape(), 152));
        for (boolean createGraph : new boolean[] {false, true}) {
            float[] soft = Grad.of(z.gumbelSoftmaxGate(NOISE, 0.7f, false), z, dy, createGraph);
            float[] hard = Grad.of(z.gumbelSoftmaxGate(NOISE, 0.7f, true), z, dy, createGraph);
            assertArrayEquals(soft, hard, "straight-through gradient, createGraph " + createGraph);
        }
    }

    @Test
    void hardSecondDerivativeEqualsSoftSecondDerivative() {
        Variable z = logits();
        Variable dy = Variable.constant(GradCheck.upstream(z.shape(), 153));
        Variable v = Variable.constant(GradCheck.upstream(z.shape(), 154));
        float[][] hvp = new float[2][];
        for (int mode = 0; mode < 2; mode++) {
            Variable y = z.gumbelSoftmaxGate(NOISE, 0.7f, mode == 1);
            Variable g = Graph.grad(List.of(y), List.of(z), List.of(dy), true, true).get(0);
            Variable gv = g.mul(v).sum();                           // ⟨∂⟨gate, dy⟩/∂z, v⟩
            hvp[mode] = Graph.grad(List.of(gv), List.of(z), null, false, false).get(0).value()
                    .toArray();
        }
        assertArrayEquals(hvp[0], hvp[1], 1e-6f, "∂⟨∂⟨gate, dy⟩/∂z, v⟩/∂z, soft vs hard");
    }

    @Test
    void smallTemperatureMakesTheGateNearlyOneHot() {
        Variable z = Inputs.distinct(155, -2f, 0.5f, 6, 4);          // row gaps ≥ 0.4
        Tensor zero = Tensor.zeros(6, 4);
        float[] soft = z.gumbelSoftmaxGate(zero, 0.01f, false).value().toArray();
        float[] hard = z.gumbelSoftmaxGate(zero, 0.01f, true).value().toArray();
        for (int i = 0; i < soft.length; i++) {
            assertEquals(hard[i], soft[i], 1e-6, "τ = 0.01: soft gate entry " + i + " not one-hot");
        }
    }

    @Test
    void temperatureScalesTheGradientAsOneOverTau() {
        // With zero noise gate(τ·z; τ) = gate(z; 1), so by the chain rule the gradient with respect
        // to τ·z is 1/τ times the gradient with respect to z at τ = 1.
        Variable z = logits();
        Tensor zero = Tensor.zeros(2, 3, 4);
        Variable dy = Variable.constant(GradCheck.upstream(z.shape(), 156));
        float[] atOne = Grad.of(z.gumbelSoftmaxGate(zero, 1f, false), z, dy, false);
        Variable scaled = Variable.param(z.value().mul(0.5f));
        float[] atHalf = Grad.of(scaled.gumbelSoftmaxGate(zero, 0.5f, false), scaled, dy, false);
        for (int i = 0; i < atOne.length; i++) {
            assertEquals(atOne[i] / 0.5f, atHalf[i], 1e-5, "entry " + i);
        }
    }
}
