package io.kubeincident.responder;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command: the demo runs as intended, tells each incident's story and sums up. */
class DemoCommandTest {

    @Test
    void theDemoRunsAsIntendedAndTellsEveryStory() {
        Cli r = Cli.run("demo", "--timeout", "60s");

        assertEquals(ExitCodes.OK, r.exitCode(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("The demo ran as intended"), out);
        for (String resource : new String[]{"Pod/default/crashing-pod", "Pod/default/memory-hog", "Deployment/shop/checkout"}) {
            assertTrue(out.contains("· " + resource + " ·"), "an incident block for " + resource + ":\n" + out);
        }
        assertTrue(out.contains("diagnosis  bad-rollout"), out);
        assertTrue(out.contains("by rules, confidence"), out);
        assertTrue(out.contains("verdict    "), out);
        assertTrue(out.contains("Summary\n  INCIDENT"), out);
        // the bad rollout is rolled back by the engine, the emulator rolls it out, verification sees it healthy
        assertTrue(out.contains("action     rollback-deployment applied"), out);
        assertTrue(out.contains("verified  rollback-deployment on Deployment/shop/checkout: resolved"), out);
        assertTrue(out.matches("(?s).*crash-loop\\s+Deployment/shop/checkout\\s+bad-rollout\\s+rules\\s+0\\.\\d\\d\\s+execute\\s+"
                + "rollback-deployment applied\\s+resolved.*"), out);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        // The engine ran as the responder's service account under exactly the derived RBAC, and nothing was refused.
        assertTrue(out.contains("rbac       runs as system:serviceaccount:kube-incident:kube-incident-responder"), out);
        assertFalse(out.contains("refused a request"), out);
    }

    @Test
    void demoUiWithAPortOutOfRangeIsOneLine() {
        Cli r = Cli.run("demo", "--ui", "--port", "70000");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
        String errors = r.err().lines().filter(l -> l.startsWith("error: ")).collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(errors.contains("--port must be 0..65535, was 70000"), r.err());
        assertEquals(1, errors.lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
