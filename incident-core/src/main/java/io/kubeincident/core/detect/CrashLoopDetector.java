package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Containers waiting in CrashLoopBackOff, with restart count and the last termination. */
public final class CrashLoopDetector implements Detector {

    public static final class Provider implements DetectorProvider {
        @Override
        public Detector create(ProviderContext context) {
            return new CrashLoopDetector();
        }
    }

    @Override
    public String id() {
        return "crash-loop";
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Pod");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.CRASH_LOOP);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (V1ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (cs.getState() == null || cs.getState().getWaiting() == null) continue;
            if (!"CrashLoopBackOff".equals(cs.getState().getWaiting().getReason())) continue;
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("container", cs.getName());
            facts.put("waitingReason", "CrashLoopBackOff");
            facts.put("restartCount", String.valueOf(cs.getRestartCount()));
            if (cs.getImage() != null) facts.put("image", cs.getImage());
            Instant since = context.now();
            V1ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (last != null) {
                facts.put("exitCode", String.valueOf(last.getExitCode()));
                if (last.getReason() != null) facts.put("terminatedReason", last.getReason());
                if (last.getFinishedAt() != null) since = last.getFinishedAt().toInstant();
            }
            String msg = "container " + cs.getName() + " of pod " + pod.getMetadata().getName()
                    + " is in CrashLoopBackOff (restarts: " + cs.getRestartCount()
                    + (last != null ? ", last exit code " + last.getExitCode() : "") + ")";
            out.add(new Finding(id(), IncidentTypes.CRASH_LOOP, Severity.HIGH, Refs.of(pod), msg, facts, since));
        }
        return out;
    }
}
