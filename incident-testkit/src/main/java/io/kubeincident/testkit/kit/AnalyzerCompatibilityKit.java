package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.testkit.context.TestContexts;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compatibility kit for {@link Analyzer}s:
 *
 * <pre>{@code
 * class RulesAnalyzerCompatibilityTest extends AnalyzerCompatibilityKit {
 *     protected Analyzer analyzer() { return new RulesAnalyzer(Rules.builtIn()); }
 *     protected Class<? extends AnalyzerProvider> providerClass() { return RulesAnalyzerProvider.class; }
 *     protected AnalysisRequest sampleRequest() { return new AnalysisRequest(incident, evidence, catalog); }
 * }
 * }</pre>
 *
 * Checks: a stable kebab-case id; the provider is registered (and, when enabled, creates an analyzer
 * with the same id); it answers the sample, an incident with empty evidence and a request with no
 * available actions with an outcome, never an exception or null; a diagnosis only proposes
 * available actions on the incident's resources, with confidences in [0, 1], and names this analyzer.
 */
public abstract class AnalyzerCompatibilityKit {

    protected abstract Analyzer analyzer();

    protected abstract Class<? extends AnalyzerProvider> providerClass();

    /** A realistic request the analyzer should handle. */
    protected abstract AnalysisRequest sampleRequest();

    protected ProviderContext providerContext() {
        return TestContexts.provider().build();
    }

    private List<AnalysisRequest> requests() {
        AnalysisRequest sample = sampleRequest();
        Incident i = sample.incident();
        List<AnalysisRequest> out = new ArrayList<>();
        out.add(sample);
        out.add(new AnalysisRequest(i, Evidence.empty(), sample.availableActions()));
        out.add(new AnalysisRequest(i, sample.evidence(), List.of()));
        out.add(new AnalysisRequest(i, new Evidence(null, null, null, null,
                Map.of("weird", "\u0000\n\"}", "empty", ""), List.of("")), sample.availableActions()));
        out.add(new AnalysisRequest(TestContexts.incident("unknown-type", i.rootResource()), Evidence.empty(),
                sample.availableActions()));
        return out;
    }

    @Test
    public void idIsStableKebabCase() {
        KitSupport.assertKebabAndStable(analyzer().id(), analyzer().id(), "Analyzer");
    }

    @Test
    public void discoverableThroughServiceLoader() {
        AnalyzerProvider p = KitSupport.loadProvider(AnalyzerProvider.class, providerClass());
        ProviderContext ctx = providerContext();
        if (!p.enabled(ctx)) return;
        Analyzer created = p.create(ctx);
        assertNotNull(created, providerClass().getName() + ".create returned null");
        assertEquals(analyzer().id(), created.id(), "the provider must create an analyzer with the same id");
    }

    @Test
    public void answersEveryRequestWithAnOutcome() {
        Analyzer a = analyzer();
        for (AnalysisRequest r : requests()) analyze(a, r);
    }

    @Test
    public void proposalsOnlyNameAvailableActionsOnIncidentResources() {
        Analyzer a = analyzer();
        for (AnalysisRequest r : requests()) {
            if (!(analyze(a, r) instanceof AnalysisOutcome.Diagnosed d)) continue;
            assertEquals(a.id(), d.diagnosis().analyzerId(), "a diagnosis must name the analyzer that made it");
            assertInRange(d.diagnosis().confidence(), "diagnosis confidence");
            for (ProposedAction p : d.diagnosis().actions()) {
                assertTrue(r.actionAvailable(p.actionType()), "proposed " + p.actionType() + " is not among the available "
                        + r.availableActions().stream().map(ActionDescriptor::id).toList());
                assertTrue(r.incident().involves(p.target()), "proposed target " + p.target()
                        + " is not a resource of the incident " + r.incident().resources());
                assertInRange(p.confidence(), "proposal confidence");
            }
        }
    }

    @Test
    public void sampleIsDiagnosedOrDeclinedWithAReason() {
        AnalysisOutcome o = analyze(analyzer(), sampleRequest());
        if (o instanceof AnalysisOutcome.Declined d) assertTrue(!d.reason().isBlank(), "a decline needs a reason");
        if (o instanceof AnalysisOutcome.Failed f) assertTrue(!f.reason().isBlank(), "a failure needs a reason");
    }

    private static void assertInRange(double c, String what) {
        assertTrue(c >= 0.0 && c <= 1.0 && !Double.isNaN(c), what + " must be in [0, 1], was " + c);
    }

    private static AnalysisOutcome analyze(Analyzer a, AnalysisRequest r) {
        AnalysisOutcome o;
        try {
            o = a.analyze(r);
        } catch (RuntimeException e) {
            return fail("analyze threw on incident " + r.incident().type() + " (" + r.availableActions().size()
                    + " actions, " + r.evidence().facts().size() + " facts): " + e, e);
        }
        assertNotNull(o, "analyze must return an outcome, not null");
        return o;
    }
}
