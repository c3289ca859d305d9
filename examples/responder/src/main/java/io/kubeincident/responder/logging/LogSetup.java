package io.kubeincident.responder.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Configures logback for a command: JSON lines for {@code run} (what log pipelines ingest),
 * human-readable lines for {@code demo} and {@code scan} (on stderr, so that stdout stays the result).
 */
public final class LogSetup {
    public enum Format { JSON, TEXT }

    private LogSetup() {
    }

    /**
     * Replaces logback's configuration.
     *
     * @param level  root level for the project's loggers
     * @param target where lines go
     */
    public static void configure(Format format, String level, PrintStream target) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;  // another SLF4J backend
        ctx.reset();
        Encoder<ILoggingEvent> encoder;
        if (format == Format.JSON) {
            encoder = new JsonLineEncoder();
        } else {
            PatternLayoutEncoder p = new PatternLayoutEncoder();
            // %kvp: the SLF4J key-values (diagnosis, confidence, incident_id, ...) that the JSON lines carry as fields
            p.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg %kvp%n");
            encoder = p;
        }
        encoder.setContext(ctx);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(ctx);
        appender.setName("console");
        appender.setEncoder(encoder);
        appender.setOutputStream(nonClosing(target));
        appender.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.WARN);
        Level lvl = Level.toLevel(level, Level.INFO);
        ctx.getLogger("io.kubeincident").setLevel(lvl);
        // Libraries stay quiet unless something is wrong.
        ctx.getLogger("io.kubernetes").setLevel(Level.WARN);
        ctx.getLogger("okhttp3").setLevel(Level.WARN);
        // Leadership changes are logged by the responder; the elector's own shutdown chatter is not useful.
        ctx.getLogger("io.kubernetes.client.extended.leaderelection").setLevel(Level.ERROR);
        java.util.logging.Logger.getLogger("io.fabric8").setLevel(java.util.logging.Level.OFF);
        java.util.logging.Logger.getLogger("okhttp3").setLevel(java.util.logging.Level.OFF);
    }

    /** Changes the level of the project's loggers (a configuration reload). */
    public static void level(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger("io.kubeincident").setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    private static OutputStream nonClosing(PrintStream target) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                target.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                target.write(b, off, len);
            }

            @Override
            public void flush() {
                target.flush();
            }
        };
    }
}
