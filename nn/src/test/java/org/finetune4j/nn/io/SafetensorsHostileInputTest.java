package org.finetune4j.nn.io;

import static org.finetune4j.nn.io.Raw.entry;
import static org.finetune4j.nn.io.Raw.file;
import static org.finetune4j.nn.io.Raw.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed or hostile file ends in a SafetensorsException naming the problem. */
class SafetensorsHostileInputTest {
    @TempDir
    Path dir;

    private String rejects(byte[] bytes, String fragment) throws IOException {
        return Raw.assertRejected(bytes, fragment, dir);
    }

    private String rejects(String header, byte[] data, String fragment) throws IOException {
        return Raw.assertRejected(file(header, data), fragment, dir);
    }

    /** A header of one tensor w. */
    private static String one(String dtype, String shape, long begin, long end) {
        return "{" + entry("w", dtype, shape, begin, end) + "}";
    }

    @Test
    void rejectsAFileTooShortForTheLengthField() throws IOException {
        rejects(new byte[5], "cannot hold the 8-byte header length");
        rejects(new byte[0], "cannot hold the 8-byte header length");
    }

    @Test
    void rejectsAFileTruncatedInsideTheData() throws IOException {
        byte[] good = file(one("F32", "[2]", 0, 8), floats(1f, 2f));
        rejects(Arrays.copyOf(good, good.length - 3), "holds only 5 data bytes");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        byte[] claims1000 = Raw.withLength(1000, "{}".getBytes(StandardCharsets.US_ASCII));
        rejects(claims1000, "header length 1000 exceeds the 2 bytes after the length field");
    }

