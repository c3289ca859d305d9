package io.kubeincident.responder.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices when the configuration files change and calls back once per change. Compares content digests
 * on a short period rather than using a file-system watch: a mounted ConfigMap is updated by swapping a
 * {@code ..data} symlink, which watch services report unreliably, and the kubelet's update delay (about
 * a minute) dwarfs the polling period anyway.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final List<Path> files;
    private final Runnable onChange;
    private final Map<Path, byte[]> digests = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;

    public ConfigWatcher(List<Path> files, Duration period, Runnable onChange) {
        this.files = files.stream().filter(Objects::nonNull).toList();
        this.onChange = onChange;
        for (Path f : this.files) digests.put(f, digest(f));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-config-watch");
            t.setDaemon(true);
            return t;
        });
        if (!this.files.isEmpty()) {
            timer.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Compares now; calls back when anything changed. */
    public synchronized boolean check() {
        boolean changed = false;
        for (Path f : files) {
            byte[] d = digest(f);
            if (!Arrays.equals(d, digests.get(f))) {
                digests.put(f, d);
                changed = true;
            }
        }
        if (changed) {
            LOG.atInfo().addKeyValue("files", files.toString()).log("configuration files changed");
            try {
                onChange.run();
            } catch (RuntimeException e) {
                LOG.error("applying the configuration change failed", e);
            }
        }
        return changed;
    }

    private static byte[] digest(Path f) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
        } catch (IOException e) {
            return new byte[0];  // missing for a moment while the ConfigMap's symlinks swap
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
