package org.finetune4j.methods.l2sp;

/**
 * Hyper-parameters of L2-SP (spec: ../shared/methods/l2sp.md, section 4). The optimiser's own
 * weight decay is always 0: the penalty replaces it (DELTA repo, TLlib {@code --wd 0}).
 *
 * @param alpha                α, weight of ½‖w_S − w_S⁰‖²; 0.01 (DELTA repo {@code --alpha});
 *                             re-tune on {1e-3, 1e-2, 1e-1, 1} for small networks
 * @param beta                 β, weight of ½‖w_S̄‖² on the new head; 0.01 (DELTA {@code --beta},
 *                             TLlib {@code --trade-off-head})
 * @param lr                   SGD learning rate of the head; 0.01 (DELTA {@code --lr_init}, TLlib)
 * @param momentum             SGD momentum; 0.9 (DELTA repo, TLlib)
 * @param backboneLrMultiplier backbone lr = multiplier × lr; 1 (DELTA repo), 0.1 in TLlib
 */
public record L2spConfig(double alpha, double beta, double lr, double momentum,
                         double backboneLrMultiplier) {
    public L2spConfig {
        if (!(alpha >= 0) || !(beta >= 0) || !(lr > 0) || !(momentum >= 0)
                || !(backboneLrMultiplier >= 0)) {
            throw new IllegalArgumentException("L2spConfig: invalid alpha " + alpha + ", beta "
                    + beta + ", lr " + lr + ", momentum " + momentum + " or backboneLrMultiplier "
                    + backboneLrMultiplier);
        }
    }

    public static L2spConfig defaults() {
        return new L2spConfig(0.01, 0.01, 0.01, 0.9, 1.0);
    }

    public L2spConfig withAlphaBeta(double a, double b) {
        return new L2spConfig(a, b, lr, momentum, backboneLrMultiplier);
    }
}
