package org.finetune4j.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generator of the embedded Fashion-MNIST subset (nn/src/main/resources/org/finetune4j/nn/data/
 * fashion-mnist-mini/, described by the README there). Deterministic, no randomness: from each
 * split it keeps, for every class, the first N images in file order, and writes them in their
 * original relative order as gzip IDX files (level 9), which {@link Idx} reads like the originals.
 *
 * <p>Run from the repository root, with nn's main and test classes on CLASSES:
 * java -cp CLASSES org.finetune4j.nn.data.MakeFashionMnistMini /usr/share/datasets/fashion-mnist \
 *     nn/src/main/resources/org/finetune4j/nn/data/fashion-mnist-mini 500 200
 */
public final class MakeFashionMnistMini {
    private MakeFashionMnistMini() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: MakeFashionMnistMini SOURCE_DIR OUT_DIR"
                    + " TRAIN_PER_CLASS TEST_PER_CLASS");
            System.exit(2);
        }
        Path source = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        write(source, out, FashionMnist.Split.TRAIN, Integer.parseInt(args[2]));
        write(source, out, FashionMnist.Split.TEST, Integer.parseInt(args[3]));
    }

    private static void write(Path source, Path out, FashionMnist.Split split, int perClass)
            throws IOException {
        Idx.Data images = Idx.read(source.resolve(split.images() + ".gz"));
        Idx.Data labels = Idx.read(source.resolve(split.labels() + ".gz"));
        int n = labels.count();
        int classes = FashionMnist.CLASSES.size();
        int pixels = images.dims()[1] * images.dims()[2];
        int[] taken = new int[classes];
        byte[] keptImages = new byte[classes * perClass * pixels];
        byte[] keptLabels = new byte[classes * perClass];
        int m = 0;
        for (int i = 0; i < n && m < keptLabels.length; i++) {
            int k = labels.values()[i] & 0xFF;
            if (taken[k] == perClass) continue;
            taken[k]++;
            System.arraycopy(images.values(), i * pixels, keptImages, m * pixels, pixels);
            keptLabels[m++] = (byte) k;
        }
        if (m != keptLabels.length) {
            throw new IOException(split + ": only " + m + " images found for " + perClass
                    + " per class");
        }
        Path img = out.resolve(split.images() + ".gz");
        Path lab = out.resolve(split.labels() + ".gz");
        Idx.write(img, new int[] {m, images.dims()[1], images.dims()[2]}, keptImages, true);
        Idx.write(lab, new int[] {m}, keptLabels, true);
        System.out.printf("%s: %d images (%d per class) -> %s (%d bytes), %s (%d bytes)%n",
                split, m, perClass, img, Files.size(img), lab, Files.size(lab));
    }
}
