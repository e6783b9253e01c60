package org.finetune4j.nn.io;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The safetensors dtypes finetune4j reads, all widened to float32: F32 as is; F16 and BF16
 * exactly (every value of both is a float32 value); I64 only where the value is exactly a
 * float32 (PyTorch stores BatchNorm's num_batches_tracked as I64). Written: F32, and I64 for
 * num_batches_tracked. Data is little-endian, as the format requires.
 */
enum Dtype {
    F32(4), F16(2), BF16(2), I64(8);

    // Named by the format but not read here; they get a clearer message than "unknown".
    private static final Set<String> KNOWN_OTHERS = Set.of("F64", "I32", "I16", "I8", "U64",
            "U32", "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
            "C64");

    final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    static Dtype parse(String name, String tensor) throws SafetensorsException {
        for (Dtype d : values()) {
            if (d.name().equals(name)) return d;
        }
        if (KNOWN_OTHERS.contains(name)) {
            throw new SafetensorsException("tensor " + Json.show(tensor) + " has dtype " + name
                    + ", which finetune4j does not read (it reads F32, F16, BF16 and I64)");
        }
        throw new SafetensorsException("tensor " + Json.show(tensor) + " has unknown dtype "
                + Json.show(name));
    }

    /**
     * Decodes count elements from src (little-endian, at its position) into
     * dst[from, from + count); dst is the whole tensor, so from + i is the index errors name.
     */
    void decode(ByteBuffer src, float[] dst, int from, int count, String tensor)
            throws SafetensorsException {
        switch (this) {
            case F32 -> {
                src.asFloatBuffer().get(dst, from, count);
                src.position(src.position() + 4 * count);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[from + i] = halfToFloat(src.getShort() & 0xFFFF);
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    // bfloat16 is the top half of a float32
                    dst[from + i] = Float.intBitsToFloat((src.getShort() & 0xFFFF) << 16);
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    dst[from + i] = exactFloat(src.getLong(), tensor, from + i);
                }
            }
        }
    }

    /** IEEE 754 binary16 → binary32, exact; NaN payloads kept. */
    static float halfToFloat(int h) {                      // h: the 16 bits in the low half
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {                               // zero or subnormal: mantissa · 2^−24
            float v = mantissa * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exponent == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | mantissa << 13);
        return Float.intBitsToFloat(sign | (exponent + 127 - 15) << 23 | mantissa << 13);
    }

    private static float exactFloat(long v, String tensor, int index) throws SafetensorsException {
        float f = v;
        // (long) 2^63f saturates to Long.MAX_VALUE, so that one case must be excluded explicitly.
        if ((long) f == v && f != 0x1p63f) return f;
        throw new SafetensorsException("tensor " + Json.show(tensor) + " (I64) holds " + v
                + " at index " + index + ", which float32 cannot represent exactly");
    }
}
