package org.finetune4j.nn.data;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.finetune4j.tensor.Tensor;

/**
 * Reader and writer for IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed; gzip
 * is recognised by its magic bytes 1f 8b, not by the file name. Only unsigned-byte data (type code
 * 0x08) of rank 1 to 4 is supported: magic 0x00000801 for labels, 0x00000803 for images.
 *
 * <p>Hostile input is expected: every header field is validated, and declared sizes are checked
 * against the real file length before anything large is allocated. A compressed stream is read
 * in growing chunks, so memory tracks the bytes actually present, never the header's claim.
 * Every error is an IOException whose message names the file and what is wrong.
 * Format: http://yann.lecun.com/exdb/mnist/ ("THE IDX FILE FORMAT").
 */
public final class Idx {
    public static final int LABELS_MAGIC = 0x00000801;   // ubyte, 1 dimension
    public static final int IMAGES_MAGIC = 0x00000803;   // ubyte, 3 dimensions
    private static final int UBYTE = 0x08;
    private static final int MAX_RANK = 4;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;   // the JVM's largest byte[]
    private static final long DEFLATE_MAX_RATIO = 1032;      // deflate never expands more than this
    private static final int CHUNK = 1 << 20;                    // first buffer for compressed data

    private Idx() {}

    /** The contents of one IDX file: its dimensions and the unsigned bytes, row-major. */
    public record Data(String source, int[] dims, byte[] values) {
        public int count() {
            return dims[0];
        }
    }

    public static Data read(Path file) throws IOException {
        String source = "IDX file " + file;
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new IOException(source + ": cannot read (" + e + ")", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(source, in, length);
        }
    }

    /** Reads a stream of unknown length (a classpath resource); {@code name} is used in errors. */
    public static Data read(String name, InputStream in) throws IOException {
        return read("IDX stream " + name, in, -1);
    }

