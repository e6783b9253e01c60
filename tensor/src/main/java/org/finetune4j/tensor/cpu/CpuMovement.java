package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import org.finetune4j.tensor.Shape;

/**
 * Layout kernels on contiguous host arrays: permute, slice, concat, index select/add, one-hot.
 * Slices and concatenations are expressed as (outer, axis, inner) blocks and copied with
 * System.arraycopy.
 */
public final class CpuMovement {
    private CpuMovement() {}

    /** y = x.permute(perm): output dim k is input dim perm[k]. */
    public static void permute(float[] x, Shape xs, int[] perm, float[] y) {
        int r = xs.rank();
        int[] xStride = xs.strides();
        int[] d = new int[r];
        int[] s = new int[r];                         // input stride of each output dim
        for (int k = 0; k < r; k++) {
            d[k] = xs.dim(perm[k]);
            s[k] = xStride[perm[k]];
        }
        if (r == 0) {
            y[0] = x[0];
            return;
        }
        int inner = d[r - 1];
        int si = s[r - 1];
        int rows = xs.size() / Math.max(inner, 1);
        int[] idx = new int[r];
        int off = 0;
        for (int row = 0; row < rows; row++) {
            int yo = row * inner;
            if (si == 1) {
                System.arraycopy(x, off, y, yo, inner);
            } else {
                for (int i = 0; i < inner; i++) y[yo + i] = x[off + i * si];
            }
            for (int k = r - 2; k >= 0; k--) {
                idx[k]++;
                off += s[k];
                if (idx[k] < d[k]) break;
                off -= s[k] * d[k];
                idx[k] = 0;
            }
        }
    }

    /** Checks perm is a permutation of 0..r−1 and returns the permuted shape. */
    public static Shape permutedShape(Shape xs, int[] perm) {
        if (perm.length != xs.rank()) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " for shape " + xs);
        }
        boolean[] seen = new boolean[perm.length];
        int[] d = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            if (perm[k] < 0 || perm[k] >= perm.length || seen[perm[k]]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[perm[k]] = true;
            d[k] = xs.dim(perm[k]);
        }
        return Shape.of(d);
    }

    /** Copies block [start, end) of the middle axis of x (outer, axisLen, inner) into y. */
    public static void slice(float[] x, int outer, int axisLen, int inner, int start, int end, float[] y) {
        int len = (end - start) * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, (o * axisLen + start) * inner, y, o * len, len);
        }
    }

    /** Writes x (outer, part, inner) into y (outer, total, inner) at axis offset `at`. */
    public static void place(float[] x, int outer, int part, int inner, float[] y, int total, int at) {
        int len = part * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, o * len, y, (o * total + at) * inner, len);
        }
    }

    /** y (outer, index.length, inner) = x (outer, axisLen, inner) at the chosen indices. */
    public static void indexSelect(float[] x, int outer, int axisLen, int inner, int[] index, float[] y) {
        checkIndex("indexSelect", index, axisLen);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < index.length; j++) {
                System.arraycopy(x, (o * axisLen + index[j]) * inner, y, (o * index.length + j) * inner, inner);
            }
        }
    }

    /** y (outer, axisLen, inner) += src (outer, index.length, inner) at the chosen indices. */
    public static void indexAdd(float[] src, int outer, int axisLen, int inner, int[] index, float[] y) {
        checkIndex("indexAdd", index, axisLen);    // else index ≥ axisLen lands in the next block
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < index.length; j++) {
                int so = (o * index.length + j) * inner;
                int yo = (o * axisLen + index[j]) * inner;
                for (int i = 0; i < inner; i++) y[yo + i] += src[so + i];
            }
        }
    }

    private static void checkIndex(String op, int[] index, int axisLen) {
        for (int j = 0; j < index.length; j++) {
            if (index[j] < 0 || index[j] >= axisLen) {
                throw new IndexOutOfBoundsException(op + ": index[" + j + "] = " + index[j]
                        + " outside [0, " + axisLen + ")");
            }
        }
    }

    public static void oneHot(int[] labels, int k, float[] y) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new IllegalArgumentException("oneHot: label " + labels[i] + " of sample " + i
                        + " outside [0, " + k + ")");
            }
            y[i * k + labels[i]] = 1f;
        }
    }

    /** y[p, o] = x[p, (int) index[p, o]] for `planes` planes of inSize inputs and outSize outputs. */
    public static void gatherPlanes(float[] x, float[] index, float[] y, int planes, int inSize, int outSize) {
        for (int p = 0; p < planes; p++) {
            for (int o = 0; o < outSize; o++) {
                y[p * outSize + o] = x[p * inSize + (int) index[p * outSize + o]];
            }
        }
    }
}
