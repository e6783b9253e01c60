package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.Shape;

/**
 * Index plans for broadcasting loops: the output shape with each operand's strides (0 where it is
 * stretched), with adjacent dimensions merged wherever every operand allows it. After merging, a
 * per-channel broadcast (n, c, h, w) ∘ (1, c, 1, 1) becomes three dimensions with a long contiguous
 * inner run, so the inner loop is a tight loop the JIT can vectorise.
 */
final class Strided {
    final int[] dims;        // merged output dimensions
    final int[][] strides;   // strides[k][d] for operand k

    private Strided(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
    }

    static Strided plan(Shape out, Shape... operands) {
        int r = out.rank();
        int[] d = out.dims();
        int[][] s = new int[operands.length][];
        for (int k = 0; k < operands.length; k++) s[k] = operands[k].broadcastStrides(out);
        // merge dimension i into i+1 when every operand is contiguous across the pair
        int[] md = new int[Math.max(r, 1)];
        int[][] ms = new int[operands.length][Math.max(r, 1)];
        int m = 0;
        if (r == 0) {
            md[0] = 1;
            return new Strided(md, ms);
        }
        md[0] = d[0];
        for (int k = 0; k < operands.length; k++) ms[k][0] = s[k][0];
        for (int i = 1; i < r; i++) {
            boolean mergeable = true;
            for (int k = 0; k < operands.length && mergeable; k++) {
                mergeable = ms[k][m] == s[k][i] * d[i];
            }
            if (d[i] == 1) continue;                               // size-1 dims never matter
            if (md[m] == 1) {                                      // replace a size-1 dim
                md[m] = d[i];
                for (int k = 0; k < operands.length; k++) ms[k][m] = s[k][i];
                continue;
            }
            if (mergeable) {
                md[m] *= d[i];
                for (int k = 0; k < operands.length; k++) ms[k][m] = s[k][i];
            } else {
                m++;
                md[m] = d[i];
                for (int k = 0; k < operands.length; k++) ms[k][m] = s[k][i];
            }
        }
        int rank = m + 1;
        int[] dims = java.util.Arrays.copyOf(md, rank);
        int[][] strides = new int[operands.length][];
        for (int k = 0; k < operands.length; k++) strides[k] = java.util.Arrays.copyOf(ms[k], rank);
        return new Strided(dims, strides);
    }

    int rank() {
        return dims.length;
    }

    int innerSize() {
        return dims[dims.length - 1];
    }

    /** Number of inner runs (product of all but the last merged dimension). */
    int outerCount() {
        int p = 1;
        for (int i = 0; i < dims.length - 1; i++) p *= dims[i];
        return p;
    }

    /** Offset of operand k at the start of inner run `row` (row in [0, outerCount())). */
    int offset(int k, int row) {
        int off = 0;
        for (int i = dims.length - 2; i >= 0; i--) {
            int idx = row % dims[i];
            row /= dims[i];
            off += idx * strides[k][i];
        }
        return off;
    }

    int innerStride(int k) {
        return strides[k][dims.length - 1];
    }
}
