package org.finetune4j.methods.fitnets;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.tensor.Rng;

/**
 * FitNets' regressor r(v_g; W_r): a "valid" convolution C_s → C_t with kernel k = N_g − N_h + 1,
 * so a student map (C_s, N_g, N_g) comes out at the hint's size (C_t, N_h, N_h), followed by the
 * teacher hint layer's nonlinearity (ReLU: ResNet stage outputs are post-ReLU). Spec: fitnets.md
 * §2, [code:FitNets generateConvRegressor]. Equal sizes give a 1x1 conv; a teacher map larger than
 * the student's is refused, as in the original code (it would need padding).
 */
public final class HintRegressor extends Module {
    private final Conv2d conv;                  // (C_t, C_s, k, k), bias, stride 1, no padding

    public HintRegressor(int studentChannels, int teacherChannels, int studentSize,
                         int teacherSize, Rng rng) {
        this(new Conv2d(studentChannels, teacherChannels, kernelSize(studentSize, teacherSize), 1,
                0, true, rng));
    }

    private HintRegressor(Conv2d conv) {
        this.conv = child("conv", conv);
    }

    /** k = N_g − N_h + 1 for student size N_g and hint size N_h. */
    public static int kernelSize(int studentSize, int teacherSize) {
        if (studentSize < 1 || teacherSize < 1 || teacherSize > studentSize) {
            throw new IllegalArgumentException("HintRegressor: hint size " + teacherSize
                    + " must be in 1.." + studentSize + " (the guided map's size); FitNets refuses"
                    + " a teacher map larger than the student's");
        }
        return studentSize - teacherSize + 1;
    }

    /** Sized from example maps: student (n, C_s, N_g, N_g), hint (n, C_t, N_h, N_h). */
    public static HintRegressor between(Variable guided, Variable hint, Rng rng) {
        int[] s = guided.shape().dims();
        int[] t = hint.shape().dims();
        if (s.length != 4 || t.length != 4 || s[2] != s[3] || t[2] != t[3]) {
            throw new IllegalArgumentException("HintRegressor: needs square NCHW maps, got guided "
                    + guided.shape() + " and hint " + hint.shape());
        }
        return new HintRegressor(s[1], t[1], s[2], t[2], rng);
    }

    /** r(v) = ReLU(conv(v)): (n, C_s, N_g, N_g) → (n, C_t, N_h, N_h). */
    @Override
    public Variable forward(Variable guided) {
        return conv.forward(guided).relu();
    }

    public Conv2d conv() {
        return conv;
    }

    @Override
    protected HintRegressor duplicate() {
        return new HintRegressor(conv.copy());
    }
}
