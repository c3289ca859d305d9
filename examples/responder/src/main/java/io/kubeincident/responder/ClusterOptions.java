package io.kubeincident.responder;

import io.kubeincident.responder.kube.KubeConnection;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How to reach the cluster: shared by {@code scan} and {@code run}. */
final class ClusterOptions {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster when in a pod)")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context (default: the current one)")
    String context;

    @Option(names = "--in-cluster", description = "use the pod's service account")
    boolean inCluster;

    KubeConnection.Target target() {
        if (inCluster && (kubeconfig != null || context != null)) {
            throw UserError.usage("--in-cluster cannot be combined with --kubeconfig or --context");
        }
        return new KubeConnection.Target(kubeconfig, context, inCluster);
    }
}
