package org.finetune4j.nn.optim;

import java.util.List;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;

/**
 * Adam as torch.optim.Adam in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html), weight decay as an L2 term in
 * the gradient. Per parameter w with gradient ∇, group rate γ and weight decay λ, betas β₁, β₂,
 * ε, and t the parameter's own step count (1 on its first update):
 * <pre>
 *   g ← ∇ + λ·w
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   amsgrad:  v̂ ← max(v̂, v), and v̂ replaces v below
 *   w ← w − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * ε is added after the bias correction of √v, as in PyTorch and the paper's Algorithm 1 (not
 * the ε̂ on uncorrected √v of the paper's faster variant). m, v, v̂ start at zero. State:
 * "exp_avg", "exp_avg_sq", plus "max_exp_avg_sq" with amsgrad. Arithmetic is float32 per
 * operation in PyTorch's order, with the scalar factors computed in double and rounded once, as
 * PyTorch computes them in Python.
 */
public final class Adam implements Optimizer {
    /** β₁, β₂, ε and AMSGrad; {@link #defaults()} are PyTorch's. */
    public record Options(double beta1, double beta2, double eps, boolean amsgrad) {
        public Options {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("invalid beta1 " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("invalid beta2 " + beta2);
            }
            if (!(eps >= 0)) throw new IllegalArgumentException("invalid eps " + eps);
        }

        /** β = (0.9, 0.999), ε = 1e-8, no AMSGrad. */
        public static Options defaults() {
            return new Options(0.9, 0.999, 1e-8, false);
        }
    }

    private final Options options;
    private final OptimizerState state;
    private final boolean decoupled;            // AdamW: decay w directly instead of via g
    private final float beta1;                  // the options as float32 kernel operands; 1 − β
    private final float beta2;                  // rounded once from double, as in PyTorch
    private final float oneMinusBeta1;
    private final float oneMinusBeta2;
    private final float eps;

    public Adam(List<ParamGroup> groups, Options options) {
        this(groups, options, false, "Adam");
    }

    Adam(List<ParamGroup> groups, Options options, boolean decoupled, String name) {
        this.options = options;
        this.decoupled = decoupled;
        this.beta1 = (float) options.beta1();
        this.beta2 = (float) options.beta2();
        this.oneMinusBeta1 = (float) (1 - options.beta1());
        this.oneMinusBeta2 = (float) (1 - options.beta2());
        this.eps = (float) options.eps();
        this.state = new OptimizerState(name, groups, options.amsgrad()
                ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                : List.of("exp_avg", "exp_avg_sq"));
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
            long t = ++s.step;
            double lr = state.lr(s.group);
            double wd = state.weightDecay(s);
            double stepSize = lr / (1 - Math.pow(options.beta1(), t));
            double bc2Sqrt = Math.sqrt(1 - Math.pow(options.beta2(), t));
            float l2 = decoupled ? 0f : (float) wd;
            float decay = decoupled ? (float) (1 - lr * wd) : 1f;
            Tensor w = s.param.value();
            Tensor vMax = options.amsgrad() ? buffers[2] : null;
            if (w.device().kind() != Device.Kind.CPU) {
                updateOnDevice(w, grad, buffers[0], buffers[1], vMax, l2, decay, (float) stepSize,
                        (float) bc2Sqrt);
            } else if (vMax != null) {
                updateAmsgrad(w.data(), grad.data(), buffers[0].data(), buffers[1].data(),
                        vMax.data(), l2, decay, (float) stepSize, (float) bc2Sqrt);
                w.bumpVersion();
            } else {
                update(w.data(), grad.data(), buffers[0].data(), buffers[1].data(), l2, decay,
                        (float) stepSize, (float) bc2Sqrt);
                w.bumpVersion();
            }
        }
    }

    /** One pass over w; l2 = λ for Adam, decay = 1 − γλ for AdamW (each otherwise neutral). */
    private void update(float[] w, float[] dw, float[] m, float[] v, float l2, float decay,
                        float stepSize, float bc2Sqrt) {
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float g = dw[i] + l2 * wi;
            float mi = beta1 * m[i] + oneMinusBeta1 * g;
            float vi = beta2 * v[i] + oneMinusBeta2 * (g * g);
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            // All loads before the stores: interleaved, C2 must allow for the arrays aliasing and
            // stops vectorising (3.7 ms instead of 1.0 ms per step of 1M parameters).
            m[i] = mi;
            v[i] = vi;
            w[i] = wi * decay - stepSize * (mi / denom);
        }
    }

    /**
     * As {@link #update}, normalising by v̂ = max(v̂, v). A loop of its own: with an amsgrad branch
     * inside one loop, C2 stopped vectorising once both variants had run in a JVM (4.9 ms instead
     * of 0.85 ms per step of 1M parameters).
     */
    private void updateAmsgrad(float[] w, float[] dw, float[] m, float[] v, float[] vMax,
                               float l2, float decay, float stepSize, float bc2Sqrt) {
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float g = dw[i] + l2 * wi;
            float mi = beta1 * m[i] + oneMinusBeta1 * g;
            float vi = beta2 * v[i] + oneMinusBeta2 * (g * g);
            float vHat = Math.max(vMax[i], vi);                // NaN-propagating, as torch.maximum
            float denom = (float) Math.sqrt(vHat) / bc2Sqrt + eps;
            m[i] = mi;
            v[i] = vi;
            vMax[i] = vHat;
            w[i] = wi * decay - stepSize * (mi / denom);
        }
    }

    /**
     * {@link #update} (vMax null) or {@link #updateAmsgrad} for any device: one tensor op per
     * float32 operation of the loops, in their order, so the result equals the CPU's bit for bit
     * where the device rounds as IEEE.
     */
    private void updateOnDevice(Tensor w, Tensor dw, Tensor m, Tensor v, Tensor vMax, float l2,
                                float decay, float stepSize, float bc2Sqrt) {
        Tensor g = dw.add(w.mul(l2));
        Tensor mi = m.mul(beta1).add(g.mul(oneMinusBeta1));
        Tensor vi = v.mul(beta2).add(g.mul(g).mul(oneMinusBeta2));
        Tensor vUse = vi;
        if (vMax != null) {
            vUse = vMax.apply(BinaryOp.MAX, vi);               // NaN-propagating, as Math.max
            vMax.copyFrom(vUse);
        }
        // No scalar division op: divide by a one-element tensor on w's device (× 1/bc2Sqrt
        // would round differently from the loop's division).
        Tensor bc2 = w.backend().full(Shape.SCALAR, bc2Sqrt);
        Tensor denom = vUse.sqrt().div(bc2).add(eps);
        m.copyFrom(mi);
        v.copyFrom(vi);
        w.copyFrom(w.mul(decay).sub(mi.div(denom).mul(stepSize)));
    }
}
