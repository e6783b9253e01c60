package org.finetune4j.nn.data;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.tensor.Tensor;

/** Synthetic datasets whose pixels say which image they are, so tests can trace every sample. */
final class SyntheticDatasets {
    private SyntheticDatasets() {}

    /** n images (n, c, h, w), every pixel of image i equal to i; label i mod k; classes "c0".. */
    static Dataset indexed(int n, int k, int c, int h, int w) {
        int sample = c * h * w;
        float[] x = new float[n * sample];                             // (n, c, h, w)
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(x, i * sample, (i + 1) * sample, i);
            y[i] = i % k;
        }
        List<String> names = new ArrayList<>();
        for (int j = 0; j < k; j++) names.add("c" + j);
        return new Dataset(Tensor.wrap(x, n, c, h, w), y, names);
    }

    /** The index of every image of a dataset built by {@link #indexed}: its first pixel. */
    static int[] ids(Dataset d) {
        return ids(d.images());
    }

    static int[] ids(Tensor images) {                                  // images: (n, c, h, w)
        int sample = images.size() / images.dim(0);
        int[] ids = new int[images.dim(0)];
        for (int i = 0; i < ids.length; i++) ids[i] = (int) images.data()[i * sample];
        return ids;
    }
}
