package org.finetune4j.nn.optim;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;

/**
 * RMSprop as torch.optim.RMSprop in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.RMSprop.html); FitNets trains its hint
 * stage with it. Per parameter w with gradient ∇, group rate γ and weight decay λ, smoothing α,
 * ε, momentum μ:
 * <pre>
 *   g ← ∇ + λ·w
 *   v ← α·v + (1 − α)·g²
 *   centered:  ḡ ← α·ḡ + (1 − α)·g;   a ← √(v − ḡ²) + ε      else  a ← √v + ε
 *   μ &gt; 0:     b ← μ·b + g/a;   w ← w − γ·b                   else  w ← w − γ·g/a
 * </pre>
 * v, ḡ and b start at zero. State: "square_avg", plus "momentum_buffer" when μ &gt; 0 and
 * "grad_avg" when centered. Arithmetic is float32, operation by operation in PyTorch's order.
 */
public final class RmsProp implements Optimizer {
    /** α, ε, μ and centering; {@link #defaults()} are PyTorch's. */
    public record Options(double alpha, double eps, double momentum, boolean centered) {
        public Options {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("invalid alpha " + alpha);
            }
            if (!(eps >= 0)) throw new IllegalArgumentException("invalid eps " + eps);
            if (!(momentum >= 0)) {
                throw new IllegalArgumentException("invalid momentum " + momentum);
            }
        }

        /** α = 0.99, ε = 1e-8, no momentum, not centered. */
        public static Options defaults() {
            return new Options(0.99, 1e-8, 0, false);
        }
    }

    private final Options options;
    private final OptimizerState state;
    private final int momentumBuffer;       // index into a slot's buffers, or -1
    private final int gradAvg;              // index into a slot's buffers, or -1
    private final float alpha;              // the options as float32 kernel operands; 1 − α
    private final float oneMinusAlpha;      // rounded once from double, as in PyTorch
    private final float eps;
    private final float mu;

    public RmsProp(List<ParamGroup> groups, Options options) {
        this.options = options;
        this.alpha = (float) options.alpha();
        this.oneMinusAlpha = (float) (1 - options.alpha());
        this.eps = (float) options.eps();
        this.mu = (float) options.momentum();
        List<String> names = new ArrayList<>(List.of("square_avg"));
        momentumBuffer = options.momentum() > 0 ? add(names, "momentum_buffer") : -1;
        gradAvg = options.centered() ? add(names, "grad_avg") : -1;
        this.state = new OptimizerState("RmsProp", groups, names);
    }

    private static int add(List<String> names, String name) {
        names.add(name);
        return names.size() - 1;
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
            Tensor[] buffers = state.buffers(s);                  // each shaped like w
            Tensor b = momentumBuffer < 0 ? null : buffers[momentumBuffer];
            Tensor gAvg = gradAvg < 0 ? null : buffers[gradAvg];
            Tensor w = s.param.value();
            float lr = (float) state.lr(s.group);
            float wd = (float) state.weightDecay(s);
            if (w.device().kind() != Device.Kind.CPU) {
                updateOnDevice(w, grad, buffers[0], gAvg, b, lr, wd);
            } else if (gAvg == null) {
                update(w.data(), grad.data(), buffers[0].data(), b == null ? null : b.data(), lr,
                        wd);
                w.bumpVersion();
            } else {
                updateCentered(w.data(), grad.data(), buffers[0].data(), gAvg.data(),
                        b == null ? null : b.data(), lr, wd);
                w.bumpVersion();
            }
            s.step++;
        }
    }

    private void update(float[] w, float[] dw, float[] v, float[] b, float lr, float wd) {
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float g = dw[i] + wd * wi;
            float vi = alpha * v[i] + oneMinusAlpha * (g * g);
            float a = (float) Math.sqrt(vi) + eps;
            float step = b == null ? g / a : mu * b[i] + g / a;
            v[i] = vi;                              // all loads before the stores: Adam.update
            if (b != null) b[i] = step;
            w[i] = wi - lr * step;
        }
    }

    /**
     * As {@link #update}, with a ← √(v − ḡ²) + ε. A loop of its own, as one loop with both the
     * centering and the momentum branch was not vectorised by C2 (2.8 ms instead of 0.8 ms per
     * step of 1M parameters).
     */
    private void updateCentered(float[] w, float[] dw, float[] v, float[] gAvg, float[] b,
                                float lr, float wd) {
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float g = dw[i] + wd * wi;
            float vi = alpha * v[i] + oneMinusAlpha * (g * g);
            float gi = alpha * gAvg[i] + oneMinusAlpha * g;
            float a = (float) Math.sqrt(vi - gi * gi) + eps;
            float step = b == null ? g / a : mu * b[i] + g / a;
            v[i] = vi;
            gAvg[i] = gi;
            if (b != null) b[i] = step;
            w[i] = wi - lr * step;
        }
    }

    /**
     * {@link #update} (gAvg null) or {@link #updateCentered} for any device: one tensor op per
     * float32 operation of the loops, in their order, so the result equals the CPU's bit for bit
     * where the device rounds as IEEE.
     */
    private void updateOnDevice(Tensor w, Tensor dw, Tensor v, Tensor gAvg, Tensor b, float lr,
                                float wd) {
        Tensor g = dw.add(w.mul(wd));
        Tensor vi = v.mul(alpha).add(g.mul(g).mul(oneMinusAlpha));
        Tensor a;
        if (gAvg == null) {
            a = vi.sqrt().add(eps);
        } else {
            Tensor gi = gAvg.mul(alpha).add(g.mul(oneMinusAlpha));
            a = vi.sub(gi.mul(gi)).sqrt().add(eps);
            gAvg.copyFrom(gi);
        }
        Tensor step = b == null ? g.div(a) : b.mul(mu).add(g.div(a));
        v.copyFrom(vi);
        if (b != null) b.copyFrom(step);
        w.copyFrom(w.sub(step.mul(lr)));
    }
}
