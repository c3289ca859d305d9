package io.kubeincident.consumer;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * incident-bom manages, for consumers, the versions the build itself is compiled and tested with: every
 * entry of the BOM is managed by the root pom with the same version, and every entry of the root pom is
 * in the BOM except the few that only the build and the example hosts use.
 */
class BomMatchesBuildTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Managed by the root pom for the build and examples/ only; never on a consumer's class path through us. */
    static final Set<String> BUILD_ONLY = Set.of("org.mockito:mockito-bom:pom", "ch.qos.logback:logback-classic:jar",
            "info.picocli:picocli:jar", "io.micrometer:micrometer-bom:pom",
            // the responder's web console tests drive a browser with Selenium
            "org.seleniumhq.selenium:selenium-bom:pom");

    @Test
    void theBomManagesWhatTheBuildIsTestedWith() throws Exception {
        Map<String, String> bom = managed(ROOT.resolve("incident-bom/pom.xml"));
        Map<String, String> build = managed(ROOT.resolve("pom.xml"));
        assertTrue(bom.size() > 20, "the BOM manages the platform, not only our modules: " + bom.keySet());
        Map<String, String> differing = new TreeMap<>();
        for (var e : bom.entrySet()) {
            if (!e.getValue().equals(build.get(e.getKey()))) differing.put(e.getKey(), e.getValue() + " vs build " + build.get(e.getKey()));
        }
        assertEquals(Map.of(), differing, "BOM entries whose version differs from the root pom's");
        Set<String> missing = new TreeSet<>(build.keySet());
        missing.removeAll(bom.keySet());
        missing.removeAll(BUILD_ONLY);
        assertEquals(Set.of(), missing, "managed by the build but not offered to consumers by incident-bom");
    }

    @Test
    void theBomHasNoParent() throws Exception {
        Document d = parse(ROOT.resolve("incident-bom/pom.xml"));
        assertEquals(0, d.getDocumentElement().getElementsByTagName("parent").getLength(),
                "importing the BOM must bring version management only");
    }

    /** groupId:artifactId:type to version, properties resolved. */
    static Map<String, String> managed(Path pom) throws Exception {
        Document d = parse(pom);
        Element project = d.getDocumentElement();
        Map<String, String> props = new HashMap<>();
        props.put("project.version", text(project, "version"));
        Element properties = child(project, "properties");
        if (properties != null) {
            NodeList ps = properties.getChildNodes();
            for (int i = 0; i < ps.getLength(); i++) {
                if (ps.item(i) instanceof Element p) props.put(p.getTagName(), p.getTextContent().trim());
            }
        }
        Map<String, String> out = new TreeMap<>();
        Element dm = child(project, "dependencyManagement");
        NodeList deps = child(dm, "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element dep = (Element) deps.item(i);
            String type = text(dep, "type");
            String key = text(dep, "groupId") + ":" + text(dep, "artifactId") + ":" + (type == null ? "jar" : type);
            out.put(key, resolve(text(dep, "version"), props));
        }
        return out;
    }

    static String resolve(String value, Map<String, String> props) {
        for (int round = 0; round < 5 && value.contains("${"); round++) {
            Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(props.getOrDefault(m.group(1), m.group())));
            m.appendTail(sb);
            value = sb.toString();
        }
        return value;
    }

    static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) return e;
        }
        return null;
    }

    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    @Test
    void propertiesResolve() {
        assertEquals("a-1-b", resolve("a-${x}-b", Map.of("x", "${y}", "y", "1")));
        assertEquals(List.of("${unknown}"), List.of(resolve("${unknown}", Map.of())));
    }
}
