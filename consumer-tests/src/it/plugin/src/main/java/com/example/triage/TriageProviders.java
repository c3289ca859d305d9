package com.example.triage;

import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

/** What ServiceLoader finds: one provider per worker, each listed in {@code META-INF/services/}. */
public final class TriageProviders {
    private TriageProviders() {
    }

    // tag::providers[]
    /** Listed in {@code META-INF/services/io.kubeincident.spi.RemediationActionProvider}. */
    public static final class Action implements RemediationActionProvider {
        @Override
        public RemediationAction create(ProviderContext context) {
            return new MarkForTriageAction();
        }
    }

    /** Listed in {@code META-INF/services/io.kubeincident.spi.DetectorProvider}. */
    public static final class Detection implements DetectorProvider {
        @Override
        public Detector create(ProviderContext context) {
            return new SelfReportedDegradedDetector();
        }
    }

    /** Listed in {@code META-INF/services/io.kubeincident.spi.SafetyPolicyProvider}. */
    public static final class Policy implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext context) {
            return new ProtectedWorkloadsPolicy();
        }
    }
    // end::providers[]
}
