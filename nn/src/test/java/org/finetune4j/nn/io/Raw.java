package org.finetune4j.nn.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors bytes for tests, valid or deliberately not. */
final class Raw {
    private Raw() {}

    /** 8-byte little-endian length of the UTF-8 header, the header, then data. */
    static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] file(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    /** A length field claiming claimedLength, followed by rest. */
    static byte[] withLength(long claimedLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(claimedLength).put(rest).array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /**
     * Reads bytes both from memory and from a file in dir; both must fail with a
     * SafetensorsException whose message contains fragment. Returns the message.
     */
    static String assertRejected(byte[] bytes, String fragment, Path dir) throws IOException {
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Safetensors.read(bytes));
        Path file = Files.write(dir.resolve("hostile.safetensors"), bytes);
        SafetensorsException f = assertThrows(SafetensorsException.class,
                () -> Safetensors.read(file));
        for (SafetensorsException x : new SafetensorsException[] {e, f}) {
            assertNotNull(x.getMessage());
            assertTrue(x.getMessage().contains(fragment),
                    () -> "expected '" + fragment + "' in: " + x.getMessage());
            assertFalse(x.getMessage().length() > 2000, "message of " + x.getMessage().length());
        }
        return e.getMessage();
    }
}
