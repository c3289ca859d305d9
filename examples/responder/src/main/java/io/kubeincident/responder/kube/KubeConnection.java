package io.kubeincident.responder.kube;

import io.kubeincident.responder.UserError;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.Reader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the responder reaches a cluster: a kubeconfig (option, {@code KUBECONFIG}, {@code ~/.kube/config})
 * with an optional context, or the in-cluster service account. Every way this can go wrong becomes a
 * {@link UserError} with one line that says what to fix.
 */
public final class KubeConnection {
    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    private static final Pattern FORBIDDEN = Pattern.compile("cannot (\\w+) resource \"([^\"]+)\"(?: in API group \"([^\"]*)\")?(?: in the namespace \"([^\"]+)\"| at the cluster scope)?");

    private KubeConnection() {
    }

    /** Where to connect, as the user asked. */
    public record Target(Path kubeconfig, String context, boolean inCluster) {
    }

    /**
     * Builds a client with finite timeouts (connect 5 s, read 30 s).
     *
     * @param env the process environment ({@code KUBECONFIG}, {@code HOME}, {@code KUBERNETES_SERVICE_HOST})
     */
    public static ApiClient connect(Target target, Map<String, String> env) {
        ApiClient client = target.inCluster() ? inCluster() : fromKubeconfig(target, env);
        client.setHttpClient(client.getHttpClient().newBuilder()
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .build());
        return client;
    }

    private static ApiClient inCluster() {
        if (!Files.isReadable(SERVICE_ACCOUNT_TOKEN)) {
            throw UserError.usage("--in-cluster: no service account token at " + SERVICE_ACCOUNT_TOKEN
                    + " (not running in a pod?)");
        }
        try {
            return ClientBuilder.cluster().build();
        } catch (IOException | RuntimeException e) {
            throw UserError.usage("--in-cluster: cannot build a client from the service account: " + oneLine(e));
        }
    }

    private static ApiClient fromKubeconfig(Target target, Map<String, String> env) {
        Path file = target.kubeconfig();
        if (file == null) {
            file = defaultKubeconfig(env);
            if (file == null) {
                if (env.containsKey("KUBERNETES_SERVICE_HOST") && Files.isReadable(SERVICE_ACCOUNT_TOKEN)) {
                    return inCluster();
                }
                throw UserError.usage("no kubeconfig found (looked at $KUBECONFIG and ~/.kube/config); "
                        + "pass --kubeconfig FILE or --in-cluster");
            }
        }
        if (!Files.isRegularFile(file)) {
            throw UserError.usage("kubeconfig " + file + " does not exist");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw UserError.usage("kubeconfig " + file + " cannot be read: " + oneLine(e));
        }
        String wrong = shapeProblem(text);
        if (wrong != null) throw UserError.usage("kubeconfig " + file + " is not valid: " + wrong);
        KubeConfig kc;
        try (Reader r = new java.io.StringReader(text)) {
            kc = KubeConfig.loadKubeConfig(r);
        } catch (IOException | RuntimeException e) {
            throw UserError.usage("kubeconfig " + file + " is not valid: " + oneLine(e));
        }
        if (kc == null) throw UserError.usage("kubeconfig " + file + " is empty");
        kc.setFile(file.toAbsolutePath().toFile());
        if (target.context() != null) {
            if (!kc.setContext(target.context())) {
                throw UserError.usage("context '" + target.context() + "' is not in kubeconfig " + file
                        + " (contexts: " + String.join(", ", contextNames(kc)) + ")");
            }
        } else if (kc.getCurrentContext() == null || kc.getCurrentContext().isBlank()) {
            throw UserError.usage("kubeconfig " + file + " has no current-context; pass --context (contexts: "
                    + String.join(", ", contextNames(kc)) + ")");
        }
        if (kc.getServer() == null || kc.getServer().isBlank()) {
            throw UserError.usage("kubeconfig " + file + ": context '" + kc.getCurrentContext()
                    + "' names no cluster server");
        }
        try {
            return ClientBuilder.kubeconfig(kc).build();
        } catch (IOException | RuntimeException e) {
            throw UserError.usage("kubeconfig " + file + ": cannot build a client: " + oneLine(e));
        }
    }

