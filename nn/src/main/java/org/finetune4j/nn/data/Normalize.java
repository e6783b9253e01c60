package org.finetune4j.nn.data;

import java.util.Arrays;
import org.finetune4j.tensor.Tensor;

/**
 * Per-channel standardisation, as torchvision's transforms.Normalize:
 *   x'[n, c, h, w] = (x[n, c, h, w] − mean[c]) / std[c]
 * Values are expected in [0, 1] beforehand (what the readers produce).
 */
public final class Normalize {
    /**
     * Fashion-MNIST's training-set pixel mean and standard deviation on the [0, 1] scale (all
     * 60,000 × 28 × 28 pixels, population std): mean 0.2860, std 0.3530. NormalizeTest recomputes
     * them from Debian's files with {@link #fit}.
     */
    public static final Normalize FASHION_MNIST =
            new Normalize(new float[] {0.2860f}, new float[] {0.3530f});

    private final float[] mean;                // (c)
    private final float[] std;                 // (c), each > 0

    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalize needs one mean and one std per channel,"
                    + " got " + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + c + ": mean " + mean[c]
                        + ", std " + std[c] + "; std must be positive and both finite");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Per-channel mean and population standard deviation of a dataset's images (double sums). */
    public static Normalize fit(Dataset data) {
        int c = data.channels();
        int hw = data.height() * data.width();
        float[] x = data.images().data();                              // (n, c, h, w)
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < data.size(); i++) {
                int base = (i * c + ch) * hw;
                for (int p = 0; p < hw; p++) {
                    double v = x[base + p];
                    sum += v;
                    sumSq += v * v;
                }
            }
            double count = (double) data.size() * hw;
            double m = sum / count;
            mean[ch] = (float) m;
            std[ch] = (float) Math.sqrt(Math.max(sumSq / count - m * m, 0));
        }
        return new Normalize(mean, std);
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** A normalised copy of the dataset; labels and classes are shared. */
    public Dataset apply(Dataset data) {
        float[] x = data.images().data().clone();
        applyInPlace(x, data.size(), data.channels(), data.height() * data.width());
        Tensor t = Tensor.wrap(x, data.size(), data.channels(), data.height(), data.width());
        return new Dataset(t, data.labels(), data.classes());
    }

    /** Normalises x (n, c, hw) in place. */
    public void applyInPlace(float[] x, int n, int c, int hw) {
        if (c != mean.length) {
            throw new IllegalArgumentException("normalize has " + mean.length
                    + " channels, images have " + c);
        }
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float m = mean[ch];
                float s = std[ch];            // divide, not multiply by 1/s: torchvision's rounding
                int base = (i * c + ch) * hw;
                for (int p = 0; p < hw; p++) x[base + p] = (x[base + p] - m) / s;
            }
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ")";
    }
}
