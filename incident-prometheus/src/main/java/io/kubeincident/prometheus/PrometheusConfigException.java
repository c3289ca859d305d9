package io.kubeincident.prometheus;

import java.util.List;

/** Every problem of the {@code prometheus.*} configuration at once. */
public final class PrometheusConfigException extends IllegalArgumentException {
    private final List<String> problems;

    public PrometheusConfigException(List<String> problems) {
        super("invalid prometheus configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
