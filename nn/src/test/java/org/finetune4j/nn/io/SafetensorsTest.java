package org.finetune4j.nn.io;

import static org.finetune4j.nn.io.Raw.entry;
import static org.finetune4j.nn.io.Raw.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Golden;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    static void assertBitsEqual(String name, Tensor expected, Tensor actual) {
        assertEquals(expected.shape(), actual.shape(), name + " shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            int ei = i;
            assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
                    () -> name + "[" + ei + "]: expected " + e[ei] + ", got " + a[ei]);
        }
    }

    private static Map<String, Tensor> oddTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        float nanWithPayload = Float.intBitsToFloat(0x7FC01234);
        m.put("weird.values", Tensor.of(new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.NEGATIVE_INFINITY, nanWithPayload, 1f / 3}, 6));
        m.put("scalar", Tensor.scalar(2.5f));
        m.put("empty", Tensor.zeros(0, 3));
        m.put("big", Tensor.uniform(Rng.seeded(5), -1f, 1f, 300_000));   // spans two I/O chunks
        m.put("naïve \"quoted\" \\ name\n☃", Tensor.of(new float[] {7f}, 1));
        return m;
    }

    @Test
    void roundTripsTensorsAndMetadataBitExactlyThroughFileAndBytes() throws IOException {
        Map<String, Tensor> tensors = oddTensors();
        Map<String, String> meta = Map.of("note", "ünïcode \"and\" \u0001 control", "epoch", "3");
        Path f = dir.resolve("odd.safetensors");
        Safetensors.write(f, tensors, meta);
        for (Safetensors.Contents back : List.of(Safetensors.read(f),
                Safetensors.read(Safetensors.toBytes(tensors, meta)))) {
            assertEquals(tensors.keySet(), back.tensors().keySet());
            tensors.forEach((k, t) -> assertBitsEqual(k, t, back.tensors().get(k)));
            assertEquals(meta, back.metadata());
        }
        assertArrayEquals(Files.readAllBytes(f), Safetensors.toBytes(tensors, meta));
    }

    @Test
    void writesADeterministicAlignedLayoutWithI64FirstThenByName() throws IOException {
        Map<String, Tensor> forward = new LinkedHashMap<>();
        forward.put("fc.bias", Tensor.of(new float[] {1, 2, 3}, 3));
        forward.put("bn1.num_batches_tracked", Tensor.scalar(7));
        forward.put("a.weight", Tensor.of(new float[] {4}, 1));
        forward.put("bn1.weight", Tensor.of(new float[] {5, 6}, 2));
        Map<String, Tensor> reversed = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(forward.keySet());
        for (int i = keys.size() - 1; i >= 0; i--) {
            reversed.put(keys.get(i), forward.get(keys.get(i)));
        }
        byte[] bytes = Safetensors.toBytes(forward, Map.of());
        assertArrayEquals(bytes, Safetensors.toBytes(reversed, Map.of()), "insertion order leaked");

        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header length keeps the data 8-aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String padding = header.substring(header.lastIndexOf('}') + 1);
        assertTrue(padding.chars().allMatch(c -> c == ' '), "padding must be spaces");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Golden.parseJson(header);
        assertEquals(List.of("bn1.num_batches_tracked", "a.weight", "bn1.weight", "fc.bias"),
                new ArrayList<>(json.keySet()));
        assertEquals("I64", field(json, "bn1.num_batches_tracked", "dtype"));
        assertEquals(List.of(BigDecimal.valueOf(0), BigDecimal.valueOf(8)),
                field(json, "bn1.num_batches_tracked", "data_offsets"));
        assertEquals(List.of(BigDecimal.valueOf(12), BigDecimal.valueOf(20)),
                field(json, "bn1.weight", "data_offsets"));
        long counter = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(8 + (int) n);
        assertEquals(7L, counter, "the I64 counter is the first data");
    }

    @SuppressWarnings("unchecked")
    private static Object field(Map<String, Object> json, String tensor, String key) {
        return ((Map<String, Object>) json.get(tensor)).get(key);
    }

    @Test
    void refusesToWriteANonIntegralCounterAndLeavesNoFile() {
        Map<String, Tensor> m = Map.of("bn1.num_batches_tracked", Tensor.scalar(1.5f));
        Path f = dir.resolve("never.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(f, m, Map.of()));
        assertTrue(e.getMessage().contains("\"bn1.num_batches_tracked\"")
                && e.getMessage().contains("1.5"), e.getMessage());
        assertFalse(Files.exists(f));
    }

    @Test
    void widensEveryHalfExactly() {
        for (int h = 0; h < 1 << 16; h++) {
            int exponent = (h >>> 10) & 0x1F;
            int mantissa = h & 0x3FF;
            double sign = (h >>> 15) == 0 ? 1 : -1;
            float got = Dtype.halfToFloat(h);
            if (exponent == 0x1F) {
                assertEquals(mantissa != 0, Float.isNaN(got), "half 0x" + Integer.toHexString(h));
                if (mantissa == 0) assertEquals(sign * Double.POSITIVE_INFINITY, got);
                continue;
            }
            double expected = exponent == 0
                    ? sign * mantissa * Math.pow(2, -24)
                    : sign * (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(got),
                    "half 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void widensF16AndBf16FromAFile() throws IOException {
        String h = "{" + entry("h", "F16", "[3]", 0, 6) + "," + entry("b", "BF16", "[2]", 6, 10)
                + "}";
        byte[] data = new byte[10];
        System.arraycopy(Raw.shorts(0x3C00, 0xC000, 0x0001), 0, data, 0, 6);   // 1, −2, 2^−24
        System.arraycopy(Raw.shorts(0x3F80, 0x4049), 0, data, 6, 4);            // 1, 3.140625
        Map<String, Tensor> t = Safetensors.read(file(h, data)).tensors();
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f}, t.get("h").toArray());
        assertArrayEquals(new float[] {1f, 3.140625f}, t.get("b").toArray());
    }

    @Test
    void readsI64ValuesThatFitAndNamesTheFirstThatDoesNot() throws IOException {
        long[] fits = {0, -3, 1L << 24, 1L << 40, Long.MIN_VALUE};
        String h = "{" + entry("n", "I64", "[5]", 0, 40) + "}";
        assertArrayEquals(new float[] {0, -3, 0x1p24f, 0x1p40f, -0x1p63f},
                Safetensors.read(file(h, Raw.longs(fits))).tensors().get("n").toArray());
        for (long bad : new long[] {(1L << 24) + 1, Long.MAX_VALUE}) {
            byte[] f = file("{" + entry("n", "I64", "[2]", 0, 16) + "}", Raw.longs(5, bad));
            Raw.assertRejected(f, "tensor \"n\" (I64) holds " + bad + " at index 1, which", dir);
        }
    }

    @Test
    void readsAnEmptyFileOfNoTensors() throws IOException {
        Safetensors.Contents c = Safetensors.read(Safetensors.toBytes(Map.of(), Map.of()));
        assertTrue(c.tensors().isEmpty() && c.metadata().isEmpty());
        byte[] empty = Safetensors.toBytes(Map.of("e", Tensor.zeros(0, 3)), Map.of());
        assertEquals(Shape.of(0, 3), Safetensors.read(empty).tensors().get("e").shape());
    }
}
