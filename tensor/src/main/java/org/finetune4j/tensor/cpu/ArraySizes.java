package org.finetune4j.tensor.cpu;

/**
 * Argument checks shared by the CPU kernels: an array too short for its declared shape fails
 * up front with the kernel, the array's name and both sizes, instead of an index error deep
 * inside a worker thread. Longer arrays are allowed (callers may pass pooled buffers).
 */
final class ArraySizes {
    private ArraySizes() {}

    static void require(String kernel, String name, float[] a, long need) {
        if (a.length < need) {
            throw new IllegalArgumentException(kernel + ": " + name + " has " + a.length
                    + " elements, needs " + need);
        }
    }

    static void require(String kernel, String name, int[] a, long need) {
        if (a.length < need) {
            throw new IllegalArgumentException(kernel + ": " + name + " has " + a.length
                    + " elements, needs " + need);
        }
    }

    /** Like require, but null is allowed (an output the caller does not want). */
    static void optional(String kernel, String name, float[] a, long need) {
        if (a != null) require(kernel, name, a, need);
    }

    static void positive(String kernel, int... sizes) {
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException(kernel + ": sizes must be positive, got "
                        + java.util.Arrays.toString(sizes));
            }
        }
    }
}
