package org.finetune4j.nn.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.tensor.CpuStorage;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets}, …,
 * "__metadata__": {string: string}}, then the raw little-endian tensor bytes.
 *
 * <p>Reading widens F16, BF16 and exactly representable I64 to float32, and either returns every
 * tensor or throws {@link SafetensorsException}: the header is validated completely (size cap,
 * UTF-8, JSON, dtypes, shapes, offsets tiling the data exactly) before any tensor memory is
 * allocated. Writing is deterministic: I64 before F32 (the reference implementation's
 * largest-dtype-first order keeps every tensor aligned), then by name; file writes are atomic.
 */
public final class Safetensors {
    /** The reference implementation's cap; a larger header is treated as corrupt or hostile. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int CHUNK = 1 << 20;              // bytes per I/O buffer; a multiple of 8

    /** A file's tensors in header order and its __metadata__ (both unmodifiable). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private Safetensors() {}

    // ---------------------------------------------------------------- reading

    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(new ChannelSource(ch), file.toString());
        }
    }

    public static Contents read(byte[] bytes) throws IOException {
        return read(new ArraySource(bytes), "safetensors bytes");
    }

    private static Contents read(Source src, String what) throws IOException {
        try {
            return readValidated(src);
        } catch (SafetensorsException e) {
            throw new SafetensorsException(what + ": " + e.getMessage(), e);
        }
    }

    private static Contents readValidated(Source src) throws IOException {
        long size = src.size();
        if (size < 8) {
            throw new SafetensorsException(size + " bytes cannot hold the 8-byte header length"
                    + " (truncated?)");
        }
        ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(0, lengthField);
        long n = lengthField.getLong(0);                   // unsigned in the format: < 0 is ≥ 2^63
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsException("header length " + Long.toUnsignedString(n)
                    + " exceeds the cap of " + MAX_HEADER_BYTES
                    + " bytes (corrupt or hostile file)");
        }
        if (n > size - 8) {
            throw new SafetensorsException("header length " + n + " exceeds the " + (size - 8)
                    + " bytes after the length field (truncated?)");
        }
        byte[] headerBytes = new byte[(int) n];
        src.readFully(8, ByteBuffer.wrap(headerBytes));
        Header.Parsed header = Header.parse(headerBytes, size - 8 - n);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, size - 8 - n))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Header.Entry e : header.entries()) {
            float[] values = new float[e.elements()];      // bounded by the checked file size
            readTensor(src, 8 + n, e, chunk, values);
            tensors.put(e.name(), Tensor.wrap(values, Shape.of(e.shape())));
        }
        return new Contents(Collections.unmodifiableMap(tensors), header.metadata());
    }

    private static void readTensor(Source src, long dataStart, Header.Entry e, ByteBuffer chunk,
                                   float[] out) throws IOException {
        long pos = dataStart + e.begin();
        int done = 0;
        while (done < out.length) {
            int count = (int) Math.min(out.length - done, chunk.capacity() / e.dtype().bytes);
            chunk.clear().limit(count * e.dtype().bytes);
            src.readFully(pos, chunk);
            chunk.flip();
            e.dtype().decode(chunk, out, done, count, e.name());
            done += count;
            pos += (long) count * e.dtype().bytes;
        }
    }

    /** Positional reads, so the real size is known before any allocation. */
    private interface Source {
        long size() throws IOException;

        void readFully(long pos, ByteBuffer dst) throws IOException;
    }

    private record ChannelSource(FileChannel ch) implements Source {
        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public void readFully(long pos, ByteBuffer dst) throws IOException {
            while (dst.hasRemaining()) {
                int got = ch.read(dst, pos);
                if (got < 0) {
                    throw new SafetensorsException("file ended at byte " + pos
                            + " (changed while reading?)");
                }
                pos += got;
            }
        }
    }

    private record ArraySource(byte[] bytes) implements Source {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void readFully(long pos, ByteBuffer dst) {
            dst.put(bytes, (int) pos, dst.remaining());
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes tensors (float32; num_batches_tracked as I64) and metadata atomically to file. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Plan plan = plan(tensors, metadata);
        AtomicFile.write(file, out -> plan.writeTo(out));
    }

    public static void write(OutputStream out, Map<String, Tensor> tensors,
                             Map<String, String> metadata) throws IOException {
        plan(tensors, metadata).writeTo(out);
    }

    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            plan(tensors, metadata).writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("a ByteArrayOutputStream does not fail", e);
        }
        return out.toByteArray();
    }

    /** PyTorch's dtype for BatchNorm's counter; it rejects a float there on strict loading. */
    static Dtype writtenDtype(String name) {
        return name.endsWith("num_batches_tracked") ? Dtype.I64 : Dtype.F32;
    }

    /** Everything checked and laid out before the first byte is written. */
    private static Plan plan(Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort(Comparator.comparing((String k) -> writtenDtype(k) == Dtype.I64 ? 0 : 1)
                .thenComparing(Comparator.naturalOrder()));
        List<Header.Entry> entries = new ArrayList<>();
        List<Tensor> order = new ArrayList<>();
        long offset = 0;
        for (String name : names) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("tensor " + Json.show(name) + " is null");
            }
            if (name.equals(Header.METADATA)) {
                throw new IllegalArgumentException("'__metadata__' is reserved, not a tensor name");
            }
            Dtype dtype = writtenDtype(name);
            if (dtype == Dtype.I64) checkIntegral(name, t);
            long bytes = (long) t.size() * dtype.bytes;
            entries.add(new Header.Entry(name, dtype, t.dims(), offset, offset + bytes));
            order.add(t);
            offset += bytes;
        }
        metadata.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("null metadata key or value");
            }
        });
        byte[] header = Header.build(entries, metadata);
        if (header.length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + header.length
                    + " bytes exceeds the cap readers enforce");
        }
        return new Plan(header, entries, order);
    }

    private static void checkIntegral(String name, Tensor t) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) >= 0x1p63f) {
                throw new IllegalArgumentException("tensor " + Json.show(name)
                        + " is written as I64 (as PyTorch stores it) but holds " + v[i] + " at index " + i
                        + ", not an integer");
            }
        }
    }

    private record Plan(byte[] header, List<Header.Entry> entries, List<Tensor> tensors) {
        void writeTo(OutputStream out) throws IOException {
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            chunk.putLong(header.length);
            out.write(chunk.array(), 0, 8);
            out.write(header);
            for (int i = 0; i < entries.size(); i++) {
                Tensor t = tensors.get(i);
                // No copy on the CPU; other devices download.
                float[] v = t.storage() instanceof CpuStorage ? t.data() : t.toArray();
                writeValues(out, v, entries.get(i).dtype(), chunk);
            }
            out.flush();
        }
    }

    private static void writeValues(OutputStream out, float[] v, Dtype dtype, ByteBuffer chunk)
            throws IOException {
        int perChunk = CHUNK / dtype.bytes;
        for (int from = 0; from < v.length; from += perChunk) {
            int count = Math.min(perChunk, v.length - from);
            chunk.clear();
            if (dtype == Dtype.I64) {
                for (int i = 0; i < count; i++) chunk.putLong((long) v[from + i]);
            } else {
                chunk.asFloatBuffer().put(v, from, count);
                chunk.position(4 * count);
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }
}
