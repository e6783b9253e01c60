package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.FusedKernels.GateResult;

/**
 * Gumbel-softmax gating over the last axis (SpotTune per block, AdaFilter per filter; Jang et al. 2017):
 *   soft = softmax((z + g)/τ),  g ~ Gumbel(0, 1) supplied as data so CPU and GPU twins agree;
 *   out  = soft, or one_hot(argmax soft) in hard mode with the straight-through gradient
 *   dz   = soft·(dout − Σ dout·soft)/τ   (in both modes).
 * Kernels: CpuGumbelSoftmaxGate / gumbel_softmax_gate.cu.
 */
public final class GumbelSoftmaxGate extends Function {
    private Tensor noise;
    private final float tau;
    private final boolean hard;
    private Tensor soft;                                            // saved for backward

    private GumbelSoftmaxGate(Tensor noise, float tau, boolean hard) {
        this.noise = noise;
        this.tau = tau;
        this.hard = hard;
    }

    public static Variable apply(Variable logits, Tensor noise, float tau, boolean hard) {
        return new GumbelSoftmaxGate(noise, tau, hard).apply(logits);
    }

    @Override
    protected Tensor forward(Tensor... in) {
        GateResult r = in[0].backend().gumbelSoftmaxGateForward(in[0], noise, tau, hard);
        soft = r.soft();
        return r.out();
    }

    @Override
    protected Variable[] backward(Variable dOut) {
        Variable z = input(0);
        if (!GradMode.isEnabled()) {
            return grads(Variable.constant(z.value().backend().gumbelSoftmaxGateBackward(dOut.value(), soft, tau)));
        }
        return Composed.grads(in -> in[0].add(Variable.constant(noise)).mul(1f / tau).softmax(-1),
                dOut, z);
    }

    @Override
    protected void releaseSaved() {
        soft = null;
        noise = null;
    }
}
