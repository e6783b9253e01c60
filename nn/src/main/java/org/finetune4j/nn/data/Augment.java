package org.finetune4j.nn.data;

import org.finetune4j.tensor.Rng;

/**
 * Training-time augmentation of a batch (n, c, h, w), in place, per sample, in torchvision's order:
 * RandomCrop(size = (h, w), padding = {@code cropPadding}) then RandomHorizontalFlip(p = 0.5).
 *
 * <p>The crop pads with zeros (black on the [0, 1] scale; the {@link Loader} normalises after
 * augmenting, as torchvision pipelines do) and cuts an h×w window at a uniform offset in
 * [0, 2·padding]², i.e. shifts the image by up to ±padding pixels. Draws per sample, in order:
 * crop row offset, crop column offset (when padding > 0), flip coin (when flipping). The same Rng
 * state therefore gives the same result.
 */
public record Augment(int cropPadding, boolean horizontalFlip) {
    public static final Augment NONE = new Augment(0, false);

    public Augment {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("crop padding must be >= 0, got " + cropPadding);
        }
    }

    public boolean isNone() {
        return cropPadding == 0 && !horizontalFlip;
    }

    /** Augments x (n, c, h, w) in place, drawing from {@code rng} as the class comment says. */
    public void applyInPlace(float[] x, int n, int c, int h, int w, Rng rng) {
        if (isNone()) return;
        float[] plane = new float[h * w];                            // (h, w) scratch for one shift
        for (int i = 0; i < n; i++) {
            int dy = 0;
            int dx = 0;
            if (cropPadding > 0) {
                dy = rng.nextInt(2 * cropPadding + 1) - cropPadding;   // window start − padding
                dx = rng.nextInt(2 * cropPadding + 1) - cropPadding;
            }
            boolean flip = horizontalFlip && rng.nextInt(2) == 1;
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * h * w;
                if (dy != 0 || dx != 0) shift(x, base, h, w, dy, dx, plane);
                if (flip) flipRows(x, base, h, w);
            }
        }
    }

    /** out[y, x] = in[y + dy, x + dx], 0 outside: the padded crop, without building the padding. */
    private static void shift(float[] x, int base, int h, int w, int dy, int dx, float[] plane) {
        System.arraycopy(x, base, plane, 0, h * w);
        for (int y = 0; y < h; y++) {
            int sy = y + dy;
            for (int col = 0; col < w; col++) {
                int sx = col + dx;
                boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                x[base + y * w + col] = inside ? plane[sy * w + sx] : 0f;
            }
        }
    }

    private static void flipRows(float[] x, int base, int h, int w) {
        for (int y = 0; y < h; y++) {
            int row = base + y * w;
            for (int a = 0, b = w - 1; a < b; a++, b--) {
                float t = x[row + a];
                x[row + a] = x[row + b];
                x[row + b] = t;
            }
        }
    }
}
