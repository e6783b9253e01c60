package org.finetune4j.nn.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.finetune4j.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's own images laid out as torchvision's ImageFolder: root/&lt;class&gt;/*.png|jpg|jpeg.
 * Classes are the sub-folder names in sorted order (label = position); files are read sorted.
 * Every image is decoded with javax.imageio, converted to grayscale or RGB, and resized bilinearly
 * to h×w, giving a dataset (n, c, h, w) in [0, 1].
 *
 * <p>An unreadable image either stops the load ({@link OnError#FAIL}, an IOException naming the
 * file) or is skipped ({@link OnError#SKIP}): logged as an SLF4J warning and listed in
 * {@link #skipped()}. Other files (no image extension) are ignored.
 */
public record ImageFolder(Dataset dataset, List<Skipped> skipped) {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

    public enum OnError { SKIP, FAIL }

    public enum Channels {
        GRAY(1),
        RGB(3);

        public final int count;

        Channels(int count) {
            this.count = count;
        }
    }

    /** A file that could not be decoded, and why. */
    public record Skipped(Path path, String reason) {}

    public ImageFolder {
        skipped = List.copyOf(skipped);
    }

    public static ImageFolder load(Path root, Channels channels, int height, int width,
                                   OnError onError) throws IOException {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("target size must be positive, got "
                    + height + "x" + width);
        }
        if (!Files.isDirectory(root)) {
            throw new IOException("image folder " + root + " is not a directory");
        }
        List<Path> classDirs = sorted(root, Files::isDirectory);
        if (classDirs.isEmpty()) {
            throw new IOException("image folder " + root + " has no class sub-folders");
        }
        List<String> classes = new ArrayList<>();
        List<float[]> images = new ArrayList<>();                      // each (c, h, w)
        List<Integer> labels = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Path dir : classDirs) {
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            for (Path file : sorted(dir, ImageFolder::isImageFile)) {
                float[] x;
                try {
                    x = decode(file, channels, height, width);
                } catch (IOException | RuntimeException e) {     // ImageIO plug-ins throw either
                    String reason = e.getMessage() != null ? e.getMessage() : e.toString();
                    if (onError == OnError.FAIL) {
                        throw new IOException("unreadable image " + file + ": " + reason, e);
                    }
                    LOG.warn("skipping unreadable image {}: {}", file, reason);
                    skipped.add(new Skipped(file, reason));
                    continue;
                }
                images.add(x);
                labels.add(label);
            }
        }
        if (images.isEmpty()) {
            throw new IOException("image folder " + root + " has no readable images");
        }
        int sample = channels.count * height * width;
        float[] all = new float[images.size() * sample];              // (n, c, h, w)
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * sample, sample);
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        Tensor t = Tensor.wrap(all, images.size(), channels.count, height, width);
        return new ImageFolder(new Dataset(t, y, classes), skipped);
    }

    private static boolean isImageFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean image = name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
        return image && Files.isRegularFile(p);
    }

    private static List<Path> sorted(Path dir, Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        }
    }

    /** One file as (c, h, w) floats in [0, 1]. */
    static float[] decode(Path file, Channels channels, int height, int width) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException("no image decoder recognises its contents");
        float[] src = channels == Channels.GRAY ? gray(img) : rgb(img);   // (c, ih, iw)
        return resizeBilinear(src, channels.count, img.getHeight(), img.getWidth(), height, width);
    }

    /**
     * Gray levels. A gray image is read from its raster (band 0): getRGB would pass it through
     * the linear gray colour space and brighten it. Anything else uses PIL's convert("L"):
     * L = 0.299 R + 0.587 G + 0.114 B.
     */
    private static float[] gray(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] out = new float[h * w];
        Raster r = img.getRaster();
        if (isGray(img)) {
            float max = (1 << r.getSampleModel().getSampleSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) out[y * w + x] = r.getSample(x, y, 0) / max;
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int red = (p >> 16) & 0xFF;
                int green = (p >> 8) & 0xFF;
                int blue = p & 0xFF;
                out[y * w + x] = (0.299f * red + 0.587f * green + 0.114f * blue) / 255f;
            }
        }
        return out;
    }

    /** Gray or gray + alpha pixels, stored as samples rather than through a palette. */
    private static boolean isGray(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        boolean grayModel = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        return grayModel && !(cm instanceof IndexColorModel);
    }

    /** RGB planes (3, h, w); a gray image is replicated to three planes; alpha is dropped. */
    private static float[] rgb(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int hw = h * w;
        float[] out = new float[3 * hw];
        if (isGray(img)) {
            float[] g = gray(img);
            for (int c = 0; c < 3; c++) System.arraycopy(g, 0, out, c * hw, hw);
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                out[y * w + x] = ((p >> 16) & 0xFF) / 255f;
                out[hw + y * w + x] = ((p >> 8) & 0xFF) / 255f;
                out[2 * hw + y * w + x] = (p & 0xFF) / 255f;
            }
        }
        return out;
    }

    /**
     * Bilinear resize of (c, ih, iw) to (c, oh, ow) with half-pixel centres, as PyTorch's
     * interpolate(mode="bilinear", align_corners=False) without antialiasing:
     *   src = (dst + 0.5) · in/out − 0.5, clamped at 0; neighbours clamped at the border.
     */
    static float[] resizeBilinear(float[] src, int c, int ih, int iw, int oh, int ow) {
        if (ih == oh && iw == ow) return src;
        float[] out = new float[c * oh * ow];
        float scaleY = (float) ih / oh;
        float scaleX = (float) iw / ow;
        for (int y = 0; y < oh; y++) {
            float sy = Math.max((y + 0.5f) * scaleY - 0.5f, 0f);
            int y0 = Math.min((int) sy, ih - 1);
            int y1 = Math.min(y0 + 1, ih - 1);
            float fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                float sx = Math.max((x + 0.5f) * scaleX - 0.5f, 0f);
                int x0 = Math.min((int) sx, iw - 1);
                int x1 = Math.min(x0 + 1, iw - 1);
                float fx = sx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int base = ch * ih * iw;
                    int r0 = base + y0 * iw;                   // rows y0 and y1 of channel ch
                    int r1 = base + y1 * iw;
                    float top = src[r0 + x0] * (1 - fx) + src[r0 + x1] * fx;
                    float bottom = src[r1 + x0] * (1 - fx) + src[r1 + x1] * fx;
                    out[(ch * oh + y) * ow + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return out;
    }
}
