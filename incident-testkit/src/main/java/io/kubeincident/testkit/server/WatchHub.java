package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Every change of the store as a watch event, kept in a bounded history so a watch can resume from a
 * resourceVersion, and fanned out to open watches. Publishing and subscribing happen under the API's
 * lock, so a watch sees every event after its starting point exactly once and in order.
 */
final class WatchHub {

    static final int DEFAULT_HISTORY = 10_000;

    record Event(long rv, String type, String group, String plural, ObjectNode object, ObjectNode previous) {
    }

    /** What one watch wants to see. */
    record Filter(String group, String plural, String namespace, String name, Predicate<JsonNode> labels,
                  Predicate<JsonNode> fields) {

        boolean sameResource(Event e) {
            return group.equals(e.group) && plural.equals(e.plural);
        }

        boolean matches(JsonNode o) {
            if (o == null) return false;
            JsonNode md = o.path("metadata");
            if (namespace != null && !namespace.equals(md.path("namespace").asText())) return false;
            if (name != null && !name.equals(md.path("name").asText())) return false;
            return labels.test(o) && fields.test(o);
        }

        /** The event as this watch sees it (a MODIFIED that leaves the selection is a DELETED), or null. */
        String[] view(Event e) {
            if (!sameResource(e)) return null;
            boolean now = matches(e.object);
            boolean before = e.previous != null && matches(e.previous);
            switch (e.type) {
                case "ADDED":
                    return now ? new String[]{"ADDED"} : null;
                case "DELETED":
                    return now ? new String[]{"DELETED"} : null;
                default:
                    if (now && before) return new String[]{"MODIFIED"};
                    if (now) return new String[]{"ADDED"};
                    if (before) return new String[]{"DELETED"};
                    return null;
            }
        }
    }

    final class Subscription implements AutoCloseable {
        private final Filter filter;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Subscription(Filter filter) {
            this.filter = filter;
        }

        void offer(Event e) {
            String[] type = filter.view(e);
            if (type != null) lines.add(line(type[0], e.object));
        }

        String poll(long millis) throws InterruptedException {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }

    private final ObjectMapper json;
    private final Deque<Event> history = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    /** Watches starting before this resourceVersion have lost events: they get 410 Gone. */
    private long expiredBefore;

    private final int capacity;

    WatchHub(ObjectMapper json, int capacity) {
        this.json = json;
        this.capacity = capacity;
    }

    void publish(Event e) {
        history.addLast(e);
        while (history.size() > capacity) {
            expiredBefore = history.removeFirst().rv;
        }
        for (Subscription s : subscribers) s.offer(e);
    }

    boolean expired(long fromRv) {
        return fromRv < expiredBefore;
    }

    /** Lines of the retained events after {@code fromRv} that {@code filter} sees. */
    List<String> since(long fromRv, Filter filter) {
        List<String> out = new ArrayList<>();
        for (Event e : history) {
            if (e.rv <= fromRv) continue;
            String[] type = filter.view(e);
            if (type != null) out.add(line(type[0], e.object));
        }
        return out;
    }

    Subscription subscribe(Filter filter) {
        Subscription s = new Subscription(filter);
        subscribers.add(s);
        return s;
    }

    int openWatches() {
        return subscribers.size();
    }

    void clearHistory(long nowRv) {
        history.clear();
        expiredBefore = nowRv;
    }

    String line(String type, JsonNode object) {
        ObjectNode ev = json.createObjectNode();
        ev.put("type", type);
        ev.set("object", object);
        try {
            return json.writeValueAsString(ev);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
