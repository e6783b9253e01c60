package org.finetune4j.nn.data;

import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.Tensor;

/**
 * An in-memory labelled image set: one CPU float tensor (n, c, h, w), usually in [0, 1] or
 * normalised, plus one int label per image in 0..classes−1 and the class names.
 *
 * <p>Immutable by convention: nothing here writes into the images, and {@link #subset} copies the
 * selected rows, so splits never alias each other.
 */
public final class Dataset {
    private final Tensor images;               // (n, c, h, w)
    private final int[] labels;                // (n), each in [0, classes.size())
    private final List<String> classes;        // index = label

    public Dataset(Tensor images, int[] labels, List<String> classes) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException("dataset images must be (n, c, h, w), got "
                    + images.shape());
        }
        if (images.dim(0) != labels.length) {
            throw new IllegalArgumentException("dataset has " + images.dim(0) + " images but "
                    + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i
                        + " is outside 0.." + (classes.size() - 1)
                        + " (" + classes.size() + " classes)");
            }
        }
        this.images = images;
        this.labels = labels.clone();
        this.classes = List.copyOf(classes);
    }

    /** The image tensor (n, c, h, w); shared, not copied: do not write into it. */
    public Tensor images() {
        return images;
    }

    public int[] labels() {
        return labels.clone();
    }

    public int label(int i) {
        return labels[i];
    }

    public List<String> classes() {
        return classes;
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return classes.size();
    }

    public int channels() {
        return images.dim(1);
    }

    public int height() {
        return images.dim(2);
    }

    public int width() {
        return images.dim(3);
    }

    /** Number of images per class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[classes.size()];
        for (int label : labels) counts[label]++;
        return counts;
    }

    /** For each class, the indices of its images in ascending order. */
    public int[][] indicesByClass() {
        int[] counts = classCounts();
        int[][] byClass = new int[counts.length][];
        for (int k = 0; k < counts.length; k++) byClass[k] = new int[counts[k]];
        int[] filled = new int[counts.length];
        for (int i = 0; i < labels.length; i++) byClass[labels[i]][filled[labels[i]]++] = i;
        return byClass;
    }

    /** The images at {@code indices}, in that order, copied; same class names and labels. */
    public Dataset subset(int[] indices) {
        return select(indices, labels, classes);
    }

    /**
     * The images at {@code indices}, copied, with new labels and class names. The building block
     * of class-subset splits, where labels are remapped.
     */
    Dataset select(int[] indices, int[] labelOf, List<String> newClasses) {
        int sample = channels() * height() * width();
        float[] src = images.data();                                   // (n, c, h, w)
        float[] dst = new float[indices.length * sample];              // (m, c, h, w)
        int[] newLabels = new int[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("subset index " + i + " at position " + j
                        + " is outside 0.." + (size() - 1));
            }
            System.arraycopy(src, i * sample, dst, j * sample, sample);
            newLabels[j] = labelOf[i];
        }
        Tensor t = Tensor.wrap(dst, indices.length, channels(), height(), width());
        return new Dataset(t, newLabels, newClasses);
    }

    @Override
    public String toString() {
        return "Dataset(" + size() + " images " + Arrays.toString(images.dims()) + ", "
                + classes.size() + " classes)";
    }
}
