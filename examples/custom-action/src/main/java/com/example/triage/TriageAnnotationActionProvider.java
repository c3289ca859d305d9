package com.example.triage;

import io.kubeincident.api.ConfigKeys;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/**
 * What ServiceLoader finds: registered in {@code META-INF/services/io.kubeincident.spi.RemediationActionProvider}.
 * Dropping this jar on the responder's class path is all it takes.
 */
public final class TriageAnnotationActionProvider implements RemediationActionProvider, DeclaresConfiguration {

    /** The engine refuses keys nobody declares: this action's switch is declared here. */
    @Override
    public ConfigKeys configKeys() {
        return ConfigKeys.builder().bool("remediation.enable_triage_annotations").build();
    }

    @Override
    public RemediationAction create(ProviderContext context) {
        return new TriageAnnotationAction();
    }
}
