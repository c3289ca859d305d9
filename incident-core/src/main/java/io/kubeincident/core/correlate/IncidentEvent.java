package io.kubeincident.core.correlate;

import io.kubeincident.api.Incident;

import java.util.Objects;

/** What happened to an incident as findings came and went. */
public sealed interface IncidentEvent {

    Incident incident();

    /** A new incident: analyze it. */
    record Opened(Incident incident) implements IncidentEvent {
        public Opened {
            Objects.requireNonNull(incident, "incident");
        }
    }

    /** More or fewer objects, a worse severity or a more specific type; same id. */
    record Updated(Incident incident) implements IncidentEvent {
        public Updated {
            Objects.requireNonNull(incident, "incident");
        }
    }

    /** Findings came back within the reopen window: the same incident (same id) is open again. */
    record Reopened(Incident incident, int flaps) implements IncidentEvent {
        public Reopened {
            Objects.requireNonNull(incident, "incident");
        }
    }

    /** Its findings stayed clear for the quiet period. */
    record Resolved(Incident incident) implements IncidentEvent {
        public Resolved {
            Objects.requireNonNull(incident, "incident");
        }
    }
}
