package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;

import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;
import org.junit.jupiter.api.Test;

/**
 * CpuOptimizerUpdates against a transcription of PyTorch 1.13's _single_tensor_sgd/_adam/_adamw:
 * whole-array ops one after another, each rounded to float, with Python's double scalars taken
 * as the double values of the float arguments (AdamStep.of derives its scalars from those
 * doubles, as nn/optim does). Four steps, every flag combination, bit-exact.
 */
class CpuOptimizerUpdatesTest {
    private static final int N = 37;
    private static final int STEPS = 4;

    @Test
    void sgdMatchesPyTorchTranscriptionForEveryFlagCombination() {
        for (float mu : new float[] {0f, 0.9f}) {
            for (float damp : new float[] {0f, 0.3f}) {
                for (boolean nesterov : new boolean[] {false, true}) {
                    for (float wd : new float[] {0f, 0.01f}) {
                        String what = "sgd mu=" + mu + " damp=" + damp + " nesterov=" + nesterov
                                + " wd=" + wd;
                        float lr = 0.05f;
                        float[] p = uniform(1, N, -1, 1), ref = p.clone();
                        float[] buf = new float[N], refBuf = null;
                        for (int t = 1; t <= STEPS; t++) {
                            float[] grad = uniform(100 + t, N, -1, 1);
                            CpuOptimizerUpdates.sgdUpdate(p, grad, buf, N, new SgdStep(lr, mu,
                                    (float) (1.0 - (double) damp), wd, nesterov, t == 1));
                            // torch: d_p = grad.add(param, alpha=wd)
                            float[] dp = new float[N];
                            for (int i = 0; i < N; i++) dp[i] = grad[i] + wd * ref[i];
                            if (mu != 0) {
                                if (refBuf == null) {
                                    refBuf = dp.clone();       // torch.clone(d_p).detach()
                                } else {
                                    float alpha = (float) (1.0 - (double) damp);
                                    for (int i = 0; i < N; i++) refBuf[i] = refBuf[i] * mu;
                                    for (int i = 0; i < N; i++) {
                                        refBuf[i] = refBuf[i] + alpha * dp[i];
                                    }
                                }
                                if (nesterov) {
                                    for (int i = 0; i < N; i++) dp[i] = dp[i] + mu * refBuf[i];
                                } else {
                                    dp = refBuf.clone();
                                }
                            }
                            for (int i = 0; i < N; i++) ref[i] = ref[i] + (-lr) * dp[i];
                            assertBitIdentical(what + " step " + t + " param", ref, p);
                            if (mu != 0) {
                                assertBitIdentical(what + " step " + t + " buf", refBuf, buf);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void adamAndAdamWMatchPyTorchTranscriptionForEveryFlagCombination() {
        for (boolean amsgrad : new boolean[] {false, true}) {
            for (boolean decoupled : new boolean[] {false, true}) {
                for (float wd : new float[] {0f, 0.01f}) {
                    String what = (decoupled ? "adamw" : "adam") + " amsgrad=" + amsgrad
                            + " wd=" + wd;
                    float lr = 1e-2f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
                    float[] p = uniform(2, N, -1, 1), ref = p.clone();
                    float[] m = new float[N], v = new float[N], vMax = new float[N];
                    float[] rm = new float[N], rv = new float[N], rMax = new float[N];
                    for (int t = 1; t <= STEPS; t++) {
                        float[] grad = uniform(200 + t, N, -1, 1);
                        if (t == 3) grad[5] = 0f;                    // a zero gradient too
                        CpuOptimizerUpdates.adamUpdate(p, grad, m, v, amsgrad ? vMax : null, N,
                                AdamStep.of(lr, beta1, beta2, eps, wd, t, decoupled));
                        transcribeAdamStep(ref, grad, rm, rv, rMax, lr, beta1, beta2, eps, wd, t,
                                amsgrad, decoupled);
                        assertBitIdentical(what + " step " + t + " param", ref, p);
                        assertBitIdentical(what + " step " + t + " exp_avg", rm, m);
                        assertBitIdentical(what + " step " + t + " exp_avg_sq", rv, v);
                        if (amsgrad) assertBitIdentical(what + " step " + t + " max", rMax, vMax);
                    }
                }
            }
        }
    }

    /** One step of torch.optim._functional._single_tensor_adam(w) in 1.13, op by op. */
    private static void transcribeAdamStep(float[] param, float[] gradIn, float[] expAvg,
                                           float[] expAvgSq, float[] maxExpAvgSq, double lr,
                                           double beta1, double beta2, double eps, double wd,
                                           int step, boolean amsgrad, boolean decoupled) {
        int n = param.length;
        float[] grad = gradIn.clone();
        if (decoupled) {
            float f = (float) (1 - lr * wd);                     // param.mul_(1 - lr * wd)
            for (int i = 0; i < n; i++) param[i] = param[i] * f;
        } else if (wd != 0) {
            for (int i = 0; i < n; i++) grad[i] = grad[i] + (float) wd * param[i];
        }
        for (int i = 0; i < n; i++) {                            // exp_avg.mul_(b1).add_(g, 1-b1)
            expAvg[i] = (float) beta1 * expAvg[i] + (float) (1 - beta1) * grad[i];
        }
        for (int i = 0; i < n; i++) {                   // exp_avg_sq.mul_(b2).addcmul_(g, g, 1-b2)
            expAvgSq[i] = (float) beta2 * expAvgSq[i] + (float) (1 - beta2) * (grad[i] * grad[i]);
        }
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double bc2Sqrt = Math.sqrt(biasCorrection2);
        float[] denom = new float[n];
        float[] source = expAvgSq;
        if (amsgrad) {
            for (int i = 0; i < n; i++) maxExpAvgSq[i] = Math.max(maxExpAvgSq[i], expAvgSq[i]);
            source = maxExpAvgSq;
        }
        for (int i = 0; i < n; i++) denom[i] = (float) Math.sqrt(source[i]);
        for (int i = 0; i < n; i++) denom[i] = denom[i] / (float) bc2Sqrt;
        for (int i = 0; i < n; i++) denom[i] = denom[i] + (float) eps;
        for (int i = 0; i < n; i++) {                 // param.addcdiv_(exp_avg, denom, -step_size)
            param[i] = param[i] + (float) -stepSize * (expAvg[i] / denom[i]);
        }
    }
}
