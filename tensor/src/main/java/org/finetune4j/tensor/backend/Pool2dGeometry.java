package org.finetune4j.tensor.backend;

/**
 * Shapes of a 2-D pooling window over x: (n, c, h, w) giving (n, c, outH, outW).
 * PyTorch's floor mode: outH = (h + 2·padH − kH) / strideH + 1. Max pooling treats padding as −∞;
 * average pooling counts padded zeros in the divisor (PyTorch's count_include_pad = True).
 */
public record Pool2dGeometry(int n, int c, int h, int w, int kH, int kW,
                             int strideH, int strideW, int padH, int padW) {

    public Pool2dGeometry {
        if (n < 1 || c < 1 || h < 1 || w < 1 || kH < 1 || kW < 1 || strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("pool2d: sizes and strides must be positive: "
                    + describe(n, c, h, w, kH, kW, strideH, strideW, padH, padW));
        }
        if (padH < 0 || padW < 0 || 2 * padH > kH || 2 * padW > kW) {
            throw new IllegalArgumentException("pool2d: padding must be in [0, kernel/2]: "
                    + describe(n, c, h, w, kH, kW, strideH, strideW, padH, padW));
        }
        if (h + 2 * padH - kH < 0 || w + 2 * padW - kW < 0) {       // fields are not yet assigned here
            throw new IllegalArgumentException("pool2d: window larger than padded input: "
                    + describe(n, c, h, w, kH, kW, strideH, strideW, padH, padW));
        }
    }

    public static Pool2dGeometry of(int n, int c, int h, int w, int k, int stride, int pad) {
        return new Pool2dGeometry(n, c, h, w, k, k, stride, stride, pad, pad);
    }

    public int outH() {
        return (h + 2 * padH - kH) / strideH + 1;
    }

    public int outW() {
        return (w + 2 * padW - kW) / strideW + 1;
    }

    /** Parameters as text: the compact constructor cannot print `this` (fields not yet assigned). */
    private static String describe(int n, int c, int h, int w, int kH,
                                   int kW, int strideH, int strideW, int padH, int padW) {
        return "(" + "n=" + n + ", " + "c=" + c + ", " + "h=" + h + ", " + "w=" + w
                + ", " + "kH=" + kH + ", " + "kW=" + kW + ", " + "strideH=" + strideH + ", " + "strideW=" + strideW
                + ", " + "padH=" + padH + ", " + "padW=" + padW + ")";
    }
}