    /**
     * What is wrong with a kubeconfig's shape, in the file's terms, or {@code null} when it looks like one:
     * client-java would otherwise fail with a cast message.
     */
    static String shapeProblem(String text) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            return "not YAML" + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        } catch (IOException e) {
            return "not YAML";
        }
        if (root == null || root.isMissingNode() || root.isNull()) return "the file is empty";
        if (!root.isObject()) {
            return "the top level is " + what(root) + ", not a mapping with clusters, contexts and users";
        }
        if (!root.has("clusters") && !root.has("contexts")) {
            return "no clusters and no contexts (is this a kubeconfig?)";
        }
        for (String section : List.of("clusters", "contexts", "users")) {
            com.fasterxml.jackson.databind.JsonNode list = root.get(section);
            if (list == null || list.isNull()) continue;
            if (!list.isArray()) return section + " must be a list, is " + what(list);
            String inner = section.substring(0, section.length() - 1);
            for (int i = 0; i < list.size(); i++) {
                com.fasterxml.jackson.databind.JsonNode entry = list.get(i);
                if (!entry.isObject()) return section + "[" + i + "] must be a mapping with name and " + inner + ", is " + what(entry);
                if (!entry.path("name").isTextual()) return section + "[" + i + "] has no name";
                com.fasterxml.jackson.databind.JsonNode body = entry.get(inner);
                if (body != null && !body.isNull() && !body.isObject()) {
                    return section + "[" + i + "]." + inner + " must be a mapping, is " + what(body);
                }
            }
        }
        com.fasterxml.jackson.databind.JsonNode current = root.get("current-context");
        if (current != null && !current.isNull() && !current.isTextual()) return "current-context must be a name, is " + what(current);
        return null;
    }

    private static String what(com.fasterxml.jackson.databind.JsonNode n) {
        if (n.isArray()) return "a list";
        if (n.isObject()) return "a mapping";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "true/false";
        return "a text";
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    private static Path defaultKubeconfig(Map<String, String> env) {
        String list = env.get("KUBECONFIG");
        if (list != null && !list.isBlank()) {
            for (String p : list.split(java.io.File.pathSeparator)) {
                if (!p.isBlank() && Files.isRegularFile(Path.of(p))) return Path.of(p);
            }
            return Path.of(list.split(java.io.File.pathSeparator)[0]);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Path p = home == null ? null : Path.of(home, ".kube", "config");
        return p != null && Files.isRegularFile(p) ? p : null;
    }

    @SuppressWarnings("unchecked")
    private static List<String> contextNames(KubeConfig kc) {
        List<String> names = new ArrayList<>();
        if (kc.getContexts() != null) {
            for (Object o : kc.getContexts()) {
                if (o instanceof Map<?, ?> m && m.get("name") != null) names.add(String.valueOf(m.get("name")));
            }
        }
        return names.isEmpty() ? List.of("none") : names;
    }

    /**
     * Checks that the cluster answers and that the client may list pods where the responder looks:
     * the first call, so that an unreachable cluster or a missing permission is one clear error.
     */
    public static void preflight(ApiClient client, List<String> namespaces) {
        CoreV1Api core = new CoreV1Api(client);
        List<String> scopes = namespaces.isEmpty() ? java.util.Collections.singletonList(null) : namespaces;
        for (String ns : scopes) {
            try {
                if (ns == null) core.listPodForAllNamespaces().limit(1).execute();
                else core.listNamespacedPod(ns).limit(1).execute();
            } catch (ApiException e) {
                throw describe(client, e, "list", "pods", ns);
            }
        }
    }

    /**
     * One line for a failed API call: unreachable, TLS, 401, 403 (naming verb, resource and scope) or
     * another status.
     *
     * @param verb      the verb that was attempted, or {@code null} when unknown
     * @param resource  the resource, or {@code null}
     * @param namespace the namespace, or {@code null} for cluster scope
     */
    public static UserError describe(ApiClient client, ApiException e, String verb, String resource, String namespace) {
        String server = client.getBasePath();
        if (e.getCode() == 0) {
            Throwable c = rootCause(e);
            String why;
            if (c instanceof ConnectException) why = "connection refused";
            else if (c instanceof UnknownHostException) why = "unknown host " + c.getMessage();
            else if (c instanceof SocketTimeoutException) why = "timed out";
            else if (c instanceof SSLException) why = "TLS failed: " + c.getMessage();
            else why = c.toString();
            return UserError.cluster("cannot reach the Kubernetes API at " + server + ": " + why);
        }
        if (e.getCode() == 401) {
            return UserError.cluster("the Kubernetes API at " + server + " rejected the credentials (401 Unauthorized): "
                    + "check the kubeconfig's user or token");
        }
        if (e.getCode() == 403) {
            String body = e.getResponseBody() == null ? "" : e.getResponseBody();
            Matcher m = FORBIDDEN.matcher(body);
            String v = verb;
            String res = resource;
            String ns = namespace;
            if (m.find()) {
                v = m.group(1);
                res = (m.group(3) == null || m.group(3).isEmpty() ? "" : m.group(3) + "/") + m.group(2);
                ns = m.group(4);
            }
            String what = v == null || res == null ? "the request was forbidden"
                    : "cannot " + v + " " + res + (ns == null ? " at cluster scope" : " in namespace " + ns);
            return UserError.cluster("missing permission: " + what + " (403 Forbidden from " + server
                    + "); grant it in the ClusterRole (see deploy/rbac.yaml)");
        }
        String what = verb == null ? "" : " for " + verb + " " + resource + (namespace == null ? "" : " in namespace " + namespace);
        return UserError.cluster("the Kubernetes API at " + server + " answered HTTP " + e.getCode() + what + ": "
                + statusMessage(e));
    }

    private static String statusMessage(ApiException e) {
        String body = e.getResponseBody();
        if (body != null) {
            Matcher m = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body);
            if (m.find()) return m.group(1);
        }
        return Objects.requireNonNullElse(e.getMessage(), "no message");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return c;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
