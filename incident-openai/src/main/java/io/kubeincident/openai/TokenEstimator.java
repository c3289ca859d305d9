package io.kubeincident.openai;

/**
 * Approximate token counting, used to keep the rendered context within its budget and to check the
 * token budgets before a request is sent.
 *
 * <p>The estimate is {@code max(ceil(asciiChars / 4), words) + nonAsciiChars}: about four characters of
 * English or log text per token (the usual rule of thumb for the GPT tokenizers), never fewer tokens than
 * whitespace-separated words (short words and punctuation-heavy log lines tokenize worse than 4 chars a
 * token), and one token per non-ASCII character (CJK and symbols often take one or more each). It tends to
 * overestimate slightly, which is the safe side for a budget. Exact counts come back from the server in
 * {@code usage} and are what the budgets are charged with.
 */
public final class TokenEstimator {

    private TokenEstimator() {
    }

    public static int estimate(CharSequence text) {
        if (text == null || text.isEmpty()) return 0;
        int ascii = 0;
        int nonAscii = 0;
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLowSurrogate(c)) continue;
            if (c < 128) ascii++;
            else nonAscii++;
            boolean space = Character.isWhitespace(c);
            if (!space && !inWord) words++;
            inWord = !space;
        }
        return Math.max((ascii + 3) / 4, words) + nonAscii;
    }
}
