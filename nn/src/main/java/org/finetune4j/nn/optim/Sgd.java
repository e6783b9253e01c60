package org.finetune4j.nn.optim;

import java.util.List;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html). Per parameter w with gradient
 * ∇, group rate γ and weight decay λ, momentum μ, dampening τ:
 * <pre>
 *   g ← ∇ + λ·w
 *   if μ ≠ 0:  b ← g on the parameter's first step, else b ← μ·b + (1 − τ)·g
 *              g ← g + μ·b  (Nesterov)   or   g ← b
 *   w ← w − γ·g
 * </pre>
 * State: "momentum_buffer" (only when μ ≠ 0). Arithmetic is float32, operation by operation in
 * PyTorch's order: one fused loop over the arrays on the CPU, the same operations as tensor ops
 * on other devices.
 */
public final class Sgd implements Optimizer {
    /** μ, τ and Nesterov; PyTorch's defaults are 0, 0, false. */
    public record Options(double momentum, double dampening, boolean nesterov) {
        public Options {
            if (!(momentum >= 0)) {
                throw new IllegalArgumentException("invalid momentum " + momentum);
            }
            if (!(dampening >= 0 && dampening <= 1)) {
                throw new IllegalArgumentException("invalid dampening " + dampening);
            }
            if (nesterov && (momentum == 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and zero"
                        + " dampening (as in PyTorch); got momentum " + momentum + ", dampening "
                        + dampening);
            }
        }

        public static Options plain() {
            return new Options(0, 0, false);
        }

        public static Options momentum(double mu) {
            return new Options(mu, 0, false);
        }

        public static Options nesterov(double mu) {
            return new Options(mu, 0, true);
        }
    }

    private final Options options;
    private final OptimizerState state;

    public Sgd(List<ParamGroup> groups, Options options) {
        this.options = options;
        this.state = new OptimizerState("Sgd", groups,
                options.momentum() == 0 ? List.of() : List.of("momentum_buffer"));
    }

    public Options options() {
        return options;
    }

    @Override
    public OptimizerState state() {
        return state;
    }

    @Override
    public void step() {
        for (OptimizerState.Slot s : state.slots()) {
            Tensor grad = s.grad();
            if (grad == null) continue;
            boolean first = s.buffers == null;                   // then buf ← g, as PyTorch
            Tensor buf = options.momentum() == 0 ? null : state.buffers(s)[0];    // like w
            Tensor w = s.param.value();
            float lr = (float) state.lr(s.group);
            float wd = (float) state.weightDecay(s);
            if (w.device().kind() == Device.Kind.CPU) {
                update(w.data(), grad.data(), buf == null ? null : buf.data(), first, lr, wd);
                w.bumpVersion();
            } else {
                updateOnDevice(w, grad, buf, first, lr, wd);
            }
            s.step++;
        }
    }

    private void update(float[] w, float[] dw, float[] buf, boolean first, float lr, float wd) {
        float mu = (float) options.momentum();
        float oneMinusTau = (float) (1 - options.dampening());      // 1 − τ rounded once, as torch
        boolean nesterov = options.nesterov();
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float g = dw[i] + wd * wi;
            if (buf != null) {
                float b = first ? g : mu * buf[i] + oneMinusTau * g;
                buf[i] = b;
                g = nesterov ? g + mu * b : b;
            }
            w[i] = wi - lr * g;                     // all loads before the stores: Adam.update
        }
    }

    /**
     * {@link #update} for any device: one tensor op per float32 operation of the loop, in its
     * order, so a device result equals the CPU's bit for bit where the device rounds as IEEE.
     */
    private void updateOnDevice(Tensor w, Tensor dw, Tensor buf, boolean first, float lr,
                                float wd) {
        float mu = (float) options.momentum();
        float oneMinusTau = (float) (1 - options.dampening());
        Tensor g = dw.add(w.mul(wd));
        if (buf != null) {
            Tensor b = first ? g : buf.mul(mu).add(g.mul(oneMinusTau));
            buf.copyFrom(b);
            g = options.nesterov() ? g.add(b.mul(mu)) : b;
        }
        w.copyFrom(w.sub(g.mul(lr)));
    }
}
