package org.finetune4j.methods.delta;

/**
 * Hyper-parameters of DELTA (spec: ../shared/methods/delta.md, section 4). The optimiser's own
 * weight decay is always 0: Ω_head replaces it (DELTA repo: wd only for {@code reg_type l2};
 * TLlib {@code --wd 0}).
 *
 * @param alpha                α, weight of the attention-weighted feature-map distance; 0.01
 *                             (DELTA {@code run.sh}); re-tune on {1e-3, 1e-2, 1e-1, 1} for the
 *                             small net. Ω_att sums over the batch, so α depends on B.
 * @param beta                 β, weight of ½‖w_head‖²; 0.01 (DELTA default, TLlib
 *                             {@code --trade-off-head})
 * @param temperature          softmax temperature of the channel attention; 5 (both codes)
 * @param lr                   SGD learning rate of the head; 0.01 (both codes)
 * @param momentum             SGD momentum; 0.9 (both codes)
 * @param backboneLrMultiplier backbone lr = multiplier × lr; 1 (DELTA repo), 0.1 in TLlib
 */
public record DeltaConfig(double alpha, double beta, double temperature, double lr,
                          double momentum, double backboneLrMultiplier) {
    public DeltaConfig {
        if (!(alpha >= 0) || !(beta >= 0) || !(temperature > 0) || !(lr > 0)
                || !(momentum >= 0) || !(backboneLrMultiplier >= 0)) {
            throw new IllegalArgumentException("DeltaConfig: invalid alpha " + alpha + ", beta "
                    + beta + ", temperature " + temperature + ", lr " + lr + ", momentum "
                    + momentum + " or backboneLrMultiplier " + backboneLrMultiplier);
        }
    }

    public static DeltaConfig defaults() {
        return new DeltaConfig(0.01, 0.01, 5.0, 0.01, 0.9, 1.0);
    }

    public DeltaConfig withAlphaBeta(double a, double b) {
        return new DeltaConfig(a, b, temperature, lr, momentum, backboneLrMultiplier);
    }
}
