package org.finetune4j.nn.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors header: parsing with full validation, and building for the writer. parse()
 * either returns entries whose byte ranges tile the data region exactly (sorted by offset,
 * contiguous, sizes matching dtype × shape) or throws; only then does the reader allocate tensor
 * memory, so every allocation is bounded by the real file size.
 */
final class Header {
    static final String METADATA = "__metadata__";
    static final int MAX_RANK = 64;                        // far above any layer's; bounds int[]
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;   // Shape's cap: a Java array's

    record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
        int elements() {
            return (int) ((end - begin) / dtype.bytes);
        }

        @Override
        public String toString() {
            return Json.show(name) + " (" + dtype + " " + Arrays.toString(shape)
                    + ", data_offsets [" + begin + ", " + end + "])";
        }
    }

    /** Entries in header order, and the string map of __metadata__ (empty when absent). */
    record Parsed(List<Entry> entries, Map<String, String> metadata) {}

    private Header() {}

    /** Parses and validates a header of the given UTF-8 bytes over a data region of dataBytes. */
    static Parsed parse(byte[] utf8, long dataBytes) throws SafetensorsException {
        Json.Reader r = new Json.Reader(decodeUtf8(utf8));
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        Set<String> seen = new HashSet<>();
        r.beginObject("the header");
        while (r.hasNext()) {
            String name = r.nextName();
            if (!seen.add(name)) throw r.error("duplicate key " + Json.show(name));
            if (name.equals(METADATA)) metadata = readMetadata(r);
            else entries.add(readEntry(r, name));
        }
        r.end();
        checkLayout(entries, dataBytes);
        return new Parsed(Collections.unmodifiableList(entries), metadata);
    }

    private static String decodeUtf8(byte[] utf8) throws SafetensorsException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length);   // UTF-16 units ≤ UTF-8 bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            int at = in.position();
            throw new SafetensorsException("header is not valid UTF-8: bad byte 0x"
                    + Integer.toHexString(utf8[at] & 0xFF) + " at header byte " + at);
        }
        return out.flip().toString();
    }

    private static Map<String, String> readMetadata(Json.Reader r) throws SafetensorsException {
        Map<String, String> metadata = new LinkedHashMap<>();
        r.beginObject(METADATA);
        while (r.hasNext()) {
            String key = r.nextName();
            if (metadata.containsKey(key)) {
                throw r.error("duplicate " + METADATA + " key " + Json.show(key));
            }
            metadata.put(key, r.readString(METADATA + " value of " + Json.show(key)));
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry readEntry(Json.Reader r, String name) throws SafetensorsException {
        String dtype = null;
        int[] shape = null;
        long[] offsets = null;
        String what = "tensor " + Json.show(name);
        r.beginObject(what);
        while (r.hasNext()) {
            String field = r.nextName();
            boolean duplicate = switch (field) {
                case "dtype" -> dtype != null;
                case "shape" -> shape != null;
                case "data_offsets" -> offsets != null;
                default -> throw r.error(what + " has unknown field " + Json.show(field));
            };
            if (duplicate) throw r.error(what + " has field '" + field + "' twice");
            switch (field) {
                case "dtype" -> dtype = r.readString(what + " dtype");
                case "shape" -> shape = readShape(r, what);
                default -> offsets = readOffsets(r, what);
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw r.error(what + " lacks one of dtype, shape, data_offsets");
        }
        Dtype d = Dtype.parse(dtype, name);
        long elements = 1;
        for (int dim : shape) {
            elements *= dim;                               // ≤ 2^31 · 2^31: cannot overflow
            if (elements > MAX_ELEMENTS) {
                throw new SafetensorsException(what + " shape " + Arrays.toString(shape)
                        + " has more than " + MAX_ELEMENTS + " elements");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafetensorsException(what + " data_offsets [" + begin + ", " + end
                    + "] end before they begin");
        }
        if (end - begin != elements * d.bytes) {
            throw new SafetensorsException(what + " is " + d + " " + Arrays.toString(shape) + ", "
                    + elements * d.bytes + " bytes, but its data_offsets [" + begin + ", " + end
                    + "] span " + (end - begin));
        }
        return new Entry(name, d, shape, begin, end);
    }

    private static int[] readShape(Json.Reader r, String what) throws SafetensorsException {
        int[] dims = new int[MAX_RANK];
        int rank = 0;
        r.beginArray(what + " shape");
        while (r.hasNext()) {
            if (rank == MAX_RANK) {
                throw r.error(what + " has more than " + MAX_RANK + " dimensions");
            }
            long d = r.readNonNegativeLong(what + " dimension");
            if (d > Integer.MAX_VALUE) throw r.error(what + " dimension " + d + " is too large");
            dims[rank++] = (int) d;
        }
        return Arrays.copyOf(dims, rank);
    }

    private static long[] readOffsets(Json.Reader r, String what) throws SafetensorsException {
        long[] offsets = new long[2];
        r.beginArray(what + " data_offsets");
        for (int i = 0; i < 2; i++) {
            if (!r.hasNext()) throw r.error(what + " data_offsets must hold two integers");
            offsets[i] = r.readNonNegativeLong(what + " data offset");
        }
        if (r.hasNext()) throw r.error(what + " data_offsets must hold exactly two integers");
        return offsets;
    }

    /** The format's rule: sorted by offset, the ranges are contiguous and end at the file's end. */
    private static void checkLayout(List<Entry> entries, long dataBytes)
            throws SafetensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < next) {
                throw new SafetensorsException("tensor " + e + " overlaps tensor " + previous);
            }
            if (e.begin() > next) {
                throw new SafetensorsException("gap of " + (e.begin() - next)
                        + " bytes before tensor " + e + "; the format requires contiguous data");
            }
            next = e.end();
            previous = e;
        }
        if (next > dataBytes) {
            throw new SafetensorsException("tensor " + previous + " ends at data byte " + next
                    + " but the file holds only " + dataBytes + " data bytes (truncated file?)");
        }
        if (next < dataBytes) {
            throw new SafetensorsException((dataBytes - next) + " data bytes after the last tensor"
                    + " belong to no tensor (header and file disagree)");
        }
    }

    /** The header for tensors laid out in the given order, space-padded to a multiple of 8. */
    static byte[] build(List<Entry> entries, Map<String, String> metadata) {
        StringBuilder b = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            b.append(Json.quote(METADATA)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                b.append(sep).append(Json.quote(m.getKey())).append(':')
                        .append(Json.quote(m.getValue()));
                sep = ",";
            }
            b.append('}');
            if (!entries.isEmpty()) b.append(',');
        }
        String sep = "";
        for (Entry e : entries) {
            b.append(sep).append(Json.quote(e.name())).append(":{\"dtype\":\"").append(e.dtype())
                    .append("\",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) {
                b.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            b.append("],\"data_offsets\":[").append(e.begin()).append(',').append(e.end())
                    .append("]}");
            sep = ",";
        }
        b.append('}');
        byte[] json = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) & ~7);   // 8 + N stays 8-aligned
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }
}
