package io.kubeincident.consumer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The plugin author's guide shows only code that the consumer tests compile and run: every fenced block
 * in it follows an {@code <!-- include: path#tag -->} marker and equals that tagged region of that file
 * (between {@code tag::name[]} and {@code end::name[]} lines, common indentation removed).
 */
class GuideSamplesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> GUIDES = List.of("incident-api/README.md");
    static final Pattern MARKER = Pattern.compile("<!-- include: ([^#\\s]+)(?:#(\\S+))? -->");

    @Test
    void everySampleInTheGuideIsATestedFile() throws IOException {
        for (String guide : GUIDES) {
            List<String> lines = Files.readAllLines(ROOT.resolve(guide));
            int blocks = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith("```")) continue;
                blocks++;
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).startsWith("```")) end++;
                assertTrue(end < lines.size(), guide + ": unclosed code block at line " + (i + 1));
                Matcher m = i > 0 ? MARKER.matcher(lines.get(i - 1).trim()) : null;
                if (m == null || !m.matches()) {
                    fail(guide + " line " + (i + 1) + ": a code block without an include marker; every sample must be a file"
                            + " of consumer-tests/src/it so that it compiles");
                }
                String expected = region(ROOT.resolve(m.group(1)), m.group(2))
                        .replace("@project.version@", System.getProperty("project.version", "@project.version@"));
                String shown = String.join("\n", lines.subList(i + 1, end));
                assertEquals(expected, shown, guide + " line " + (i + 1) + " differs from " + m.group(1)
                        + (m.group(2) == null ? "" : "#" + m.group(2)));
                i = end;
            }
            assertTrue(blocks >= 8, guide + " has its samples");
        }
    }

    @Test
    void aTagThatIsNotThereIsAnError() {
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> region(ROOT.resolve("consumer-tests/src/it/host/kube-incident.yaml"), "no-such-tag"));
        assertTrue(e.getMessage().contains("no-such-tag"), e.getMessage());
    }

    /** The lines between the tag markers (the whole file without a tag), common indentation removed. */
    static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> out = new ArrayList<>();
        if (tag == null) {
            out.addAll(lines);
        } else {
            boolean in = false;
            boolean closed = false;
            for (String l : lines) {
                if (l.contains("tag::" + tag + "[]")) {
                    in = true;
                } else if (l.contains("end::" + tag + "[]")) {
                    closed = in;
                    break;
                } else if (in) {
                    out.add(l);
                }
            }
            if (!closed) throw new AssertionError(file + ": no region tag::" + tag + "[] ... end::" + tag + "[]");
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) out.remove(out.size() - 1);
        assertFalse(out.isEmpty(), file + "#" + tag + " is empty");
        int indent = out.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> dedented = new ArrayList<>();
        for (String l : out) dedented.add(l.isBlank() ? "" : l.substring(indent));
        return String.join("\n", dedented);
    }
}
