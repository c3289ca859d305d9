package io.kubeincident.core.config;

import java.util.List;

/** Invalid configuration: every problem found, listed together. */
public class ConfigException extends IllegalArgumentException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        if (problems.size() == 1) return "invalid configuration: " + problems.get(0);
        StringBuilder sb = new StringBuilder("invalid configuration (" + problems.size() + " problems):");
        for (String p : problems) sb.append("\n  - ").append(p);
        return sb.toString();
    }
}
