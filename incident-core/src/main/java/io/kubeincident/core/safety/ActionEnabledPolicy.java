package io.kubeincident.core.safety;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-action switches {@code remediation.enable_*}, all in one place. Each action names its switch
 * ({@link RemediationAction#enableKey()}); one that names none is governed by {@code remediation.enable_<id>}
 * (dashes as underscores). Defaults: restarts, scaling, rollback and resource raises on; ConfigMap and Secret
 * patches and node cordon/drain off; every other action (a plug-in found on the class path) off until its
 * switch is set to true, so a jar that registers an action cannot make it run by being there. A switch that is
 * set but not a boolean denies.
 */
public final class ActionEnabledPolicy implements SafetyPolicy, ActionCatalogAware {

    public static final String ID = "action-enabled";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new ActionEnabledPolicy(c.config());
        }
    }

    /** Built-in action type to its switch. */
    static final Map<String, String> BUILT_IN_KEYS = Map.of(
            ActionTypes.RESTART_POD, "enable_pod_restart",
            ActionTypes.ROLLOUT_RESTART, "enable_pod_restart",
            ActionTypes.SCALE, "enable_scaling",
            ActionTypes.ROLLBACK_DEPLOYMENT, "enable_rollback",
            ActionTypes.ADJUST_RESOURCES, "enable_resource_update",
            ActionTypes.PATCH_CONFIGMAP, "enable_config_update",
            ActionTypes.PATCH_SECRET, "enable_secret_update",
            ActionTypes.CORDON_NODE, "enable_node_drain",
            ActionTypes.DRAIN_NODE, "enable_node_drain");

    /** Defaults of the built-in switches; a switch not listed here defaults to off. */
    static final Map<String, Boolean> DEFAULTS = Map.of(
            "enable_pod_restart", true,
            "enable_scaling", true,
            "enable_rollback", true,
            "enable_resource_update", true,
            "enable_config_update", false,
            "enable_secret_update", false,
            "enable_node_drain", false);

    private final ConfigView config;
    private final Map<String, String> keys = new ConcurrentHashMap<>(BUILT_IN_KEYS);

    public ActionEnabledPolicy(ConfigView config) {
        this.config = config;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public void catalog(Collection<RemediationAction> actions) {
        for (RemediationAction a : actions) {
            String key = a.enableKey();
            if (key != null && !key.isBlank()) keys.put(a.id(), normalize(key));
        }
    }

    static String normalize(String key) {
        String k = key.trim();
        return k.startsWith("remediation.") ? k.substring("remediation.".length()) : k;
    }

    /** The built-in switches, without the {@code remediation.} prefix (documented keys, whether or not their actions are registered). */
    public static java.util.Set<String> builtInSwitches() {
        return DEFAULTS.keySet();
    }

    /** The switch of {@code action}, without the {@code remediation.} prefix: its {@code enableKey()}, else derived from its id. */
    public static String switchOf(RemediationAction action) {
        String key = action.enableKey();
        if (key != null && !key.isBlank()) return normalize(key);
        String builtIn = BUILT_IN_KEYS.get(action.id());
        return builtIn != null ? builtIn : "enable_" + action.id().replace('-', '_');
    }

    /** The switch governing {@code actionType}, without the {@code remediation.} prefix. */
    public String keyOf(String actionType) {
        String key = keys.get(actionType);
        return key != null ? key : "enable_" + actionType.replace('-', '_');
    }

    /** Whether the configuration switches {@code actionType} on (a switch that is not a boolean counts as off). */
    public boolean enabled(String actionType) {
        try {
            return switchValue(keyOf(actionType));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean switchValue(String key) {
        return config.getBoolean("remediation." + key, DEFAULTS.getOrDefault(key, false));
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        String key = keyOf(action.actionType());
        String full = "remediation." + key;
        boolean enabled;
        try {
            enabled = switchValue(key);
        } catch (IllegalArgumentException e) {
            return Verdict.deny(e.getMessage() + "; treating " + action.actionType() + " as disabled");
        }
        return enabled ? Verdict.allow() : Verdict.deny(action.actionType() + " is disabled (" + full + "=false"
                + (config.get(full).isEmpty() ? ", the default" : "") + ")");
    }
}
