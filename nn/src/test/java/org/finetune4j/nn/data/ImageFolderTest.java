package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.finetune4j.nn.data.ImageFolder.Channels;
import org.finetune4j.nn.data.ImageFolder.OnError;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** root/<class>/*.png|jpg via javax.imageio: classes, colour conversion, resizing, bad files. */
class ImageFolderTest {
    @TempDir
    Path root;

    private Path broken;
    private Path truncated;

    /** One image of one colour (0xRRGGBB), of the given ImageIO type. */
    private static BufferedImage filled(int h, int w, int type, int rgb) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        }
        return img;
    }

    private static BufferedImage gray(int h, int w, int level) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, level);
        }
        return img;
    }

    @BeforeEach
    void writeImages() throws IOException {
        Path cats = Files.createDirectories(root.resolve("cat"));
        Path dogs = Files.createDirectories(root.resolve("dog"));
        ImageIO.write(gray(4, 4, 128), "png", cats.resolve("a.png").toFile());
        BufferedImage red = filled(8, 6, BufferedImage.TYPE_INT_RGB, 0xFF0000);   // resized to 4×4
        ImageIO.write(red, "png", cats.resolve("b.PNG").toFile());
        BufferedImage blue = filled(4, 4, BufferedImage.TYPE_INT_RGB, 0x0000FF);
        ImageIO.write(blue, "jpg", dogs.resolve("c.jpg").toFile());
        broken = dogs.resolve("d.png");
        Files.write(broken, "this is not a PNG".getBytes());
        truncated = dogs.resolve("e.png");
        byte[] png = Files.readAllBytes(cats.resolve("b.PNG"));
        Files.write(truncated, Arrays.copyOf(png, png.length / 2));
        Files.write(dogs.resolve("notes.txt"), "ignored: not an image".getBytes());
    }

    @Test
    void skipsUnreadableImagesAndReportsTheirPaths() throws IOException {
        ImageFolder folder = ImageFolder.load(root, Channels.RGB, 4, 4, OnError.SKIP);
        Dataset d = folder.dataset();
        assertEquals(List.of("cat", "dog"), d.classes());
        assertArrayEquals(new int[] {3, 3, 4, 4}, d.images().dims());
        assertArrayEquals(new int[] {0, 0, 1}, d.labels());
        List<Path> skipped = folder.skipped().stream().map(ImageFolder.Skipped::path).toList();
        assertEquals(List.of(broken, truncated), skipped);
        for (ImageFolder.Skipped s : folder.skipped()) {
            assertFalse(s.reason().isBlank(), s.toString());
        }
    }

    @Test
    void failsOnAnUnreadableImageWhenAsked() {
        IOException e = assertThrows(IOException.class,
                () -> ImageFolder.load(root, Channels.GRAY, 4, 4, OnError.FAIL));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    @Test
    void readsGrayExactlyAndConvertsColourAsPil() throws IOException {
        ImageFolder.Channels g = Channels.GRAY;
        Dataset gray = ImageFolder.load(root, g, 4, 4, OnError.SKIP).dataset();
        float[] x = gray.images().data();                              // (3, 1, 4, 4)
        assertEquals(128 / 255f, x[0], "gray level 128 is not brightened by a colour-space trip");
        assertEquals(0.299f, x[16], 1e-6f, "red to gray: L = 0.299 R + 0.587 G + 0.114 B");
        Dataset rgb = ImageFolder.load(root, Channels.RGB, 4, 4, OnError.SKIP).dataset();
        float[] y = rgb.images().data();                               // (3, 3, 4, 4)
        assertEquals(128 / 255f, y[16], "gray is replicated to every channel");
        assertArrayEquals(new float[] {1f, 0f, 0f}, new float[] {y[48], y[64], y[80]}, "red");
        assertTrue(y[96 + 2 * 16] > 0.9f && y[96] < 0.1f, "the JPEG is blue: " + y[96 + 32]);
    }

    @Test
    void resizesLikePyTorchBilinearWithoutAlignCorners() {
        float[] src = {0, 1, 2, 3};                                     // (1, 2, 2)
        float[] out = ImageFolder.resizeBilinear(src, 1, 2, 2, 4, 4);
        // torch.nn.functional.interpolate(x, size=(4, 4), mode="bilinear", align_corners=False)
        float[] torch = {0f, 0.25f, 0.75f, 1f, 0.5f, 0.75f, 1.25f, 1.5f,
                         1.5f, 1.75f, 2.25f, 2.5f, 2f, 2.25f, 2.75f, 3f};
        assertArrayEquals(torch, out, 1e-6f, Arrays.toString(out));
        float[] down = ImageFolder.resizeBilinear(out, 1, 4, 4, 2, 2);
        float[] torchDown = {0.375f, 1.125f, 1.875f, 2.625f};
        assertArrayEquals(torchDown, down, 1e-6f, Arrays.toString(down));
        float[] odd = ImageFolder.resizeBilinear(src, 1, 2, 2, 3, 5);   // ratios 2/3 and 2/5
        float[] torchOdd = {0f, 0.1f, 0.5f, 0.9f, 1f,
                            1f, 1.1f, 1.5f, 1.9f, 2f,
                            2f, 2.1f, 2.5f, 2.9f, 3f};
        assertArrayEquals(torchOdd, odd, 1e-6f, Arrays.toString(odd));
    }
}
