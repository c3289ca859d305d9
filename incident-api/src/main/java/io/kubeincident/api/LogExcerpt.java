package io.kubeincident.api;

import java.util.List;
import java.util.Objects;

/**
 * The tail of one container's log, redacted and bounded in bytes.
 *
 * @param pod       the pod
 * @param container the container name
 * @param previous  true for the previous (crashed) instance's log
 * @param lines     the lines, oldest first
 * @param truncated true when lines were cut to fit the bound
 */
public record LogExcerpt(ResourceRef pod, String container, boolean previous, List<String> lines, boolean truncated) {
    public LogExcerpt {
        Objects.requireNonNull(pod, "pod");
        container = container == null ? "" : container;
        lines = lines == null ? List.of() : List.copyOf(lines);
    }
}
