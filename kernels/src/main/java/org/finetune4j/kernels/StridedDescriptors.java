package org.finetune4j.kernels;

import org.finetune4j.tensor.Shape;

/**
 * Builds the by-value Strided structs of common.cuh (Java int[18]: rank, offset, shape[8],
 * stride[8]). All operands of one kernel share the output shape, so dimensions are merged
 * jointly: size-1 output dims are dropped and a dim folds into its outer neighbour when every
 * operand is contiguous across the pair. A (n, c, h, w) + (1, c, 1, 1) add thus needs rank 3,
 * and only shapes that stay above rank 8 after merging are refused.
 */
final class StridedDescriptors {
    static final int MAX_RANK = 8;
    static final int LENGTH = 2 + 2 * MAX_RANK;

    private StridedDescriptors() {}

    /** One descriptor per operand for NumPy broadcasting of each operand to {@code out}. */
    static int[][] broadcast(String op, Shape out, Shape... operands) {
        int[][] strides = new int[operands.length][];
        for (int k = 0; k < operands.length; k++) strides[k] = operands[k].broadcastStrides(out);
        return plan(op, out.dims(), strides, new int[operands.length]);
    }

    /** A single descriptor: y (outDims, contiguous) reads x at offset + sum idx_d * strides[d]. */
    static int[] single(String op, int[] outDims, int[] strides, int offset) {
        return plan(op, outDims, new int[][] {strides}, new int[] {offset})[0];
    }

    /**
     * outDims: the output shape; strides[k][d]: element stride of operand k along output dim d
     * (0 = broadcast); offsets[k]: the element offset of operand k.
     */
    static int[][] plan(String op, int[] outDims, int[][] strides, int[] offsets) {
        int ops = strides.length;
        int[] md = new int[outDims.length + 1];               // merged dims
        int[][] ms = new int[ops][outDims.length + 1];        // merged strides per operand
        int m = 0;
        for (int i = 0; i < outDims.length; i++) {
            int d = outDims[i];
            if (d == 1) continue;                             // index always 0: stride irrelevant
            boolean mergeable = m > 0;
            for (int k = 0; k < ops && mergeable; k++) {
                mergeable = (long) ms[k][m - 1] == (long) strides[k][i] * d;
            }
            if (mergeable) {
                md[m - 1] *= d;
                for (int k = 0; k < ops; k++) ms[k][m - 1] = strides[k][i];
            } else {
                md[m] = d;
                for (int k = 0; k < ops; k++) ms[k][m] = strides[k][i];
                m++;
            }
        }
        if (m == 0) {                                         // a scalar: rank 1, shape [1]
            md[0] = 1;
            m = 1;
        }
        if (m > MAX_RANK) {
            throw new UnsupportedOperationException(op + ": output shape "
                    + java.util.Arrays.toString(outDims) + " needs " + m + " dimensions after"
                    + " merging, but the CUDA Strided descriptor holds at most " + MAX_RANK);
        }
        int[][] out = new int[ops][LENGTH];
        for (int k = 0; k < ops; k++) {
            out[k][0] = m;
            out[k][1] = offsets[k];
            for (int d = 0; d < m; d++) {
                out[k][2 + d] = md[d];
                out[k][2 + MAX_RANK + d] = ms[k][d];
            }
        }
        return out;
    }
}
