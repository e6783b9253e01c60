package org.finetune4j.autograd;

/**
 * A scope in which ops record nothing: {@code try (NoGrad ignored = NoGrad.enter()) { … }}.
 * Used for evaluation, frozen teachers and optimiser updates. Scopes nest and restore the outer mode.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad(boolean previous) {
        this.previous = previous;
    }

    public static NoGrad enter() {
        return new NoGrad(GradMode.set(false));
    }

    @Override
    public void close() {
        GradMode.set(previous);
    }
}
