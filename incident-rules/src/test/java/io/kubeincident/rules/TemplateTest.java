package io.kubeincident.rules;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateTest {

    private static final long CAP = 4L * 1024 * 1024 * 1024;

    private static Template.Env env(Map<String, String> vars) {
        return new Template.Env(vars, CAP);
    }

    @Test
    void fillsValuesAndDropsOptionalSectionsWithMissingValues() {
        Template t = Template.parse("Container {{container}} exits[[ with code {{exitCode}}]][[ after {{restartCount}} restarts]].");
        assertEquals("Container web exits with code 1.", t.render(env(Map.of("container", "web", "exitCode", "1"))));
        assertEquals("Container unknown exits.", t.render(env(Map.of())));
    }

    @Test
    void filters() {
        Map<String, String> v = Map.of("kind", "StatefulSet", "n", "7", "msg", "abcdefghij");
        assertEquals("statefulset/STATEFULSET", Template.parse("{{kind|lower}}/{{kind|upper}}").render(env(v)));
        assertEquals("none", Template.parse("{{missing|default:none}}").render(env(v)));
        assertEquals("abc...", Template.parse("{{msg|truncate:3}}").render(env(v)));
        assertEquals(7L, Template.parse("{{n|int}}").renderValue(env(v)).value());
        assertEquals(7.0, Template.parse("{{n|number}}").renderValue(env(v)).value());
        assertEquals(Boolean.TRUE, Template.parse("{{b|bool}}").renderValue(env(Map.of("b", "True"))).value());
        assertFalse(Template.parse("{{msg|int}}").renderValue(env(v)).present());
        assertEquals("x-7", Template.parse("x-{{n}}").renderValue(env(v)).value());
    }

    @Test
    void raiseMemoryScalesRoundsUpAndRespectsTheCap() {
        Template t = Template.parse("{{memoryLimit|raiseMemory:1.5}}");
        assertEquals("768Mi", t.renderValue(env(Map.of("memoryLimit", "512Mi"))).value());
        assertEquals("1536Mi", t.renderValue(env(Map.of("memoryLimit", "1Gi"))).value());
        assertEquals("3Gi", t.renderValue(env(Map.of("memoryLimit", "2Gi"))).value());
        // 100M (decimal) × 1.5 = 150,000,000 bytes, rounded up to whole MiB.
        assertEquals("144Mi", t.renderValue(env(Map.of("memoryLimit", "100M"))).value());
        // Above the cap it is capped, at the cap it is refused.
        assertEquals("4Gi", t.renderValue(env(Map.of("memoryLimit", "3Gi"))).value());
        Template.Value atCap = t.renderValue(env(Map.of("memoryLimit", "4Gi")));
        assertFalse(atCap.present());
        assertTrue(atCap.missing().contains("already at or above the cap of 4Gi"), atCap.missing());
        assertFalse(t.renderValue(env(Map.of("memoryLimit", "lots"))).present());
        assertFalse(t.renderValue(env(Map.of())).present());
    }

    @Test
    void memoryFactorIsTheFactorThatStaysWithinTheCap() {
        Template t = Template.parse("{{memoryLimit|memoryFactor:1.5}}");
        assertEquals(1.5, t.renderValue(env(Map.of("memoryLimit", "512Mi"))).value());
        assertEquals(1.5, t.renderValue(env(Map.of("memoryLimit", "100M"))).value());
        // 4Gi / 3Gi = 1.333..., rounded down so that the raised limit stays within the cap.
        assertEquals(1.33, t.renderValue(env(Map.of("memoryLimit", "3Gi"))).value());
        assertEquals(2.0, Template.parse("{{memoryLimit|memoryFactor:2}}").renderValue(env(Map.of("memoryLimit", "2Gi"))).value());
        Template.Value atCap = t.renderValue(env(Map.of("memoryLimit", "4Gi")));
        assertFalse(atCap.present());
        assertTrue(atCap.missing().contains("already at or above the cap of 4Gi"), atCap.missing());
        Template.Value nearCap = t.renderValue(env(Map.of("memoryLimit", "4090Mi")));
        assertFalse(nearCap.present());
        assertTrue(nearCap.missing().contains("within 1% of the cap of 4Gi"), nearCap.missing());
        assertFalse(t.renderValue(env(Map.of("memoryLimit", "lots"))).present());
        assertFalse(t.renderValue(env(Map.of("memoryLimit", "0"))).present());
        assertFalse(t.renderValue(env(Map.of())).present());
    }

    @Test
    void optionalMarksValuesThatMayBeLeftOut() {
        Template t = Template.parse("{{previousRevision|int|optional}}");
        assertTrue(t.optional());
        assertFalse(t.renderValue(env(Map.of())).present());
        assertFalse(Template.parse("{{previousRevision|int}}").optional());
    }

    @Test
    void badTemplatesAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a")).getMessage().contains("unclosed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("a}}")).getMessage().contains("without"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("[[ [[ ]]")).getMessage().contains("nested"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("]]")).getMessage().contains("without"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a b}}")).getMessage().contains("bad variable"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a|nope}}")).getMessage().contains("unknown filter"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a|default}}")).getMessage().contains("needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a|int:3}}")).getMessage().contains("no argument"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a|raiseMemory:20}}")).getMessage().contains("factor"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Template.parse("{{a|memoryFactor:1}}")).getMessage().contains("memoryFactor:1.5"));
    }

    @Test
    void reportsTheVariablesItReads() {
        assertEquals(java.util.Set.of("a", "b.c"), Template.parse("{{a}} [[{{b.c|lower}}]]").variables());
    }
}
