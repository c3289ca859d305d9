package io.kubeincident.responder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ResourceRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The documented JSON shape of incidents, shared by {@code scan --output json} and the HTTP API:
 * <pre>
 * {"incidents":[{"id","type","severity","resources":[{"kind","namespace","name"}],"rootResource":{...},
 *   "diagnosis":{"category","rootCause","confidence","analyzer","fallback"},
 *   "plan":[{"action","target":{"kind","namespace","name"},"confidence","decision","reasons":[]}],
 *   "problems":[]}]}
 * </pre>
 * {@code analyzer} is the analyzer that produced the diagnosis; {@code fallback} is null when it was the first
 * asked, else which analyzers declined or failed before it and why (a wrong key, an open circuit, an invalid
 * answer). {@code problems} says what is missing from an incident's report and why (evidence that could not be
 * read, an analyzer that failed before another answered); empty when the report is complete.
 * {@code decision} is {@code execute}, {@code approval}, {@code log-only} or {@code denied}; {@code severity}
 * is lower case; {@code namespace} is {@code null} for cluster-scoped objects.
 */
public final class ReportJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    public static Map<String, Object> document(List<IncidentReport> reports) {
        List<Object> incidents = new ArrayList<>();
        for (IncidentReport r : reports) incidents.add(incident(r));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("incidents", incidents);
        return doc;
    }

    public static Map<String, Object> incident(IncidentReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.incident().id());
        m.put("type", r.incident().type());
        m.put("severity", r.incident().severity().name().toLowerCase(Locale.ROOT));
        List<Object> resources = new ArrayList<>();
        for (ResourceRef ref : r.incident().resources()) resources.add(ref(ref));
        m.put("resources", resources);
        m.put("rootResource", ref(r.incident().rootResource()));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("category", r.diagnosis().category());
        d.put("rootCause", r.diagnosis().rootCause());
        d.put("confidence", r.diagnosis().confidence());
        d.put("analyzer", r.diagnosis().analyzerId());
        d.put("fallback", fallback(r));
        m.put("diagnosis", d);
        List<Object> plan = new ArrayList<>();
        for (PlannedAction pa : r.plan()) plan.add(planned(pa));
        m.put("plan", plan);
        m.put("problems", r.problems());
        return m;
    }

    /** Why the analyzers before the one that answered did not, or null when the first one answered. */
    public static String fallback(IncidentReport r) {
        return r.diagnosis().attributes().get(io.kubeincident.core.IncidentEngine.FALLBACK_ATTRIBUTE);
    }

    public static Map<String, Object> planned(PlannedAction pa) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("action", pa.action().actionType());
        p.put("target", ref(pa.action().target()));
        p.put("confidence", pa.action().confidence());
        p.put("decision", pa.decision().id());
        p.put("reasons", pa.reasons());
        return p;
    }

    public static Map<String, Object> ref(ResourceRef ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", ref.kind());
        m.put("namespace", ref.namespace());
        m.put("name", ref.name());
        return m;
    }

    public static String write(Object doc) {
        try {
            return MAPPER.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON-like maps always serialise", e);
        }
    }
}
