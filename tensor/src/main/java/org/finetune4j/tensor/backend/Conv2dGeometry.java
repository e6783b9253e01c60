package org.finetune4j.tensor.backend;

/**
 * Everything a 2-D convolution kernel needs to know about its shapes (NCHW, float32).
 * Input x: (n, cIn, h, w); weight: (cOut, cIn / groups, kH, kW); output y: (n, cOut, outH, outW),
 * with PyTorch's arithmetic: outH = (h + 2·padH − dilH·(kH − 1) − 1) / strideH + 1.
 */
public record Conv2dGeometry(int n, int cIn, int h, int w, int cOut, int kH, int kW,
                             int strideH, int strideW, int padH, int padW,
                             int dilH, int dilW, int groups) {

    public Conv2dGeometry {
        if (n < 1 || cIn < 1 || h < 1 || w < 1 || cOut < 1 || kH < 1 || kW < 1) {
            throw new IllegalArgumentException("conv2d: sizes must be positive: "
                    + describe(n, cIn, h, w, cOut, kH, kW, strideH, strideW, padH, padW, dilH, dilW, groups));
        }
        if (strideH < 1 || strideW < 1 || dilH < 1 || dilW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: stride and dilation must be >= 1, padding >= 0: "
                    + describe(n, cIn, h, w, cOut, kH, kW, strideH, strideW, padH, padW, dilH, dilW, groups));
        }
        if (groups < 1 || cIn % groups != 0 || cOut % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide cIn=" + cIn
                    + " and cOut=" + cOut);
        }
        // fields are assigned after a compact constructor, so compute from the parameters
        if ((h + 2 * padH - dilH * (kH - 1) - 1) < 0 || (w + 2 * padW - dilW * (kW - 1) - 1) < 0) {
            throw new IllegalArgumentException("conv2d: kernel larger than padded input: "
                    + describe(n, cIn, h, w, cOut, kH, kW, strideH, strideW, padH, padW, dilH, dilW, groups));
        }
    }

    /** Square kernel, stride, padding; dilation 1; the common case. */
    public static Conv2dGeometry of(int n, int cIn, int h, int w, int cOut, int k, int stride, int pad, int groups) {
        return new Conv2dGeometry(n, cIn, h, w, cOut, k, k, stride, stride, pad, pad, 1, 1, groups);
    }

    public int outH() {
        return (h + 2 * padH - dilH * (kH - 1) - 1) / strideH + 1;
    }

    public int outW() {
        return (w + 2 * padW - dilW * (kW - 1) - 1) / strideW + 1;
    }

    /** Input channels per group. */
    public int cInG() {
        return cIn / groups;
    }

    /** Output channels per group. */
    public int cOutG() {
        return cOut / groups;
    }

    public int inputSize() {
        return n * cIn * h * w;
    }

    public int weightSize() {
        return cOut * cInG() * kH * kW;
    }

    public int outputSize() {
        return n * cOut * outH() * outW();
    }

    /** Multiply-accumulates of one forward pass. */
    public long macs() {
        return (long) n * cOut * outH() * outW() * cInG() * kH * kW;
    }

    /** Parameters as text: the compact constructor cannot print `this` (fields not yet assigned). */
    private static String describe(int n, int cIn, int h, int w, int cOut,
                                   int kH, int kW, int strideH, int strideW, int padH,
                                   int padW, int dilH, int dilW, int groups) {
        return "(" + "n=" + n + ", " + "cIn=" + cIn + ", " + "h=" + h + ", " + "w=" + w
                + ", " + "cOut=" + cOut + ", " + "kH=" + kH + ", " + "kW=" + kW + ", " + "strideH=" + strideH
                + ", " + "strideW=" + strideW + ", " + "padH=" + padH + ", " + "padW=" + padW + ", " + "dilH=" + dilH
                + ", " + "dilW=" + dilW + ", " + "groups=" + groups + ")";
    }
}
