package org.finetune4j.nn.io;

import java.io.IOException;

/**
 * A safetensors file (or checkpoint) that cannot be read: malformed, truncated, hostile or of an
 * unsupported dtype. The one exception type every reader in this package documents; the message
 * names the tensor or header position at fault.
 */
public final class SafetensorsException extends IOException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
