package org.finetune4j.methods.fitnets;

/**
 * Hyper-parameters of FitNets (spec: ../shared/methods/fitnets.md, section 4, CIFAR-10 19-layer
 * config [code:FitNets cifar10_fitnet19_all.yaml]).
 *
 * @param tau           τ, softmax temperature of the KD term; 3
 * @param lambda0       λ at the start of stage 2; 4
 * @param lambdaFinal   λ once annealing saturates; 1 (MNIST config: 0)
 * @param lambdaStart   first epoch at which λ decays (0-based, counted from the start of stage 2);
 *                      5
 * @param lambdaSaturate epoch from which λ = lambdaFinal; 400
 * @param tauSquared    multiply the KD term by τ² (later KD practice); false, as in the original
 * @param lr            RMSProp learning rate; 0.005
 * @param rmsDecay      RMSProp decay of the squared-gradient average; 0.9
 * @param hintEpochs    epochs of stage 1 (hint training) before stage 2; 72 = 1/4 of the 288
 *                      stage-2 epochs (spec §8: fixed epochs, 1/4 of stage 2) [ours]
 * @param optimizer     stage 2's optimiser: RMSPROP (the 2015 code: lr, rmsDecay) or SGD (the
 *                      library's standard setup, which spec §8 recommends for comparisons:
 *                      sgdLr, momentum, weightDecay); RMSPROP by default, a faithful replica.
 *                      Stage 1 always uses RMSProp at lr (see FitNets)
 * @param sgdLr         stage-2 SGD learning rate; 0.01, as the baselines (used by SGD only)
 * @param momentum      SGD momentum; 0.9 (used by SGD only)
 * @param weightDecay   SGD weight decay; 1e-4, as the fine-tuning baseline (used by SGD only)
 */
public record FitNetsConfig(double tau, double lambda0, double lambdaFinal, int lambdaStart,
                            int lambdaSaturate, boolean tauSquared, double lr, double rmsDecay,
                            int hintEpochs, Optimizer optimizer, double sgdLr,
                            double momentum, double weightDecay) {
    /** Which optimiser trains both stages. */
    public enum Optimizer { RMSPROP, SGD }

    public FitNetsConfig {
        if (!(tau > 0) || !(lambda0 >= 0) || !(lambdaFinal >= 0) || lambdaStart < 0
                || lambdaSaturate < lambdaStart || !(lr > 0) || !(rmsDecay >= 0 && rmsDecay <= 1)
                || hintEpochs < 0 || optimizer == null || !(sgdLr > 0) || !(momentum >= 0)
                || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("FitNetsConfig: invalid tau " + tau + ", lambda0 "
                    + lambda0 + ", lambdaFinal " + lambdaFinal + ", start " + lambdaStart
                    + ", saturate " + lambdaSaturate + ", lr " + lr + ", rmsDecay " + rmsDecay
                    + ", hintEpochs " + hintEpochs + ", optimizer " + optimizer + ", momentum "
                    + momentum + " or weightDecay " + weightDecay);
        }
    }

    public static FitNetsConfig defaults() {
        return new FitNetsConfig(3, 4, 1, 5, 400, false, 0.005, 0.9, 72, Optimizer.RMSPROP, 0.01,
                0.9, 1e-4);
    }

    public FitNetsConfig withHintEpochs(int e) {
        return new FitNetsConfig(tau, lambda0, lambdaFinal, lambdaStart, lambdaSaturate,
                tauSquared, lr, rmsDecay, e, optimizer, sgdLr, momentum, weightDecay);
    }

    public FitNetsConfig withLambda(double l0, double lFinal, int start, int saturate) {
        return new FitNetsConfig(tau, l0, lFinal, start, saturate, tauSquared, lr, rmsDecay,
                hintEpochs, optimizer, sgdLr, momentum, weightDecay);
    }

    /**
     * Stage 2 with SGD + momentum at lr, weight decay 1e-4: the setup of the fine-tuning
     * baselines, so a comparison measures the hints rather than the optimiser (spec §8).
     */
    public FitNetsConfig withSgd(double lr2) {
        return new FitNetsConfig(tau, lambda0, lambdaFinal, lambdaStart, lambdaSaturate,
                tauSquared, lr, rmsDecay, hintEpochs, Optimizer.SGD, lr2, momentum, weightDecay);
    }

    /**
     * λ(epoch) [code:FitNets TeacherDecayOverEpoch]: λ0 before start, then minus
     * (λ0 − λ_final)/(saturate − start + 1) per epoch, λ_final from saturate on, never below 0.
     * epoch counts stage-2 epochs from 0.
     */
    public double lambda(int epoch) {
        if (epoch < lambdaStart) return lambda0;
        if (epoch >= lambdaSaturate) return Math.max(0, lambdaFinal);
        double perEpoch = (lambda0 - lambdaFinal) / (lambdaSaturate - lambdaStart + 1);
        return Math.max(0, lambda0 - perEpoch * (epoch - lambdaStart + 1));
    }
}
