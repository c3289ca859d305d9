package io.kubeincident.openai;

import java.util.Objects;

/**
 * An API key held so that it cannot end up in a log line by accident: {@link #toString()} never shows it,
 * and the value is only read where the HTTP header is built.
 */
public final class ApiKey {

    private final String value;
    private final String source;

    private ApiKey(String value, String source) {
        this.value = value;
        this.source = source;
    }

    /** @param source where it came from, for messages ({@code env OPENAI_API_KEY}, {@code file /etc/...}) */
    public static ApiKey of(String value, String source) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) throw new IllegalArgumentException("API key from " + source + " is blank");
        return new ApiKey(value.strip(), source);
    }

    String reveal() {
        return value;
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "ApiKey[from " + source + ", value hidden]";
    }
}
