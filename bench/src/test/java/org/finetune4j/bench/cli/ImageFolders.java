package org.finetune4j.bench.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes a small train/ + test/ image folder of gray PNGs, one bright band per class (tests). */
final class ImageFolders {
    private ImageFolders() {}

    static Path write(Path root, int classes, int trainPerClass, int testPerClass)
            throws IOException {
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? trainPerClass : testPerClass;
            for (int c = 0; c < classes; c++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve("class" + c));
                for (int i = 0; i < n; i++) {
                    ImageIO.write(image(c, classes, i), "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }

    /** 32x32 (resized to 28x28 on load): a horizontal band whose height depends on the class. */
    private static BufferedImage image(int c, int classes, int i) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        int band = 32 * c / classes;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean on = y >= band && y < band + 32 / classes;
                int noise = ((x * 31 + y * 17 + i * 7) % 23) * 2;
                img.getRaster().setSample(x, y, 0, on ? 210 + noise / 2 : noise);
            }
        }
        return img;
    }
}
