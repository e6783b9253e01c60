package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.finetune4j.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idx reads what it writes, raw and gzip, and rejects each kind of broken file, clearly. */
class IdxTest {
    @TempDir
    Path dir;

    static byte[] randomBytes(int n, long seed) {
        Rng rng = Rng.seeded(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) rng.nextInt(256);
        return b;
    }

    /** An IDX header followed by {@code payload}, all big-endian, with any magic and dimensions. */
    static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        buf.putInt(magic);
        for (int d : dims) buf.putInt(d);
        buf.put(payload);
        return buf.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        }
        return out.toByteArray();
    }

    private Path file(String name, byte[] contents) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, contents);
        return p;
    }

    private IOException rejects(Path p, String expectedPhrase) {
        IOException e = assertThrows(IOException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedPhrase),
                "message says '" + expectedPhrase + "': " + e.getMessage());
        return e;
    }

    @Test
    void roundTripsRawAndGzipImagesAndLabels() throws IOException {
        byte[] images = randomBytes(5 * 3 * 4, 1);
        byte[] labels = {0, 9, 3, 3, 7};
        for (boolean gz : new boolean[] {false, true}) {
            Path img = dir.resolve("img" + gz);
            Path lab = dir.resolve("lab" + gz);
            Idx.write(img, new int[] {5, 3, 4}, images, gz);
            Idx.write(lab, new int[] {5}, labels, gz);
            byte[] head = Files.readAllBytes(img);
            boolean gzipMagic = (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b;
            assertEquals(gz, gzipMagic, "gzip magic iff gzip");
            Idx.Data x = Idx.read(img);
            Idx.Data y = Idx.read(lab);
            assertArrayEquals(new int[] {5, 3, 4}, x.dims());
            assertArrayEquals(images, x.values());
            assertArrayEquals(labels, y.values());
            Dataset d = Idx.dataset(x, y, FashionMnist.CLASSES);
            assertArrayEquals(new int[] {5, 1, 3, 4}, d.images().dims());
            assertEquals((images[13] & 0xFF) / 255f, d.images().data()[13]);
            assertArrayEquals(new int[] {0, 9, 3, 3, 7}, d.labels());
        }
    }

    @Test
    void readsAStreamOfUnknownLength() throws IOException {
        byte[] raw = idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 2}, randomBytes(8, 2));
        for (byte[] contents : List.of(raw, gzip(raw))) {
            Idx.Data d = Idx.read("mem", new ByteArrayInputStream(contents));
            assertArrayEquals(new int[] {2, 2, 2}, d.dims());
        }
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        rejects(file("empty", new byte[0]), "empty file");
    }

    @Test
    void rejectsAWrongMagicNumber() throws IOException {
        Path floats = file("float", idx(0x00000D03, new int[] {1, 1, 1}, new byte[4]));
        rejects(floats, "bad magic number 0x00000D03");
        rejects(file("text", "hello world, not IDX".getBytes()), "bad magic number");
    }

    @Test
    void rejectsAbsurdDimensionCounts() throws IOException {
        rejects(file("rank0", idx(0x00000800, new int[0], new byte[0])), "of 1 to 4 dimensions");
        Path rank255 = file("rank255", idx(0x000008FF, new int[] {1}, new byte[1]));
        rejects(rank255, "bad magic number 0x000008FF");
    }

    @Test
    void rejectsNegativeOrZeroDimensions() throws IOException {
        Path negative = file("neg", idx(Idx.IMAGES_MAGIC, new int[] {2, -28, 28}, new byte[0]));
        rejects(negative, "dimension 1 is -28");
        Path zero = file("zero", idx(Idx.LABELS_MAGIC, new int[] {0}, new byte[0]));
        rejects(zero, "dimension 0 is 0");
    }

    @Test
    void rejectsHeaderSizesBeyondTheFileBeforeAllocating() throws IOException {
        int big = Integer.MAX_VALUE;
        int[] huge = {big, big, big};
        Path overflow = file("overflow", idx(Idx.IMAGES_MAGIC, huge, new byte[0]));
        rejects(overflow, "more than");
        rejects(file("claims", idx(Idx.IMAGES_MAGIC, new int[] {60000, 28, 28}, new byte[10])),
                "47040000 data bytes");
        byte[] claims = idx(Idx.IMAGES_MAGIC, new int[] {40000, 200, 200}, new byte[10]);
        Path gz = file("claims.gz", gzip(claims));
        rejects(gz, "more than a");                                    // over deflate's 1032x ratio
        byte[] twoGb = gzip(idx(Idx.IMAGES_MAGIC, new int[] {2000, 1000, 1000}, new byte[9]));
        IOException e = assertThrows(IOException.class,
                () -> Idx.read("big", new ByteArrayInputStream(twoGb)));   // length unknown
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());  // no 2 GB buffer first
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] raw = idx(Idx.IMAGES_MAGIC, new int[] {4, 5, 5}, randomBytes(100, 3));
        rejects(file("short", java.util.Arrays.copyOf(raw, 60)), "truncated?");
        rejects(file("header", java.util.Arrays.copyOf(raw, 9)), "truncated header");
        byte[] gz = gzip(raw);
        rejects(file("short.gz", java.util.Arrays.copyOf(gz, gz.length - 30)), "truncated");
        rejects(file("under.gz", gzip(java.util.Arrays.copyOf(raw, 80))), "data ends after 64");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] raw = idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[5]);
        rejects(file("long", raw), "the file has 13 bytes");
        rejects(file("long.gz", gzip(raw)), "unexpected bytes after");
    }

    @Test
    void rejectsGarbageThatStartsWithTheGzipMagic() throws IOException {
        byte[] garbage = randomBytes(200, 4);
        garbage[0] = 0x1f;
        garbage[1] = (byte) 0x8b;
        rejects(file("garbage.gz", garbage), "gzip");
    }

    @Test
    void rejectsMismatchedImageAndLabelCounts() throws IOException {
        Idx.write(dir.resolve("img"), new int[] {3, 2, 2}, new byte[12], false);
        Idx.write(dir.resolve("lab"), new int[] {4}, new byte[4], false);
        IOException e = assertThrows(IOException.class, () -> Idx.dataset(
                Idx.read(dir.resolve("img")), Idx.read(dir.resolve("lab")), FashionMnist.CLASSES));
        assertTrue(e.getMessage().contains("holds 3 images"), e.getMessage());
        assertTrue(e.getMessage().contains("holds 4 labels"), e.getMessage());
    }

    @Test
    void rejectsLabelsOutsideTheClasses() throws IOException {
        Idx.write(dir.resolve("img"), new int[] {2, 1, 1}, new byte[2], true);
        Idx.write(dir.resolve("lab"), new int[] {2}, new byte[] {1, 10}, true);
        IOException e = assertThrows(IOException.class, () -> Idx.dataset(
                Idx.read(dir.resolve("img")), Idx.read(dir.resolve("lab")), FashionMnist.CLASSES));
        assertTrue(e.getMessage().contains("label 10 at index 1"), e.getMessage());
    }

    @Test
    void rejectsImagesGivenAsLabels() throws IOException {
        Idx.write(dir.resolve("img"), new int[] {2, 1, 1}, new byte[2], false);
        IOException e = assertThrows(IOException.class, () -> Idx.dataset(
                Idx.read(dir.resolve("img")), Idx.read(dir.resolve("img")), FashionMnist.CLASSES));
        assertTrue(e.getMessage().contains("expected labels"), e.getMessage());
    }
}