    @Test
    void rejectsAbsurdHeaderLengthsWithoutAllocating() throws IOException {
        rejects(Raw.withLength(1L << 62, new byte[16]), "exceeds the cap");
        rejects(Raw.withLength(-1L, new byte[16]), "18446744073709551615");   // 2^64 − 1, unsigned
        rejects(Raw.withLength(Safetensors.MAX_HEADER_BYTES + 1, new byte[16]), "exceeds the cap");
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        rejects(one("F32", "[2]", 0, 8), floats(1f), "holds only 4 data bytes");
        rejects(one("F32", "[2]", 8, 16), floats(1f, 2f), "gap of 8 bytes");
        String beyondLong = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[0,18446744073709551615]}}";
        rejects(beyondLong, floats(1f, 2f), "is too large");
        rejects(one("F32", "[2]", Long.MAX_VALUE - 8, Long.MAX_VALUE), floats(1f, 2f),
                "gap of 9223372036854775799 bytes");
        rejects(one("F32", "[2]", 0, Long.MAX_VALUE), floats(1f, 2f), "span 9223372036854775807");
        rejects(one("F32", "[2]", 8, 0), floats(1f, 2f), "end before they begin");
    }

    @Test
    void rejectsOverlappingOffsetsNamingBothTensors() throws IOException {
        String h = "{" + entry("a", "F32", "[2]", 0, 8) + ","
                + entry("b", "F32", "[2]", 4, 12) + "}";
        String message = rejects(h, new byte[12], "overlaps");
        assertTrue(message.contains("\"a\"") && message.contains("\"b\""), message);
    }

    @Test
    void rejectsGapsAndUncoveredTrailingBytes() throws IOException {
        String h = "{" + entry("a", "F32", "[2]", 0, 8) + ","
                + entry("b", "F32", "[2]", 12, 20) + "}";
        rejects(h, new byte[20], "gap of 4 bytes before tensor \"b\"");
        rejects(one("F32", "[2]", 0, 8), new byte[12], "4 data bytes after the last tensor");
    }

    @Test
    void rejectsAShapeWhoseByteSizeDiffersFromItsOffsets() throws IOException {
        rejects(one("F32", "[3]", 0, 8), new byte[8], "12 bytes, but its data_offsets [0, 8] span");
    }

    @Test
    void rejectsNegativeHugeAndOverflowingDimensions() throws IOException {
        byte[] none = new byte[0];
        rejects(one("F32", "[-1]", 0, 0), none, "non-negative");
        rejects(one("F32", "[4294967296]", 0, 0), none, "dimension 4294967296 is too large");
        rejects(one("F32", "[2147483647,2147483647,4]", 0, 0), none, "more than 2147483639 elem");
        rejects(one("F32", "[65536,65536,65536,65536]", 0, 0), none, "more than 2147483639 elem");
        rejects(one("F32", "[2.0]", 0, 8), new byte[8], "found \"2.0\"");
        rejects(one("F32", "[1e3]", 0, 0), none, "found \"1e3\"");
        rejects(one("F32", "[01]", 0, 4), new byte[4], "found \"01\"");
        rejects(one("F32", "[" + "1,".repeat(64) + "1]", 0, 4), new byte[4], "more than 64");
    }

    @Test
    void namesUnknownAndUnsupportedDtypes() throws IOException {
        rejects(one("F99", "[2]", 0, 8), new byte[8], "tensor \"w\" has unknown dtype \"F99\"");
        rejects(one("F64", "[1]", 0, 8), new byte[8], "tensor \"w\" has dtype F64, which finetune");
    }

    @Test
    void rejectsAHeaderThatIsNotUtf8() throws IOException {
        byte[] header = "{\"w\u00ff\":{}}".getBytes(StandardCharsets.ISO_8859_1);
        rejects(file(header, new byte[0]), "not valid UTF-8: bad byte 0xff at header byte 3");
        byte[] overlong = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'};   // '/' overlong
        rejects(file(overlong, new byte[0]), "not valid UTF-8");
    }

    @Test
    void rejectsNestingBombsWithoutRecursing() throws IOException {
        String shapeBomb = "{\"w\":{\"dtype\":\"F32\",\"shape\":" + "[".repeat(1_000_000) + "}}";
        rejects(shapeBomb, new byte[0], "must be a non-negative integer");
        String metaBomb = "{\"__metadata__\":{\"k\":" + "{".repeat(1_000_000) + "}";
        rejects(metaBomb, new byte[0], "must be a JSON string");
        rejects("[".repeat(100_000), new byte[0], "the header must be a JSON object");
    }

    @Test
    void parsesALargeHeaderWithinTheCap() throws IOException {
        String name = "n".repeat(4_000_000);                // a 4 MB key is odd but legal
        String header = "{" + entry(name, "F32", "[2]", 0, 8) + "}" + " ".repeat(1000);
        assertEquals(2, Safetensors.read(file(header, floats(1f, 2f))).tensors().get(name).dim(0));
    }

    @Test
    void rejectsDuplicateKeysAtEveryLevel() throws IOException {
        String twice = "{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8)
                + "}";
        rejects(twice, new byte[8], "duplicate key \"w\"");
        String field = "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,4]}}";
        rejects(field, new byte[4], "has field 'dtype' twice");
        String meta = "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}";
        rejects(meta, new byte[0], "duplicate __metadata__ key \"a\"");
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        String w = "{\"w\":{\"dtype\":\"F32\",";
        Map<String, String> cases = Map.ofEntries(
                Map.entry("", "header ends early"),
                Map.entry("[]", "the header must be a JSON object"),
                Map.entry("{} x", "unexpected characters after the header object"),
                Map.entry("{\"w\" {}}", "expected ':'"),
                Map.entry("{\"w\":{}} ", "lacks one of dtype, shape, data_offsets"),
                Map.entry(w + "\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", "unknown field"),
                Map.entry(w + "\"shape\":[1],\"data_offsets\":[0,4,8]}}", "exactly two"),
                Map.entry(w + "\"shape\":[1,],\"data_offsets\":[0,4]}}", "found ']'"),
                Map.entry("{\"__metadata__\":{\"k\":1}}", "must be a JSON string"),
                Map.entry("{\"w\n\":{}}", "raw control character 0xa"),
                Map.entry("{\"\\q\":{}}", "bad escape"),
                Map.entry("{\"\\u12xy\":{}}", "bad hex digit"),
                Map.entry("{\"w", "unterminated string"),
                Map.entry("{\"__metadata__\":{}\"b\":{}}", "expected ',' or '}'"));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            rejects(c.getKey(), new byte[0], c.getValue());
        }
    }
}
