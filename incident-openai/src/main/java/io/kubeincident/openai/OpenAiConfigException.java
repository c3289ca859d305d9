package io.kubeincident.openai;

import java.util.List;

/** Bad {@code llm.*} configuration; lists every problem found, never a secret value. */
public final class OpenAiConfigException extends IllegalArgumentException {

    private final List<String> problems;

    public OpenAiConfigException(List<String> problems) {
        super("invalid llm configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "):\n - " + String.join("\n - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
