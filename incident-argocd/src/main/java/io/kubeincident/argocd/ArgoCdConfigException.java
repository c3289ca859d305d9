package io.kubeincident.argocd;

import java.util.List;

/** Bad {@code argocd.*} configuration: every problem found, listed together. */
public final class ArgoCdConfigException extends IllegalArgumentException {
    private final List<String> problems;

    public ArgoCdConfigException(List<String> problems) {
        super("invalid Argo CD configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                + "):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
