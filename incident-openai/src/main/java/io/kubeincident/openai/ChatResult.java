package io.kubeincident.openai;

/** What one chat completion call ended with, after retries. Values, never thrown. */
sealed interface ChatResult {

    int attempts();

    /** Token usage as the server reported it ({@code reported == false}: the server sent none). */
    record Usage(int promptTokens, int completionTokens, int cachedTokens, int totalTokens, boolean reported) {
        static final Usage NONE = new Usage(0, 0, 0, 0, false);
    }

    /**
     * A 2xx answer with a first choice.
     *
     * @param content      the message content, null when the server sent none
     * @param refusal      the model's refusal text, null when it did not refuse
     * @param finishReason {@code stop}, {@code length}, {@code content_filter}, {@code tool_calls}, or null
     */
    record Completion(String id, String model, String content, String refusal, String finishReason, Usage usage,
                      int attempts) implements ChatResult {
    }

    enum Kind {
        /** An HTTP error status with the server's error body. */
        HTTP,
        /** 429 insufficient_quota: not retried; more requests cannot help until billing changes. */
        QUOTA,
        /** The analysis deadline passed (hang, slow server, retries used it up). */
        TIMEOUT,
        /** Connection refused or reset, DNS, TLS. */
        NETWORK,
        /** A 2xx answer that is not a chat completion (no choices, not JSON, too large). */
        BAD_RESPONSE
    }

    /**
     * @param status    HTTP status, 0 when there was no response
     * @param errorType the error body's {@code type}, may be null
     * @param errorCode the error body's {@code code} (a string, or vLLM's integer as text), may be null
     * @param message   redacted and bounded, for the audit
     */
    record Failure(Kind kind, int status, String errorType, String errorCode, String message, int attempts)
            implements ChatResult {
        String describe() {
            return describeWithoutAttempts() + " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)");
        }

        String describeWithoutAttempts() {
            StringBuilder sb = new StringBuilder();
            switch (kind) {
                case HTTP, QUOTA -> sb.append("HTTP ").append(status);
                case TIMEOUT -> sb.append("timed out");
                case NETWORK -> sb.append("network error");
                case BAD_RESPONSE -> sb.append("unusable response");
            }
            if (errorCode != null) sb.append(" code=").append(errorCode);
            if (errorType != null) sb.append(" type=").append(errorType);
            if (message != null && !message.isBlank()) sb.append(": ").append(message);
            return sb.toString();
        }
    }
}
