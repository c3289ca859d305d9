package io.kubeincident.core.learn;

import io.kubeincident.api.OutcomeRecord;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Outcomes in a ConfigMap ({@code data["outcomes.jsonl"]}), so that every replica of a host and every restart
 * learns from the same history. Keeps the newest {@code maxStored} records there (a ConfigMap holds at most
 * 1 MiB). Each record is written through at once: read, append, replace with the read resourceVersion; a
 * 409 (another replica wrote meanwhile) is re-read and tried again, a bounded number of times. API failures
 * are logged and the record kept in memory: learning is advice, it never stops the engine. Thread-safe.
 */
public final class ConfigMapOutcomeHistory extends InMemoryOutcomeHistory {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigMapOutcomeHistory.class);
    static final String KEY = "outcomes.jsonl";
    private static final int ATTEMPTS = 4;

    private final ApiClient client;
    private final String namespace;
    private final String name;
    private final int maxStored;

    public ConfigMapOutcomeHistory(ApiClient client, String namespace, String name, int maxStored) {
        super(Math.max(maxStored, 1));
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.maxStored = maxStored;
        try {
            read().ifPresent(cm -> rememberAll(parse(cm)));
        } catch (ApiException e) {
            LOG.warn("cannot read outcome history ConfigMap {}/{}: HTTP {}; starting empty", namespace, name, e.getCode());
        }
    }

    private Optional<V1ConfigMap> read() throws ApiException {
        try {
            return Optional.of(new CoreV1Api(client).readNamespacedConfigMap(name, namespace).execute());
        } catch (ApiException e) {
            if (e.getCode() == 404) return Optional.empty();
            throw e;
        }
    }

    private static List<OutcomeRecord> parse(V1ConfigMap cm) {
        List<OutcomeRecord> out = new ArrayList<>();
        String text = cm.getData() == null ? null : cm.getData().get(KEY);
        if (text == null) return out;
        for (String line : text.split("\n")) OutcomeJson.read(line).ifPresent(out::add);
        return out;
    }

    @Override
    public void record(OutcomeRecord outcome) {
        super.record(outcome);
        synchronized (this) {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    Optional<V1ConfigMap> current = read();
                    List<OutcomeRecord> stored = current.map(ConfigMapOutcomeHistory::parse).orElseGet(ArrayList::new);
                    stored.add(outcome);
                    if (stored.size() > maxStored) stored = stored.subList(stored.size() - maxStored, stored.size());
                    StringBuilder sb = new StringBuilder();
                    for (OutcomeRecord r : stored) sb.append(OutcomeJson.write(r)).append('\n');
                    CoreV1Api api = new CoreV1Api(client);
                    if (current.isEmpty()) {
                        V1ConfigMap cm = new V1ConfigMap().metadata(new V1ObjectMeta().name(name).namespace(namespace)
                                .putLabelsItem("app.kubernetes.io/managed-by", "kube-incident"))
                                .data(Map.of(KEY, sb.toString()));
                        api.createNamespacedConfigMap(namespace, cm).execute();
                    } else {
                        V1ConfigMap cm = current.get();
                        Map<String, String> data = cm.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(cm.getData());
                        data.put(KEY, sb.toString());
                        cm.setData(data);
                        api.replaceNamespacedConfigMap(name, namespace, cm).execute();
                    }
                    return;
                } catch (ApiException e) {
                    if (e.getCode() == 409 && attempt < ATTEMPTS) continue;
                    LOG.warn("cannot store outcome in ConfigMap {}/{}: HTTP {}; kept in memory", namespace, name, e.getCode());
                    return;
                }
            }
        }
    }
}
