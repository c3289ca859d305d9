package io.kubeincident.testkit.scenario;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Taint;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node as the kubelet and node controller show it: Ready, or NotReady (Ready=False, e.g. the
 * kubelet reports a runtime problem) or unreachable (Ready=Unknown, the node stopped posting status,
 * with the {@code node.kubernetes.io/unreachable} taints), optionally with pressure conditions.
 */
public final class NodeBuilder {

    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private String ready = "True";
    private Duration notReadyFor = Duration.ofMinutes(10);
    private boolean memoryPressure;
    private boolean diskPressure;
    private boolean pidPressure;
    private boolean unschedulable;

    private NodeBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public static NodeBuilder node(String name) {
        return new NodeBuilder(name);
    }

    public NodeBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    public NodeBuilder clock(Clock c) {
        this.clock = Objects.requireNonNull(c, "clock");
        return this;
    }

    public NodeBuilder ready() {
        ready = "True";
        return this;
    }

    /** Ready=False since {@code since} ago (kubelet reports not ready). */
    public NodeBuilder notReady(Duration since) {
        ready = "False";
        notReadyFor = since;
        return this;
    }

    /** Ready=Unknown since {@code since} ago (kubelet stopped posting status), with unreachable taints. */
    public NodeBuilder unreachable(Duration since) {
        ready = "Unknown";
        notReadyFor = since;
        return this;
    }

    public NodeBuilder memoryPressure() {
        memoryPressure = true;
        return this;
    }

    public NodeBuilder diskPressure() {
        diskPressure = true;
        return this;
    }

    public NodeBuilder pidPressure() {
        pidPressure = true;
        return this;
    }

    /** spec.unschedulable (cordoned). */
    public NodeBuilder cordoned() {
        unschedulable = true;
        return this;
    }

    public V1Node build() {
        Instant now = clock.instant();
        Instant born = now.minus(Duration.ofDays(3));
        Instant change = "True".equals(ready) ? born : now.minus(notReadyFor);
        Instant heartbeat = "Unknown".equals(ready) ? change : now.minusSeconds(10);
        Map<String, String> l = new LinkedHashMap<>(Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux"));
        l.putAll(labels);
        List<V1NodeCondition> conds = new ArrayList<>();
        conds.add(pressure("MemoryPressure", memoryPressure, "KubeletHasSufficientMemory", "KubeletHasInsufficientMemory",
                "kubelet has sufficient memory available", heartbeat, born, change));
        conds.add(pressure("DiskPressure", diskPressure, "KubeletHasNoDiskPressure", "KubeletHasDiskPressure",
                "kubelet has no disk pressure", heartbeat, born, change));
        conds.add(pressure("PIDPressure", pidPressure, "KubeletHasSufficientPID", "KubeletHasInsufficientPID",
                "kubelet has sufficient PID available", heartbeat, born, change));
        V1NodeCondition readyCond = new V1NodeCondition().type("Ready").status(ready)
                .lastHeartbeatTime(PodBuilder.odt(heartbeat)).lastTransitionTime(PodBuilder.odt(change));
        switch (ready) {
            case "True" -> readyCond.reason("KubeletReady").message("kubelet is posting ready status");
            case "False" -> readyCond.reason("KubeletNotReady")
                    .message("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                            + "message:Network plugin returns error: cni plugin not initialized");
            default -> readyCond.reason("NodeStatusUnknown").message("Kubelet stopped posting node status.");
        }
        conds.add(readyCond);
        if ("Unknown".equals(ready)) {
            for (V1NodeCondition c : conds) {
                if (c.getType().equals("Ready")) continue;
                c.status("Unknown").reason("NodeStatusUnknown").message("Kubelet stopped posting node status.")
                        .lastTransitionTime(PodBuilder.odt(change));
            }
        }
        List<V1Taint> taints = new ArrayList<>();
        if ("Unknown".equals(ready)) {
            taints.add(new V1Taint().key("node.kubernetes.io/unreachable").effect("NoSchedule"));
            taints.add(new V1Taint().key("node.kubernetes.io/unreachable").effect("NoExecute").timeAdded(PodBuilder.odt(change)));
        } else if ("False".equals(ready)) {
            taints.add(new V1Taint().key("node.kubernetes.io/not-ready").effect("NoSchedule"));
            taints.add(new V1Taint().key("node.kubernetes.io/not-ready").effect("NoExecute").timeAdded(PodBuilder.odt(change)));
        }
        if (unschedulable) taints.add(new V1Taint().key("node.kubernetes.io/unschedulable").effect("NoSchedule"));
        Map<String, Quantity> capacity = Map.of("cpu", Quantity.fromString("4"), "memory", Quantity.fromString("16Gi"),
                "pods", Quantity.fromString("110"));
        return new V1Node().apiVersion("v1").kind("Node")
                .metadata(new V1ObjectMeta().name(name).labels(l))
                .spec(new V1NodeSpec().unschedulable(unschedulable ? true : null).taints(taints.isEmpty() ? null : taints)
                        .podCIDR("10.244.1.0/24"))
                .status(new V1NodeStatus().conditions(conds).capacity(capacity).allocatable(capacity)
                        .nodeInfo(new V1NodeSystemInfo().architecture("amd64").operatingSystem("linux").osImage("Debian GNU/Linux 12")
                                .kernelVersion("6.1.0").containerRuntimeVersion("containerd://1.7.24").kubeletVersion("v1.32.0")
                                .kubeProxyVersion("v1.32.0").machineID(Names.suffix(name)).systemUUID(Names.suffix(name + "-uuid"))
                                .bootID(Names.suffix(name + "-boot"))));
    }

    public V1Node create(ApiClient client) throws ApiException {
        return new CoreV1Api(client).createNode(build()).execute();
    }

    private static V1NodeCondition pressure(String type, boolean on, String okReason, String badReason, String okMessage,
                                            Instant heartbeat, Instant born, Instant change) {
        return new V1NodeCondition().type(type).status(on ? "True" : "False").reason(on ? badReason : okReason)
                .message(on ? "kubelet has " + type.replace("Pressure", "").toLowerCase() + " pressure" : okMessage)
                .lastHeartbeatTime(PodBuilder.odt(heartbeat)).lastTransitionTime(PodBuilder.odt(on ? change : born));
    }
}