    private static Data read(String source, InputStream raw, long fileLength) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 < 0) {
            throw new IOException(source + ": empty file (0 bytes), expected an IDX header");
        }
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        InputStream in = buffered;
        if (gzip) {
            try {
                in = new GZIPInputStream(buffered, 1 << 16);
            } catch (IOException e) {
                throw new IOException(source + ": starts with the gzip magic 1f 8b but has no"
                        + " valid gzip header (" + describe(e) + ")", e);
            }
        }
        int[] dims = readHeader(source, in);
        long declared = 1;                                     // data bytes the header promises
        for (int d : dims) declared *= d;                      // ≤ MAX_ARRAY: readHeader checked
        checkFits(source, dims, declared, gzip, fileLength);
        // A raw file's length was checked, so its buffer can be allocated whole; a gzip or
        // unknown-length stream gets a small buffer that grows only as data arrives.
        boolean trusted = !gzip && fileLength >= 0;
        int firstBuffer = (int) (trusted ? declared : Math.min(declared, CHUNK));
        return new Data(source, dims, readData(source, in, gzip, declared, firstBuffer));
    }

    /** Magic number and dimensions, each validated as soon as it is read. */
    private static int[] readHeader(String source, InputStream in) throws IOException {
        int magic = readInt(source, in, "magic number");
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UBYTE || rank < 1 || rank > MAX_RANK) {
            throw new IOException(source + ": bad magic number " + hex(magic) + ", expected "
                    + hex(LABELS_MAGIC) + " (labels) or " + hex(IMAGES_MAGIC) + " (images):"
                    + " unsigned-byte data (0x08) of 1 to " + MAX_RANK + " dimensions");
        }
        int[] dims = new int[rank];
        long product = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = readInt(source, in, "dimension " + i + " of " + rank);
            if (dims[i] <= 0) {
                throw new IOException(source + ": dimension " + i + " is " + dims[i]
                        + "; every dimension must be positive");
            }
            product *= dims[i];                // < 2^31 · 2^31: a long cannot overflow here
            if (product > MAX_ARRAY) {
                throw new IOException(source + ": header declares dimensions starting "
                        + Arrays.toString(Arrays.copyOf(dims, i + 1)) + ", more than "
                        + MAX_ARRAY + " bytes");
            }
        }
        return dims;
    }

    /** The declared size must match a raw file's length, or be reachable from a gzip file's. */
    private static void checkFits(String source, int[] dims, long declared, boolean gzip,
                                  long fileLength) throws IOException {
        if (fileLength < 0) return;                            // a stream: readData grows instead
        long header = 4L + 4L * dims.length;
        if (!gzip && header + declared != fileLength) {
            throw new IOException(source + ": header declares " + Arrays.toString(dims) + " = "
                    + declared + " data bytes after a " + header + "-byte header ("
                    + (header + declared) + " in all) but the file has " + fileLength + " bytes"
                    + (fileLength < header + declared ? " (truncated?)" : ""));
        }
        if (gzip && declared > fileLength * DEFLATE_MAX_RATIO) {
            throw new IOException(source + ": header declares " + Arrays.toString(dims) + " = "
                    + declared + " data bytes, more than a " + fileLength
                    + "-byte gzip file can hold (deflate expands at most "
                    + DEFLATE_MAX_RATIO + "x)");
        }
    }

    /** Reads exactly {@code declared} bytes, growing the buffer as data really arrives. */
    private static byte[] readData(String source, InputStream in, boolean gzip, long declared,
                                   int firstBuffer) throws IOException {
        byte[] buf = new byte[firstBuffer];
        int filled = 0;
        while (filled < declared) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(declared, 2L * buf.length));
            }
            String where = "after " + filled + " of " + declared + " data bytes";
            int r = readSome(source, in, buf, filled, buf.length - filled, where);
            if (r < 0) {
                throw new IOException(source + ": truncated: header declares " + declared
                        + " data bytes but the " + (gzip ? "decompressed " : "")
                        + "data ends after " + filled);
            }
            filled += r;
        }
        if (readSome(source, in, new byte[1], 0, 1, "after the data") >= 0) {
            throw new IOException(source + ": unexpected bytes after the " + declared
                    + " data bytes the header declares");
        }
        return buf;
    }

    private static int readInt(String source, InputStream in, String what) throws IOException {
        byte[] b = new byte[4];
        int filled = 0;
        while (filled < 4) {
            int r = readSome(source, in, b, filled, 4 - filled, "in the " + what);
            if (r < 0) {
                throw new IOException(source + ": truncated header: ends inside the " + what);
            }
            filled += r;
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /** in.read, with the stream's own errors (bad deflate data, CRC, early EOF) put in context. */
    private static int readSome(String source, InputStream in, byte[] buf, int off, int len,
                                String where) throws IOException {
        try {
            return in.read(buf, off, len);
        } catch (EOFException e) {
            throw new IOException(source + ": truncated gzip stream " + where
                    + " (" + describe(e) + ")", e);
        } catch (IOException e) {
            throw new IOException(source + ": corrupt data " + where + " (" + describe(e) + ")", e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }

    /**
     * Builds a dataset from an images file (n, h, w) and a labels file (n): pixels become
     * floats b/255 in [0, 1] with one channel; each label must name one of {@code classes}.
     */
    public static Dataset dataset(Data images, Data labels, List<String> classes)
            throws IOException {
        if (images.dims().length != 3) {
            throw new IOException(images.source() + ": expected images, magic " + hex(IMAGES_MAGIC)
                    + " (n, rows, cols), but it has " + images.dims().length + " dimensions");
        }
        if (labels.dims().length != 1) {
            throw new IOException(labels.source() + ": expected labels, magic " + hex(LABELS_MAGIC)
                    + " (n), but it has " + labels.dims().length + " dimensions");
        }
        if (images.count() != labels.count()) {
            throw new IOException("image/label count mismatch: " + images.source() + " holds "
                    + images.count() + " images but " + labels.source() + " holds "
                    + labels.count() + " labels");
        }
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.values()[i] & 0xFF;
            if (y[i] >= classes.size()) {
                throw new IOException(labels.source() + ": label " + y[i] + " at index " + i
                        + " is outside 0.." + (classes.size() - 1));
            }
        }
        byte[] px = images.values();
        float[] x = new float[px.length];                              // (n, 1, rows, cols)
        for (int i = 0; i < px.length; i++) x[i] = (px[i] & 0xFF) / 255f;
        int[] d = images.dims();
        return new Dataset(Tensor.wrap(x, d[0], 1, d[1], d[2]), y, classes);
    }

    /** Writes an unsigned-byte IDX file of the given dimensions, gzip-compressed or raw. */
    public static void write(Path file, int[] dims, byte[] values, boolean gzip)
            throws IOException {
        if (dims.length < 1 || dims.length > MAX_RANK) {
            throw new IllegalArgumentException("IDX rank must be 1.." + MAX_RANK + ", got "
                    + dims.length);
        }
        long n = 1;
        for (int d : dims) n *= d;
        if (n != values.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + n
                    + " bytes, got " + values.length);
        }
        try (OutputStream file0 = Files.newOutputStream(file);
             OutputStream sink = gzip ? new BestGzip(file0) : file0;
             DataOutputStream out = new DataOutputStream(sink)) {
            out.writeInt((UBYTE << 8) | dims.length);                  // big-endian, as IDX wants
            for (int d : dims) out.writeInt(d);
            out.write(values);
        }
    }

    /** gzip at level 9: written once, read many times, and the embedded subset must stay small. */
    private static final class BestGzip extends GZIPOutputStream {
        BestGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(9);
        }
    }
}
