package io.kubeincident.spi;

import io.kubeincident.api.ConfigView;

import java.time.Clock;
import java.time.Instant;

/** What a detector may consult besides the object: the cluster view, configuration and the clock. */
public interface DetectionContext {

    ClusterView cluster();

    ConfigView config();

    Clock clock();

    default Instant now() {
        return clock().instant();
    }
}
