package org.finetune4j.nn.data;

import org.finetune4j.tensor.Tensor;

/**
 * One mini-batch from a {@link Loader}: images (n, c, h, w), already augmented and normalised if
 * the loader was asked to, and their class labels (n). The loader builds a fresh batch every time,
 * so a consumer may keep it or write into it.
 */
public record Batch(Tensor images, int[] labels) {
    public Batch {
        if (images.rank() != 4 || images.dim(0) != labels.length) {
            throw new IllegalArgumentException("batch images " + images.shape() + " do not match "
                    + labels.length + " labels; expected (n, c, h, w) with n = labels");
        }
    }

    public int size() {
        return labels.length;
    }
}
