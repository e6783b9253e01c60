package org.finetune4j.nn.train;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.Loader;
import org.finetune4j.nn.data.Normalize;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.tensor.Device;

/**
 * A model's loss and accuracy on a data set, computed in evaluation mode without a graph; every
 * module's training mode is restored afterwards (also after an exception). Over n images with
 * labels y_i and logits z_i (k classes):
 * <pre>
 *   loss     = (1/n) Σ_batches |B|·loss(B)       (exact for a batch-mean loss)
 *   pred_i   = argmax_c z_ic                       (the first maximum on ties)
 *   accuracy = #{pred_i = y_i} / n                 (top-1)
 *   confusion[y][p] = #{i : y_i = y, pred_i = p}
 *   perClass[y] = confusion[y][y] / Σ_p confusion[y][p]
 * </pre>
 * A class with no images has per-class accuracy NaN. Sums are in double.
 */
public record Evaluation(int count, double loss, double accuracy, double[] perClassAccuracy,
                         long[][] confusion) {
    public Evaluation {
        perClassAccuracy = perClassAccuracy.clone();
        confusion = deepCopy(confusion);
    }

    @Override
    public double[] perClassAccuracy() {
        return perClassAccuracy.clone();
    }

    /** Rows are true classes, columns predictions. */
    @Override
    public long[][] confusion() {
        return deepCopy(confusion);
    }

    /** Plain cross-entropy over data, normalised with normalize (null: as stored). */
    public static Evaluation run(Module model, Dataset data, Normalize normalize, int batchSize) {
        try (Loader loader = Loader.builder(data, batchSize).normalize(normalize)
                .device(model.device()).build()) {
            return run(model, loader, new CrossEntropyLoss()::forward);
        }
    }

    /**
     * One pass over the loader's epoch 0 (its dataset order when it does not shuffle). Images
     * are moved to the model's device when the loader delivers them elsewhere; only the logits
     * (n, k) come back to the host, for the confusion matrix.
     */
    public static Evaluation run(Module model, Loader data, LossFunction loss) {
        int k = data.dataset().numClasses();
        Device device = model.device();
        long[][] confusion = new long[k][k];
        double lossSum = 0;
        int n = 0;
        List<Module> modules = new ArrayList<>(model.namedModules().values());    // pre-order
        boolean[] modes = new boolean[modules.size()];
        for (int i = 0; i < modes.length; i++) modes[i] = modules.get(i).isTraining();
        model.eval();
        try (NoGrad ignored = NoGrad.enter()) {
            for (Batch b : data.epoch(0)) {
                Variable logits = model.forward(Variable.constant(b.images().to(device)));
                if (logits.shape().rank() != 2 || logits.dim(0) != b.size() || logits.dim(1) != k) {
                    throw new IllegalArgumentException("evaluation needs logits (" + b.size()
                            + ", " + k + ") for a batch of " + b.size() + " images of " + k
                            + " classes, the model gave " + logits.shape());
                }
                lossSum += (double) loss.compute(logits, b.labels()).item() * b.size();
                countPredictions(logits.value().toArray(), b.labels(), k, confusion);
                n += b.size();
            }
        } finally {
            // Parents come before children, so setting each one's own mode in order restores all.
            for (int i = 0; i < modes.length; i++) modules.get(i).train(modes[i]);
        }
        return fromConfusion(n == 0 ? Double.NaN : lossSum / n, confusion);
    }

    /** Accuracy and per-class accuracy from counts; count is the total of the matrix. */
    static Evaluation fromConfusion(double loss, long[][] confusion) {
        int k = confusion.length;
        long correct = 0;
        long total = 0;
        double[] perClass = new double[k];
        for (int y = 0; y < k; y++) {
            long row = 0;
            for (int p = 0; p < k; p++) row += confusion[y][p];
            perClass[y] = row == 0 ? Double.NaN : (double) confusion[y][y] / row;
            correct += confusion[y][y];
            total += row;
        }
        double accuracy = total == 0 ? Double.NaN : (double) correct / total;
        return new Evaluation((int) total, loss, accuracy, perClass, confusion);
    }

    /** Adds one count per sample to confusion[label][argmax]; returns how many were right. */
    static int countPredictions(float[] logits, int[] labels, int k, long[][] confusion) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int pred = argmax(logits, i * k, k);
            if (confusion != null) confusion[labels[i]][pred]++;
            if (pred == labels[i]) correct++;
        }
        return correct;
    }

    /** Index of the first maximum of row[offset .. offset+k) (torch.argmax picks the first too). */
    static int argmax(float[] row, int offset, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (row[offset + c] > row[offset + best]) best = c;
        }
        return best;
    }

    private static long[][] deepCopy(long[][] m) {
        long[][] out = new long[m.length][];
        for (int i = 0; i < m.length; i++) out[i] = m[i].clone();
        return out;
    }
}
