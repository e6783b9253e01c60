package org.finetune4j.nn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file atomically: the body writes a temp file in the target's directory (same file
 * system, so rename is atomic), which is fsynced and then renamed over the target. A crash or an
 * exception at any point leaves either the old file or the complete new one under the final
 * name, never a torn one; on an exception the temp file is deleted. Public because run reports
 * (the compare command's manifests) rely on the same guarantee.
 */
public final class AtomicFile {
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /** Replaces target with the UTF-8 text. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void write(Path target, Body body) throws IOException {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        // Not Files.createTempFile: its 0600 mode would become the checkpoint's mode.
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                body.writeTo(Channels.newOutputStream(ch));
                ch.force(true);                            // on disk before the name points at it
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);   // rename(2): replaces target
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                t.addSuppressed(cleanup);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** Makes the rename itself durable. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException notSupported) {
            // Some platforms cannot open a directory; the rename is atomic there all the same.
        }
    }
}
