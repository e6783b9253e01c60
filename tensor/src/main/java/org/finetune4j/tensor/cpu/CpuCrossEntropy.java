package org.finetune4j.tensor.cpu;

/**
 * Per-sample cross-entropy from logits, float32, logits: (n, k). Hard labels (class indices) and
 * soft targets (a weight per class, e.g. label smoothing or distillation). Each sample's
 * log-sum-exp is taken stably (max subtracted) in double; the per-sample loss is not reduced, so
 * the caller chooses mean or sum. Outputs are overwritten. Parallel over samples: deterministic.
 */
public final class CpuCrossEntropy {
    private CpuCrossEntropy() {}

    /**
     * loss[i] = −log softmax(logits[i])[labels[i]] = lse(logits[i]) − logits[i, labels[i]].
     * labels: (n) in [0, k), else IllegalArgumentException naming the sample; loss: (n).
     */
    public static void forward(float[] logits, int[] labels, float[] loss, int n, int k) {
        checkHard("forward", logits, labels, n, k);
        ArraySizes.require("crossEntropy.forward", "loss", loss, n);
        Parallel.forRange(0, n, i -> {
            int off = i * k;
            double lse = CpuSoftmax.logSumExp(logits, off, k, 1);
            loss[i] = (float) (lse - logits[off + labels[i]]);
        });
    }

    /** dLogits[i, j] = (softmax(logits[i])_j − [j = labels[i]])·dLoss[i]. dLoss: (n). */
    public static void backward(float[] logits, int[] labels, float[] dLoss, float[] dLogits,
                                int n, int k) {
        checkHard("backward", logits, labels, n, k);
        ArraySizes.require("crossEntropy.backward", "dLoss", dLoss, n);
        ArraySizes.require("crossEntropy.backward", "dLogits", dLogits, (long) n * k);
        Parallel.forRange(0, n, i -> {
            int off = i * k;
            double lse = CpuSoftmax.logSumExp(logits, off, k, 1);
            double g = dLoss[i];
            for (int j = 0; j < k; j++) {
                double p = Math.exp(logits[off + j] - lse);
                dLogits[off + j] = (float) ((j == labels[i] ? p - 1 : p) * g);
            }
        });
    }

    /**
     * loss[i] = −Σ_j t[i, j]·log softmax(logits[i])_j = lse·Σ_j t_j − Σ_j t_j·logits_j.
     * targets: (n, k), any non-negative weights (they need not sum to 1); loss: (n).
     */
    public static void forwardSoft(float[] logits, float[] targets, float[] loss, int n, int k) {
        checkSoft("forwardSoft", logits, targets, n, k);
        ArraySizes.require("crossEntropy.forwardSoft", "loss", loss, n);
        Parallel.forRange(0, n, i -> {
            int off = i * k;
            double lse = CpuSoftmax.logSumExp(logits, off, k, 1);
            double sum = 0;
            for (int j = 0; j < k; j++) {
                float t = targets[off + j];
                if (t != 0f) sum += t * (lse - logits[off + j]);  // 0·(−∞) would give NaN
            }
            loss[i] = (float) sum;
        });
    }

    /** dLogits[i, j] = (softmax_j·Σ_l t[i, l] − t[i, j])·dLoss[i]. dLoss: (n). */
    public static void backwardSoft(float[] logits, float[] targets, float[] dLoss,
                                    float[] dLogits, int n, int k) {
        checkSoft("backwardSoft", logits, targets, n, k);
        ArraySizes.require("crossEntropy.backwardSoft", "dLoss", dLoss, n);
        ArraySizes.require("crossEntropy.backwardSoft", "dLogits", dLogits, (long) n * k);
        Parallel.forRange(0, n, i -> {
            int off = i * k;
            double lse = CpuSoftmax.logSumExp(logits, off, k, 1);
            double targetSum = 0;
            for (int j = 0; j < k; j++) targetSum += targets[off + j];
            double g = dLoss[i];
            for (int j = 0; j < k; j++) {
                double p = Math.exp(logits[off + j] - lse);
                dLogits[off + j] = (float) ((p * targetSum - targets[off + j]) * g);
            }
        });
    }

    private static void checkHard(String op, float[] logits, int[] labels, int n, int k) {
        ArraySizes.positive("crossEntropy." + op, n, k);
        ArraySizes.require("crossEntropy." + op, "logits", logits, (long) n * k);
        ArraySizes.require("crossEntropy." + op, "labels", labels, n);
        for (int i = 0; i < n; i++) {                 // checked up front, on the caller's thread
            if (labels[i] < 0 || labels[i] >= k) {
                throw new IllegalArgumentException("crossEntropy." + op + ": labels[" + i + "] = "
                        + labels[i] + " is outside [0, " + k + ")");
            }
        }
    }

    private static void checkSoft(String op, float[] logits, float[] targets, int n, int k) {
        ArraySizes.positive("crossEntropy." + op, n, k);
        ArraySizes.require("crossEntropy." + op, "logits", logits, (long) n * k);
        ArraySizes.require("crossEntropy." + op, "targets", targets, (long) n * k);
    }
}
