package io.kubeincident.argocd.client;

import java.util.function.Function;

/** The outcome of one Argo CD call: a value or an {@link ArgoError}. Never thrown. */
public sealed interface ArgoResult<T> {

    record Ok<T>(T value) implements ArgoResult<T> {
    }

    record Failed<T>(ArgoError error) implements ArgoResult<T> {
        public Failed {
            if (error == null) throw new IllegalArgumentException("error is required");
        }
    }

    static <T> ArgoResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> ArgoResult<T> failed(ArgoError error) {
        return new Failed<>(error);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value; throws {@link IllegalStateException} for a failure (misuse: check {@link #isOk()} first). */
    default T value() {
        if (this instanceof Ok<T> ok) return ok.value();
        throw new IllegalStateException("no value: " + error().describe());
    }

    /** The error, or null for a success. */
    default ArgoError error() {
        return this instanceof Failed<T> f ? f.error() : null;
    }

    default <U> ArgoResult<U> map(Function<? super T, ? extends U> f) {
        if (this instanceof Ok<T> ok) return new Ok<>(f.apply(ok.value()));
        return new Failed<>(error());
    }
}
