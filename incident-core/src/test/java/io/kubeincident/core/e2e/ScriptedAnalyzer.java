package io.kubeincident.core.e2e;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.spi.Analyzer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An LLM-style analyzer for end-to-end tests: it answers first (priority 100) with whatever plan the test
 * scripts for the incident, sensible or not, and remembers what it was asked.
 */
final class ScriptedAnalyzer implements Analyzer {
    private final Function<AnalysisRequest, List<ProposedAction>> plan;
    final List<AnalysisRequest> requests = new CopyOnWriteArrayList<>();

    ScriptedAnalyzer(Function<AnalysisRequest, List<ProposedAction>> plan) {
        this.plan = plan;
    }

    @Override
    public String id() {
        return "scripted-llm";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public AnalysisOutcome analyze(AnalysisRequest request) {
        requests.add(request);
        Incident i = request.incident();
        return AnalysisOutcome.diagnosed(new Diagnosis("scripted", "scripted root cause for " + i.rootResource(),
                "the script says so", 0.9, id(), plan.apply(request), Map.of("model", "scripted")));
    }

    /** The first pod among the incident's resources (the crash-looping one the detector saw). */
    static io.kubeincident.api.ResourceRef firstPod(AnalysisRequest r) {
        return r.incident().resources().stream().filter(x -> x.kind().equals("Pod")).findFirst().orElseThrow();
    }
}
