package org.finetune4j.nn.io;

import static org.finetune4j.nn.io.SafetensorsTest.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a valid checkpoint (byte flips in header and data, digit changes in the
 * header, truncations, insertions, deletions, forged length fields). Each must either read or
 * fail with a SafetensorsException carrying a message; loading into a module must be all or
 * nothing. Any other throwable (OutOfMemoryError, StackOverflowError, a stray RuntimeException)
 * fails the test with the seed that reproduces it.
 */
class SafetensorsFuzzTest {
    private static final int CASES = 600;

    @TempDir
    Path dir;

    @Test
    void mutatedFilesReadOrFailCleanlyAndNeverLoadHalfway() throws IOException {
        Path original = dir.resolve("base.safetensors");
        TinyNet net = new TinyNet(1);
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        net.namedParameters().forEach((k, p) -> buffers.put(k + ".momentum_buffer", p.value()));
        TrainingState state = TrainingState.of(3, 30, Rng.seeded(3))
                .withOptimizer(buffers, Map.of());
        Checkpoint.save(original, net, state);
        byte[] base = Files.readAllBytes(original);
        int headerEnd = 8 + (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong(0);

        int read = 0;
        int loaded = 0;
        Path file = dir.resolve("mutant.safetensors");
        for (int seed = 0; seed < CASES; seed++) {
            Rng rng = Rng.seeded(seed);
            String[] what = new String[1];
            byte[] mutant = mutate(base, headerEnd, rng, what);
            String id = "seed " + seed + " (" + what[0] + ")";
            try {
                Map<String, Tensor> tensors = readOrNull(mutant, id);
                if (tensors != null) read++;
                Files.write(file, mutant);
                if (loadAllOrNothing(file, tensors, id)) loaded++;
            } catch (Throwable t) {
                if (t instanceof AssertionError a) throw a;
                fail(id + ": undocumented " + t, t);
            }
        }
        System.out.println("fuzz: " + CASES + " mutants, " + read + " read, " + loaded
                + " loaded into a module");
        assertTrue(read > 0 && read < CASES, "mutations should both pass and fail: " + read);
    }

    /** The tensors, or null after a documented failure. */
    private static Map<String, Tensor> readOrNull(byte[] mutant, String id) {
        try {
            return Safetensors.read(mutant).tensors();
        } catch (IOException e) {
            assertTrue(e instanceof SafetensorsException, id + ": " + e);
            assertNotNull(e.getMessage(), id);
            assertFalse(e.getMessage().isBlank(), id);
            return null;
        }
    }

    /** Checkpoint.load either loads everything the file holds or leaves the module untouched. */
    private static boolean loadAllOrNothing(Path file, Map<String, Tensor> tensors, String id) {
        TinyNet target = new TinyNet(2);
        Map<String, Tensor> before = StateDicts.snapshot(target);
        try {
            Checkpoint.load(file, target);
        } catch (IOException | StateDictMismatchException e) {
            boolean documented = e instanceof SafetensorsException
                    || e instanceof StateDictMismatchException;
            assertTrue(documented, id + ": " + e);
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), id);
            before.forEach((k, t) -> assertBitsEqual(id + " " + k, t, target.stateDict().get(k)));
            return false;
        }
        assertNotNull(tensors, id + ": loaded a file the byte reader rejected");
        target.stateDict().forEach((k, t) -> assertBitsEqual(id + " " + k, tensors.get(k), t));
        return true;
    }

    private static byte[] mutate(byte[] base, int headerEnd, Rng rng, String[] what) {
        byte[] b = base.clone();
        int kind = rng.nextInt(8);
        switch (kind) {
            case 0 -> {
                int at = 8 + rng.nextInt(headerEnd - 8);
                b[at] ^= (byte) (1 << rng.nextInt(8));
                what[0] = "bit flip in header at " + at;
            }
            case 1 -> {
                int at = headerEnd + rng.nextInt(b.length - headerEnd);
                b[at] = (byte) rng.nextInt(256);
                what[0] = "byte set in data at " + at;
            }
            case 2 -> {
                int at = 8 + rng.nextInt(headerEnd - 8);          // shapes and offsets shift
                for (int i = at; i < headerEnd; i++) {
                    if (Character.isDigit(b[i])) {
                        b[i] = (byte) ('0' + rng.nextInt(10));
                        at = i;
                        break;
                    }
                }
                what[0] = "digit changed at " + at;
            }
            case 3 -> {
                int len = rng.nextInt(b.length);
                b = Arrays.copyOf(b, len);
                what[0] = "truncated to " + len;
            }
            case 4 -> {
                int at = rng.nextInt(b.length + 1);
                byte[] junk = new byte[1 + rng.nextInt(16)];
                for (int i = 0; i < junk.length; i++) junk[i] = (byte) rng.nextInt(256);
                b = splice(b, at, 0, junk);
                what[0] = "inserted " + junk.length + " bytes at " + at;
            }
            case 5 -> {
                int at = rng.nextInt(b.length);
                int len = 1 + rng.nextInt(Math.min(16, b.length - at));
                b = splice(b, at, len, new byte[0]);
                what[0] = "deleted " + len + " bytes at " + at;
            }
            case 6 -> {
                long near = headerEnd - 8 + rng.nextInt(33) - 16;
                long forged = rng.nextInt(2) == 0 ? rng.nextLong() : near;
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, forged);
                what[0] = "header length forged to " + Long.toUnsignedString(forged);
            }
            default -> {
                for (int i = 0; i < 4; i++) {
                    b[8 + rng.nextInt(b.length - 8)] = (byte) rng.nextInt(256);
                }
                what[0] = "four random bytes set";
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
