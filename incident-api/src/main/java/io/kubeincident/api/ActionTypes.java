package io.kubeincident.api;

/** The action type ids of the built-in remediation catalog. */
public final class ActionTypes {
    public static final String RESTART_POD = "restart-pod";
    public static final String ROLLOUT_RESTART = "rollout-restart";
    public static final String SCALE = "scale";
    public static final String ROLLBACK_DEPLOYMENT = "rollback-deployment";
    public static final String ADJUST_RESOURCES = "adjust-resources";
    public static final String PATCH_CONFIGMAP = "patch-configmap";
    public static final String PATCH_SECRET = "patch-secret";
    public static final String CORDON_NODE = "cordon-node";
    public static final String DRAIN_NODE = "drain-node";
    public static final String ARGOCD_SYNC = "argocd-sync";
    public static final String ARGOCD_ROLLBACK = "argocd-rollback";

    private ActionTypes() {
    }
}
