package org.finetune4j.methods;

/**
 * Optimiser settings shared by the common baselines (spec: ../shared/methods/README.md, "Common
 * baselines"). SGD with momentum; weight decay is the optimiser's own, towards zero.
 *
 * @param lr                   head learning rate; 0.01 (DELTA {@code --lr_init}, TLlib {@code --lr})
 * @param momentum             SGD momentum; 0.9 (DELTA repo, TLlib)
 * @param weightDecay          optimiser weight decay; 1e-4 (DELTA repo {@code reg_type l2})
 * @param backboneLrMultiplier backbone lr = multiplier × lr; 1 (DELTA repo), TLlib's variant 0.1
 */
public record BaselineConfig(double lr, double momentum, double weightDecay,
                             double backboneLrMultiplier) {
    public BaselineConfig {
        if (!(lr > 0) || !(momentum >= 0) || !(weightDecay >= 0) || !(backboneLrMultiplier >= 0)) {
            throw new IllegalArgumentException("BaselineConfig: invalid lr " + lr + ", momentum "
                    + momentum + ", weightDecay " + weightDecay + " or backboneLrMultiplier "
                    + backboneLrMultiplier);
        }
    }

    public static BaselineConfig defaults() {
        return new BaselineConfig(0.01, 0.9, 1e-4, 1.0);
    }

    public BaselineConfig withBackboneLrMultiplier(double m) {
        return new BaselineConfig(lr, momentum, weightDecay, m);
    }

    public BaselineConfig withWeightDecay(double wd) {
        return new BaselineConfig(lr, momentum, wd, backboneLrMultiplier);
    }
}
